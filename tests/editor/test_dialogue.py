"""Dialogue matching (ADR re-sync) end to end on the CREMA-D takes: the dub, re-time only, the sync scorer, and
bad inputs (no face, performer not in shot, wrong rate/length, silent line) → clear errors and no output."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from editor.dailies import content_hash
from editor.dialogue import (
    DialogueModel,
    LineLengthError,
    LineRateError,
    NoFaceError,
    PerformerNotInShotError,
    SilentLineError,
    UnreadableLineError,
    dub,
    load_dialogue,
    retime,
    score,
    train_dialogue,
)
from editor.dialogue.blend import inner_mask, place_mouth, ring_mask, work_size
from editor.dialogue.model import bank_crops
from editor.dialogue.plan import plan_mouths
from editor.dialogue.shape import MIN_LOTO_R
from editor.dialogue.sync import SyncTake, grey_mouths, shift_features
from editor.dialogue.track import crop, track_face
from editor.errors import EditParameterError
from editor.models import ModelRegistry, unpack_model
from editor.results import EditResult
from media import iter_frames, probe, read_audio, render
from tests.editor._dialogue_media import line_from, write_wav
from tests.editor._media import write_clip

ANG, SAD, NEU = "crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv", "crema-d_1001_DFA_NEU_XX.flv"
GRID = "grid_pwij3p.mpg"
PERFORMER = "actor-1001"


@pytest.fixture(scope="module")
def trained(footage_dir: Path) -> tuple[object, bytes, DialogueModel]:
    """A dialogue model of CREMA-D actor 1001 from the angry and sad takes, the neutral take held out."""
    return train_dialogue([footage_dir / ANG, footage_dir / SAD, footage_dir / NEU], PERFORMER, steps=150)


@pytest.fixture(scope="module")
def model(trained: tuple[object, bytes, DialogueModel]) -> DialogueModel:
    return trained[2]


def _rgb(path: Path) -> list[np.ndarray]:
    return [np.asarray(a, np.int16) for _, a in iter_frames(probe(path), fmt="rgb24")]


def test_model_registers_and_round_trips(trained: tuple, registry: ModelRegistry, footage_dir: Path) -> None:
    manifest, model_file, model = trained
    record = registry.register(manifest, model_file, metrics=model.metrics)
    assert record.kind == "dialogue" and record.manifest.hyperparameters["performer"] == PERFORMER
    _, loaded_file = registry.load(record.model_id)
    loaded = load_dialogue(loaded_file)
    assert loaded.performer == PERFORMER and np.array_equal(loaded.crops, model.crops)
    assert loaded.metrics == model.metrics
    assert unpack_model(model_file).model_id == manifest.model_id
    assert {"heldout_av_offset_residual_max_frames", "heldout_av_offset_target_met"} <= set(model.metrics)
    n = probe(footage_dir / NEU).frame_count  # the held-out take, whole and cut into a dub's lines (line_check)
    for part in (1, 2, 3):
        assert model.metrics[f"heldout_line_frames_{part}"] == n // part
        assert 0.0 <= model.metrics[f"heldout_line_right_{part}"] <= 1.0


def test_scorer_finds_known_shifts_on_held_out_take(footage_dir: Path, model: DialogueModel) -> None:
    from editor.dialogue.features import utterance_features

    info = probe(footage_dir / NEU)
    grey = grey_mouths(model.crops[model.take_ids == model.take_hashes.index(content_hash(info.path))])
    audio = read_audio(info.path)
    feats = utterance_features(audio.samples, audio.rate)
    for shift in (-5, 4):
        got = score(model.sync, SyncTake(grey, shift_features(feats, shift, info.frame_rate), info.frame_rate))
        assert abs(got.offset_frames - shift) <= 1, (shift, got)
        assert got.lse_c > 0


def test_dub_end_to_end(footage_dir: Path, model: DialogueModel, tmp_path: Path) -> None:
    src = footage_dir / NEU
    line = line_from(footage_dir / SAD, tmp_path / "adr.wav", start_s=0.3, seconds=1.0)
    out = tmp_path / "dubbed.mov"
    result = dub(src, model, line, out, performer=PERFORMER, start=10, model_ref=("a" * 64, "b" * 64))
    assert isinstance(result, EditResult) and result.kind == "dialogue"
    assert (result.frames.start, result.frames.end) == (10, 40)  # 1.0 s at 29.97 fps → 30 frames
    assert result.output.codec == "libx264" and result.output.audio == ("replaced:pcm_s16le",)
    info = probe(out)
    assert info.codec_family == "h264" and info.frame_count == probe(src).frame_count
    # Audio: exactly the line in the range's span, the source's sound elsewhere.
    got, orig, new = read_audio(out), read_audio(src), read_audio(line)
    rate = got.rate
    a, b = round(Fraction(10) / info.frame_rate * rate), round(Fraction(40) / info.frame_rate * rate)
    from media import resample

    expect = resample(new.samples, new.rate, rate)[:, 0]
    expect = np.concatenate([expect, np.zeros(max(0, b - a - len(expect)), np.float32)])[: b - a]  # 1 s in 1.001 s
    np.testing.assert_allclose(got.samples[a:b, 0], expect, atol=1.0 / 32767 + 1e-6)
    np.testing.assert_allclose(got.samples[:a, 0], orig.samples[:a, 0], atol=1.0 / 32767 + 1e-6)
    np.testing.assert_allclose(got.samples[b : len(orig.samples), 0], orig.samples[b:, 0], atol=1.0 / 32767 + 1e-6)
    # Picture: only the declared (mouth) region of the range changed, compared with an unedited render of the same
    # encoder (x264 noise: mean per-pixel max channel difference < 2 of 255; the mouth differs by > 5).
    ref = tmp_path / "identity.mov"
    render(probe(src), ref, lambda i, x: None)
    r = result.region
    assert r.width < 0.25 * info.width and r.height < 0.25 * info.height
    inside = np.zeros((info.height, info.width), bool)
    inside[r.y : r.y + r.height, r.x : r.x + r.width] = True
    changed = 0.0
    for i, (x, y) in enumerate(zip(_rgb(ref), _rgb(out), strict=True)):
        diff = np.abs(x - y).max(axis=-1)
        assert diff[~inside].mean() < 2.0, f"frame {i} changed outside the mouth region"
        if i not in result.frames.as_range():
            assert diff.mean() < 2.0, f"frame {i} is outside the range but changed"
        else:
            changed = max(changed, float(diff[inside].mean()))
    assert changed > 5.0
    for key in ("after_av_offset_frames", "after_lse_d", "after_lse_c", "av_offset_target_met"):
        assert key in result.metrics
    # How sure that verdict is: the held-out take's 30-frame lines (its halves), the longest reading ≤ the line's 30.
    assert result.metrics["sync_check_line_frames"] == 30 and result.metrics["sync_check_line_shorter"] == 0
    assert result.metrics["sync_check_right_share"] == model.metrics["heldout_line_right_2"]


def test_retime_only_finds_the_slip(footage_dir: Path, tmp_path: Path) -> None:
    """The neutral take's own line, 0.2 s late: re-timing slips the picture by −6 frames (±1) and lays the line in."""
    src = footage_dir / NEU
    line = line_from(src, tmp_path / "late.wav", seconds=1.8, delay_s=0.2)
    out = tmp_path / "retimed.mp4"
    result = retime(src, line, out, performer=PERFORMER)
    assert abs(result.metrics["retime_offset_frames"] + 6) <= 1, result.metrics
    assert abs(result.metrics["retime_stretch"] - 1.0) < 0.15
    assert result.output.audio == ("replaced:alac",) and probe(out).codec_family == "h264"
    assert (result.frames.start, result.frames.end) == (0, 54)
    r = result.region
    assert r.width < 0.6 * 480 and r.height < 0.8 * 360


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("rate", LineRateError),
        ("silent", SilentLineError),
        ("length", LineLengthError),
        ("too-long", LineLengthError),
        ("not-audio", UnreadableLineError),
    ],
)
def test_bad_lines_are_refused_without_output(
    case: str, error: type[Exception], footage_dir: Path, model: DialogueModel, tmp_path: Path
) -> None:
    src = footage_dir / NEU
    end = None
    if case == "rate":
        line = line_from(footage_dir / SAD, tmp_path / "l.wav", seconds=1.0, rate=8000)
    elif case == "silent":
        line = write_wav(tmp_path / "l.wav", np.zeros(48000, np.float32), 48000)
    elif case == "length":
        line, end = line_from(footage_dir / SAD, tmp_path / "l.wav", seconds=1.0), 50
    elif case == "too-long":
        line = line_from(footage_dir / ANG, tmp_path / "l.wav", seconds=2.2)
    else:
        line = tmp_path / "l.wav"
        line.write_text("not audio")
    out = tmp_path / "out.mov"
    with pytest.raises(error):
        dub(src, model, line, out, performer=PERFORMER, end=end)
    if case != "length":  # re-timing takes a line of any length that fits the clip
        with pytest.raises(error):
            retime(src, line, out, performer=PERFORMER)
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def _cast(footage_dir: Path):  # type: ignore[no-untyped-def]
    """The project's cast model (editor.cast): the actor tagged on the neutral take, the GRID talker on theirs."""
    from editor.cast import CastTag, detect_faces, train_cast
    from media import Region, read_frame

    tags, clips = [], {}
    for name, label in ((NEU, PERFORMER), (GRID, "grid-talker")):
        info = probe(footage_dir / name)
        f = detect_faces(read_frame(info, 20, "rgb24"))[0]
        tags.append(CastTag(content_hash(info.path), 20, label, Region(f.x, f.y, f.width, f.height)))
        clips[content_hash(info.path)] = info
    return train_cast(clips, tags, samples=6).model


