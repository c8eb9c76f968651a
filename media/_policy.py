"""The one encode policy: how a clip is written again, whoever writes it (an editor render, the watermark pass,
the disclosure pass). ``plan_encode(info, container)`` is a pure function of the probed source; every writer in
Cutproof takes its plan from here and nowhere else.

Video keeps the source's codec family, pixel format (chroma subsampling and bit depth), colour tags (an unspecified
range is tagged as what it was read as: limited, or full for JPEG-range formats), timecode, exact frame rate and
frame count:

=====================  =========  ==================================================  ==============================
source                 encoder    setting                                             pixel format
=====================  =========  ==================================================  ==============================
ProRes (any profile)   prores_ks  the source's profile (unknown: HQ; 4444 for 4:4:4)  4:2:2 10-bit (4:4:4 for 4444/XQ)
DNxHD / DNxHR          dnxhd      the source's DNxHR profile (unknown: HQX if deep)   the profile's (4:2:2 8/10-bit)
H.265                  libx265    CRF 8, preset fast                                  the source's (4:2:0/2/4, 8/10)
H.264 and all others   libx264    CRF 8, preset fast                                  the source's where x264 takes it
=====================  =========  ==================================================  ==============================

Why CRF 8: a re-encode must be visually lossless — codec-only luma PSNR ≥ 48 dB (``bench/media_encode.py``). On the
seven held-out x264 sources there (synthetic grain σ 1–4 code values, a mirrored 1080p up-scale with grain, a crop,
10-bit 4:2:2 grain) CRF 8 gave 48.8–49.8 dB, CRF 10 46.5–48.8 dB (5 of 7 under 48) and CRF 12, the editor's old
setting, 44.2–48.3 dB; CRF 8 is the least strict setting that held 48 dB on all of them (53.9–55.6 dB on the
shared clips). Mezzanine codecs are fixed-quality profiles: they keep the source's profile, never a lower or a
higher one (a ProRes HQ re-encode measured 63.4 dB, LT 57.7 dB).

**Reproducible**: x264 and x265 run on one thread each. Left to FFmpeg, x264 gets as many threads as the process
may use cores, and its output depends on that count: the same edit rendered on a 2-core and on a 1-core process
gave different files. With several threads it also varied from run to run here. x265 sizes its thread pool and
frame threads from the cores too (on these 2 cores its output did not change; it is pinned so that no machine's
count enters the file). On the GRID clip, 75 frames at 360×288, 60 renders each (``bench/render_repro.py``):

- FFmpeg's threads: 4 distinct files, decoded values up to 5 apart;
- pinned to one thread: 1 file, the same on one core as on two.

x264 is also held to the same instruction sets on every x86-64 machine that has AVX2 (``x264-params asm=AVX2``,
``_x264_params``). At its own detection it used AVX-512 on this host, and then its output depended on memory it
had not written: the same render in fresh processes gave different files (4 distinct in 12 dubs of one re-framed
GRID take), and it changed with the byte glibc fills new memory with (``MALLOC_PERTURB_``: 2 fills, 2 files). Held
to AVX2, the fills and the processes gave one file; so did x264 without assembly (a third file: x264's output also
differs between instruction sets, so a machine without AVX2, or one whose CPU flags cannot be read, may write
another file). Measured in ``bench/render_repro.py --heap``.

So an edit's output hash can be reproduced from its recipe on any machine with the same encoder build and AVX2 (the
file also carries no version strings: ``fflags +bitexact``). Throughput comes from rendering in segments, one encoder
per worker (``media._parallel``), not from the encoder's own threads. A 1080p H.264 render on 2 cores:

- one piece: 0.69–0.72× the speed of FFmpeg's threads;
- 2 segment workers: 0.99×.

ProRes and DNxHR encode their slices in parallel without affecting the output, so they keep FFmpeg's threads.

Audio, per track: copied bit for bit while untouched where the output container holds its codec; re-encoded (the
watermark marks it, or the container cannot hold it) as:

- PCM → the same PCM codec, so the same bit depth (MOV, Matroska); ALAC at that depth in MP4;
- ALAC / FLAC → the same codec at the same depth where the container holds it, else ALAC;
- a lossy codec (AAC, MP3, MP2, AC-3, E-AC-3, Opus) → the same codec where the container holds it and its encoder
  takes the sample rate, at the source's bit rate or a transparent floor, whichever is higher; otherwise AAC in
  MP4 and 24-bit PCM in MOV/Matroska (the decoded samples, no further loss).

``lossless_audio_plan`` is the plan for audio that is laid in new (the editor's dialogue replacement): PCM at the
track's depth (at least 16-bit) in MOV/Matroska, ALAC in MP4.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path

import av

from media._probe import AudioTrack, ColourTags, MediaInfo
from media.errors import EncodeError

VIDEO_CRF = 8
_X265_ONE_THREAD = "pools=1:frame-threads=1:lookahead-threads=0"  # one thread: "Reproducible", above
_X264_AVX2_FLAGS = frozenset({"avx2", "fma", "bmi1", "bmi2", "abm"})  # /proc/cpuinfo names of x264's "AVX2" set
_X26X_PIX = ("yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le")
_PRORES_PROFILES = {"Proxy": 0, "LT": 1, "Standard": 2, "HQ": 3, "4444": 4, "4444XQ": 5}
_DNXHR_PROFILES = {"DNXHR LB": "dnxhr_lb", "DNXHR SQ": "dnxhr_sq", "DNXHR HQ": "dnxhr_hq", "DNXHR HQX": "dnxhr_hqx"}
_DNXHR_PROFILES["DNXHR 444"] = "dnxhr_444"

SUFFIXES = {".mov": "mov", ".mp4": "mp4", ".m4v": "mp4", ".mkv": "matroska"}
_PCM = {"pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_s32le", "pcm_s32be", "pcm_f32le", "pcm_f32be"}
# Audio codecs each container carries as they are (bit for bit); anything else is re-encoded.
_CARRIES = {
    "mov": {"aac", "mp3", "mp2", "alac", "ac3", "eac3", *_PCM},
    "mp4": {"aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"},
    "matroska": {"aac", "mp3", "mp2", "alac", "ac3", "eac3", "opus", "flac", "vorbis"}
    | {"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le"},
}
# Lossy source codec → (encoder, transparent bit-rate floor, the encoder's ceiling).
_LOSSY = {
    "aac": ("aac", 192_000, 512_000),
    "mp3": ("libmp3lame", 192_000, 320_000),
    "mp2": ("mp2", 224_000, 384_000),
    "ac3": ("ac3", 448_000, 640_000),
    "eac3": ("eac3", 448_000, 6_144_000),
    "opus": ("libopus", 128_000, 510_000),
}


@dataclass(frozen=True)
class AudioPlan:
    """How one audio track is written: copied while untouched (``copy``), else encoded with ``codec``.

    ``index`` is the source stream index (-1 for a track laid in new); ``sample_format`` the encoder's input format;
    ``bit_depth`` the bits per sample of a lossless codec (0 for lossy ones); ``bit_rate`` for lossy ones.
    """

    index: int
    source_codec: str
    copy: bool
    codec: str
    sample_format: str
    bit_depth: int
    bit_rate: int | None
    sample_rate: int
    layout: str


@dataclass(frozen=True)
class EncodePlan:
    """How an output is encoded: video encoder, pixel format and options, the containers that may hold it, the
    profile, and what is carried over (colour tags, timecode, frame rate) plus one ``AudioPlan`` per track."""

    codec: str
    pix_fmt: str
    options: dict[str, str] = field(default_factory=dict)
    containers: tuple[str, ...] = ("mov", "mp4", "matroska")
    profile: str | None = None
    container: str = "mov"
    colour: ColourTags = field(default_factory=ColourTags)
    timecode: str | None = None
    frame_rate: Fraction = Fraction(25)
    audio: tuple[AudioPlan, ...] = ()

    @property
    def default_suffix(self) -> str:
        return {"mov": ".mov", "mp4": ".mp4", "matroska": ".mkv"}[self.containers[0]]

    @property
    def bit_depth(self) -> int:
        return max(c.bits for c in av.VideoFormat(self.pix_fmt).components)


def container_of(path: Path) -> str:
    """The container format name for an output path (``.mov`` → ``mov``, ``.mp4``/``.m4v`` → ``mp4``, ``.mkv``).

    Raises:
        EncodeError: any other extension.
    """
    fmt = SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise EncodeError(f"{Path(path).name}: write the output as .mov, .mp4 or .mkv")
    return fmt


def plan_encode(info: MediaInfo, container: str | None = None) -> EncodePlan:
    """The encode plan for re-writing ``info``'s clip into ``container`` (default: the first one the video codec
    allows, which is MOV for ProRes, DNxHR and a ``.mov`` source, MP4 otherwise). See the module docstring.

    Raises:
        EncodeError: ``container`` cannot hold the planned video codec.
    """
    codec, pix_fmt, options, containers, profile = _video(info)
    chosen = container or containers[0]
    if chosen not in containers:
        allowed = ", ".join({"mov": ".mov", "mp4": ".mp4", "matroska": ".mkv"}[c] for c in containers)
        raise EncodeError(
            f"a {info.codec_family} source is written as {codec} in {allowed}; name the output with one of those"
        )
    colour = info.colour
    if info.pix_fmt.startswith("yuvj") or colour.range == 0:  # tag the range the pixels were read as (media._read)
        full = info.pix_fmt.startswith("yuvj") or colour.range == 2
        colour = ColourTags(colour.primaries, colour.transfer, colour.matrix, 2 if full else 1)
    return EncodePlan(
        codec=codec,
        pix_fmt=pix_fmt,
        options=options,
        containers=containers,
        profile=profile,
        container=chosen,
        colour=colour,
        timecode=info.timecode,
        frame_rate=info.frame_rate,
        audio=tuple(plan_audio(t, chosen) for t in info.audio),
    )


def _video(info: MediaInfo) -> tuple[str, str, dict[str, str], tuple[str, ...], str | None]:
    family = info.codec_family
    deep = info.bit_depth > 8
    if family == "prores":
        number = _PRORES_PROFILES.get(info.profile or "", 4 if "444" in info.pix_fmt else 3)
        pix = "yuv444p10le" if number >= 4 else "yuv422p10le"
        return "prores_ks", pix, {"profile": str(number), "vendor": "apl0"}, ("mov", "matroska"), str(number)
    if family == "dnxhd":
        prof = _DNXHR_PROFILES.get(info.profile or "", "dnxhr_hqx" if deep else "dnxhr_hq")
        pix = "yuv422p10le" if prof == "dnxhr_hqx" else ("yuv444p10le" if prof == "dnxhr_444" else "yuv422p")
        return "dnxhd", pix, {"profile": prof}, ("mov",), prof
    plain = info.pix_fmt.replace("yuvj", "yuv")
    pix = plain if plain in _X26X_PIX else ("yuv420p10le" if deep else "yuv420p")
    containers = ("mov", "mp4", "matroska") if info.path.suffix.lower() == ".mov" else ("mp4", "mov", "matroska")
    if family == "hevc":
        return (
            "libx265",
            pix,
            reproducible_options(
                "libx265", {"crf": str(VIDEO_CRF), "preset": "fast", "x265-params": "log-level=error"}
            ),
            containers,
            None,
        )
    return "libx264", pix, reproducible_options("libx264", {"crf": str(VIDEO_CRF), "preset": "fast"}), containers, None


def reproducible_options(codec: str, options: Mapping[str, str] | None = None) -> dict[str, str]:
    """``options`` for the encoder ``codec``, with what makes its output reproducible ("Reproducible", above).

    libx264: one thread, and held to its AVX2 sets where the CPU has them (``_x264_params``); libx265: one thread.
    Their own ``x264-params``/``x265-params`` in ``options`` are kept, these joined on. Other encoders' options come
    back as given: their output does not depend on threads or memory here. The renders, ``transcode``, the demo's
    footage and the tests' and benches' material are all encoded through this (bench peers that measure other
    settings aside), so the same input gives the same file in every process.
    """
    out = dict(options or {})
    if codec == "libx264":
        out["threads"] = "1"
        if asm := _x264_params().get("x264-params"):
            out["x264-params"] = ":".join(filter(None, (out.get("x264-params"), asm)))
    elif codec == "libx265":
        out["x265-params"] = ":".join(filter(None, (out.get("x265-params"), _X265_ONE_THREAD)))
    return out


@cache
def _x264_params(cpuinfo: Path = Path("/proc/cpuinfo")) -> dict[str, str]:
    """x264 held to its "AVX2" instruction sets (AVX2, FMA3, BMI1/2, LZCNT and all below) where the CPU has them all
    ("Reproducible", above): not AVX-512, whose code made the output depend on unwritten memory. Nothing where the
    flags cannot be read (not Linux) or lack one of them: x264's own detection then stands."""
    try:
        lines = cpuinfo.read_text().splitlines()
    except OSError:
        return {}
    flags = next((set(line.split(":", 1)[1].split()) for line in lines if line.startswith("flags")), set())
    return {"x264-params": "asm=AVX2"} if flags >= _X264_AVX2_FLAGS else {}


