"""Edits rendered in segments (``editor.segmented``) give the output of one pass: the relight (no temporal state)
and the background replacement (flow-stabilised matte: warmed up before each cut, checked at the cut), on a
ProRes 422 HQ MOV (intra-only: byte-identical packets) and a long-GOP H.264 MP4 (cut on key frames: the same
decoded pictures), both with audio and timecode; the result's metrics and region are the sequential ones too.

Segments run on an ``InlineExecutor`` (pickled copies in this process, as a pool would run them) to keep the suite
fast; one render runs on a real process pool. The state check itself is tested on a small editor with an
exponential moving average whose warm-up is too short to converge: the edit falls back to one piece, still exact.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import editor.segmented as segmented
from editor.background import load_plate, replace_background
from editor.lighting import Adjustments, LightingConfig, Shot, TrainingClip, load_model, relight, train_lighting
from editor.models import ModelRegistry
from editor.segmented import render_frames
from media import InlineExecutor, probe
from media.errors import EncodeError
from tests.editor._background_synth import plate as plate_image
from tests.editor._background_synth import shot
from tests.editor._media import write_clip
from tests.editor._segmented_edits import Ema, FailsOn40, assert_same_output, assert_same_result

FRAMES = 60
relight_module = importlib.import_module("editor.lighting.relight")  # the package exports a function of that name
FORMATS = {
    "prores": {
        "suffix": ".mov", "codec": "prores_ks", "pix_fmt": "yuv422p10le", "options": {"profile": "3"},
        "audio": "pcm_s16le", "timecode": "01:00:10:05",
    },
    "h264": {
        "suffix": ".mp4", "codec": "libx264", "pix_fmt": "yuv420p", "audio": "aac", "timecode": "02:00:00:00",
        "options": {"g": "15", "keyint_min": "15", "bf": "2", "sc_threshold": "0"},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Per format: a shot (a soft-edged performer drifting over a textured set), its clean plate, and a still."""
    d = tmp_path_factory.mktemp("segmented")
    frames, _alphas, bg = shot(FRAMES, 96, 128, drift=0.8)
    out: dict[str, dict[str, Path]] = {}
    for name, f in FORMATS.items():
        kw: dict[str, Any] = {k: v for k, v in f.items() if k != "suffix"}
        out[name] = {
            "shot": write_clip(d / f"{name}-shot{f['suffix']}", pictures=frames, rate=Fraction(25), **kw),
            "clean": write_clip(d / f"{name}-clean{f['suffix']}", pictures=[bg] * 12, rate=Fraction(25), **kw),
        }
    still = (plate_image(96, 128, seed=7)[..., ::-1] * 255).round().astype(np.uint8)  # BGR for cv2
    cv2.imwrite(str(d / "plate.png"), still)
    out["plate"] = {"png": d / "plate.png"}
    return out


