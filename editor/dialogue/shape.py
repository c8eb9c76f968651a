"""A per-project audio → mouth-shape model for unit selection: how open the mouth is, predicted from the line's
sound by a ridge regression fitted on the bank's own sync takes.

Issue 18: on CREMA-D the bank is angry and sad deliveries; chosen by audio distance alone (MFCC + energy, each
utterance normalised), the rebuilt neutral line's mouths were more open than the take's and often showed no
teeth row where the take did. The audio descriptor's 98 dimensions weigh every coefficient alike; the two numbers
an editor looks at first — the dark opening between the lips and the bright teeth — are each a weighted sum of
them that the project's own takes can learn. (The teeth share, predicted the same way and added to the cost, did
not help on the held-out CREMA-D takes and variants; it is measured here for the benchmark.)

1. **Shape** of a mouth crop (``mouth_shape``), relative to its own skin (the ring's median Lab, so lighting and
   grade cancel): ``open`` = the share of the mouth ellipse (``SHAPE_AXES`` of the box) darker than 0.6 × the
   skin's L (the opening); ``teeth`` = the share brighter than the skin by ``TEETH_L`` and less red (a* below
   the skin's: teeth, not a lip highlight).
2. **Model** (``ShapeModel.fit``): per-dimension standardised descriptors → shape by ridge regression, its
   strength chosen by leave-one-take-out error among ``LAMBDAS`` when the bank has two takes or more (each take
   predicted from the others: the model must carry to a line it never saw). On the CREMA-D takes (each predicted
   from the other two) the openness correlates 0.83–0.87 with the truth.
3. **Cost** (``shape_cost``): the squared difference between the line's predicted openness and each bank mouth's,
   in units of the bank's standard deviation — added to the audio target cost by
   ``editor.dialogue.select.select_units`` with weight ``SHAPE_WEIGHT`` × the audio cost's mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from editor.dialogue.blend import inner_mask, ring_mask

SHAPE_AXES = (0.6, 0.6)  # the ellipse the shape is measured in: the lips' opening, not the chin or the cheeks
DARK = 0.6  # the opening: L below this fraction of the skin's
TEETH_L = 20.0  # teeth: L this far above the skin's (8-bit Lab) and a* below the skin's
LAMBDAS = (1.0, 10.0, 100.0, 1000.0)
DEFAULT_LAMBDA = 100.0  # a single take cannot be cross-validated
SHAPE_WEIGHT = 1.0  # the shape cost's weight against the audio target cost (chosen on held-out variants)


def mouth_shape(crops: np.ndarray) -> np.ndarray:
    """``(n, 2)`` float32: per uint8 RGB crop, the shares of the mouth ellipse that are opening and teeth."""
    h, w = crops.shape[1:3]
    ell = inner_mask(w, h, 0.08, SHAPE_AXES) > 0.5
    ring = ring_mask(w, h) > 0
    out = np.empty((len(crops), 2), np.float32)
    for i, c in enumerate(crops):
        lab = cv2.cvtColor(c, cv2.COLOR_RGB2LAB).astype(np.float32)
        skin = np.median(lab[ring], axis=0)
        inner = lab[ell]
        out[i, 0] = np.mean(inner[:, 0] < DARK * skin[0])
        out[i, 1] = np.mean((inner[:, 0] > skin[0] + TEETH_L) & (inner[:, 1] < skin[1]))
    return out


def _ridge(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    return np.linalg.solve(x.T @ x + lam * np.eye(x.shape[1]), x.T @ y)


@dataclass(frozen=True)
class ShapeModel:
    """Standardised descriptors → mouth shape (``mouth_shape``'s two columns)."""

    x_mean: np.ndarray
    x_std: np.ndarray
    y_mean: np.ndarray
    weights: np.ndarray
    lam: float

    @classmethod
    def fit(cls, descriptors: np.ndarray, shapes: np.ndarray, take_ids: np.ndarray) -> ShapeModel:
        """Fit on the bank frames' own sync-sound descriptors and their mouths' shapes (step 2)."""
        xm, xs = descriptors.mean(0), descriptors.std(0) + 1e-6
        x = (descriptors - xm) / xs
        ym = shapes.mean(0)
        y = shapes - ym
        takes = np.unique(take_ids)
        lam = DEFAULT_LAMBDA
        if len(takes) >= 2:
            errors = []
            for candidate in LAMBDAS:
                err = 0.0
                for t in takes:
                    train, test = take_ids != t, take_ids == t
                    pred = x[test] @ _ridge(x[train], y[train] - y[train].mean(0), candidate) + y[train].mean(0)
                    err += float(((pred - y[test]) ** 2).sum())
                errors.append(err)
            lam = LAMBDAS[int(np.argmin(errors))]
        return cls(xm, xs, ym, _ridge(x, y, lam), lam)

    def predict(self, descriptors: np.ndarray) -> np.ndarray:
        return ((descriptors - self.x_mean) / self.x_std) @ self.weights + self.y_mean


def shape_cost(query: np.ndarray, bank: np.ndarray, take_ids: np.ndarray, openness: np.ndarray) -> np.ndarray:
    """``(T, N)``: the squared distance, in the bank's standard deviations, between each line frame's predicted
    openness (``query``: its descriptors) and each bank mouth's (``openness``, ``mouth_shape``'s first column),
    the model fitted on the bank frames' descriptors ``bank``."""
    model = ShapeModel.fit(bank, openness[:, None], take_ids)
    pred = model.predict(query)[:, 0]
    return ((pred[:, None] - openness[None, :]) / (openness.std() + 1e-3)) ** 2