def plan_audio(track: AudioTrack, container: str) -> AudioPlan:
    """The plan for one source audio track in ``container`` (see the module docstring)."""
    copy = track.codec in _CARRIES[container]
    if track.codec in _PCM:
        if track.codec in _CARRIES[container]:
            return _lossless(track, copy, track.codec, _pcm_format(track.codec), track.bit_depth)
        return _lossless(track, copy, "alac", "s16p" if track.bit_depth <= 16 else "s32p", min(track.bit_depth, 24))
    if track.codec in ("alac", "flac"):
        codec = track.codec if track.codec in _CARRIES[container] else "alac"
        depth = track.bit_depth
        fmt = ("s16p" if depth <= 16 else "s32p") if codec == "alac" else ("s16" if depth <= 16 else "s32")
        return _lossless(track, copy, codec, fmt, depth)
    if track.codec in _LOSSY and track.codec in _CARRIES[container]:
        encoder, floor, ceiling = _LOSSY[track.codec]
        if _takes_rate(encoder, track.sample_rate):
            rate = min(max(track.bit_rate, floor), ceiling)
            return AudioPlan(
                track.index, track.codec, copy, encoder, _lossy_format(encoder), 0, rate, track.sample_rate,
                encodable_layout(track),
            )  # fmt: skip
    if container == "mp4":
        rate = min(max(track.bit_rate, 192_000), 512_000)
        return AudioPlan(
            track.index, track.codec, copy, "aac", "fltp", 0, rate, track.sample_rate, encodable_layout(track)
        )
    depth = 16 if track.sample_format.startswith(("s16", "u8")) else 24
    return _lossless(track, copy, f"pcm_s{depth}le", _pcm_format(f"pcm_s{depth}le"), depth)


