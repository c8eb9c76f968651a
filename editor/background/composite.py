"""Fitting the new plate to the frame, re-grading the foreground to it, and compositing.

Re-grade: a colour transfer in CIE Lab (Reinhard et al. 2001) of the performer towards the new plate's
statistics, or the lighting model's ASC CDL match (``editor.lighting.cdl.fit_match``), applied partially
(``strength``) because a full transfer would paint the performer the colour of the wall. Statistics are measured
once per shot (over confidently foreground pixels of a few frames) so the grade is the same on every frame and
cannot flicker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from editor.background.errors import BackgroundError, PlateError
from editor.lighting.cdl import Cdl, fit_match

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays


def fit_plate(plate: F32, size: tuple[int, int]) -> F32:
    """Scale ``plate`` (RGB float32) to cover ``(height, width)`` keeping its aspect ratio, then centre-crop.

    Raises:
        PlateError: If the plate is not an RGB image.
    """
    if plate.ndim != 3 or plate.shape[2] != 3 or plate.shape[0] < 1 or plate.shape[1] < 1:
        raise PlateError(f"a replacement plate must be an H×W×3 RGB image, got shape {plate.shape}")
    h, w = size
    ph, pw = plate.shape[:2]
    scale = max(h / ph, w / pw)
    nh, nw = max(h, round(ph * scale)), max(w, round(pw * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(plate, (nw, nh), interpolation=interp) if (nh, nw) != (ph, pw) else plate
    y0, x0 = (nh - h) // 2, (nw - w) // 2
    return np.clip(resized[y0 : y0 + h, x0 : x0 + w], 0.0, 1.0).astype(np.float32)


def _lab(rgb: F32) -> F32:
    return cv2.cvtColor(np.clip(rgb, 0, 1).astype(np.float32), cv2.COLOR_RGB2Lab)


@dataclass(frozen=True)
class Regrade:
    """A fixed per-shot Lab transfer: ``out = (lab − μ_fg)·gain + μ_fg + shift`` per channel."""

    gain: tuple[float, float, float]
    shift: tuple[float, float, float]
    mean: tuple[float, float, float]

    @classmethod
    def identity(cls) -> Regrade:
        return cls((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0))

    @classmethod
    def fit(cls, frames: Sequence[F32], alphas: Sequence[F32], plate: F32, strength: float) -> Regrade:
        """Transfer ``strength`` of the way from the foreground's Lab statistics to the plate's.

        Raises:
            BackgroundError: If ``strength`` is outside [0, 1].
        """
        if not 0 <= strength <= 1:
            raise BackgroundError(f"regrade strength must be in [0, 1], got {strength}")
        if strength == 0:
            return cls.identity()
        samples = [_lab(f)[a > 0.95] for f, a in zip(frames, alphas, strict=True)]
        fg = np.concatenate(samples) if samples else np.zeros((0, 3), np.float32)
        if len(fg) < 64:  # no confident foreground: nothing to grade
            return cls.identity()
        pl = _lab(plate).reshape(-1, 3)
        mu_f, sd_f = fg.mean(axis=0), fg.std(axis=0) + 1e-3
        mu_p, sd_p = pl.mean(axis=0), pl.std(axis=0) + 1e-3
        gain = (sd_p / sd_f) ** strength
        gain = np.clip(gain, 0.5, 2.0)
        shift = strength * (mu_p - mu_f)
        return cls(tuple(map(float, gain)), tuple(map(float, shift)), tuple(map(float, mu_f)))  # type: ignore[arg-type]

    @property
    def is_identity(self) -> bool:
        return self.gain == (1.0, 1.0, 1.0) and self.shift == (0.0, 0.0, 0.0)

    def as_json(self) -> dict[str, object]:
        return {"method": "lab", "gain": list(self.gain), "shift": list(self.shift), "mean": list(self.mean)}

    def apply(self, rgb: F32) -> F32:
        """Apply the transfer to an RGB float32 image."""
        if self.is_identity:
            return rgb
        lab = _lab(rgb)
        mean = np.asarray(self.mean, np.float32)
        out = (lab - mean) * np.asarray(self.gain, np.float32) + mean + np.asarray(self.shift, np.float32)
        out[..., 0] = np.clip(out[..., 0], 0, 100)
        return np.clip(cv2.cvtColor(out.astype(np.float32), cv2.COLOR_Lab2RGB), 0, 1).astype(np.float32)


def composite(foreground: F32, alpha: F32, plate: F32) -> F32:
    """``α·F + (1 − α)·B`` in the footage's own (display-referred) encoding, as dailies composites are done."""
    a = alpha[..., None]
    return (a * foreground + (1.0 - a) * plate).astype(np.float32)


@dataclass(frozen=True)
class CdlRegrade:
    """The re-grade through the lighting model's ASC CDL (``editor.lighting.cdl``): the CDL that matches the
    performer's per-channel distribution to the plate's, moved ``strength`` of the way from identity (slope and
    offset linearly, power and saturation geometrically). A colourist can take it over as a ``.cdl``."""

    cdl: Cdl

    @classmethod
    def fit(cls, frames: Sequence[F32], alphas: Sequence[F32], plate: F32, strength: float) -> CdlRegrade:
        """Raises:
        BackgroundError: If ``strength`` is outside [0, 1]."""
        if not 0 <= strength <= 1:
            raise BackgroundError(f"regrade strength must be in [0, 1], got {strength}")
        fg = np.concatenate([f[a > 0.95] for f, a in zip(frames, alphas, strict=True)]) if frames else np.zeros((0, 3))
        if strength == 0 or len(fg) < 64:
            return cls(Cdl())
        full = fit_match(fg, plate.reshape(-1, 3))
        k = strength
        return cls(
            Cdl(
                tuple(round(1 + k * (v - 1), 6) for v in full.slope),  # type: ignore[arg-type]
                tuple(round(k * v, 6) for v in full.offset),  # type: ignore[arg-type]
                tuple(round(v**k, 6) for v in full.power),  # type: ignore[arg-type]
                round(full.saturation**k, 6),
            )
        )

    @property
    def is_identity(self) -> bool:
        return self.cdl == Cdl()

    def apply(self, rgb: F32) -> F32:
        return rgb if self.is_identity else self.cdl.apply(rgb).astype(np.float32)

    def as_json(self) -> dict[str, object]:
        return {"method": "cdl", **self.cdl.as_json()}


def regraded_composite(frame: F32, alpha: F32, plate: F32, regrade: Regrade | CdlRegrade) -> F32:
    """Composite ``frame`` re-graded by ``regrade`` over ``plate``; the grade is computed only where ``α > 0``.

    ``frame`` is the colour to composite: the performer's colour recovered where ``α`` is fractional
    (``ShotMatter.foreground``), or the take's own pixels (which carry the old set into soft edges)."""
    out = plate.copy()
    rows, cols = np.flatnonzero(alpha.max(axis=1) > 0), np.flatnonzero(alpha.max(axis=0) > 0)
    if len(rows) == 0:
        return out
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    out[box] = composite(regrade.apply(frame[box]), alpha[box], plate[box])
    return out
