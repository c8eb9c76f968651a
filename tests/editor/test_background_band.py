"""The matte's soft band: fractional alpha only where the edge really is soft, opaque inside the person.

A head ringed by dark hair over a light face (the rim's colour is not the interior's average), with an edge ramp of
known width over a known plate. Before issue 18's band fix (branch matte4) the compositing equation was solved
against one wide average of the foreground (hair mixed with face), the guided filter was mixed into the answer and
the interior was pulled in two bands: the hair's opaque rim read ~0.6 and the fractional band came out ~1.85× the
true one (1.29× with a 3-px edge). Now ~1.04× / 0.83×, the rim ≥ 0.97.
"""

from __future__ import annotations

import numpy as np
import pytest

from editor.background.matte import MatteParams, matte_frame
from editor.background.metrics import mad
from editor.background.plate import plate_from_shot
from tests.editor._background_synth import hair_rim_frame


def _fractional(a: np.ndarray) -> np.ndarray:
    return (a > 0.02) & (a < 0.98)


@pytest.mark.parametrize(("soft", "seed"), [(2.0, 0), (3.0, 1)])
def test_soft_band_is_as_wide_as_the_true_edge_and_the_rim_is_opaque(soft: float, seed: int) -> None:
    img, truth, bg = hair_rim_frame(soft=soft, seed=seed)
    plate = plate_from_shot([bg], img.shape[:2])
    alpha = matte_frame(img.astype(np.float32) / 255.0, plate, MatteParams().resolved(plate)).alpha
    band = _fractional(alpha).sum() / _fractional(truth).sum()
    assert 0.6 < band < 1.25, f"estimated soft band is {band:.2f}× the true one"
    rim = (truth >= 0.9) & (truth <= 0.98)
    assert alpha[rim].mean() > 0.9  # the edge's nearly opaque pixels are read as such
    solid = truth >= 0.999
    assert (alpha[solid] < 0.98).mean() < 0.01  # the person's interior is opaque
    assert mad([alpha], [truth]) < 3.0  # ×1e3
