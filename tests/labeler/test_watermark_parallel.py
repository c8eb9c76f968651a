"""Segment-parallel marking (``embed_video(workers=…, executor=…)``, ``cutproof watermark embed --workers``) makes
what a sequential run makes: the same detected key, frame count and per-frame timestamps, sample-identical audio
(marked too), the timecode, and a file that C2PA signs and validates.

Sources are generated here (320×180, 25 fps, 2.4 s): ProRes 422 HQ MOV with timecode and 24-bit PCM audio, and
long-GOP H.264 MP4 (B frames, a key frame every 20 frames) with AAC audio. The parallel runs use a process pool of two
spawned workers, as ``workers=2`` does.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from labeler import (
    EditAction,
    EditLabel,
    IngredientRef,
    LedgerRef,
    TimeRange,
    ValidationState,
    WatermarkRef,
    build_definition,
    ensure_identity,
    read_manifest,
    sign_video,
)
from labeler.audio_watermark import detect_audio
from labeler.watermark import ALGORITHM_ID, detect_video, embed_video
from media import probe
from tests.editor._media import write_clip

KEY = 0x0123456789ABCDEF
FRAMES = 60


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("sources")
    return {
        "prores": write_clip(
            d / "prores.mov", codec="prores_ks", pix_fmt="yuv422p10le", width=320, height=180, frames=FRAMES,
            rate=Fraction(25), options={"profile": "3"}, audio="pcm_s24le", timecode="10:00:00:12",
        ),
        "h264": write_clip(
            d / "h264.mp4", width=320, height=180, frames=FRAMES, rate=Fraction(25),
            options={"g": "20", "keyint_min": "20", "bf": "3", "sc_threshold": "0"}, audio="aac",
            timecode="01:02:03:04",
        ),
    }  # fmt: skip


def _pts(path: Path) -> list[int]:
    with av.open(str(path)) as c:
        return sorted(p.pts for p in c.demux(c.streams.video[0]) if p.size)


def _audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])


@pytest.mark.parametrize("name", ["prores", "h264"])
def test_parallel_marking_matches_sequential(
    sources: dict[str, Path], pool: ProcessPoolExecutor, tmp_path: Path, name: str
) -> None:
    src = sources[name]
    seq = embed_video(src, tmp_path / f"seq{src.suffix}", KEY, mark_audio=True)
    par = embed_video(src, tmp_path / f"par{src.suffix}", KEY, mark_audio=True, executor=pool, workers=2)
    assert par.frames == seq.frames == FRAMES
    assert par.timecode == seq.timecode == probe(par.output).timecode == probe(src).timecode
    assert par.audio == seq.audio and par.audio_marks[0].snr_db == seq.audio_marks[0].snr_db
    assert abs(par.psnr_y - seq.psnr_y) < 1e-6  # every frame marked once, by the same embedder
    assert detect_video(par.output).key == detect_video(seq.output).key == KEY
    assert detect_audio(par.output).key == KEY
    a, b = probe(seq.output), probe(par.output)
    assert (b.frame_count, b.frame_rate, b.colour, b.codec, b.pix_fmt) == (
        a.frame_count, a.frame_rate, a.colour, a.codec, a.pix_fmt,
    )  # fmt: skip
    assert _pts(par.output) == _pts(seq.output)
    assert np.array_equal(_audio(par.output), _audio(seq.output))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no segment or partial files left


@pytest.mark.parametrize("name", ["prores", "h264"])
def test_the_joined_file_signs_and_validates(
    sources: dict[str, Path], pool: ProcessPoolExecutor, tmp_path: Path, name: str
) -> None:
    src = sources[name]
    marked = embed_video(src, tmp_path / f"marked{src.suffix}", KEY, executor=pool, workers=2).output
    identity = ensure_identity(tmp_path / "keys")[0]
    label = EditLabel(
        title=marked.name,
        source=IngredientRef(src.name, "video/quicktime", "1" * 64),
        action=EditAction.EDITED,
        operation="relight",
        time_range=TimeRange(Fraction(0), Fraction(FRAMES, 25)),
        region=None,
        model_id=None,
        training_manifest_sha256=None,
        ledger=LedgerRef("cutproof.local/film", 3, "3" * 64, "cutproof.local/film\n4\nAAAA\n\n— key sig\n", "receipt"),
        watermark=WatermarkRef(ALGORITHM_ID, f"{KEY:016x}"),
    )
    signed = sign_video(marked, tmp_path / f"signed{src.suffix}", build_definition(label), identity)
    report = read_manifest(signed.path, identity.trust_anchors_pem)
    assert report.state is ValidationState.TRUSTED and not report.failures
    assert "assertion.bmffHash.match" in report.codes("successes")
    assert detect_video(signed.path).key == KEY


def test_cli_workers_option(sources: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "marked.mov"
    args = ["watermark", "embed", str(sources["prores"]), str(out), "--key", f"{KEY:016x}", "--workers", "2"]
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["frames"] == FRAMES and report["timecode"] == "10:00:00:12"
    assert detect_video(out).key == KEY
    res = CliRunner().invoke(app, [*args[:3], str(tmp_path / "x.mov"), *args[4:-1], "0"])
    assert res.exit_code == 2 and not (tmp_path / "x.mov").exists()
