"""The search's narrowing (``editor.lighting.search._narrow``) reads a short clip once: the same frame is found, and
the same grey pictures compared, as when every step reads its frames from the file (the path of a clip longer than
``CACHE_FRAMES``). And it ends on the frame of least motion, whatever the motion's level."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.lighting import search
from editor.lighting.search import _ClipFrames, _grey, _narrow, _read
from media import MediaInfo, iter_frames, probe, read_frame
from tests.editor._media import write_clip

CLIP = "obama-weekly-address_a-bad-situation.mp4"


@pytest.mark.parametrize(("ref", "start"), [(44, 40), (14, 22), (62, 7)])
def test_a_short_clip_read_once_finds_what_reading_each_step_finds(
    footage_dir: Path, monkeypatch: pytest.MonkeyPatch, ref: int, start: int
) -> None:
    info = probe(footage_dir / CLIP)
    assert info.frame_count <= search.CACHE_FRAMES
    target = np.clip(np.asarray(read_frame(info, ref), np.float32) * np.array([1.1, 0.95, 0.85], np.float32), 0, 1)
    once = _ClipFrames(info, [start])
    found = _narrow(once, start, target)
    monkeypatch.setattr(search, "CACHE_FRAMES", 0)
    each = _ClipFrames(info, [start])
    assert each._greys is None and np.array_equal(each.kept[start], once.kept[start])
    assert _narrow(each, start, target) == found
    assert abs(found[0][0] - ref) <= 1  # a talking head a frame apart can look the same
    picked = [3, 40, info.frame_count - 1]
    for (i, a), g in zip(iter_frames(info, indices=picked), once.greys(picked).values(), strict=True):
        assert np.array_equal(_grey(a), g) and np.array_equal(each.greys([i])[i], g)


@pytest.mark.parametrize(("codec", "suffix", "pix_fmt", "options"), [
    ("libx264", ".mp4", "yuv420p", {"g": "24", "crf": "20"}),
    ("prores_ks", ".mov", "yuv422p10le", {"profile": "3"}),
])  # fmt: skip
def test_a_long_clip_is_read_with_a_seek_per_spread_frame_and_gives_the_same_pictures(
    tmp_path: Path, codec: str, suffix: str, pix_fmt: str, options: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a clip longer than ``CACHE_FRAMES`` the search reads frames far apart with a seek each, and those before
    frame ``CACHE_FRAMES`` (which media decodes from the first frame anyway) in one read (``search._read``): the
    pictures are the ones one read of them all gives."""
    info = probe(write_clip(tmp_path / f"long{suffix}", codec=codec, pix_fmt=pix_fmt, frames=340, options=options,
                            audio=None))  # fmt: skip
    assert info.frame_count == 340 > search.CACHE_FRAMES
    wanted = [2, 150, 301, 305, 339]
    reads: list[list[int]] = []
    real = search.iter_frames

    def counted(info: MediaInfo, **kw: Any) -> Any:
        reads.append(list(kw["indices"]))
        return real(info, **kw)

    monkeypatch.setattr(search, "iter_frames", counted)
    got = list(_read(info, wanted))
    monkeypatch.undo()
    # before frame 300 media decodes every read from the first frame: 2 and 150 are one read; 301 on, seeks
    assert reads == [[2, 150], [301, 305, 339]]
    assert [i for i, _ in got] == wanted
    for (i, a), (j, b) in zip(got, iter_frames(info, indices=wanted), strict=True):
        assert i == j and np.array_equal(a, b)
    frames = _ClipFrames(info, [301])
    assert frames._greys is None and np.array_equal(frames.greys([339])[339], _grey(read_frame(info, 339)))


class _Frames:
    """A clip of ``n`` frames as the narrowing reads it, each frame's "grey picture" its own index."""

    def __init__(self, n: int) -> None:
        self.info = SimpleNamespace(frame_count=n)
        self.kept = {i: np.zeros((2, 2, 3), np.float32) for i in range(n)}
        self.asked: list[int] = []

    def greys(self, indices: list[int]) -> dict[int, int]:
        self.asked += indices
        return {i: i for i in indices}


@given(st.integers(0, 399), st.floats(0.3, 3.0), st.floats(0.0, 6.0))
def test_the_narrowing_ends_on_the_least_motion_whatever_its_level(truth: int, slope: float, floor: float) -> None:
    # Motion grows away from the reference's frame, from ``floor`` px: on these clips the least is 0.3-1.9 px and the
    # rest 1-8. Frames not yet compared once counted as 2 px, so above that the narrowing walked to frames it had
    # never compared and missed the reference's (GRID's frame 15: 14 and 16 compared, 15 never; stop 49).
    frames = _Frames(400)  # longer than EXHAUSTIVE: narrowed coarse to fine
    motion = {i: floor + slope * abs(i - truth) ** 0.5 for i in range(400)}
    with mock.patch.object(search, "_aligned_score", lambda target, frame: lambda i: -motion[i]):
        shortlist = _narrow(frames, 20, np.zeros((2, 2, 3), np.float32))  # type: ignore[arg-type]
    assert shortlist[0] == (truth, motion[truth])
    assert all(i in frames.asked for i, _m in shortlist)  # only frames that were compared
    assert len(set(frames.asked)) < 100


def test_a_short_clip_has_every_frame_compared() -> None:
    # a motion basin one frame wide between samples (CREMA-D ANG's frame 33 as ProRes: 1.1 px, beside it 2.0 and more)
    frames = _Frames(67)
    motion = {i: 2.5 + 0.1 * ((i * 7) % 5) for i in range(67)} | {33: 1.1}
    with mock.patch.object(search, "_aligned_score", lambda target, frame: lambda i: -motion[i]):
        shortlist = _narrow(frames, 18, np.zeros((2, 2, 3), np.float32))  # type: ignore[arg-type]
    assert shortlist[0] == (33, 1.1) and sorted(set(frames.asked)) == list(range(67))
