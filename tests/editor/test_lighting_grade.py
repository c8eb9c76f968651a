"""ASC CDL, 3D LUTs, adjustments and masks: maths and the colourists' interchange formats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.errors import EditParameterError
from editor.lighting import Adjustments, Cdl, Lut3D, ShotLut, delta_e76, fit_match, fit_pairs, psnr, random_look
from editor.lighting.mask import rectangle_weights, support_region
from media import Region

RNG = np.random.default_rng(1)
IMG = RNG.random((48, 64, 3), dtype=np.float32)


def test_cdl_formula() -> None:
    c = Cdl((1.2, 1.0, 0.8), (0.01, 0.0, -0.02), (0.9, 1.0, 1.1), 0.5)
    x = np.array([[0.5, 0.4, 0.3]], np.float32)
    y = np.clip(x * [1.2, 1.0, 0.8] + [0.01, 0.0, -0.02], 0, 1) ** [0.9, 1.0, 1.1]
    luma = y @ [0.2126, 0.7152, 0.0722]
    assert np.allclose(c.apply(x), luma[:, None] + 0.5 * (y - luma[:, None]), atol=1e-6)
    assert np.allclose(Cdl().apply(IMG), IMG, atol=1e-6)


@pytest.mark.parametrize("suffix", [".cdl", ".cc"])
def test_cdl_xml_round_trip(tmp_path: Path, suffix: str) -> None:
    c = Cdl((1.1, 0.95, 0.9), (0.02, -0.01, 0.0), (1.05, 1.0, 0.92), 1.15)
    path = c.write(tmp_path / f"shot{suffix}", "012A_T03")
    text = path.read_text()
    assert "urn:ASC:CDL:v1.01" in text and 'id="012A_T03"' in text
    assert ("<ColorDecisionList" in text) == (suffix == ".cdl")
    assert Cdl.parse(text) == c


def test_cdl_parse_rejects_garbage() -> None:
    with pytest.raises(EditParameterError, match="malformed"):
        Cdl.parse("<ColorCorrection>")
    with pytest.raises(EditParameterError, match="Slope"):
        Cdl.parse("<ColorCorrection><SOPNode><Slope>1 1</Slope></SOPNode></ColorCorrection>")


def test_fit_pairs_recovers_a_cdl() -> None:
    truth = Cdl((1.15, 0.97, 0.85), (0.02, 0.0, -0.01), (0.9, 1.05, 1.1), 0.8)
    fitted = fit_pairs(IMG, truth.apply(IMG))
    assert delta_e76(fitted.apply(IMG), truth.apply(IMG)) < 0.5


def test_fit_match_matches_distributions_without_correspondence() -> None:
    look = random_look(np.random.default_rng(4))
    a, b = IMG, np.roll(IMG, 17, axis=1)  # same content statistics, different pixel positions
    c = fit_match(a, look.apply(b))
    assert delta_e76(c.apply(a), look.apply(a)) < delta_e76(a, look.apply(a)) / 2


def test_lut_identity_and_function() -> None:
    ident = Lut3D.identity(17)
    assert np.allclose(ident.apply(IMG), IMG, atol=1e-5)
    c = Cdl((1.1, 1.0, 0.9), (0.0, 0.01, 0.0), (1.0, 1.0, 1.0), 1.0)
    lut = Lut3D.from_function(c.apply, 33)
    assert psnr(lut.apply(IMG), c.apply(IMG)) > 45


@given(st.integers(2, 9), st.integers(0, 1000))
@settings(max_examples=20, deadline=None)
def test_cube_round_trip(size: int, seed: int) -> None:
    table = np.random.default_rng(seed).random((size, size, size, 3), dtype=np.float32)
    back = Lut3D.parse_cube(Lut3D(table).to_cube("t"))
    assert back.size == size and np.allclose(back.table, table, atol=1e-6)


def test_cube_is_red_fastest(tmp_path: Path) -> None:
    lines = Lut3D.identity(2).write_cube(tmp_path / "i.cube").read_text().splitlines()
    assert "LUT_3D_SIZE 2" in lines
    rows = [ln for ln in lines if ln[:1].isdigit()]
    assert rows[:2] == ["0.000000 0.000000 0.000000", "1.000000 0.000000 0.000000"]


def test_cube_parse_errors() -> None:
    with pytest.raises(EditParameterError, match="N³ rows"):
        Lut3D.parse_cube("LUT_3D_SIZE 2\n0 0 0\n")
    with pytest.raises(EditParameterError, match="1D"):
        Lut3D.parse_cube("LUT_1D_SIZE 2\n0 0 0\n1 1 1\n")


def test_8bit_expansion_equals_trilinear() -> None:
    lut = Lut3D.from_function(random_look(np.random.default_rng(2)).apply, 17)
    codes = (np.random.default_rng(3).integers(0, 256, (40, 40, 3)) / 255.0).astype(np.float32)
    fast = ShotLut(lut).apply(codes, exact_8bit=True)
    assert np.abs(fast - lut.apply(codes)).max() <= 0.5 / 255 + 1e-6


def test_adjustments() -> None:
    assert np.allclose(Adjustments().apply(IMG), IMG, atol=1e-6)
    brighter = Adjustments(exposure=1.0).apply(IMG * 0.4)
    assert np.allclose(brighter, IMG * 0.8, atol=1e-5)
    warm = Adjustments(temperature=0.8).apply(np.full((1, 1, 3), 0.5, np.float32))[0, 0]
    assert warm[0] > warm[1] > warm[2]
    with pytest.raises(EditParameterError, match="exposure"):
        Adjustments(exposure=9)


def test_rectangle_weights_stay_inside_the_region() -> None:
    r = Region(10, 6, 30, 20)
    w = rectangle_weights(r, 64, 48, feather=5)
    assert (w[:6] == 0).all() and (w[:, :10] == 0).all() and (w[26:] == 0).all() and (w[:, 40:] == 0).all()
    assert w[16, 25] == 1.0 and 0 < w[6, 25] < 1
    assert support_region(w) == r
    with pytest.raises(EditParameterError, match="does not fit"):
        rectangle_weights(Region(50, 0, 30, 10), 64, 48, 4)
