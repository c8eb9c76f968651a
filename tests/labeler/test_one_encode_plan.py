"""One media path: a labelled deliverable and an editor render of the same source come out encoded alike.

For each source the editor's render (``media.render`` with an RGB edit, as every editor edit renders) and the
labeller's two re-encodes of that render (the on-screen disclosure badge, then the video + audio watermark) are
probed; codec, profile, pixel format and bit depth, colour tags, timecode, exact frame rate, time base, frame count
and each audio track's codec, sample format and bit depth must agree with each other and with the source's plan.
The clips are generated here: H.264 MP4 with AAC, ProRes 422 (10-bit, Standard profile) MOV with a timecode and a
24-bit PCM track, and an MPEG-1 program stream with MP2 audio.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from labeler.disclosure import AlteredShot, DisclosureForm, DisclosureRequest, apply_disclosure
from labeler.watermark import detect_video, embed_video
from media import MediaInfo, plan_encode, probe, render
from tests.editor._media import scene_frame, write_clip

KEY = 0x0123456789ABCDEF


def _mpeg1(path: Path, frames: int = 25) -> Path:
    """An MPEG-1 program stream (VCD-like): mpeg1video 4:2:0 at 25 fps with MP2 stereo audio."""
    with av.open(str(path), "w", format="mpeg") as out:
        v = out.add_stream("mpeg1video", rate=25, options={"qscale": "3"})
        v.width, v.height, v.pix_fmt = 352, 288, "yuv420p"
        a = out.add_stream("mp2", rate=44100, layout="stereo")
        for i in range(frames):
            f = av.VideoFrame.from_ndarray(scene_frame(i, 352, 288), format="rgb24").reformat(format="yuv420p")
            f.pts = i
            out.mux(v.encode(f))
        out.mux(v.encode())
        t = np.arange(round(44100 * frames / 25)) / 44100
        pcm = np.rint(0.2 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        for k in range(0, len(pcm), 1152):
            chunk = np.repeat(pcm[k : k + 1152, None], 2, axis=1).reshape(1, -1)
            af = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="s16", layout="stereo")
            af.sample_rate, af.pts = 44100, k
            out.mux(a.encode(af))
        out.mux(a.encode())
    return path


SOURCES = {
    "h264-mp4-aac": lambda p: write_clip(p / "src.mp4", width=320, height=180, frames=36, rate=Fraction(25)),
    "prores422-10bit-mov-pcm24": lambda p: write_clip(
        p / "src.mov",
        codec="prores_ks",
        pix_fmt="yuv422p10le",
        width=320,
        height=180,
        frames=36,
        options={"profile": "2"},
        audio="pcm_s24le",
        timecode="10:00:00:12",
    ),
    "mpeg1-mpg-mp2": lambda p: _mpeg1(p / "src.mpg", frames=36),
}


def _brighten(n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    support = np.zeros(rgb.shape[:2], bool)
    support[20:80, 40:140] = True
    out = rgb.copy()
    out[support] = np.clip(out[support] * 1.4 + 0.05, 0, 1)
    return out, support


def _shape(info: MediaInfo) -> dict[str, Any]:
    """Everything the encode policy is meant to keep, as probed from a written file."""
    with av.open(str(info.path)) as c:
        time_base = c.streams.video[0].time_base
    return {
        "codec": info.codec,
        "profile": info.profile,
        "pix_fmt": info.pix_fmt,
        "bit_depth": info.bit_depth,
        "colour": info.colour,
        "timecode": info.timecode,
        "frame_rate": info.frame_rate,
        "time_base": time_base,
        "frame_count": info.frame_count,
        "audio": [(a.codec, a.sample_format, a.bit_depth, a.sample_rate, a.channels) for a in info.audio],
    }


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_labelled_output_and_editor_render_share_one_plan(kind: str, tmp_path: Path) -> None:
    source = probe(SOURCES[kind](tmp_path))
    suffix = ".mov" if source.path.suffix == ".mov" else ".mp4"
    rendered = render(source, tmp_path / f"render{suffix}", _brighten, frames=range(4, 20))
    edited = probe(rendered.path)
    disclosed = tmp_path / f"disclosed{suffix}"
    shot = AlteredShot("shot 1", Fraction(4, 25), Fraction(20, 25), "relight")
    apply_disclosure(
        edited.path, disclosed, DisclosureRequest(frozenset({DisclosureForm.ON_SCREEN_ICON}), (shot,), "t")
    )
    marked = embed_video(disclosed, tmp_path / f"labelled{suffix}", KEY, mark_audio=True)
    labelled = probe(marked.output)

    assert _shape(labelled) == _shape(edited)
    plans = [plan_encode(labelled), plan_encode(edited), plan_encode(source, rendered.plan.container)]
    video = [replace(p, audio=()) for p in plans]  # encoder, options, profile, pixel format, tags, timecode, rate
    assert video[0] == video[1] == video[2]
    assert (
        len({tuple((a.codec, a.sample_format, a.bit_depth, a.sample_rate, a.layout) for a in p.audio) for p in plans})
        == 1
    )
    assert marked.encoder == rendered.codec and len(marked.audio_marks) == 1
    assert detect_video(marked.output).key == KEY
    # and both keep what the source is
    assert (edited.frame_rate, edited.frame_count, edited.timecode) == (
        source.frame_rate,
        source.frame_count,
        source.timecode,
    )
    if kind.startswith("prores"):
        assert (edited.codec, edited.profile, edited.pix_fmt, edited.bit_depth) == (
            "prores",
            "Standard",
            "yuv422p10le",
            10,
        )
        assert edited.colour == source.colour and edited.timecode == "10:00:00:12"
        assert [a.codec for a in labelled.audio] == ["pcm_s24le"]
        assert _uses_24_bits(labelled.path)  # marked and re-encoded, still 24-bit (not truncated to 16)
    elif kind.startswith("h264"):
        assert (edited.codec, edited.pix_fmt, labelled.audio[0].codec) == ("h264", "yuv420p", "aac")
    else:  # MPEG-1: H.264 in MP4; MP4 does not carry MP2, so the audio is AAC in both
        assert (edited.codec, edited.pix_fmt, labelled.audio[0].codec) == ("h264", "yuv420p", "aac")
        assert rendered.audio == ("re-encoded:aac",) and marked.audio_marks[0].encoder == "aac"


def _uses_24_bits(path: Path) -> bool:
    """Whether the first audio track's decoded 32-bit samples use the byte below the top 16 bits."""
    with av.open(str(path)) as c:
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])
    assert samples.dtype == np.int32
    return bool(((samples >> 8) & 0xFF).any())
