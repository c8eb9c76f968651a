"""Benchmark of the ``cutproof-awm/1`` audio watermark on the dialogue of ../shared/footage.

Prints one JSON line per metric. Run:

    python bench/audio_watermark.py             # full run: all 8 clips, all attacks, ≥ 1,000 unmarked segments
    python bench/audio_watermark.py --quick     # smoke test: 2 clips, 4 attacks, 60 unmarked segments

Material: the audio of the 8 footage clips — 23.4 s in total (2.0–4.8 s each; 44.1 kHz; 3 mono MP3, 2 stereo
MP2, 2 stereo MP3 and 1 stereo AAC source), decoded to float. Each is marked with ``embed_samples`` (the same code
``embed_video(mark_audio=True)`` streams) with a fixed key; quality is measured against the decoded original:
SNR, segmental SNR and the 1–6 kHz log-spectral distance (``labeler.audio_watermark.quality``; plain signal
measures, *not* PEAQ/ODG — no PEAQ implementation is available here).

Attacks (all codecs are real FFmpeg encoders through PyAV, decoded back): AAC 128/64 kb/s, MP3 (libmp3lame)
128/64 kb/s, Opus 32 kb/s, 44.1 → 48 kHz and 48 → 44.1 kHz resampling (for the latter the clip is upsampled to
48 kHz *before* marking) each followed by AAC 128 kb/s, gain ±6 dB (hard-clipped to full scale) + AAC 128 kb/s,
trimming the first 0.3 s / 1.0 s + AAC 128 kb/s, mono downmix + AAC 128 kb/s, a combination (trim 0.5 s, mono,
-6 dB, 48 kHz, AAC 64 kb/s), and the file-level path a distribution transcode takes: ``embed_video(...,
mark_audio=True)`` on the clip (video marked, audio marked in the same pass and re-encoded in its codec family),
then an H.264 CRF 28 + AAC 128 kb/s transcode of the whole file, then ``detect_audio`` on the result. Detection
reads at most the first ``DETECT_SECONDS`` = 3 s of what the attack left.

Every clip is marked with each of two keys (the informed embedding depends on the key), so each attack has 16
trials in the full run. Per attack: exact-recovery rate, bit accuracy (hard bits of the detector's
best-synchronised hypothesis vs the codeword, before BCH), the number of trials, ms of detection per second of
audio. Per clip: SNR, segSNR, LSD,
embedding ms per second of audio (wall clock and process CPU). ``min_seconds``: the exact-recovery rate after AAC
128 kb/s for windows of 1.0–3.0 s taken 0.3 s into each clip. ``false_keys``: unmarked segments (2 s windows of
every clip, original and AAC 64 kb/s, hop 0.1 s; plus synthetic: mixtures of two clips at random offsets and
levels, speed-changed speech, white and brown noise, tones, silence) — the count of keys detected (must be 0).

Peer: no classical audio watermark is importable here. ``audiowmark`` (C++) is not on PyPI nor in this Debian
release; ``wavmark``, ``audioseal``, ``silentcipher``/``orbit-watermark`` and ``resemble-perth`` are neural and
need downloaded or bundled network weights (not classical, and downloads are not allowed); ``aware`` optimises
against a neural detector with torch and a pinned librosa/numba stack for a 20-bit payload. So no ratio is
printed; the ``peer`` line says so.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402
from scipy.signal import resample_poly  # noqa: E402

from labeler._payload import encode_key  # noqa: E402
from labeler.audio_watermark import ALGORITHM_ID, detect_audio, detect_samples, embed_samples  # noqa: E402
from labeler.audio_watermark._detect import hypotheses  # noqa: E402
from labeler.audio_watermark.quality import log_spectral_distance_db, segmental_snr_db, snr_db  # noqa: E402
from labeler.watermark import embed_video  # noqa: E402
from media import read_audio as media_read_audio  # noqa: E402
from media import reproducible_options  # noqa: E402
from tests.labeler._awm_media import decode_audio, encode_audio  # noqa: E402

FOOTAGE = Path(os.environ.get("CUTPROOF_FOOTAGE", ROOT.parent / "shared" / "footage"))
CLIPS = sorted(p.name for p in FOOTAGE.glob("*") if p.suffix in {".flv", ".mpg", ".mp4"}) if FOOTAGE.is_dir() else []
QUICK_CLIPS = ["crema-d_1001_DFA_NEU_XX.flv", "obama-weekly-address_but-heres-the-thing.mp4"]
KEYS = (0x5CA1AB1E0DDBA11, 0x9E3779B97F4A7C15)  # informed embedding depends on the key: every trial runs with each
DETECT_SECONDS = 3.0
Audio = tuple[np.ndarray, int]


def emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


def read_audio(path: Path, *, max_seconds: float | None = None) -> Audio:
    """The first audio track of ``path`` as planar float samples (channels × n) and its rate (``media.read_audio``)."""
    clip = media_read_audio(path, max_seconds=max_seconds)
    return np.ascontiguousarray(clip.samples.T), clip.rate


def codec_roundtrip(x: np.ndarray, sr: int, codec: str, bit_rate: int, fmt: str) -> Audio:
    """Encode planar float samples with a real encoder (in memory) and decode them back."""
    buf = io.BytesIO()
    encode_audio(x, sr, buf, codec=codec, bit_rate=bit_rate, container=fmt)
    buf.seek(0)
    return decode_audio(buf)


def aac(bit_rate: int) -> Callable[[np.ndarray, int], Audio]:
    return lambda x, sr: codec_roundtrip(x, sr, "aac", bit_rate, "mp4")


def mp3(bit_rate: int) -> Callable[[np.ndarray, int], Audio]:
    return lambda x, sr: codec_roundtrip(x, sr, "libmp3lame", bit_rate, "mp3")


def opus(bit_rate: int) -> Callable[[np.ndarray, int], Audio]:
    def run(x: np.ndarray, sr: int) -> Audio:
        y = resample_poly(x, 160, 147, axis=1) if sr == 44_100 else x
        return codec_roundtrip(y, 48_000, "libopus", bit_rate, "ogg")

    return run


def resample_to(rate: int) -> Callable[[np.ndarray, int], Audio]:
    def run(x: np.ndarray, sr: int) -> Audio:
        g = np.gcd(rate, sr)
        return aac(128_000)(resample_poly(x, rate // g, sr // g, axis=1), rate)

    return run


def gain(db: float) -> Callable[[np.ndarray, int], Audio]:
    return lambda x, sr: aac(128_000)(np.clip(x * 10 ** (db / 20), -1.0, 1.0), sr)


def trim(seconds: float) -> Callable[[np.ndarray, int], Audio]:
    return lambda x, sr: aac(128_000)(x[:, int(seconds * sr) :], sr)


def mono(x: np.ndarray, sr: int) -> Audio:
    return aac(128_000)(x.mean(axis=0, keepdims=True), sr)


def combo(x: np.ndarray, sr: int) -> Audio:
    y = 0.5 * x[:, int(0.5 * sr) :].mean(axis=0, keepdims=True)
    return aac(64_000)(resample_poly(y, 160, 147, axis=1) if sr == 44_100 else y, 48_000)


@dataclass(frozen=True)
class Attack:
    name: str
    run: Callable[[np.ndarray, int], Audio] | None  # None: the file-level transcode path
    source_rate: int | None = None  # mark a copy resampled to this rate first


ATTACKS = [
    Attack("none", lambda x, sr: (x, sr)),
    Attack("aac_128k", aac(128_000)),
    Attack("aac_64k", aac(64_000)),
    Attack("mp3_128k", mp3(128_000)),
    Attack("mp3_64k", mp3(64_000)),
    Attack("opus_32k", opus(32_000)),
    Attack("resample_44k1_to_48k_aac128", resample_to(48_000)),
    Attack("resample_48k_to_44k1_aac128", resample_to(44_100), source_rate=48_000),
    Attack("gain_+6dB_clipped_aac128", gain(6.0)),
    Attack("gain_-6dB_aac128", gain(-6.0)),
    Attack("trim_0.3s_aac128", trim(0.3)),
    Attack("trim_1.0s_aac128", trim(1.0)),
    Attack("mono_downmix_aac128", mono),
    Attack("combo_trim0.5_mono_-6dB_48k_aac64", combo),
    Attack("file_h264_crf28_aac128", None),
]
QUICK_ATTACKS = {"none", "aac_64k", "trim_1.0s_aac128", "file_h264_crf28_aac128"}


def transcode_file(src: Path, dst: Path, crf: int = 28, audio_rate: int = 128_000) -> Path:
    """A distribution transcode of a whole file: H.264 CRF ``crf`` + AAC, like ``ffmpeg -crf 28 -c:a aac``."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin, ain = inp.streams.video[0], inp.streams.audio[0]
        rate = Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
        vs = out.add_stream(
            "libx264", rate=rate, options=reproducible_options("libx264", {"crf": str(crf), "preset": "fast"})
        )
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        aus = out.add_stream("aac", rate=ain.codec_context.sample_rate)
        aus.layout, aus.bit_rate = ain.codec_context.layout.name, audio_rate
        n = 0
        for packet in inp.demux(vin, ain):
            for frame in packet.decode():
                if packet.stream is vin:
                    frame = frame.reformat(format="yuv420p")
                    frame.pts, frame.time_base = n, 1 / rate
                    n += 1
                    out.mux(vs.encode(frame))
                else:
                    frame.pts = None
                    out.mux(aus.encode(frame))
        out.mux(vs.encode(None))
        out.mux(aus.encode(None))
    return dst


