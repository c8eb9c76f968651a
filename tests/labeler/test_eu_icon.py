"""The EU "AI" icon: each colour variant drawn and detected, the automatic choice from the picture, re-showing after
ad breaks, and QC finding (or missing) the icon in every recorded interval; labels made before it still check."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cutproof.edits.submission import EditSubmission
from cutproof.qc.disclosure import ICON_MIN_CONTRAST, _badge
from labeler._badge import BadgeSpec, Corner
from labeler._badge_legacy import draw_legacy_badge, legacy_rect
from labeler._icon import (
    AUTO_MIN_CONTRAST,
    IconColour,
    IconVariant,
    artwork,
    choose,
    draw_icon,
    observe,
    worst_contrast,
)
from labeler.disclosure import AlteredShot, DisclosureForm, DisclosureRequest, apply_disclosure
from labeler.errors import DisclosureError
from media import reproducible_options

F = Fraction
SHOTS = (AlteredShot("shot 1", F(0), F(1), "relight"),)
ICON = frozenset({DisclosureForm.ON_SCREEN_ICON})
FPS = 12
SIZE = (320, 180)
DARK, BRIGHT = 30, 225


def _encode(path: Path, frames: list[np.ndarray], fps: int = FPS) -> Path:
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        vs.options = reproducible_options("libx264", {"crf": "23", "preset": "veryfast"})
        for i, img in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, F(1, fps)
            for p in vs.encode(frame):
                out.mux(p)
        for p in vs.encode():
            out.mux(p)
    return path


def _decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as f:
        return [fr.to_ndarray(format="rgb24") for fr in f.decode(video=0)]


def _clip(path: Path, level: Callable[[float], int], seconds: int = 4) -> Path:
    """Grey footage with mild grain whose level follows ``level(t)``."""
    rng = np.random.default_rng(7)
    w, h = SIZE
    frames = [
        np.clip(level(i / FPS) + rng.normal(0, 6, (h, w, 1)), 0, 255).astype(np.uint8).repeat(3, 2)
        for i in range(seconds * FPS)
    ]
    return _encode(path, frames)


def _plain(level: float, shape: tuple[int, int] = (200, 600)) -> np.ndarray:
    rng = np.random.default_rng(1)
    return np.clip(level + rng.normal(0, 4, (*shape, 1)), 0, 255).astype(np.uint8).repeat(3, 2)


# --------------------------------------------------------------------------------------------------- drawing


@pytest.mark.parametrize("variant", list(IconVariant))
@pytest.mark.parametrize("colour", list(IconColour))
def test_each_variant_is_drawn_and_detected(variant: IconVariant, colour: IconColour) -> None:
    frame = _plain(DARK if colour.tone == 255 else BRIGHT)
    bare = frame.copy()
    draw_icon(frame, 40, 50, variant, 72, colour, None)
    seen = observe(frame, 40, 50, variant, 72)
    assert seen.light == (colour.tone == 255)
    assert seen.contrast >= ICON_MIN_CONTRAST[colour.opacity] + 1
    assert abs(seen.opacity - colour.opacity) < 0.12  # solid reads as solid, 50 % as 50 %
    assert observe(bare, 40, 50, variant, 72).contrast < 1.2  # nothing there, nothing seen
    other = IconVariant.FULLY_GENERATED if variant is IconVariant.PARTIALLY_MODIFIED else IconVariant.PARTIALLY_MODIFIED
    assert not np.array_equal(frame, _drawn(bare, other, colour))  # the text component differs


def _drawn(frame: np.ndarray, variant: IconVariant, colour: IconColour) -> np.ndarray:
    out = frame.copy()
    draw_icon(out, 40, 50, variant, 72, colour, None)
    return out


def test_the_text_component_stays_legible_at_the_minimum_size() -> None:
    """At the 36 px floor the capitals of MODIFIED/GENERATED keep strokes of full coverage (not a grey smear)."""
    for variant in IconVariant:
        cover = artwork(variant, 36)
        text = cover[:, 40:]  # right of the AI square
        rows = np.where((text > 0.9).any(axis=1))[0]
        assert rows.max() - rows.min() + 1 >= 11  # cap height ≥ 11 px
        assert (text > 0.9).sum() > 150


# --------------------------------------------------------------------------------------------------- choosing


def test_auto_takes_white_on_dark_and_black_on_bright() -> None:
    assert choose(_plain(DARK)[..., 0], None).colour is IconColour.WHITE_50  # calm and dark: 50 % reaches 4.5:1
    assert choose(_plain(BRIGHT)[..., 0], None).colour is IconColour.BLACK  # black 50 % never reaches 4.5:1
    assert choose(_plain(128)[..., 0], None).colour is IconColour.BLACK
    lively_dark = _plain(DARK)[..., 0].copy()
    lively_dark[:, ::7] = 90  # highlights in the picture: the 50 % white would sink below 4.5:1
    picked = choose(lively_dark, None)
    assert picked.colour is IconColour.WHITE and picked.scrim is None


def test_a_50_percent_variant_only_where_its_contrast_allows() -> None:
    for level in range(0, 256, 5):
        picked = choose(np.full((10, 10), level, np.uint8), None)
        assert picked.contrast >= AUTO_MIN_CONTRAST
        if picked.colour.opacity == 0.5:
            assert worst_contrast(picked.colour, level, level) >= AUTO_MIN_CONTRAST
    assert max(worst_contrast(IconColour.BLACK_50, v, v) for v in range(256)) < AUTO_MIN_CONTRAST


def test_busy_picture_gets_a_scrim_and_explicit_variants_are_kept() -> None:
    rng = np.random.default_rng(3)
    busy = rng.choice(np.array([0, 255], np.uint8), (40, 120))
    picked = choose(busy, None)
    assert picked.scrim is not None and picked.contrast >= AUTO_MIN_CONTRAST
    frame = np.repeat(busy[..., None], 3, 2)
    draw_icon(frame, 0, 2, IconVariant.PARTIALLY_MODIFIED, 36, picked.colour, picked.scrim)
    assert observe(frame, 0, 2, IconVariant.PARTIALLY_MODIFIED, 36).contrast >= AUTO_MIN_CONTRAST
    asked = choose(_plain(DARK)[..., 0], IconColour.BLACK_50)
    assert asked.colour is IconColour.BLACK_50 and asked.scrim == F(3, 4)  # honoured, made legible
    assert choose(_plain(DARK)[..., 0], IconColour.WHITE).scrim is None


# --------------------------------------------------------------------------------------------------- placement


def test_intervals_reshow_after_breaks_and_merge() -> None:
    spec = BadgeSpec(duration=F(5), breaks=(F(100), F(3), F(20)))
    assert spec.breaks == (F(3), F(20), F(100))
    assert spec.intervals(F(22)) == [(F(0), F(8)), (F(20), F(22))]
    assert spec.shown_at(F(7), F(22)) and not spec.shown_at(F(10), F(22))
    assert BadgeSpec(duration=None, breaks=(F(3),)).intervals(F(9)) == [(F(0), F(9))]
    with pytest.raises(DisclosureError, match="title-safe"):
        BadgeSpec(margin=F(1, 40))
    with pytest.raises(DisclosureError, match="ad-break"):
        BadgeSpec(breaks=(F(-1),))


@settings(max_examples=150, deadline=None)
@given(
    w=st.integers(48, 7680),
    h=st.integers(48, 4320),
    height=st.fractions(F(1, 24), F(1, 6)),
    corner=st.sampled_from(list(Corner)),
    variant=st.sampled_from(list(IconVariant)),
)
def test_icon_always_inside_the_title_safe_area_or_refused(
    w: int, h: int, height: Fraction, corner: Corner, variant: IconVariant
) -> None:
    spec = BadgeSpec(corner=corner, height=height, variant=variant)
    try:
        x, y, iw, ih = spec.rect(w, h)
    except DisclosureError as exc:
        assert "does not fit the title-safe area" in str(exc)
        fits = False
    else:
        fits = True
        assert x >= w / 20 and y >= h / 20 and x + iw <= w - w / 20 and y + ih <= h - h / 20
        assert ih >= max(36, h / 24) - 1  # the minimum size
        if corner is Corner.TOP_RIGHT:
            assert x + iw >= w - w / 20 - 1 and y <= h / 20 + 1
    if height <= F(1, 15) and w >= 320 and h >= 180 and 2 * w >= h:
        assert fits  # the default size fits every frame from 320 x 180 at 1:2 or wider


# --------------------------------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def dark_then_bright(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _clip(tmp_path_factory.mktemp("icon") / "src.mp4", lambda t: DARK if t < 2 else BRIGHT)


@pytest.fixture(scope="module")
def with_breaks(dark_then_bright: Path) -> tuple[Path, dict]:
    out = dark_then_bright.with_name("labelled.mp4")
    spec = BadgeSpec(duration=F(1), breaks=(F(5, 2),))
    seen: list[float] = []
    rec = apply_disclosure(dark_then_bright, out, DisclosureRequest(ICON, SHOTS, "t", badge=spec), progress=seen.append)
    assert rec.badge is not None
    # the disclosure pass reports its frames as it writes them: increasing, 1.0 once, last
    assert len(seen) > 2 and seen[-1] == 1.0 and seen.count(1.0) == 1 and seen == sorted(seen) and seen[0] > 0
    return out, rec.badge


def test_breaks_reshow_the_icon_and_qc_finds_each_interval(with_breaks: tuple[Path, dict]) -> None:
    out, badge = with_breaks
    assert badge["icon"] == "eu-ai/1" and (badge["from"], badge["to"]) == ("0.000", "3.500")
    assert badge["shown"] == [
        {"from": "0.000", "to": "1.000", "colour": "white_50"},  # auto: dark picture
        {"from": "2.500", "to": "3.500", "colour": "black"},  # auto: bright picture after the break
    ]
    ok, evidence = _badge(out, {"badge": badge})
    assert ok, evidence
    assert "0.000–1.000 s white_50" in evidence and "2.500–3.500 s black" in evidence
    frames = _decode(out)
    x, y, _w, h = badge["rect"]
    bgr = [np.ascontiguousarray(f[..., ::-1]) for f in frames]
    assert observe(bgr[6], x, y, IconVariant.PARTIALLY_MODIFIED, h).contrast > 3  # shown at 0.5 s
    assert observe(bgr[18], x, y, IconVariant.PARTIALLY_MODIFIED, h).contrast < 1.3  # gone at 1.5 s
    assert observe(bgr[36], x, y, IconVariant.PARTIALLY_MODIFIED, h).contrast > 3  # back at 3.0 s


def test_qc_fails_naming_the_interval_that_lost_its_icon(
    with_breaks: tuple[Path, dict], dark_then_bright: Path
) -> None:
    out, badge = with_breaks
    labelled, source = _decode(out), _decode(dark_then_bright)
    spliced = labelled[:30] + source[30:42] + labelled[42:]  # 2.5–3.5 s re-encoded from the unlabelled render
    broken = _encode(out.with_name("spliced.mp4"), spliced)
    ok, evidence = _badge(broken, {"badge": badge})
    assert not ok and "2.500–3.500 s" in evidence and "0.000–1.000" not in evidence
    wrong = {**badge, "shown": [{**badge["shown"][0], "colour": "black"}, badge["shown"][1]]}
    ok, evidence = _badge(out, {"badge": wrong})
    assert not ok and "0.000–1.000 s: no legible black icon" in evidence
    solid = {**badge, "shown": [{**badge["shown"][0], "colour": "white"}, badge["shown"][1]]}
    ok, evidence = _badge(out, {"badge": solid})
    assert not ok and "opacity, the record says white" in evidence


def test_break_after_the_end_is_refused(dark_then_bright: Path, tmp_path: Path) -> None:
    spec = BadgeSpec(breaks=(F(9),))
    with pytest.raises(DisclosureError, match=r"ad break at 9\.000 s"):
        apply_disclosure(dark_then_bright, tmp_path / "o.mp4", DisclosureRequest(ICON, SHOTS, "t", badge=spec))
    assert list(tmp_path.iterdir()) == []


def test_submissions_carry_ad_breaks() -> None:
    base = {"shot": "A001", "kind": "relight", "purpose": "continuity"}
    assert EditSubmission.model_validate(base).ad_breaks == ()
    assert EditSubmission.model_validate({**base, "ad_breaks": [612.5, 30]}).ad_breaks == (612.5, 30.0)
    with pytest.raises(ValidationError, match="ad-break"):
        EditSubmission.model_validate({**base, "ad_breaks": [-1]})


def test_labels_made_before_the_eu_icon_still_check(dark_then_bright: Path) -> None:
    """A ``label.applied`` badge without ``icon``/``shown`` is checked as the plate badge it was drawn as."""
    record = {
        "corner": "top_right",
        "variant": "partially_modified",
        "rect": [0, 0, 0, 0],
        "frame": list(SIZE),
        "height": "1/12",
        "margin": "1/20",
        "from": "0.000",
        "to": "1.000",
    }
    rect = legacy_rect("top_right", F(1, 12), F(1, 20), *SIZE)
    frames = [np.ascontiguousarray(f[..., ::-1]) for f in _decode(dark_then_bright)]
    for f in frames[:FPS]:
        draw_legacy_badge(f, rect, IconVariant.PARTIALLY_MODIFIED)
    old = _encode(dark_then_bright.with_name("legacy.mp4"), [np.ascontiguousarray(f[..., ::-1]) for f in frames])
    ok, evidence = _badge(old, {"badge": record})
    assert ok and evidence.startswith("AI badge top_right 0.000–1.000 s"), evidence
    ok, evidence = _badge(dark_then_bright, {"badge": record})
    assert not ok and "no legible AI badge" in evidence