def lossless_audio_plan(track: AudioTrack | None, container: str, *, sample_rate: int = 48000) -> AudioPlan:
    """The plan for audio laid in new over ``track`` (``None``: a clip without audio gets a new mono track):
    PCM at the track's depth (16 or 24 bit) in MOV/Matroska, ALAC at that depth in MP4."""
    depth = 24 if track is not None and track.bit_depth > 16 else 16
    index, source = (track.index, track.codec) if track is not None else (-1, "")
    rate = track.sample_rate if track is not None else sample_rate
    layout = encodable_layout(track) if track is not None else "mono"
    if container == "mp4":
        fmt = "s16p" if depth == 16 else "s32p"
        return AudioPlan(index, source, False, "alac", fmt, depth, None, rate, layout)
    codec = f"pcm_s{depth}le"
    return AudioPlan(index, source, False, codec, _pcm_format(codec), depth, None, rate, layout)


def _lossless(track: AudioTrack, copy: bool, codec: str, fmt: str, depth: int) -> AudioPlan:
    layout = encodable_layout(track)
    return AudioPlan(track.index, track.codec, copy, codec, fmt, depth, None, track.sample_rate, layout)


def encodable_layout(track: AudioTrack) -> str:
    """The layout a re-encode of ``track`` is written with: the track's own, except that one or two channels in no
    stated order (``"1 channels"``/``"2 channels"``, as PCM in Matroska or AVI often comes) are written as
    ``mono``/``stereo`` — the AAC and ALAC encoders refuse a layout without an order, and those are the orders
    FFmpeg assumes for such a track when it plays it."""
    if track.layout == f"{track.channels} channels" and track.channels in (1, 2):
        return "mono" if track.channels == 1 else "stereo"
    return track.layout


def _pcm_format(codec: str) -> str:
    return {"16": "s16", "24": "s32", "32": "s32"}.get(codec[5:7], "flt") if codec[4] == "s" else "flt"


def _lossy_format(encoder: str) -> str:
    """The encoder's native (first) sample format: what it is tuned on (LAME takes 32-bit integers)."""
    formats = av.codec.Codec(encoder, "w").audio_formats or ()
    return formats[0].name if formats else "fltp"


def _takes_rate(encoder: str, rate: int) -> bool:
    try:
        codec = av.codec.Codec(encoder, "w")
    except (av.FFmpegError, ValueError):
        return False
    rates = codec.audio_rates
    return not rates or rate in rates