def test_no_face_and_wrong_performer(footage_dir: Path, model: DialogueModel, tmp_path: Path) -> None:
    """Which face is the performer's is the cast model's answer (editor.cast), the same the gate decided on."""
    line = line_from(footage_dir / SAD, tmp_path / "l.wav", seconds=0.4)
    blank = write_clip(tmp_path / "blank.mp4", frames=24, width=160, height=96)
    with pytest.raises(NoFaceError, match="no face"):
        dub(blank, model, line, tmp_path / "a.mp4", performer=PERFORMER)
    cast = _cast(footage_dir)
    with pytest.raises(PerformerNotInShotError, match="not identified"):
        dub(footage_dir / GRID, model, line, tmp_path / "b.mp4", performer=PERFORMER, cast=cast)
    assert not (tmp_path / "a.mp4").exists() and not (tmp_path / "b.mp4").exists()
    result = dub(footage_dir / SAD, model, line, tmp_path / "c.mov", performer=PERFORMER, cast=cast, end=12)
    assert 0 <= result.metrics["performer_distance"] < 0.5  # identified by the cast model, distance recorded
    # the signed result says whether the openness cost was used and on what evidence (CREMA-D: the takes predict
    # each other's openness, r ≈ 0.83, so it is)
    m = result.metrics
    assert m["selection_shape_takes"] == 3.0 and m["selection_shape_loto_r"] >= MIN_LOTO_R
    assert m["selection_shape_cost_used"] == 1.0


