"""The eyeline and dialogue edits rendered in segments give the sequential edit, on real faces (slow: both train
a model on the shared footage). The takes are re-encoded first as a ProRes 422 HQ MOV and a long-GOP H.264 MP4
with audio and timecode (the shared files are MPEG-PS and FLV, which are not cut); the eyeline's smoothed fields
are warmed up before each cut and checked to meet the previous segment's."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import editor.segmented as segmented
from editor.dialogue import dub, train_dialogue
from editor.eyeline import EyelineConfig, EyelineModel, redirect_gaze, train_eyeline
from media import InlineExecutor, iter_frames, probe
from tests.editor._dialogue_media import line_from
from tests.editor._media import write_clip
from tests.editor._segmented_edits import assert_same_output, assert_same_result

pytestmark = pytest.mark.slow

FORMATS = {
    "prores": {
        "suffix": ".mov", "codec": "prores_ks", "pix_fmt": "yuv422p10le", "options": {"profile": "3"},
        "audio": "pcm_s16le", "timecode": "01:00:10:05",
    },
    "h264": {
        "suffix": ".mp4", "codec": "libx264", "pix_fmt": "yuv420p", "audio": "aac", "timecode": "02:00:00:00",
        "options": {"g": "12", "keyint_min": "12", "bf": "2", "sc_threshold": "0"},
    },
}  # fmt: skip


def _rewrap(src: Path, out: Path, name: str, frames: int) -> Path:
    info = probe(src)
    pictures = [np.asarray(a) for _, a in iter_frames(info, end=min(frames, info.frame_count), fmt="rgb24")]
    f = FORMATS[name]
    kw: dict[str, Any] = {k: v for k, v in f.items() if k != "suffix"}
    return write_clip(out.with_suffix(str(f["suffix"])), pictures=pictures, rate=Fraction(info.frame_rate), **kw)


class _Checked:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.passed: list[int] = []
        self._real = segmented.check_states
        monkeypatch.setattr(segmented, "check_states", self)

    def __call__(self, results: Any, first: int) -> None:
        self._real(results, first)
        self.passed.append(sum(1 for r in results if r["entry"] and r["entry"][0] != first))


@pytest.mark.parametrize(("name", "up"), [("prores", False), ("h264", False), ("prores", True)])
def test_eyeline_in_segments_is_the_sequential_edit(
    footage_dir: Path, tmp_path: Path, name: str, up: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained = train_eyeline([probe(footage_dir / "grid_id2_vcd_swwp2s.mpg")], "grid", config=EyelineConfig(samples=12))
    model = EyelineModel.from_bytes(trained.model.to_bytes())
    src = _rewrap(footage_dir / "grid_pwij3p.mpg", tmp_path / "take", name, 60)
    # a look up as well (stop 52): the lids follow, and the warp reaches above and below the eye patch
    shift = (min(4.0, model.shift_range[0]), -min(2.0, model.shift_range[1]) if up else 0.0)
    kw: dict[str, Any] = {"performer": "grid", "start": 2, "end": 58}
    one = redirect_gaze(src, tmp_path / f"one{src.suffix}", model, shift, **kw)
    checked = _Checked(monkeypatch)
    # pickled copies in this process for one format, a pool of two worker processes (torch in each) for the other
    par: dict[str, Any] = {"executor": InlineExecutor()} if name == "prores" else {"workers": 2}
    many = redirect_gaze(src, tmp_path / f"many{src.suffix}", model, shift, **par, **kw)
    assert checked.passed == [1] if name == "prores" else checked.passed == [3], checked.passed  # the cuts met
    assert_same_output(one.output.path, many.output.path, intra=name == "prores")
    assert_same_result(one, many)


@pytest.mark.parametrize("name", ["prores", "h264"])
def test_dub_in_segments_is_the_sequential_edit(footage_dir: Path, tmp_path: Path, name: str) -> None:
    sad, neu = footage_dir / "crema-d_1001_DFA_SAD_XX.flv", footage_dir / "crema-d_1001_DFA_NEU_XX.flv"
    _m, _f, model = train_dialogue([footage_dir / "crema-d_1001_DFA_ANG_XX.flv", sad], "actor-1001", steps=40)
    src = _rewrap(neu, tmp_path / "take", name, 72)
    line = line_from(sad, tmp_path / "adr.wav", start_s=0.3, seconds=1.2)
    kw: dict[str, Any] = {"performer": "actor-1001", "start": 12}
    one = dub(src, model, line, tmp_path / f"one{src.suffix}", **kw)
    many = dub(src, model, line, tmp_path / f"many{src.suffix}", workers=2, **kw)
    assert_same_output(one.output.path, many.output.path, intra=name == "prores")
    assert_same_result(one, many)
