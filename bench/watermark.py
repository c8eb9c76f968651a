"""Benchmark of the ``cutproof-wm/1`` video watermark against invisible-watermark's dwtDctSvd and rivaGan.

Prints one JSON line per metric / attack / method, then summary lines with ratios. Run:

    python bench/watermark.py            # full run (all clips, all attacks, false-key test, peers)
    python bench/watermark.py --quick    # smoke test: 2 clips, 4 attacks, 200 unmarked segments
    python bench/watermark.py --quick --methods cutproof
    python bench/watermark.py --compare ours.jsonl dwt.jsonl riva.jsonl   # table + ratios from per-method runs

A full run of all three methods in one process takes over an hour on a loaded 2-core machine (rivaGan needs
~10 s per 720p frame to embed and as much to decode), so the methods can also be run as concurrent processes
(same machine load for all) and combined with ``--compare``.

Protocol. Each clip of ../shared/footage is marked (ours: ``embed_video`` on the original file → H.264 CRF 16 MP4;
peers: per-frame ``WatermarkEncoder.encode`` on BGR frames → the same H.264 CRF 16), then every attack re-encodes
the first 2.5 s through real PyAV encoders and the first 2 s are decoded for detection. Ours reads every frame of
those 2 s (soft aggregation); peers decode sampled frames (dwtDctSvd 10, rivaGan 3: ~10 s per 720p frame) and
take the per-bit majority. For 24→25 fps each method marks the clip re-timed to 24 fps first. Payloads: ours
64-bit key (172-bit BCH codeword), dwtDctSvd 64 bits, rivaGan 32 bits (its only size). rivaGan embeds only the
first 0.5 s of frames (its encoder takes ~10 s per 720p frame here) and runs on 3 clips in the full run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from _wm.attacks import ATTACKS, QUICK_ATTACKS, Attack, apply, retime  # noqa: E402
from _wm.unmarked import false_key_run  # noqa: E402

from labeler.watermark import _av as wav  # noqa: E402
from labeler.watermark import embed_video  # noqa: E402
from labeler.watermark._detect import Accumulator  # noqa: E402

FOOTAGE = Path(os.environ.get("CUTPROOF_FOOTAGE", ROOT.parent / "shared" / "footage"))
QUICK_CLIPS = ["crema-d_1001_DFA_NEU_XX.flv", "obama-weekly-address_a-bad-situation.mp4"]
RIVA_CLIPS = ["crema-d_1001_DFA_NEU_XX.flv", "grid_pwij3p.mpg", "obama-weekly-address_a-bad-situation.mp4"]
DETECT_SECONDS = 2.0
KEY = 0x5CA1AB1E0DDBA11


def emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


class Ours:
    name = "cutproof-wm/1"
    payload_bits = 64

    cpu_ms = 0.0

    def embed(self, src: Path, dst: Path) -> tuple[float, float]:
        r = embed_video(src, dst, KEY)
        self.cpu_ms = r.cpu_ms_per_frame
        return r.psnr_y, r.ms_per_frame

    def detect(self, path: Path) -> tuple[bool, float, bool]:
        acc = Accumulator()
        with av.open(str(path)) as c:
            for f in c.decode(video=0):
                if f.time is not None and f.time >= DETECT_SECONDS:
                    break
                y, mx = wav.luma(f)
                acc.add(y, 255.0 / mx)
        r = acc.result()
        return r.key == KEY, acc.bit_accuracy(KEY), r.key is not None and r.key != KEY


class Peer:
    cpu_ms = 0.0

    def __init__(self, method: str, bits: int, decode_frames: int, embed_seconds: float) -> None:
        from imwatermark import WatermarkDecoder, WatermarkEncoder

        self.name, self.payload_bits = f"imwatermark-{method}", bits
        self.method, self.decode_frames, self.embed_seconds = method, decode_frames, embed_seconds
        self.bits = [int(b) for b in np.random.default_rng(7).integers(0, 2, bits)]
        if method == "rivaGan":
            WatermarkEncoder.loadModel()
        self.enc = WatermarkEncoder()
        self.enc.set_watermark("bits", self.bits)
        self.dec = WatermarkDecoder("bits", bits)

    def embed(self, src: Path, dst: Path) -> tuple[float, float]:
        sq, n, t, cpu = 0.0, 0, 0.0, 0.0
        with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
            vin = inp.streams.video[0]
            rate = Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
            st = out.add_stream("libx264", rate=rate, options={"crf": "16", "preset": "fast"})
            for f in inp.decode(vin):
                if f.time is not None and f.time >= self.embed_seconds:
                    break
                w, h = f.width // 2 * 2, f.height // 2 * 2
                bgr = f.reformat(width=w, height=h, format="bgr24").to_ndarray()
                t0, c0 = time.perf_counter(), time.process_time()
                marked = self.enc.encode(bgr, self.method)
                t += time.perf_counter() - t0
                cpu += time.process_time() - c0
                y0 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV)[:, :, 0].astype(np.float32)
                y1 = cv2.cvtColor(marked, cv2.COLOR_BGR2YUV)[:, :, 0].astype(np.float32)
                sq += float(np.mean((y1 - y0) ** 2))
                if n == 0:
                    st.width, st.height, st.pix_fmt = w, h, "yuv420p"
                vf = av.VideoFrame.from_ndarray(marked, format="bgr24").reformat(format="yuv420p")
                vf.pts = n
                out.mux(st.encode(vf))
                n += 1
            out.mux(st.encode(None))
        mse = sq / max(n, 1)
        self.cpu_ms = 1000 * cpu / max(n, 1)
        return (10 * np.log10(255**2 / mse) if mse else float("inf")), 1000 * t / max(n, 1)

    def detect(self, path: Path) -> tuple[bool, float, bool]:
        frames = []
        with av.open(str(path)) as c:
            for f in c.decode(video=0):
                if f.time is not None and f.time >= min(DETECT_SECONDS, self.embed_seconds):
                    break
                frames.append(f)
        pick = np.linspace(0, len(frames) - 1, min(self.decode_frames, len(frames))).round().astype(int)
        votes = [np.array(self.dec.decode(frames[i].to_ndarray(format="bgr24"), self.method), float) for i in pick]
        bits = (np.mean(votes, axis=0) > 0.5).astype(int)
        acc = float(np.mean(bits == np.array(self.bits)))
        return acc == 1.0, acc, False


def run_method(m: Any, clips: list[Path], attacks: list[Attack], work: Path) -> dict[str, Any]:
    stats: dict[str, Any] = {"psnr": [], "ms": [], "attacks": {a.name: [] for a in attacks}}
    for clip in clips:
        tag = f"{m.name.replace('/', '_')}-{clip.stem}"
        marked = work / f"{tag}.mp4"
        psnr, ms = m.embed(clip, marked)
        stats["psnr"].append(psnr)
        stats["ms"].append(ms)
        emit(
            metric="embed",
            method=m.name,
            clip=clip.name,
            psnr_y=round(psnr, 2),
            ms_per_frame=round(ms, 1),
            cpu_ms_per_frame=round(m.cpu_ms, 1),
        )
        marked24 = None
        for a in attacks:
            if a.fps is not None:
                if marked24 is None:
                    marked24 = work / f"{tag}-24.mp4"
                    m.embed(retime(clip, work / f"{clip.stem}-24fps.mp4"), marked24)
                src = marked24
            else:
                src = marked
            t0 = time.perf_counter()
            out = apply(src, work / f"{tag}-{a.name}.mp4", a)
            exact, bit_acc, wrong = m.detect(out)
            stats["attacks"][a.name].append((exact, bit_acc, wrong))
            emit(
                metric="attack",
                method=m.name,
                clip=clip.name,
                attack=a.name,
                exact=exact,
                bit_accuracy=round(bit_acc, 4),
                wrong_key=wrong,
                seconds=round(time.perf_counter() - t0, 1),
            )
    return stats


def summarise(m: Any, s: dict[str, Any]) -> dict[str, Any]:
    rows = {}
    for name, res in s["attacks"].items():
        if not res:
            continue
        rows[name] = {
            "exact_rate": float(np.mean([r[0] for r in res])),
            "bit_accuracy": float(np.mean([r[1] for r in res])),
            "n": len(res),
        }
        emit(metric="attack_summary", method=m.name, payload_bits=m.payload_bits, attack=name, **rows[name])
    summary = {
        "psnr_y": float(np.mean(s["psnr"])),
        "ms_per_frame_native": float(np.mean(s["ms"])),
        "exact_rate_all": float(np.mean([r["exact_rate"] for r in rows.values()])) if rows else 0.0,
        "bit_accuracy_all": float(np.mean([r["bit_accuracy"] for r in rows.values()])) if rows else 0.0,
    }
    emit(
        metric="method_summary",
        method=m.name,
        payload_bits=m.payload_bits,
        **{k: round(v, 4) for k, v in summary.items()},
    )
    return {"rows": rows, **summary}


def speed_1080p(m: Any, clip: Path, work: Path, frames: int) -> float:
    """Embedding ms per 1080p frame (the clip upscaled to 1920×1080, bicubic), 2 OpenCV threads."""
    src = work / f"{clip.stem}-1080p-{frames}.mp4"
    if not src.exists():
        with av.open(str(clip)) as inp, av.open(str(src), "w") as out:
            st = out.add_stream("libx264", rate=25, options={"crf": "14", "preset": "ultrafast"})
            st.width, st.height, st.pix_fmt = 1920, 1080, "yuv420p"
            for n, f in enumerate(inp.decode(video=0)):
                if n >= frames:
                    break
                vf = f.reformat(width=1920, height=1080, format="yuv420p", interpolation="BICUBIC")
                vf.pts = n
                out.mux(st.encode(vf))
            out.mux(st.encode(None))
    _, ms = m.embed(src, work / f"{m.name.replace('/', '_')}-1080p-out.mp4")
    emit(
        metric="embed_ms_per_1080p_frame",
        method=m.name,
        clip=clip.name,
        frames=frames,
        ms_per_frame=round(ms, 1),
        cpu_ms_per_frame=round(m.cpu_ms, 1),
        target_ms=40,
        cv2_threads=cv2.getNumThreads(),
        cpus=os.cpu_count(),
    )
    return ms


def emit_ratios(results: dict[str, Any]) -> None:
    """One ``ratio`` line per peer: our method's summary against the peer's."""
    ours_r = results["cutproof"]
    for name, r in results.items():
        if name == "cutproof":
            continue
        emit(
            metric="ratio",
            vs=name,
            exact_rate_ours=round(ours_r["exact_rate_all"], 4),
            exact_rate_peer=round(r["exact_rate_all"], 4),
            exact_rate_ours_minus_peer=round(ours_r["exact_rate_all"] - r["exact_rate_all"], 4),
            bit_accuracy_ours_over_peer=round(ours_r["bit_accuracy_all"] / max(r["bit_accuracy_all"], 1e-9), 3),
            ms_per_frame_peer_over_ours=round(r["ms_per_frame_native"] / max(ours_r["ms_per_frame_native"], 1e-9), 2),
            psnr_ours_minus_peer_db=round(ours_r["psnr_y"] - r["psnr_y"], 2),
            note="per-attack rates are in attack_summary lines; peer clips/attacks may be a subset (see docstring)",
        )


def compare(paths: list[str]) -> int:
    """Side-by-side table and ratios from JSON-line outputs of runs of this script (e.g. one per method, run
    concurrently so all methods share the same machine load)."""
    results: dict[str, Any] = {}
    per_attack: dict[str, dict[str, Any]] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            d = json.loads(line)
            key = "cutproof" if d.get("method", "").startswith("cutproof") else d.get("method", "").split("-")[-1]
            if d["metric"] == "method_summary":
                results[key] = d
            elif d["metric"] == "attack_summary":
                per_attack.setdefault(d["attack"], {})[key] = d
    for attack, by in per_attack.items():
        emit(
            metric="side_by_side",
            attack=attack,
            **{f"{k}_exact_rate": round(v["exact_rate"], 3) for k, v in by.items()},
            **{f"{k}_bit_accuracy": round(v["bit_accuracy"], 4) for k, v in by.items()},
            **{f"{k}_n": v["n"] for k, v in by.items()},
        )
    if "cutproof" in results:
        emit_ratios(results)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke test: 2 clips, 4 attacks, fewer segments")
    ap.add_argument("--methods", default="cutproof,dwtDctSvd,rivaGan", help="comma-separated subset")
    ap.add_argument("--segments", type=int, default=None, help="unmarked segments for the false-key test")
    ap.add_argument("--clips", type=int, default=None, help="use only the first N clips of the selection")
    ap.add_argument("--attacks", default=None, help="comma-separated attack names (default: all / quick set)")
    ap.add_argument("--speed-frames", type=int, default=None, help="1080p frames for the speed metric")
    ap.add_argument("--compare", nargs="+", metavar="JSONL", help="only combine earlier outputs: table + ratios")
    args = ap.parse_args()
    if args.compare:
        return compare(args.compare)
    warnings.filterwarnings("ignore")
    cv2.setNumThreads(2)
    if not FOOTAGE.is_dir():
        emit(metric="error", error=f"footage not found at {FOOTAGE}")
        return 2
    all_clips = sorted(p for p in FOOTAGE.iterdir() if p.suffix in (".mp4", ".flv", ".mpg"))
    clips = [FOOTAGE / c for c in QUICK_CLIPS] if args.quick else all_clips
    attacks = [a for a in ATTACKS if a.name in QUICK_ATTACKS] if args.quick else ATTACKS
    if args.attacks:
        wanted = args.attacks.split(",")
        unknown = set(wanted) - {a.name for a in ATTACKS}
        if unknown:
            ap.error(f"unknown attacks: {', '.join(sorted(unknown))}")
        attacks = [a for a in ATTACKS if a.name in wanted]
    clips = clips[: args.clips] if args.clips else clips
    methods = args.methods.split(",")
    emit(
        metric="config",
        quick=args.quick,
        clips=[c.name for c in clips],
        attacks=[a.name for a in attacks],
        detect_seconds=DETECT_SECONDS,
        methods=methods,
        note="measured on a shared 2-core machine under contention",
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="wm-bench-") as tmp:
        work = Path(tmp)
        if "cutproof" in methods:
            ours = Ours()
            speed_1080p(ours, FOOTAGE / QUICK_CLIPS[1], work, args.speed_frames or (20 if args.quick else 60))
            results["cutproof"] = summarise(ours, run_method(ours, clips, attacks, work))
            n_seg = args.segments or (200 if args.quick else 1200)
            fk = false_key_run(all_clips, n_seg, work)
            emit(metric="false_keys", method=ours.name, **fk)
        if "dwtDctSvd" in methods:
            peer = Peer("dwtDctSvd", 64, 10, 2.5)
            speed_1080p(peer, FOOTAGE / QUICK_CLIPS[1], work, 5 if args.quick else 20)
            results["dwtDctSvd"] = summarise(peer, run_method(peer, clips, attacks, work))
        if "rivaGan" in methods:
            peer = Peer("rivaGan", 32, 3, 0.5)
            speed_1080p(peer, FOOTAGE / QUICK_CLIPS[1], work, 2)
            rclips = [FOOTAGE / c for c in (RIVA_CLIPS[:1] if args.quick else RIVA_CLIPS)]
            rattacks = attacks[:2] if args.quick else attacks
            results["rivaGan"] = summarise(peer, run_method(peer, rclips, rattacks, work))
    if "cutproof" in results:
        emit_ratios(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
