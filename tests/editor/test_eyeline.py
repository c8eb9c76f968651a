"""Eyeline: a per-performer warp model from real takes; only the eye regions change; bad inputs write nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from editor.cast import CastTag, detect_faces, train_cast
from editor.dailies import content_hash
from editor.eyeline import (
    EyelineConfig,
    EyelineModel,
    EyelineModelError,
    NoFaceError,
    PerformerNotInShotError,
    ShiftOutOfRangeError,
    redirect_gaze,
    train_eyeline,
)
from editor.eyeline._eyes import PATCH_H, degrees_to_px, gaze_of, iris_centre
from media import Region, iter_frames, probe, read_frame
from tests.editor._dialogue_media import rewrite_clip
from tests.editor._media import write_clip

TAKE1, TAKE2 = "grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"
STRANGER = "crema-d_1001_DFA_NEU_XX.flv"
END = 10


@pytest.fixture(scope="module")
def trained(footage_dir: Path):  # type: ignore[no-untyped-def]
    return train_eyeline([probe(footage_dir / TAKE1)], "grid", config=EyelineConfig(samples=12))


@pytest.fixture(scope="module")
def edited(trained, footage_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    model = EyelineModel.from_bytes(trained.model.to_bytes())
    out = tmp_path_factory.mktemp("eyeline") / "out.mp4"
    shift = (min(4.0, model.shift_range[0]), 0.0)
    result = redirect_gaze(footage_dir / TAKE2, out, model, shift, performer="grid", end=END)
    return result, out


def _frames(path: Path, end: int) -> list[np.ndarray]:
    return [np.asarray(a, np.int16) for _i, a in iter_frames(probe(path), end=end, fmt="rgb24")]


def test_only_the_eye_regions_change(edited, footage_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result, out = edited
    r = result.region
    src, dst = _frames(footage_dir / TAKE2, END + 2), _frames(out, END + 2)
    assert len(src) == len(dst) == END + 2
    inside = np.zeros(src[0].shape[:2], bool)
    inside[r.y : r.y + r.height, r.x : r.x + r.width] = True
    face = detect_faces(src[0].astype(np.uint8))[0]
    assert r.width < face.width and r.height < face.height / 2  # eye band only, not the face
    outside_err = [np.abs(a - b)[~inside].mean() for a, b in zip(src, dst, strict=True)]
    inside_err = [np.abs(a - b)[inside].mean() for a, b in zip(src[:END], dst[:END], strict=True)]
    assert max(outside_err) < 1.5, outside_err  # codec noise only (re-encoded from the source planes)
    assert np.mean(inside_err) > 2 * np.mean(outside_err), (inside_err, outside_err)
    assert result.kind == "eyeline" and result.frames.end == END
    for key in ("gaze_shift_requested_x_deg", "gaze_shift_achieved_x_deg", "eye_warping_error_ratio"):
        assert key in result.metrics


def test_the_edit_moves_the_gaze_it_was_asked_to(edited) -> None:  # type: ignore[no-untyped-def]
    # Issue 18: the warp network before stop 47 moved GRID's gaze by -0.08° for a 4° request (eased: 3.6° asked)
    result, _out = edited
    asked, got = result.metrics["gaze_shift_requested_x_deg"], result.metrics["gaze_shift_achieved_x_deg"]
    assert asked == result.parameters["shift_deg"][0]  # read where the look is held, not over the ease (stop 52)
    assert result.parameters["lids_follow"] is None  # a look aside moves no lid, and none is signed
    assert 0.8 * asked <= got <= 1.2 * asked, (asked, got)
    assert abs(result.metrics["gaze_shift_achieved_y_deg"]) < 0.5
    assert result.parameters["ramp_frames"] == 3 and result.parameters["temporal_alpha"] == 0.4353  # GRID's 25 fps


def test_a_look_down_carries_the_lids_with_the_iris(trained, edited, footage_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # issue 18, stop 52: on a look up or down the lids stayed but for a bump over and under the iris
    model = trained.model
    dy = min(4.0, model.shift_range[1])
    result = redirect_gaze(footage_dir / TAKE2, tmp_path / "down.mp4", model, (0.0, dy), performer="grid", end=END)
    asked, got = result.metrics["gaze_shift_requested_y_deg"], result.metrics["gaze_shift_achieved_y_deg"]
    assert 0.8 * asked <= got <= 1.2 * asked, (asked, got)
    assert abs(result.metrics["gaze_shift_achieved_x_deg"]) < 0.5
    follow = result.parameters["lids_follow"]
    assert follow["upper"] == 1.0 and follow["lower"] == pytest.approx(0.572, abs=1e-3)
    assert len(follow["anchor_rows"]) == 2 and all(0 < row < PATCH_H for row in follow["anchor_rows"])
    # the warp reaches the lids above and below the eye patch, where a look aside's stays inside it
    down, aside = result.region, edited[0].region
    assert down.y < aside.y and down.y + down.height > aside.y + aside.height, (down, aside)


def test_at_twice_the_rate_the_edit_counts_its_ease_and_smoothing_in_seconds(
    trained, footage_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    doubled = rewrite_clip(footage_dir / TAKE2, tmp_path / "x2.mov", repeat=2)
    model = trained.model
    result = redirect_gaze(doubled, tmp_path / "out.mov", model, (min(4.0, model.shift_range[0]), 0.0),
                           performer="grid", end=2 * END)  # fmt: skip
    assert result.frames.frame_rate == 50
    assert result.parameters["ramp_frames"] == 5  # 0.1 s at 50 fps: 3 frames at 25, whatever the rate before
    assert result.parameters["box_sigma_frames"] == pytest.approx(50 / 15, abs=1e-3)


def test_model_file_round_trip(trained) -> None:  # type: ignore[no-untyped-def]
    again = EyelineModel.from_bytes(trained.model.to_bytes())
    assert again == trained.model
    assert trained.manifest.model_kind == "eyeline" and trained.manifest.hyperparameters["performer"] == "grid"
    assert "steps" not in trained.manifest.hyperparameters and not trained.manifest.seeds  # nothing is optimised
    for junk in (b"junk", b"{}", b'{"performer": "p"}', trained.model.to_bytes().replace(b"/2", b"/9")):
        with pytest.raises(EyelineModelError, match="not an eyeline model"):
            EyelineModel.from_bytes(junk)


def test_a_model_file_from_before_the_iris_warp_is_read_for_its_geometry(trained) -> None:  # type: ignore[no-untyped-def]
    import io
    import json

    import torch

    model = trained.model
    meta = {"performer": "grid", "geometry": model.geometry.as_json(), "shift_range": list(model.shift_range)}
    state = {"e1.0.weight": torch.zeros(12, 7, 3, 3)}  # eyeline-torch/1: the network's weights and this meta
    state["__meta__"] = torch.frombuffer(bytearray(json.dumps(meta).encode()), dtype=torch.uint8)
    buf = io.BytesIO()
    torch.save(state, buf)
    assert EyelineModel.from_bytes(buf.getvalue()) == model


@pytest.mark.parametrize("shift", [(0.0, 0.0), (45.0, 0.0), (0.0, -45.0), (float("nan"), 1.0)])
def test_bad_shift_writes_nothing(trained, footage_dir: Path, tmp_path: Path, shift) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.mp4"
    with pytest.raises(ShiftOutOfRangeError):
        redirect_gaze(footage_dir / TAKE2, out, trained.model, shift, performer="grid", end=4)
    assert not out.exists()


def test_wrong_performer_model(trained, footage_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EyelineModelError, match="not 'someone'"):
        redirect_gaze(footage_dir / TAKE2, tmp_path / "x.mp4", trained.model, (2, 0), performer="someone")


def test_no_face_writes_nothing(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clip = write_clip(tmp_path / "noface.mp4", frames=6)
    out = tmp_path / "out.mp4"
    with pytest.raises(NoFaceError):
        redirect_gaze(clip, out, trained.model, (2, 0), performer="grid")
    assert not out.exists()


def test_performer_not_in_shot(trained, footage_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    info = probe(footage_dir / TAKE1)
    frame = 30
    f = detect_faces(read_frame(info, frame, "rgb24"))[0]
    cast = train_cast(
        {content_hash(info.path): info},
        [CastTag(content_hash(info.path), frame, "grid", Region(f.x, f.y, f.width, f.height))],
        samples=6,
    )
    out = tmp_path / "out.mp4"
    with pytest.raises(PerformerNotInShotError):
        redirect_gaze(footage_dir / STRANGER, out, trained.model, (2, 0), performer="grid", cast=cast.model, end=6)
    assert not out.exists()


def test_eye_model_geometry() -> None:
    """A dark disc drawn off-centre in a bright patch is found, and converts to the stated eye model's angle."""
    import cv2

    patch = np.full((32, 48, 3), 0.9, np.float32)
    dx = degrees_to_px(10.0, 48)
    cv2.circle(patch, (round(23.5 + dx), 16), 5, (0.1, 0.1, 0.1), -1)
    ix, iy = iris_centre(patch)
    assert abs(ix - (23.5 + dx)) < 1.0 and abs(iy - 16) < 1.0
    yaw, _pitch = gaze_of(patch)
    assert abs(yaw - 10.0) < 4.0