def bit_accuracy(x: np.ndarray, sr: int, key: int) -> float:
    hyps, _, _ = hypotheses(x, sr)
    if not hyps:
        return 0.0
    truth = encode_key(key).astype(bool)
    return float(np.mean((hyps[0][1] > 0) == truth))


def first(x: np.ndarray, sr: int, seconds: float = DETECT_SECONDS) -> np.ndarray:
    return x[:, : round(seconds * sr)]


def run_attacks(clips: list[str], attacks: list[Attack], tmp: Path, keys: tuple[int, ...]) -> None:
    per: dict[str, dict[str, list[float]]] = {a.name: {"exact": [], "bits": [], "ms": []} for a in attacks}
    for name in clips:
        for key in keys:
            _one_clip(name, key, attacks, tmp, per)
    for a in attacks:
        d = per[a.name]
        n = len(d["exact"])
        emit(metric="exact_recovery_rate", attack=a.name, value=round(float(np.mean(d["exact"])), 4), trials=n)
        emit(metric="bit_accuracy", attack=a.name, value=round(float(np.mean(d["bits"])), 4), trials=n)
        emit(metric="detect_ms_per_audio_second", attack=a.name, value=round(float(np.median(d["ms"])), 1))


def _one_clip(name: str, key: int, attacks: list[Attack], tmp: Path, per: dict[str, dict[str, list[float]]]) -> None:
    original = read_audio(FOOTAGE / name)
    assert original is not None, name
    x, sr = original
    t0, c0 = time.perf_counter(), time.process_time()
    marked = embed_samples(x, sr, key)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    secs = x.shape[1] / sr
    emit(
        metric="embed",
        key=f"{key:016x}",
        clip=name,
        seconds=round(secs, 3),
        channels=x.shape[0],
        rate=sr,
        snr_db=round(snr_db(x, marked), 2),
        segsnr_db=round(segmental_snr_db(x, marked, sr), 2),
        lsd_db=round(log_spectral_distance_db(x, marked, sr), 3),
        ms_per_audio_second=round(1000 * wall / secs, 1),
        cpu_ms_per_audio_second=round(1000 * cpu / secs, 1),
    )
    marked48: np.ndarray | None = None
    for a in attacks:
        if a.run is None:
            m = tmp / f"{Path(name).stem}.marked.mp4"
            embed_video(FOOTAGE / name, m, key, mark_audio=True)
            t = transcode_file(m, tmp / f"{Path(name).stem}.crf28.mp4")
            back = read_audio(t, max_seconds=DETECT_SECONDS)
            assert back is not None
            y, r = back
            t0 = time.perf_counter()
            ok = detect_audio(t, max_seconds=DETECT_SECONDS).key == key
        else:
            src = marked
            if a.source_rate is not None and a.source_rate != sr:
                if marked48 is None:
                    marked48 = embed_samples(resample_poly(x, 160, 147, axis=1), 48_000, key)
                src, src_sr = marked48, 48_000
            else:
                src_sr = sr
            y, r = a.run(src, src_sr)
            y = first(y, r)
            t0 = time.perf_counter()
            ok = detect_samples(y, r).key == key
        ms = 1000 * (time.perf_counter() - t0) / (y.shape[1] / r)
        bits = bit_accuracy(first(y, r), r, key)
        per[a.name]["exact"].append(float(ok))
        per[a.name]["bits"].append(bits)
        per[a.name]["ms"].append(ms)
        emit(metric="attack_clip", attack=a.name, clip=name, key=f"{key:016x}", exact=ok,
             bit_accuracy=round(bits, 4), seconds_used=round(y.shape[1] / r, 3))  # fmt: skip