def test_fit_frames_outside_the_clip_are_refused_before_anything_is_written(
    footage_dir: Path, model: DialogueModel, tmp_path: Path
) -> None:
    src = footage_dir / NEU
    line = line_from(src, tmp_path / "own.wav", seconds=0.3)
    total = probe(src).frame_count
    for bad in ((total - 5, total + 5), (10, 10), (-1, 5)):
        with pytest.raises(EditParameterError, match="fit frames"):
            dub(src, model, line, tmp_path / "f.mov", performer=PERFORMER, fit_frames=bad)
        assert not (tmp_path / "f.mov").exists()


@pytest.mark.slow
def test_exclude_take_rebuilds_from_the_other_takes(footage_dir: Path, model: DialogueModel, tmp_path: Path) -> None:
    src = footage_dir / NEU
    line = line_from(src, tmp_path / "own.wav", start_s=0.5, seconds=0.5)
    result = dub(src, model, line, tmp_path / "r.mov", performer=PERFORMER, start=15, exclude_take=content_hash(src))
    assert result.parameters["exclude_take"] == content_hash(src)
    assert result.metrics["selection_target_cost"] > 0.01  # its own frames (cost ≈ 0) were not available


def test_pauses_keep_the_shot_and_say_so(footage_dir: Path, model: DialogueModel, tmp_path: Path) -> None:
    # The neutral take's line before its first word: neither its sound nor the new line (its own) is spoken, so
    # the dub leaves those frames as shot and ramps into the bank mouths; keep_pauses=False replaces them all.
    src = footage_dir / NEU
    line = line_from(src, tmp_path / "own.wav", seconds=20 / float(probe(src).frame_rate) - 0.001)
    kept = dub(src, model, line, tmp_path / "k.mov", performer=PERFORMER, end=20, exclude_take=content_hash(src))
    every = dub(src, model, line, tmp_path / "e.mov", performer=PERFORMER, end=20, exclude_take=content_hash(src),
                keep_pauses=False)  # fmt: skip
    k = int(kept.metrics["mouth_kept_frames"])
    assert k >= 4 and kept.metrics["mouth_ramp_frames"] == 2.0 and kept.parameters["keep_pauses"] is True
    assert every.metrics["mouth_kept_frames"] == 0.0 and every.parameters["keep_pauses"] is False
    assert kept.parameters["pauses_found_by"] == {"line": "level", "shot": "level"}  # the take's sound is clean
    assert "pauses_found_by" not in every.parameters
    ref = tmp_path / "identity.mov"
    render(probe(src), ref, lambda i, x: None)
    r = every.region
    mouth = (slice(r.y, r.y + r.height), slice(r.x, r.x + r.width))
    shown = zip(_rgb(ref)[:20], _rgb(kept.output.path)[:20], _rgb(every.output.path)[:20], strict=True)
    for i, (x, y, z) in enumerate(shown):
        as_shot, placed = np.abs(x - y)[mouth].mean(), np.abs(x - z)[mouth].mean()
        if i < k:  # as shot (the encoder's noise: 0.8–1.4 of 255 here) where the other dub placed a mouth (4.6–6.9)
            assert as_shot < 2.0 and placed > 3 * as_shot, f"frame {i} was kept but changed"
        elif i >= k + 2:  # past the ramp, the same placed mouth in both (up to the encoder's noise)
            assert np.abs(y - z)[mouth].mean() < 2.0, f"frame {i}: the placed mouth differs between the two dubs"


