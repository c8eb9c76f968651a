"""Lighting model training (deterministic, resumable) and the relight edit end to end on real encoded clips."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from editor.errors import EditParameterError, ModelMismatchError, TrainingInterrupted
from editor.lighting import (
    Adjustments,
    LightingConfig,
    Lut3D,
    Shot,
    TrainingClip,
    delta_e76,
    load_model,
    relight,
    train_lighting,
)
from editor.lighting.cdl import Cdl
from editor.models import ModelRegistry
from media import Region, iter_frames, probe
from tests.editor._graded_elsewhere import warm_highlights, write_graded_elsewhere
from tests.editor._media import decode_audio

TINY = LightingConfig(steps=6, batch=2, frames_per_clip=3, checkpoint_every=2)


def _clips(clip_dir: Path) -> list[TrainingClip]:
    out = []
    for name in ("012A_T03.mov", "sc12_sh3_tk2.mp4"):
        p = clip_dir / name
        out.append(TrainingClip(probe(p), hashlib.sha256(p.read_bytes()).hexdigest()))
    return out


@pytest.fixture(scope="module")
def trained(clip_dir: Path):  # type: ignore[no-untyped-def]
    return train_lighting(_clips(clip_dir), config=TINY, progress=False)


def test_training_is_deterministic(clip_dir: Path, trained) -> None:  # type: ignore[no-untyped-def]
    again = train_lighting(_clips(clip_dir), config=TINY, progress=False)
    assert again.manifest.model_id == trained.manifest.model_id
    assert again.model_file == trained.model_file
    assert {i.content_hash for i in trained.manifest.inputs} == {c.content_hash for c in _clips(clip_dir)}
    assert trained.manifest.hyperparameters["steps"] == 6 and trained.manifest.seeds == {"torch": 0, "numpy": 0}


def test_interrupted_training_resumes_to_the_same_model(clip_dir: Path, tmp_path: Path, trained) -> None:  # type: ignore[no-untyped-def]
    def stop_at_3(step: int) -> None:
        if step == 3:
            raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted, match="step 3/6"):
        train_lighting(_clips(clip_dir), config=TINY, progress=False, checkpoint_dir=tmp_path, on_step=stop_at_3)
    assert list(tmp_path.glob("*.ckpt"))
    resumed = train_lighting(_clips(clip_dir), config=TINY, progress=False, checkpoint_dir=tmp_path)
    assert resumed.model_file == trained.model_file
    assert not list(tmp_path.glob("*.ckpt"))


@pytest.fixture
def loaded(registry: ModelRegistry, trained):  # type: ignore[no-untyped-def]
    registry.register(trained.manifest, trained.model_file, metrics=trained.metrics)
    return load_model(registry, trained.manifest.model_id)


def test_model_refused_under_another_manifest(registry: ModelRegistry, trained) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    registry.register(trained.manifest, trained.model_file)
    other = replace(trained.manifest, seeds={"torch": 1, "numpy": 1})
    with pytest.raises(ModelMismatchError):
        load_model(registry, trained.manifest.model_id, manifest=other)


def _shot(path: Path) -> Shot:
    return Shot(probe(path), hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.mark.parametrize(
    ("name", "suffix", "codec"), [("012A_T03.mov", ".mov", "prores"), ("sc12_sh3_tk2.mp4", ".mp4", "h264")]
)
def test_relight_region_is_true_and_media_preserved(
    clip_dir: Path,
    tmp_path: Path,
    loaded,
    name: str,
    suffix: str,
    codec: str,  # type: ignore[no-untyped-def]
) -> None:
    shot, ref = _shot(clip_dir / name), _shot(clip_dir / "sc12_sh3_tk2.mp4")
    region = Region(41, 21, 60, 40)  # odd origin: the declared region widens to cover touched chroma samples
    out = tmp_path / f"relit{suffix}"
    result, plan = relight(
        shot,
        loaded,
        out,
        reference=ref,
        reference_frame=4,
        adjustments=Adjustments(exposure=0.8),
        region=region,
        feather=4,
        start=3,
        end=9,
    )
    r = result.region
    unfitted = result.metrics["grade_method"] == "model"  # a grade fitted to no pixel is said so, in the plan and the
    assert ("grade_warning" in result.metrics) == unfitted == bool(plan.warnings)  # signed account alike
    assert (r.x, r.y) == (40, 20) and r.x + r.width >= 101 and r.y + r.height >= 61
    assert result.frames.start == 3 and result.frames.end == 9 and result.frames.start_time == 3 / shot.info.frame_rate
    assert result.source_hash == shot.content_hash
    assert result.output_hash == hashlib.sha256(out.read_bytes()).hexdigest()
    assert result.model_id == loaded.model_id and result.metrics["edited_frames"] == 6
    got = probe(out, verify="full")
    assert got.codec == codec and got.timecode == shot.info.timecode and got.frame_count == shot.info.frame_count
    assert got.frame_rate == shot.info.frame_rate and len(got.audio) == 1
    a, b = decode_audio(shot.info.path), decode_audio(out)
    n = min(a.shape[1], b.shape[1])
    assert np.abs(a[:, :n] - b[:, :n]).max() < 1e-3
    src = dict(iter_frames(shot.info))
    dst = dict(iter_frames(got))
    inside_changes = []
    for i in range(shot.info.frame_count):
        d = np.abs(src[i] - dst[i]).max(axis=-1)
        outside = d.copy()
        outside[r.y : r.y + r.height, r.x : r.x + r.width] = 0
        assert outside.mean() < 0.01 and np.percentile(outside, 99.9) < 0.12, f"frame {i} changed outside the region"
        inside_changes.append(d[r.y + 6 : r.y + r.height - 6, r.x + 6 : r.x + r.width - 6].mean())
    edited = [c for i, c in enumerate(inside_changes) if 3 <= i < 9]
    untouched = [c for i, c in enumerate(inside_changes) if not 3 <= i < 9]
    assert min(edited) > 0.05 and max(untouched) < 0.02  # untouched frames: codec noise only


def test_relight_is_reproducible(clip_dir: Path, tmp_path: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    shot = _shot(clip_dir / "sc12_sh3_tk2.mp4")
    a, _ = relight(shot, loaded, tmp_path / "a.mp4", adjustments=Adjustments(temperature=0.5, saturation=1.3))
    b, _ = relight(shot, loaded, tmp_path / "b.mp4", adjustments=Adjustments(temperature=0.5, saturation=1.3))
    assert a.output_hash == b.output_hash and a.recipe_hash == b.recipe_hash
    assert a.region == Region(0, 0, 160, 96)


def test_relight_exports_parse_back(clip_dir: Path, tmp_path: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    shot = _shot(clip_dir / "sc12_sh3_tk2.mp4")
    _, plan = relight(shot, loaded, tmp_path / "o.mp4", adjustments=Adjustments(exposure=-0.5))
    cube = plan.lut.write_cube(tmp_path / "g.cube")
    cdl = plan.cdl.write(tmp_path / "g.cdl", "sc12")
    back = Lut3D.parse_cube(cube.read_text())
    assert back.size == 33 and np.allclose(back.table, plan.lut.table, atol=1e-5)
    assert Cdl.parse(cdl.read_text()) == plan.cdl


def test_bad_edit_parameters_write_nothing(clip_dir: Path, tmp_path: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    shot = _shot(clip_dir / "sc12_sh3_tk2.mp4")
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(EditParameterError, match="does not fit"):
        relight(shot, loaded, tmp_path / "o.mp4", adjustments=Adjustments(exposure=1), region=Region(150, 0, 40, 10))
    with pytest.raises(EditParameterError, match="nothing to do"):
        relight(shot, loaded, tmp_path / "o.mp4")
    with pytest.raises(EditParameterError, match="past the last frame"):
        relight(shot, loaded, tmp_path / "o.mp4", adjustments=Adjustments(exposure=1), end=99)
    assert list(tmp_path.iterdir()) == []


def test_matte_region(clip_dir: Path, tmp_path: Path, loaded) -> None:  # type: ignore[no-untyped-def]
    import cv2

    from editor.lighting import plan_relight

    matte = np.zeros((96, 160), np.uint8)
    cv2.circle(matte, (80, 48), 20, 255, -1)
    path = tmp_path / "matte.png"
    cv2.imwrite(str(path), matte)
    plan = plan_relight(_shot(clip_dir / "sc12_sh3_tk2.mp4"), loaded, adjustments=Adjustments(gain=1.3), matte=path)
    assert plan.region == Region(60, 28, 42, 42)
    assert (plan.weights[matte == 0] == 0).all() and plan.weights[48, 80] > 0.9
    with pytest.raises(EditParameterError, match="either"):
        plan_relight(
            _shot(clip_dir / "sc12_sh3_tk2.mp4"),
            loaded,
            adjustments=Adjustments(gain=1.3),
            matte=path,
            region=Region(0, 0, 10, 10),
        )


@pytest.fixture(scope="module")
def graded_elsewhere(footage_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_graded_elsewhere(footage_dir, tmp_path_factory.mktemp("graded_elsewhere"))


def test_relight_with_the_references_original_transfers_the_known_look_and_records_it(
    graded_elsewhere: dict[str, Path], tmp_path: Path, loaded
) -> None:  # type: ignore[no-untyped-def]
    g = graded_elsewhere
    shot, ref, orig = _shot(g["shot"]), _shot(g["graded"]), _shot(g["original"])
    result, _ = relight(shot, loaded, tmp_path / "a.mp4", reference=ref, reference_frame=2,
                           reference_original=orig, reference_original_frame=2)  # fmt: skip
    assert result.metrics["grade_method"] == "original" and float(result.metrics["grade_inliers"]) > 0.9
    assert result.parameters["reference_original_hash"] == orig.content_hash
    assert result.parameters["reference_original_frame"] == 2
    _, src = next(iter_frames(shot.info, indices=[3]))
    _, out = next(iter_frames(probe(tmp_path / "a.mp4"), indices=[3]))
    truth = warm_highlights(np.asarray(src, np.float32))
    assert delta_e76(np.asarray(out, np.float32), truth) <= 3.0  # measured 2.52 (through H.264 both ways, 160 px)
    # a whole reference shot: the original's frames at the same numbers
    whole, _ = relight(shot, loaded, tmp_path / "c.mp4", reference=ref, reference_original=orig)
    assert whole.metrics["grade_method"] == "original" and whole.parameters["reference_original_frame"] is None
    plain, _ = relight(shot, loaded, tmp_path / "d.mp4", adjustments=Adjustments(gain=1.2))
    assert "reference_original_hash" not in plain.parameters  # results without it keep their old form


@pytest.mark.parametrize(
    ("case", "match"),
    [
        ("no reference", "needs the --reference graded from it"),
        ("with a patch", "not both"),
        ("original frame alone", "give the reference as SHOT@FRAME too"),
        ("the reference itself", "is the reference itself"),
        ("other length", "has 6 frames and the reference"),
        ("frame outside", "frame 9 is outside the reference's original"),
        ("another scene", "does not show the reference's frame"),
    ],
)
def test_a_bad_reference_original_is_refused_and_nothing_written(
    graded_elsewhere: dict[str, Path], tmp_path: Path, loaded, case: str, match: str
) -> None:  # type: ignore[no-untyped-def]
    g = graded_elsewhere
    shot, ref, orig = _shot(g["shot"]), _shot(g["graded"]), _shot(g["original"])
    args = {
        "no reference": {"reference_original": orig, "adjustments": Adjustments(gain=1.1)},
        "with a patch": {"reference": ref, "reference_original": orig, "reference_region": Region(0, 0, 40, 40)},
        "original frame alone": {"reference": ref, "reference_original": orig, "reference_original_frame": 1},
        "the reference itself": {"reference": ref, "reference_frame": 1, "reference_original": ref},
        "other length": {"reference": _shot(g["short"]), "reference_original": orig},
        "frame outside": {
            "reference": ref,
            "reference_frame": 1,
            "reference_original": orig,
            "reference_original_frame": 9,
        },
        "another scene": {"reference": ref, "reference_frame": 1, "reference_original": shot},
    }[case]
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(EditParameterError, match=match):
        relight(shot, loaded, out / "o.mp4", **args)
    assert list(out.iterdir()) == []