def min_seconds(clips: list[str], keys: tuple[int, ...]) -> None:
    for window in (1.0, 1.5, 1.8, 2.0, 2.5, 3.0):
        hits, n = 0, 0
        for name in clips:
            original = read_audio(FOOTAGE / name)
            assert original is not None
            x, sr = original
            start = int(0.3 * sr)
            if x.shape[1] - start < window * sr:
                continue
            for key in keys:
                y, r = aac(128_000)(embed_samples(x, sr, key)[:, start:], sr)
                hits += detect_samples(first(y, r, window), r).key == key
                n += 1
        emit(metric="min_seconds", window_s=window, exact_recovery_rate=round(hits / n, 4) if n else None, trials=n)


def unmarked_segments(clips: list[str], target: int, rng: np.random.Generator) -> list[tuple[str, Audio]]:
    out: list[tuple[str, Audio]] = []
    audio = []
    for name in clips:
        original = read_audio(FOOTAGE / name)
        assert original is not None
        audio.append(original)
    step = 0.1 if target >= 1000 else 0.5
    for version in ("orig", "aac64"):
        for x, sr in audio:
            y, r = (x, sr) if version == "orig" else aac(64_000)(x, sr)
            for s in np.arange(0, y.shape[1] / r - 2.0, step):
                out.append((f"footage_{version}", (y[:, int(s * r) : int(s * r) + 2 * r], r)))
    while len(out) < target:
        kind = len(out) % 5
        n = 2 * 16_000
        if kind == 0:  # two talkers mixed
            (a, ra), (b, rb) = audio[rng.integers(len(audio))], audio[rng.integers(len(audio))]
            a16, b16 = resample_poly(a.mean(0), 160, ra // 100), resample_poly(b.mean(0), 160, rb // 100)
            a16, b16 = np.resize(a16, n), np.roll(np.resize(b16, n), int(rng.integers(n)))
            out.append(("mix", (a16 * rng.uniform(0.2, 1) + b16 * rng.uniform(0.2, 1), 16_000)))
        elif kind == 1:  # speed-changed speech
            x, sr = audio[rng.integers(len(audio))]
            up = int(rng.integers(80, 125))
            out.append(("speed", (np.resize(resample_poly(x.mean(0), up, 100), 2 * sr), sr)))
        elif kind == 2:
            out.append(("white", (rng.normal(0, rng.uniform(0.001, 0.3), n), 16_000)))
        elif kind == 3:
            pink = np.cumsum(rng.normal(0, 1, n))
            out.append(("brown", (0.1 * (pink - pink.mean()) / (pink.std() + 1e-9), 16_000)))
        else:
            f = rng.uniform(100, 5000)
            out.append(("tone", (0.3 * np.sin(2 * np.pi * f * np.arange(n) / 16_000), 16_000)))
    out.append(("silence", (np.zeros(n), 16_000)))
    return out


def false_keys(clips: list[str], target: int) -> None:
    rng = np.random.default_rng(7)
    segments = unmarked_segments(clips, target, rng)
    found: dict[str, int] = {}
    kinds: dict[str, int] = {}
    t0 = time.perf_counter()
    for kind, (x, sr) in segments:
        kinds[kind] = kinds.get(kind, 0) + 1
        if detect_samples(x, sr).key is not None:
            found[kind] = found.get(kind, 0) + 1
    emit(metric="false_keys", value=sum(found.values()), segments=len(segments), by_kind=kinds, found=found,
         seconds=round(time.perf_counter() - t0, 1))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 clips, 4 attacks, 60 unmarked segments")
    ap.add_argument("--segments", type=int, default=None, help="unmarked segments for the false-key test")
    args = ap.parse_args()
    if not CLIPS:
        sys.exit(f"no footage under {FOOTAGE} (set CUTPROOF_FOOTAGE)")
    clips = QUICK_CLIPS if args.quick else CLIPS
    keys = KEYS[:1] if args.quick else KEYS
    attacks = [a for a in ATTACKS if not args.quick or a.name in QUICK_ATTACKS]
    total = 0.0
    for name in clips:
        a = read_audio(FOOTAGE / name)
        total += a[0].shape[1] / a[1] if a else 0.0
    emit(
        metric="config",
        algorithm=ALGORITHM_ID,
        clips=len(clips),
        audio_seconds=round(total, 2),
        keys=[f"{k:016x}" for k in keys],
        detect_seconds=DETECT_SECONDS,
        attacks=[a.name for a in attacks],
        cpu_count=os.cpu_count(),
    )
    emit(metric="peer", value=None, reason="no classical audio watermark importable offline (see module docstring)")
    with tempfile.TemporaryDirectory() as d:
        run_attacks(clips, attacks, Path(d), keys)
    min_seconds(clips, keys)
    false_keys(clips, args.segments or (60 if args.quick else 1000))


if __name__ == "__main__":
    main()