@pytest.fixture(scope="module")
def rebuilt(footage_dir: Path, model: DialogueModel, tmp_path_factory: pytest.TempPathFactory) -> dict:
    # Issue 18: the patch was softer than the face, teeth were lost, and on this performer the rebuilt mouth
    # scored below simply holding one bank mouth (PSNR 24.2 vs 24.4 dB). Rebuild 30 frames of the held-out
    # neutral take from the other takes' mouths with its own sound. Which mouths fit the shot is measured on the
    # take's frames after the range: the range's own mouths are the answer here (in a real dub they speak the old
    # line).
    tmp_path = tmp_path_factory.mktemp("rebuilt")
    src = footage_dir / NEU
    n = 30
    line = line_from(src, tmp_path / "own.wav", seconds=n / float(probe(src).frame_rate) - 0.001)
    out = dub(
        src,
        model,
        line,
        tmp_path / "r.mov",
        performer=PERFORMER,
        end=n,
        exclude_take=content_hash(src),
        fit_frames=(n, probe(src).frame_count),
        model_ref=("a" * 64, "b" * 64),
        keep_pauses=False,
    )  # fmt: skip  (the mouth on every frame)
    assert out.parameters["fit_frames"] == [n, probe(src).frame_count]
    assert out.metrics["selection_fit_frames"] > 0
    real = [np.asarray(a, np.uint8) for _, a in iter_frames(probe(src), end=n, fmt="rgb24")]
    ours = [np.asarray(a, np.uint8) for _, a in iter_frames(probe(out.output.path), end=n, fmt="rgb24")]
    track = track_face(real)
    boxes = [track.mouth_box(k) for k in range(n)]
    hid = model.take_hashes.index(content_hash(src))
    pool = np.nonzero(model.take_ids != hid)[0]
    held = np.full(n, pool[len(pool) // 2])  # the same blending, with the plan measured for its one mouth
    plan = plan_mouths(bank_crops(real, track, work_size(model.crops[0])), model.bank_takes(hid), model.crops[held])
    static = [place_mouth(real[k], model.crops[held[k]], boxes[k], seed=k, plan=plan)[0] for k in range(n)]
    return {"real": real, "ours": ours, "static": static, "boxes": boxes}


def test_rebuilt_mouth_beats_a_static_mouth(rebuilt: dict) -> None:
    def psnr(fake: list[np.ndarray]) -> float:
        errs = [(crop(r, b, (96, 60)).astype(float) - crop(f, b, (96, 60)).astype(float)) ** 2
                for r, f, b in zip(rebuilt["real"], fake, rebuilt["boxes"], strict=True)]  # fmt: skip
        return float(10 * np.log10(255.0**2 / np.mean(errs)))

    assert psnr(rebuilt["ours"]) > psnr(rebuilt["static"]) + 0.5


def test_rebuilt_mouth_is_as_sharp_as_the_take(rebuilt: dict) -> None:
    def detail(frames: list[np.ndarray]) -> float:
        grads = []
        for f, b in zip(frames, rebuilt["boxes"], strict=True):
            g = cv2.cvtColor(crop(f, b, (128, 80)), cv2.COLOR_RGB2GRAY).astype(np.float32)
            grads.append(np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))[inner_mask() > 0.5])
        return float(np.mean(np.concatenate(grads)))

    # today's 64×40 patches came out at ~0.8; 0.88 when the colour match's gain also scaled the mouth's fine detail
    assert detail(rebuilt["ours"]) >= 0.9 * detail(rebuilt["real"])


