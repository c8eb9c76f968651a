"""Disclosure: the EU "AI" icon (legible at 1080p and 4K), the end-credit card, JSON/WebVTT sidecars, via PyAV."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler._badge import BadgeSpec, Corner
from labeler._icon import AUTO_MIN_CONTRAST, IconVariant, artwork, choose, draw_icon, observe
from labeler.disclosure import AlteredShot, DisclosureForm, DisclosureRequest, apply_disclosure, required_forms
from labeler.errors import DisclosureError, UnreadableAssetError
from labeler.sidecar import parse_webvtt_ranges, timecode, vtt_time
from tests._support.video import make_clip

F = Fraction
SHOTS = (AlteredShot("shot 12", F(1, 2), F(3, 2), "relight"), AlteredShot("shot 3", F(0), F(1, 4), "eyeline"))
ALL = frozenset({DisclosureForm.ON_SCREEN_ICON, DisclosureForm.END_CREDIT, DisclosureForm.SIDECAR})


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("r") / "render.mp4", seconds=2, size=(640, 360))


def _icon_contrast(frame: np.ndarray, spec: BadgeSpec) -> float:
    x, y, _w, h = spec.rect(frame.shape[1], frame.shape[0])
    return observe(frame, x, y, spec.variant, h).contrast


@pytest.mark.parametrize(("w", "h"), [(1920, 1080), (3840, 2160)])
@pytest.mark.parametrize("background", [0, 128, 255, "noise"])
def test_badge_is_legible_at_1080p_and_4k(w: int, h: int, background: int | str) -> None:
    frame = (
        np.random.default_rng(1).integers(0, 256, (h, w, 3), dtype=np.uint8)
        if background == "noise"
        else np.full((h, w, 3), background, np.uint8)
    )
    spec = BadgeSpec()
    x, y, bw, bh = spec.rect(w, h)
    picked = choose(frame[y : y + bh, x : x + bw, 0], None)
    draw_icon(frame, x, y, spec.variant, bh, picked.colour, picked.scrim)
    rows = np.where((artwork(spec.variant, bh) > 0.5).any(axis=1))[0]
    assert rows.max() - rows.min() + 1 >= h * 0.05  # the AI square: ≥ 54 px at 1080p, ≥ 108 px at 4K
    assert _icon_contrast(frame, spec) >= AUTO_MIN_CONTRAST  # WCAG AA (4.5:1) letters against their ground
    assert x + bw <= w - w // 20 and y >= h // 20  # inside the title-safe area


def test_badge_position_and_size_are_configurable() -> None:
    spec = BadgeSpec(corner=Corner.BOTTOM_LEFT, height=F(1, 8), margin=F(1, 10))
    x, y, _bw, bh = spec.rect(1920, 1080)
    assert (x, bh) == (192, 135) and y + bh == 1080 - 108
    assert spec.shown_at(F(0)) and not spec.shown_at(F(5))
    assert BadgeSpec(duration=None).shown_at(F(10**6))
    with pytest.raises(DisclosureError, match="height"):
        BadgeSpec(height=F(1, 50))
    with pytest.raises(DisclosureError, match="does not fit"):
        BadgeSpec(height=F(1, 6)).rect(120, 200)


def test_variants_differ() -> None:
    a, b = np.zeros((1080, 1920, 3), np.uint8), np.zeros((1080, 1920, 3), np.uint8)
    for frame, variant in ((a, IconVariant.PARTIALLY_MODIFIED), (b, IconVariant.FULLY_GENERATED)):
        x, y, _w, h = BadgeSpec(variant=variant).rect(1920, 1080)
        picked = choose(frame[y : y + h, x : x + _w, 0], None)
        draw_icon(frame, x, y, variant, h, picked.colour, picked.scrim)
    assert (a != b).any()


def test_apply_all_forms_keeps_audio_and_appends_the_card(render: Path, tmp_path: Path) -> None:
    out = tmp_path / "deliverable.mp4"
    rec = apply_disclosure(render, out, DisclosureRequest(ALL, SHOTS, "The Film", credit_seconds=F(2)))
    assert rec.forms == ("end_credit", "on_screen_icon", "sidecar")
    with av.open(str(render)) as a, av.open(str(out)) as b:
        assert b.streams.audio and b.streams.audio[0].frames == a.streams.audio[0].frames
        assert b.streams.video[0].codec_context.width == 640
        frames = [f.to_ndarray(format="bgr24") for f in b.decode(video=0)]
    assert len(frames) == 48 + 48  # 2 s programme + 2 s card at 24 fps
    spec = BadgeSpec()
    assert _icon_contrast(frames[10], spec) >= 3.0  # icon visible after lossy coding
    assert _icon_contrast(frames[-1], spec) < 1.5  # no icon on the card
    card = frames[-1]
    assert (card < 40).mean() > 0.85 and (card > 200).any()  # black card with white text
    assert rec.badge is not None
    shown = rec.badge.pop("shown")
    assert rec.badge == {
        "icon": "eu-ai/1",
        "corner": "top_right",
        "variant": "partially_modified",
        "rect": [492, 18, 116, 36],
        "frame": [640, 360],
        "height": "1/15",
        "margin": "1/20",
        "from": "0.000",
        "to": "2.000",
    }
    assert [(s["from"], s["to"]) for s in shown] == [("0.000", "2.000")]
    assert rec.end_credit == {"start": "2.000", "pages": 1, "seconds_per_page": "2.000"}
    doc = json.loads((tmp_path / "deliverable.disclosure.json").read_text())
    assert doc["schema"] == "cutproof.disclosure/1"
    assert [a["start"] for a in doc["altered"]] == ["0.000", "0.500"]  # sorted by time
    vtt = (tmp_path / "deliverable.vtt").read_text()
    assert parse_webvtt_ranges(vtt) == [(F(0), F(1, 4)), (F(1, 2), F(3, 2))]
    assert set(rec.sidecars) == {"deliverable.disclosure.json", "deliverable.vtt"}


def test_badge_window_is_honoured(render: Path, tmp_path: Path) -> None:
    spec = BadgeSpec(start=F(1), duration=F(1, 2), corner=Corner.BOTTOM_RIGHT)
    out = tmp_path / "o.mp4"
    rec = apply_disclosure(
        render, out, DisclosureRequest(frozenset({DisclosureForm.ON_SCREEN_ICON}), SHOTS, "t", badge=spec)
    )
    with av.open(str(out)) as b:
        frames = [f.to_ndarray(format="bgr24") for f in b.decode(video=0)]
    assert len(frames) == 48
    assert _icon_contrast(frames[30], spec) >= 3.0
    assert _icon_contrast(frames[5], spec) < 1.5 and _icon_contrast(frames[40], spec) < 1.5
    assert rec.badge is not None and (rec.badge["from"], rec.badge["to"]) == ("1.000", "1.500")
    assert not (tmp_path / "o.vtt").exists()


def test_sidecar_only_copies_the_video(render: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    rec = apply_disclosure(render, out, DisclosureRequest(frozenset({DisclosureForm.SIDECAR}), SHOTS, "t"))
    assert out.read_bytes() == render.read_bytes()
    assert rec.badge is None and rec.end_credit is None


def test_bad_requests_leave_nothing(render: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    late = (AlteredShot("shot 9", F(1), F(9), "relight"),)
    with pytest.raises(DisclosureError, match="after the video"):
        apply_disclosure(render, out_dir / "o.mp4", DisclosureRequest(ALL, late, "t"))
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(UnreadableAssetError):
        apply_disclosure(bad, out_dir / "o.mp4", DisclosureRequest(ALL, SHOTS, "t"))
    assert list(out_dir.iterdir()) == []
    with pytest.raises(DisclosureError, match="spoken"):
        DisclosureRequest(frozenset({DisclosureForm.SPOKEN_DISCLAIMER}), SHOTS, "t")
    with pytest.raises(DisclosureError, match="unknown disclosure form"):
        required_forms(["banner"])
    with pytest.raises(DisclosureError):
        AlteredShot("s", F(2), F(1), "x")


@settings(max_examples=50, deadline=None)
@given(ms=st.lists(st.integers(0, 10**7), min_size=2, max_size=2, unique=True))
def test_webvtt_round_trips_millisecond_times(ms: list[int]) -> None:
    a, b = sorted(F(m, 1000) for m in ms)
    from labeler.sidecar import webvtt

    assert parse_webvtt_ranges(webvtt([AlteredShot("s", a, b, "op")])) == [(a, b)]
    assert vtt_time(a).count(":") == 2


def test_timecode() -> None:
    assert timecode(F(3661, 1) + F(12, 24), F(24)) == "01:01:01:12"
    assert timecode(F(1001, 30000) * 30, F(30000, 1001)) == "00:00:01:00"