class _Checked:
    """Counts the state checks that ran and passed (spy on ``editor.segmented.check_states``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.passed, self._real = [], segmented.check_states
        monkeypatch.setattr(segmented, "check_states", self)

    def __call__(self, results: Any, first: int) -> None:
        self._real(results, first)
        self.passed.append(sum(1 for r in results if r["entry"] and r["entry"][0] != first))


@pytest.mark.parametrize("name", ["prores", "h264"])
def test_background_in_segments_is_the_sequential_edit(
    clips: dict[str, dict[str, Path]], tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, clean = clips[name]["shot"], clips[name]["clean"]
    plate = load_plate(clips["plate"]["png"])
    suffix = src.suffix
    kw: dict[str, Any] = {"clean_plate": clean, "start": 3, "end": FRAMES - 2}
    one = replace_background(src, plate, tmp_path / f"one{suffix}", **kw)
    checked = _Checked(monkeypatch)
    many = replace_background(src, plate, tmp_path / f"many{suffix}", executor=InlineExecutor(), **kw)
    assert checked.passed == [1]  # the cut inside the range was checked, and held
    assert_same_output(one.output.path, many.output.path, intra=name == "prores")
    assert_same_result(one, many)


@pytest.fixture(scope="module")
def trained(clips: dict[str, dict[str, Path]]) -> Any:
    paths = [clips["prores"]["shot"], clips["h264"]["shot"]]
    tiny = LightingConfig(steps=4, batch=2, frames_per_clip=3, checkpoint_every=2)
    return train_lighting(
        [TrainingClip(probe(p), hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths], config=tiny, progress=False
    )


@pytest.fixture
def lighting(registry: ModelRegistry, trained: Any) -> Any:
    registry.register(trained.manifest, trained.model_file, metrics=trained.metrics)
    return load_model(registry, trained.manifest.model_id)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["prores", "h264"])
def test_relight_in_segments_is_the_sequential_edit(
    clips: dict[str, dict[str, Path]], lighting: Any, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = clips[name]["shot"]
    shot_ = Shot(probe(src), hashlib.sha256(src.read_bytes()).hexdigest())
    plans: list[Any] = []  # the plan (a grade fit, deterministic) is made once: only the render is compared
    plan = relight_module.plan_relight
    monkeypatch.setattr(
        relight_module, "plan_relight", lambda *a, **k: plans[0] if plans else plans.append(plan(*a, **k)) or plans[0]
    )
    kw: dict[str, Any] = {"adjustments": Adjustments(exposure=0.4, saturation=0.8), "start": 5, "end": 50}
    seen: list[float] = []
    one, _ = relight(shot_, lighting, tmp_path / f"one{src.suffix}", progress=seen.append, **kw)
    assert len(seen) == 1 + FRAMES and seen[-1] == 1.0  # the plan, then 60 frames: each written frame is reported
    # a real pool of two worker processes for one format, pickled copies in this process for the other
    par: dict[str, Any] = {"workers": 2} if name == "h264" else {"executor": InlineExecutor()}
    many, _ = relight(shot_, lighting, tmp_path / f"many{src.suffix}", progress=seen.append, **par, **kw)
    assert len(seen) > FRAMES + 1 and seen[-1] == 1.0
    assert_same_output(one.output.path, many.output.path, intra=name == "prores")
    assert_same_result(one, many)


@pytest.mark.parametrize(("keep", "warm_up", "fell_back"), [(0.25, 60, False), (0.9, 2, True)])
def test_state_check_proves_the_cut_or_falls_back(
    clips: dict[str, dict[str, Path]], tmp_path: Path, keep: float, warm_up: int, fell_back: bool
) -> None:
    info = probe(clips["prores"]["shot"])
    one_ed, many_ed = Ema(info, range(0, FRAMES), keep, warm_up), Ema(info, range(0, FRAMES), keep, warm_up)
    one, _ = render_frames(info, tmp_path / "one.mov", one_ed)
    seen: list[float] = []
    many, check = render_frames(
        info, tmp_path / "many.mov", many_ed, executor=InlineExecutor(), segments=3, progress=seen.append
    )
    assert check.fell_back is fell_back and (check.cuts == 2) is not fell_back
    # progress only increases, also across a fall-back (the one-piece render's fractions go on from the last)
    assert seen[-1] == 1.0 and seen.count(1.0) == 1 and all(a < b for a, b in itertools.pairwise(seen))
    assert len(seen) > 3 if fell_back else len(seen) == 3  # after a fall-back: the segments', then per frame
    assert_same_output(one.path, many.path, intra=True)
    assert many_ed.seen == one_ed.seen
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.mov", "one.mov"]  # no temporary output left


def test_worker_processes_render_the_sequential_edit(clips: dict[str, dict[str, Path]], tmp_path: Path) -> None:
    info = probe(clips["prores"]["shot"])
    one_ed, many_ed = Ema(info, range(4, 50), 0.25, 60), Ema(info, range(4, 50), 0.25, 60)
    one, _ = render_frames(info, tmp_path / "one.mov", one_ed)
    seen: list[float] = []
    many, check = render_frames(info, tmp_path / "many.mov", many_ed, workers=2, progress=seen.append)
    assert len(many.segments) == 4 and check == segmented.StateCheck(3, False)
    assert seen[-1] == 1.0 and 1 < len(seen) <= 101 and all(a < b for a, b in itertools.pairwise(seen))
    assert all(round(v * info.frame_count, 9).is_integer() for v in seen)  # whole frames, as the tallies count them
    assert_same_output(one.path, many.path, intra=True)
    assert many_ed.seen == one_ed.seen


def test_a_failing_segment_leaves_nothing_at_the_output(clips: dict[str, dict[str, Path]], tmp_path: Path) -> None:
    info = probe(clips["h264"]["shot"])
    with pytest.raises(RuntimeError, match="frame 40"):
        render_frames(info, tmp_path / "out.mp4", FailsOn40(info, range(0, FRAMES), 0.5, 8), executor=InlineExecutor())
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "out.mp4").write_bytes(b"keep")
    with pytest.raises(EncodeError, match="already exists"):
        render_frames(info, tmp_path / "out.mp4", Ema(info, range(0, FRAMES), 0.5, 8), workers=2)
    assert (tmp_path / "out.mp4").read_bytes() == b"keep"
    src = clips["h264"]["shot"]
    before = src.read_bytes()
    with pytest.raises(EncodeError, match="its own source"):
        render_frames(info, src, Ema(info, range(0, FRAMES), 0.5, 8), overwrite=True, executor=InlineExecutor())
    assert src.read_bytes() == before