def test_mouth_blend_keeps_the_patch_detail_and_the_rest_of_the_frame() -> None:
    rng = np.random.default_rng(3)
    frame = np.full((120, 160, 3), (200, 150, 120), np.uint8)
    frame = np.clip(frame + rng.normal(0, 2, frame.shape), 0, 255).astype(np.uint8)
    teeth = np.full((80, 128, 3), (190, 140, 110), np.uint8)
    teeth[30:50, 24:104] = 250  # a bright row of "teeth" with sharp edges
    teeth[38:42, 24:104:8] = 90
    box = np.array([40.0, 50.0, 64.0, 40.0])
    out, support = place_mouth(frame, teeth, box, seed=1)
    ys, xs = np.nonzero(support)
    assert xs.min() >= 39 and xs.max() <= 105 and ys.min() >= 49 and ys.max() <= 91  # inside the mouth box
    np.testing.assert_array_equal(out[~support], frame[~support])
    inner = crop(out, box, (128, 80))
    assert inner[36:44, 40:90].max() > 230 and inner[38:42, 40:90].min() < 140  # teeth and gaps still crisp
    ring = (ring_mask() > 0) & (inner_mask() < 0.01)
    skin_shift = np.abs(inner[ring].astype(float).mean(0) - frame[0, 0].astype(float)).max()
    assert skin_shift < 6  # the patch's skin took the frame's colour
