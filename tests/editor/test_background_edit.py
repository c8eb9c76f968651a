"""Background replacement end to end on the shared footage: output, codec family, audio, timecode, the declared
region and frame range, reproducibility, and bad inputs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest

from editor.background import edit as bg_edit
from editor.background.edit import MEASURE_FRAMES, PREPARE_FRAMES, load_plate, replace_background
from editor.background.errors import PlateError
from editor.background.pipeline import BackgroundParams, stabiliser
from editor.dailies import content_hash
from editor.errors import EditorError
from editor.results import EditResult
from media import iter_frames, probe
from media.errors import MediaError
from tests.editor._media import write_clip

GRID = "grid_pwij3p.mpg"
CREMA = "crema-d_1001_DFA_NEU_XX.flv"
OBAMA = "obama-weekly-address_a-bad-situation.mp4"


def _still(path: Path) -> Path:
    """A generated still plate: a warm gradient with a window-like pattern (PNG, 16-bit)."""
    yy, xx = np.mgrid[0:300, 0:500].astype(np.float32)
    img = np.stack([0.3 + 0.4 * xx / 500, 0.25 + 0.3 * yy / 300, 0.2 + 0.1 * np.sin(xx / 17)], axis=-1)
    img[60:140, 80:200] = [0.9, 0.9, 0.8]
    cv2.imwrite(str(path), (cv2.cvtColor(img, cv2.COLOR_RGB2BGR) * 65535).astype(np.uint16))
    return path


def _prores_from(src: Path, out: Path, frames: int) -> Path:
    """Transcode the first ``frames`` frames of a footage clip to ProRes 422 HQ in MOV with PCM audio + timecode."""
    with av.open(str(src)) as c:
        pics = [f.to_ndarray(format="rgb24") for _, f in zip(range(frames), c.decode(video=0), strict=False)]
    rate = Fraction(25)
    o = av.open(str(out), "w", format="mov")
    o.metadata["timecode"] = "10:00:00:00"
    v = o.add_stream("prores_ks", rate=rate, options={"profile": "3"})
    v.height, v.width = pics[0].shape[:2]
    v.pix_fmt = "yuv422p10le"
    a = o.add_stream("pcm_s16le", rate=48000, layout="mono")
    for i, p in enumerate(pics):
        fr = av.VideoFrame.from_ndarray(p, format="rgb24").reformat(format="yuv422p10le")
        fr.pts = i
        for pk in v.encode(fr):
            o.mux(pk)
    for pk in v.encode():
        o.mux(pk)
    t = np.arange(int(48000 * frames / rate)) / 48000.0
    pcm = (0.3 * np.sin(2 * np.pi * 330 * t) * 32767).astype(np.int16)[None]
    af = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    af.sample_rate, af.pts = 48000, 0
    for pk in a.encode(af):
        o.mux(pk)
    for pk in a.encode():
        o.mux(pk)
    o.close()
    return out


def _rgb(path: Path) -> list[np.ndarray]:
    return [np.asarray(a, np.int16) for _, a in iter_frames(probe(path), fmt="rgb24")]


def _assert_declared_truthfully(src: Path, result: EditResult) -> None:
    """Outside the declared region and frame range, the output equals the source up to codec noise (mean of the
    per-pixel max channel difference < 3 of 255 after a re-encode; the edited area differs by > 10)."""
    a, b = _rgb(src), _rgb(result.output.path)
    assert len(a) == len(b)
    r = result.region
    inside = np.zeros(a[0].shape[:2], bool)
    inside[r.y : r.y + r.height, r.x : r.x + r.width] = True
    edited = result.frames.as_range()
    changed_somewhere = False
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        diff = np.abs(x - y).max(axis=-1)
        if i not in edited:
            assert diff.mean() < 3.0, f"frame {i} is outside the declared range but changed"
        else:
            if (~inside).any():
                assert diff[~inside].mean() < 3.0
            changed_somewhere |= diff[inside].mean() > 10
    assert changed_somewhere


@pytest.fixture(scope="module")
def grid_edit(footage_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, EditResult, Path]:
    d = tmp_path_factory.mktemp("bg-grid")
    plate = _still(d / "plate.png")
    src = footage_dir / GRID
    return src, replace_background(src, load_plate(plate), d / "out.mp4", end=30), plate


def test_grid_shot_over_a_generated_still(grid_edit: tuple[Path, EditResult, Path]) -> None:
    src, result, plate = grid_edit
    out = probe(result.output.path)
    info = probe(src)
    assert result.kind == "background"
    assert out.frame_count == info.frame_count and (out.width, out.height) == (info.width, info.height)
    assert out.codec == "h264"  # MPEG-1 is not a camera family: written as H.264
    assert len(out.audio) == len(info.audio) == 1
    assert result.source_hash == content_hash(src) and result.output_hash == content_hash(result.output.path)
    assert result.parameters["plate"]["content_hash"] == content_hash(plate)
    assert result.parameters["matte"]["key_low"] is not None  # thresholds are recorded resolved
    assert result.parameters["foreground"] == "multilevel"
    assert result.parameters["foreground_method"].startswith("multi-level foreground estimation")
    assert result.parameters["stabilise_per_frame"] == {"frame_rate": "25/1", "stabilise": 0.6, "stabilise_posed": 0.85}
    assert 0.3 < result.metrics["background_fraction"] < 0.9
    assert result.metrics["warping_error_ratio"] > 0
    _assert_declared_truthfully(src, result)
    # The performer is kept: the face centre matches the source; the corners show the new plate.
    a, b = _rgb(src)[10], _rgb(result.output.path)[10]
    h, w = a.shape[:2]
    assert (
        np.abs(
            a[h // 2 - 10 : h // 2 + 10, w // 2 - 10 : w // 2 + 10]
            - b[h // 2 - 10 : h // 2 + 10, w // 2 - 10 : w // 2 + 10]
        ).mean()
        < 20
    )
    assert np.abs(a[:20, :20] - b[:20, :20]).mean() > 40


def test_rerunning_reproduces_the_output(grid_edit: tuple[Path, EditResult, Path], tmp_path: Path) -> None:
    src, first, plate = grid_edit
    seen: list[float] = []
    again = replace_background(src, load_plate(plate), tmp_path / "again.mp4", end=30, progress=seen.append)
    n = probe(src).frame_count  # fewer than 100 frames: every frame written is reported (edited or not)
    whole = PREPARE_FRAMES + n + MEASURE_FRAMES  # the clean plate and regrade, the frames, the metrics
    expected = [0.8 * PREPARE_FRAMES / whole] + [(PREPARE_FRAMES + k) / whole for k in range(n + 1)] + [1.0]
    assert seen == pytest.approx(expected)
    assert again.output_hash == first.output_hash
    assert again.recipe_hash == first.recipe_hash
    assert again.region == first.region and again.parameters == first.parameters


def test_prores_shot_keeps_family_audio_timecode_and_range(footage_dir: Path, tmp_path: Path) -> None:
    src = _prores_from(footage_dir / CREMA, tmp_path / "012A_T01.mov", 24)
    plate = load_plate(footage_dir / OBAMA, frame=5)
    result = replace_background(
        src,
        plate,
        tmp_path / "out.mov",
        start=4,
        end=20,
        params=BackgroundParams(regrade=0.5, regrade_method="cdl", foreground="frame"),
    )
    out, info = probe(result.output.path), probe(src)
    assert out.codec == "prores" and out.profile == info.profile
    assert out.timecode == info.timecode == "10:00:00:00"
    assert [t.codec for t in out.audio] == ["pcm_s16le"]
    assert result.frames.start == 4 and result.frames.end == 20 and result.frames.frame_rate == 25
    assert result.parameters["plate"] == {
        "kind": "shot",
        "content_hash": content_hash(footage_dir / OBAMA),
        "frame": 5,
        "name": OBAMA,
    }
    assert result.parameters["regrade_fitted"]["method"] == "cdl"
    assert result.parameters["foreground_method"] == "the take's own pixels (old set mixed into soft edges)"
    _assert_declared_truthfully(src, result)


def test_a_50_fps_shot_is_stabilised_as_long_in_seconds(
    footage_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GRID's frames at 50 fps: the stabiliser keeps 0.6 and 0.85 per frame at 25 fps, so here the shares that last
    # as long (0.6^(1/2), 0.85^(1/2)), and says so in the signed result; a segment's warm-up is as long in seconds.
    pics = [f for _i, f in iter_frames(probe(footage_dir / GRID), end=12, fmt="rgb24")]
    src = write_clip(tmp_path / "grid50.mp4", pictures=[p for p in pics for _ in (0, 1)], rate=Fraction(50))
    used: list[tuple[float, float]] = []
    real = bg_edit.ShotMatter

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            used.append((self._stabiliser.strength, self._stabiliser.carry))

    monkeypatch.setattr(bg_edit, "ShotMatter", Spy)
    result = replace_background(src, load_plate(_still(tmp_path / "plate.png")), tmp_path / "out.mp4")
    assert len(used) >= 2  # the regrade's probe and the render's
    assert used == [(pytest.approx(0.6**0.5), pytest.approx(0.85**0.5))] * len(used)
    assert result.parameters["stabilise"] == 0.6 and result.parameters["stabilise_posed"] == 0.85  # as asked
    assert result.parameters["stabilise_per_frame"] == {
        "frame_rate": "50/1",
        "stabilise": round(0.6**0.5, 6),
        "stabilise_posed": round(0.85**0.5, 6),
    }
    assert stabiliser(BackgroundParams(), 50.0).warm_up_frames() == 256  # 128 at 25 fps


def test_bad_inputs_raise_editor_errors_and_write_nothing(footage_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    src = footage_dir / GRID
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    with pytest.raises(PlateError, match="neither an image nor a usable video clip"):
        load_plate(text)
    fake_png = tmp_path / "fake.png"
    fake_png.write_bytes(b"\x89PNG not really")
    with pytest.raises(PlateError, match="not a readable image"):
        load_plate(fake_png)
    blob = tmp_path / "0123abcd"  # an upload stored by content hash, without an extension
    blob.write_bytes(_still(tmp_path / "s.png").read_bytes())
    assert load_plate(blob).kind == "image"
    with pytest.raises(PlateError, match="does not exist"):
        load_plate(tmp_path / "missing.png")
    with pytest.raises(PlateError, match="outside"):
        load_plate(footage_dir / OBAMA, frame=10_000)
    with pytest.raises(PlateError, match="load_plate"):
        replace_background(src, "plate.png", out)  # type: ignore[arg-type]
    plate = load_plate(_still(tmp_path / "plate.png"))
    with pytest.raises(MediaError):
        replace_background(tmp_path / "missing.mp4", plate, out)
    empty = tmp_path / "empty.mp4"
    o = av.open(str(empty), "w")
    s = o.add_stream("libx264", rate=25)
    s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
    o.close()
    with pytest.raises((EditorError, MediaError)) as err:  # a file with no frames: the media layer refuses it
        replace_background(empty, plate, out)
    assert str(err.value)
    with pytest.raises(EditorError, match="frame range"):
        replace_background(src, plate, out, start=50, end=20)
    assert not out.exists()
    assert {p.name for p in tmp_path.iterdir() if p.suffix == ".mp4"} <= {"empty.mp4"}
