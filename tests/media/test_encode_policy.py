"""The one encode policy (``media.plan_encode``) and the writer's guarantees that go with it: profiles and bit
depths kept, audio depth kept (24-bit PCM stays 24-bit, also when a line is laid in), time base and A/V offset kept,
plane edits and appended frames; PCM whose channels have no stated order re-encoded for MP4."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from media import (
    AudioOverride,
    AudioTrack,
    ColourTags,
    MediaInfo,
    Picture,
    iter_frames,
    lossless_audio_plan,
    plan_encode,
    probe,
    read_audio,
    render,
    render_parallel,
    reproducible_options,
)
from media.errors import EncodeError
from tests.editor._media import write_clip


def _info(codec: str = "h264", pix_fmt: str = "yuv420p", *, profile: str | None = None, suffix: str = ".mp4",
          audio: tuple[AudioTrack, ...] = (), colour: ColourTags | None = None) -> MediaInfo:  # fmt: skip
    bits = 10 if "10" in pix_fmt else 8
    return MediaInfo(
        Path(f"clip{suffix}"), "mov,mp4", codec, profile, 1920, 1080, pix_fmt, bits, Fraction(24000, 1001), 240,
        "01:00:00:00", colour or ColourTags(1, 1, 1, 1), audio,
    )  # fmt: skip


def _track(codec: str, fmt: str, bit_rate: int = 0, rate: int = 48000) -> AudioTrack:
    return AudioTrack(1, codec, rate, 2, "stereo", fmt, bit_rate)


@pytest.mark.parametrize(
    ("profile", "pix_fmt", "number", "out_pix"),
    [("LT", "yuv422p10le", "1", "yuv422p10le"), ("Standard", "yuv422p10le", "2", "yuv422p10le"),
     ("HQ", "yuv422p10le", "3", "yuv422p10le"), ("4444", "yuv444p10le", "4", "yuv444p10le"),
     (None, "yuv422p10le", "3", "yuv422p10le")],
)  # fmt: skip
def test_prores_keeps_the_source_profile(profile: str | None, pix_fmt: str, number: str, out_pix: str) -> None:
    plan = plan_encode(_info("prores", pix_fmt, profile=profile, suffix=".mov"))
    assert (plan.codec, plan.options["profile"], plan.pix_fmt, plan.bit_depth) == ("prores_ks", number, out_pix, 10)
    assert plan.containers == ("mov", "matroska")
    with pytest.raises(EncodeError, match=r"\.mov"):
        plan_encode(_info("prores", pix_fmt, profile=profile, suffix=".mov"), "mp4")


def test_h264_h265_and_others_keep_pixel_format_and_depth() -> None:
    assert plan_encode(_info("h264", "yuv422p10le")).pix_fmt == "yuv422p10le"
    assert plan_encode(_info("hevc", "yuv420p10le")).codec == "libx265"
    assert plan_encode(_info("vp9", "yuv420p10le")).pix_fmt == "yuv420p10le"  # a deep source never drops to 8 bit
    mpeg1 = plan_encode(_info("mpeg1video", "yuv420p"))
    assert (mpeg1.codec, mpeg1.pix_fmt, mpeg1.options["crf"], mpeg1.default_suffix) == (
        "libx264",
        "yuv420p",
        "8",
        ".mp4",
    )


def test_colour_tags_timecode_and_range() -> None:
    plan = plan_encode(_info(colour=ColourTags(9, 16, 9, 1)))
    assert plan.colour == ColourTags(9, 16, 9, 1) and plan.timecode == "01:00:00:00"
    assert plan_encode(_info(pix_fmt="yuvj420p", colour=ColourTags(1, 1, 1, 0))).colour.range == 2
    assert plan_encode(_info(colour=ColourTags(2, 2, 2, 0))).colour.range == 1  # read as limited, tagged so


@pytest.mark.parametrize(
    ("track", "container", "expected"),
    [
        (_track("pcm_s24le", "s32"), "mov", (True, "pcm_s24le", "s32", 24)),
        (_track("pcm_s24le", "s32"), "mp4", (False, "alac", "s32p", 24)),
        (_track("pcm_s16le", "s16"), "mov", (True, "pcm_s16le", "s16", 16)),
        (_track("alac", "s32p"), "mp4", (True, "alac", "s32p", 24)),
        (_track("flac", "s16"), "mov", (False, "alac", "s16p", 16)),
        (_track("aac", "fltp", 128_000), "mp4", (True, "aac", "fltp", 0)),
        (_track("mp2", "s16p", 224_000, 44100), "mov", (True, "mp2", "s16", 0)),
        (_track("mp2", "s16p", 224_000, 44100), "mp4", (False, "aac", "fltp", 0)),
        (_track("vorbis", "fltp"), "mov", (False, "pcm_s24le", "s32", 24)),
    ],
)
def test_audio_plans_keep_family_and_depth(track: AudioTrack, container: str, expected: tuple) -> None:
    plan = plan_encode(_info(audio=(track,), suffix=".mov"), container).audio[0]
    assert (plan.copy, plan.codec, plan.sample_format, plan.bit_depth) == expected
    assert (plan.sample_rate, plan.layout) == (track.sample_rate, "stereo")
    if plan.bit_depth == 0:
        assert plan.bit_rate is not None and plan.bit_rate >= max(track.bit_rate, 192_000)


def _pcm_in_matroska(path: Path, channels: int) -> Path:
    """H.264 with 16-bit PCM in Matroska, as PyAV (like many cameras' and editors' exports) writes it: the channels
    have no stated order (``"2 channels"``, not ``"stereo"``)."""
    rng = np.random.default_rng(channels)
    with av.open(str(path), "w") as out:
        video = out.add_stream(
            "libx264", rate=25, options=reproducible_options("libx264", {"g": "25", "keyint_min": "25"})
        )
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("pcm_s16le", rate=48000, layout="mono" if channels == 1 else "stereo")
        for n in range(100):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 2 * n, np.uint8), format="rgb24")
            frame.pts, frame.time_base = n, Fraction(1, 25)
            out.mux(video.encode(frame))
            pcm = rng.integers(-9000, 9000, (1, 1920 * channels), dtype=np.int16)
            block = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono" if channels == 1 else "stereo")
            block.sample_rate, block.pts = 48000, n * 1920
            out.mux(audio.encode(block))
        out.mux(video.encode())
        out.mux(audio.encode())
    return path


@pytest.mark.parametrize("channels", [1, 2])
def test_pcm_without_a_channel_order_is_re_encoded_losslessly_into_mp4(tmp_path: Path, channels: int) -> None:
    """MP4 cannot hold PCM, so the track becomes ALAC; the encoder refuses a layout without an order ("writing
    o.mp4 failed: Invalid argument" before), so one or two such channels are written as mono/stereo — same
    samples, in segments too."""
    src = probe(_pcm_in_matroska(tmp_path / "s.mkv", channels))
    (track,) = src.audio
    assert track.layout == f"{channels} channels"  # what the file says: no order
    plan = plan_encode(src, "mp4").audio[0]
    assert (plan.codec, plan.layout) == ("alac", "mono" if channels == 1 else "stereo")
    one = render(src, tmp_path / "one.mp4")
    many = render_parallel(src, tmp_path / "many.mp4", segments=3)
    assert one.audio == many.audio == ("re-encoded:alac",) and len(many.segments) == 3
    want = read_audio(src.path).samples
    assert np.array_equal(read_audio(one.path).samples, want)  # lossless, channel for channel
    assert np.array_equal(read_audio(many.path).samples, want)


def test_lossless_plan_for_laid_in_audio() -> None:
    assert lossless_audio_plan(_track("pcm_s24le", "s32"), "mov").codec == "pcm_s24le"
    assert lossless_audio_plan(_track("pcm_s24le", "s32"), "mp4").sample_format == "s32p"
    assert lossless_audio_plan(_track("aac", "fltp"), "mp4").codec == "alac"
    new = lossless_audio_plan(None, "mov")
    assert (new.index, new.codec, new.sample_rate, new.layout) == (-1, "pcm_s16le", 48000, "mono")


def test_24_bit_pcm_stays_24_bit_when_a_line_is_laid_in(tmp_path: Path) -> None:
    src = probe(write_clip(tmp_path / "s.mov", codec="prores_ks", pix_fmt="yuv422p10le", audio="pcm_s24le", frames=24))
    assert src.audio[0].bit_depth == 24
    rng = np.random.default_rng(0)
    line = (rng.normal(0, 0.05, 12000) + 1e-5).astype(np.float32)  # detail below 16-bit resolution
    override = AudioOverride(line, 48000, Fraction(1, 4), Fraction(1, 2))
    report = render(src, tmp_path / "o.mov", lambda n, rgb: None, audio_override=override)
    assert report.audio == ("replaced:pcm_s24le",)
    got = read_audio(report.path)
    a, b = override.span(48000)
    assert np.abs(got.samples[a:b, 0] - line[: b - a]).max() < 2**-22  # 24-bit quantisation, not 16-bit
    assert np.abs(got.samples[:a] - read_audio(src.path).samples[:a]).max() == 0  # the rest untouched


def test_time_base_and_av_offset_are_kept(footage_dir: Path, tmp_path: Path) -> None:
    """The CREMA-D FLV's video starts 27 ms after its audio; a 25 fps MOV has a 1/12800 time base."""
    flv = probe(footage_dir / "crema-d_1001_DFA_NEU_XX.flv")
    out = render(flv, tmp_path / "c.mp4").path
    with av.open(str(out)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        assert abs(float(v.start_time * v.time_base - a.start_time * a.time_base) - 0.027) < 1e-4
    assert probe(out).frame_rate == flv.frame_rate and probe(out).frame_count == flv.frame_count
    mov = probe(write_clip(tmp_path / "m.mov", rate=Fraction(25), frames=6))
    with av.open(str(mov.path)) as c:
        before = (c.streams.video[0].time_base, [f.pts for f in c.decode(video=0)])
    with av.open(str(render(mov, tmp_path / "m2.mov").path)) as c:
        assert (c.streams.video[0].time_base, [f.pts for f in c.decode(video=0)]) == before


def test_plane_edit_and_appended_frames(tmp_path: Path) -> None:
    src = probe(write_clip(tmp_path / "s.mov", codec="prores_ks", pix_fmt="yuv422p10le", frames=6, audio=None))
    seen: list[tuple[int, int, int]] = []

    def lift(p: Picture) -> None:
        seen.append((p.index, p.bit_depth, p.max_value))
        p.luma[:8, :8] = p.max_value  # a white corner in every frame

    card = np.zeros((src.height, src.width, 3), np.uint8)
    report = render(src, tmp_path / "o.mov", plane_edit=lift, frames=range(2, 4), tail=[card] * 3)
    assert seen == [(2, 10, 1023), (3, 10, 1023)] and report.edited_frames == 2
    got = probe(report.path)
    assert got.frame_count == 9 and got.bit_depth == 10
    frames = dict(iter_frames(got, fmt="yuv"))
    assert frames[2][0][:8, :8].min() > 1000 and frames[1][0][:8, :8].max() < 1000
    assert frames[8][0].max() < 80  # the appended black frames (limited range)
    with pytest.raises(EncodeError, match="uint8 RGB"):
        render(src, tmp_path / "bad.mov", tail=[np.zeros((4, 4, 3), np.uint8)])
    assert not (tmp_path / "bad.mov").exists() and not list(tmp_path.glob(".bad*"))
