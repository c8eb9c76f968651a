"""Benchmark of the ``cutproof-wm/2`` video watermark against invisible-watermark's dwtDctSvd and rivaGan.

One process runs ours, then dwtDctSvd, then rivaGan on the same clips and attacks, and prints one JSON line per
metric: ``embed`` (PSNR, ms/frame per clip), ``attack`` (per clip and attack: exact recovery, bit accuracy and,
for ours, the soft margin and raw pre-BCH bit errors against BCH's t = 12), ``attack_summary``/``method_summary``,
``embed_1080p_wall_clock`` (ours at 1920×1080: marking step and whole pipeline, frames/s and ms/frame, threads),
``embed_1080p`` (peers), ``false_keys`` (≥ 1,000 unmarked segments), then ``side_by_side`` (one line per attack,
all methods) and ``ratio`` (per peer: ours restricted to the peer's cases vs the peer, ours/peer ratios).

    python bench/watermark.py            # full run (all clips, all attacks, false-key test, both peers)
    python bench/watermark.py --quick    # smoke test: 2 clips, 4 attacks, 200 unmarked segments
    python bench/watermark.py --quick --methods cutproof
    python bench/watermark.py --heldout  # held-out content, adaptive level vs today's fixed level (quick attacks)

Duration on the shared 2-core machine (load average 4–9): full run 34.6 min (ours incl. 1,282 false-key
segments: ~10 + ~7 min, dwtDctSvd ~11 min, rivaGan ~7 min); ``--quick`` ~6 min.

Protocol. Each clip of ../shared/footage is marked (ours: ``embed_video`` on the original file → H.264 MP4 under
``media.plan_encode``, CRF 8; peers: per-frame ``WatermarkEncoder.encode`` on BGR frames → the same encoder and
settings, taken from the same plan), then every attack re-encodes
the first 2.5 s through real PyAV encoders and the first 2 s are decoded for detection. Ours reads every frame of
those 2 s (soft aggregation); peers decode sampled frames (dwtDctSvd 10, rivaGan 3) and take the per-bit majority
(frames under imwatermark's 256-px minimum, i.e. 0.5× of the 360p/288p clips, are upscaled back to the marked
size first). For 24→25 fps each method marks the clip re-timed to 24 fps first. PSNR: ``psnr_y`` on luma (the
target metric; imwatermark marks chroma, so its luma barely changes) and ``psnr_bgr`` on all colour channels
(ours: first 20 frames marked with ``embed_frame`` on BT.601 Y). Payloads: ours 64-bit key (172-bit BCH
codeword), dwtDctSvd 64 bits, rivaGan 32 bits (its only size). rivaGan's encoder and decoder take seconds per
frame here, so it embeds only the first 0.5 s of frames and runs on ``--riva-clips`` clips (default 3: one of
each source); its ratio line compares ours on exactly those clips and attacks.

``--heldout``: clips the project never saw (``bench/_heldout.py``: a re-frame, ProRes 10-bit, a mirror, and content
variants — a night grade and a hard look in ProRes 10-bit, film grain, a flat blurred picture), marked by ours
(content-adaptive level: the realised change is solved on each frame) and by ``cutproof-fixed`` (today's fixed
nominal level, ``bench/_peers/wm_fixed_level.py``; same pattern and detector) in the same run, quick attacks. Each
``embed`` line then also gives ``psnr_y_min`` (the most changed frame) and ``psnr_y_delivered``: the marked
deliverable against a codec-only re-encode of the same source under the same plan (decoded luma), and the loss
accounting against the source itself: ``psnr_y_total`` (the deliverable vs its source), ``psnr_y_codec_only`` (the
codec-only re-encode vs the source) and ``psnr_y_share`` (the part of the deliverable's loss the codec-only encode
does not have: 10·log10(255² / (MSE_total − MSE_codec))). The two measures differ on noisy footage: two encodes of
slightly different pictures make different coding errors, so ``psnr_y_delivered`` counts the encoder's noise twice
(once in each file), where the accounting counts it once. The false-key test is skipped there (the detector is
the same).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))  # first: bench/ledger.py must not shadow the ledger package

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from _heldout import make_variant  # noqa: E402
from _peers.wm_fixed_level import FixedLevelEmbedder  # noqa: E402
from _wm import speed as _speed  # noqa: E402
from _wm.attacks import ATTACKS, QUICK_ATTACKS, Attack, apply, retime  # noqa: E402
from _wm.speed import make_1080p, wall_clock_1080p  # noqa: E402
from _wm.unmarked import false_key_run  # noqa: E402

import labeler.watermark._embed as _embed_mod  # noqa: E402
import labeler.watermark._video as _video_mod  # noqa: E402
from labeler._payload import BCH_T, CODE_BITS  # noqa: E402
from labeler.watermark import embed_frame, embed_video  # noqa: E402
from labeler.watermark._detect import Accumulator  # noqa: E402
from labeler.watermark._pattern import ALGORITHM_ID  # noqa: E402
from media import iter_luma, plan_encode, probe, render  # noqa: E402

FOOTAGE = Path(os.environ.get("CUTPROOF_FOOTAGE", ROOT.parent / "shared" / "footage"))
QUICK_CLIPS = ["crema-d_1001_DFA_NEU_XX.flv", "obama-weekly-address_a-bad-situation.mp4"]
RIVA_CLIPS = ["crema-d_1001_DFA_NEU_XX.flv", "grid_pwij3p.mpg", "obama-weekly-address_a-bad-situation.mp4"]
HELDOUT = [  # smallest and hardest first (``--clips N`` keeps the first N)
    ("grid_pwij3p.mpg", "graded"),
    ("crema-d_1001_DFA_NEU_XX.flv", "grain"),
    ("grid_pwij3p.mpg", "mirror"),
    ("crema-d_1001_DFA_NEU_XX.flv", "dark"),
    ("crema-d_1001_DFA_NEU_XX.flv", "prores10"),
    ("obama-weekly-address_a-bad-situation.mp4", "flat"),
    ("obama-weekly-address_a-bad-situation.mp4", "crop"),
]
DETECT_SECONDS = 2.0
KEY = 0x5CA1AB1E0DDBA11


def emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


@contextmanager
def _fixed_level(on: bool) -> Iterator[None]:
    """While ``on``: every embedder the product builds (files, frames, the speed bench) is today's fixed level."""
    if not on:
        yield
        return
    mods = (_video_mod, _embed_mod, _speed)
    saved = [m.FrameEmbedder for m in mods]
    for m in mods:
        m.FrameEmbedder = FixedLevelEmbedder
    try:
        yield
    finally:
        for m, cls in zip(mods, saved, strict=True):
            m.FrameEmbedder = cls


def _luma_mse(a: Path, b: Path) -> float:
    """Mean luma squared error (8-bit scale) of two decodes of the same length, frame by frame."""
    sq, n = 0.0, 0
    for la, lb in zip(iter_luma(a), iter_luma(b), strict=False):
        d = (la.plane.astype(np.float32) - lb.plane) * (255.0 / la.max_value)
        sq += float(np.mean(d * d))
        n += 1
    return sq / max(n, 1)


def _db(mse: float) -> float:
    return float(10 * np.log10(255**2 / max(mse, 1e-12)))


def _luma_psnr(a: Path, b: Path) -> float:
    """Luma PSNR (8-bit scale) of two decodes of the same length, frame by frame."""
    return _db(_luma_mse(a, b))


class Ours:
    payload_bits = 64

    cpu_ms = 0.0

    psnr_bgr = 0.0

    def __init__(self, fixed: bool = False, delivered: bool = False) -> None:
        self.fixed, self.delivered = fixed, delivered
        self.name = f"{ALGORITHM_ID}-fixed-level" if fixed else ALGORITHM_ID
        self.extra: dict[str, Any] = {}
        self._plain: dict[Path, Path] = {}

    def embed(self, src: Path, dst: Path) -> tuple[float, float]:
        with _fixed_level(self.fixed):
            r = embed_video(src, dst, KEY)
        self.cpu_ms = r.cpu_ms_per_frame
        self.extra = {"psnr_y_min": round(r.psnr_y_min, 2)}
        if src in self._plain:
            plain = self._plain[src]
            self.extra["psnr_y_delivered"] = round(_luma_psnr(dst, plain), 2)
            total, codec = _luma_mse(dst, src), _luma_mse(plain, src)
            self.extra |= {"psnr_y_total": round(_db(total), 2), "psnr_y_codec_only": round(_db(codec), 2)}
            self.extra["psnr_y_share"] = round(_db(total - codec), 2) if total > codec else None
        sq, n = 0.0, 0
        with av.open(str(src)) as c, _fixed_level(self.fixed):
            for f in c.decode(video=0):
                if n >= 20:
                    break
                bgr = f.to_ndarray(format="bgr24")
                ycc = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)
                ycc[:, :, 0] = embed_frame(np.ascontiguousarray(ycc[:, :, 0]), KEY)
                sq += float(np.mean((cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR).astype(np.float32) - bgr) ** 2))
                n += 1
        self.psnr_bgr = float(10 * np.log10(255**2 / max(sq / max(n, 1), 1e-12)))
        return r.psnr_y, r.ms_per_frame

    def codec_only(self, src: Path, work: Path) -> None:
        """Re-encode ``src`` unmarked under the same plan, so ``embed`` can measure the mark as delivered."""
        out = work / f"plain-{src.stem}{_suffix(src)}"
        if not out.exists():
            render(probe(src), out)
        self._plain[src] = out

    def detect(self, path: Path) -> tuple[bool, float, bool, dict[str, Any]]:
        acc = Accumulator()
        for luma in iter_luma(path, seconds=Fraction(DETECT_SECONDS)):
            acc.add(luma.plane, 255.0 / luma.max_value)
        r = acc.result()
        margin, raw_errors = acc.margin(KEY)
        extra = {
            "soft_margin": round(margin, 2),  # mean/std of the codeword-signed soft bits (≈ per-bit SNR)
            "raw_bit_errors": raw_errors,  # pre-BCH errors at the best hypothesis
            "bch_t": BCH_T,  # hard-decision capacity; the Chase decoder may correct a few more
            "bit_errors_corrected": r.bit_errors_corrected,
            "frames": acc.frames,
        }
        return r.key == KEY, 1.0 - raw_errors / CODE_BITS, r.key is not None and r.key != KEY, extra


class Peer:
    cpu_ms = 0.0
    psnr_bgr = 0.0
    marked_size: tuple[int, int] | None = None

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
        sq, sq_bgr, n, t, cpu = 0.0, 0.0, 0, 0.0, 0.0
        with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
            vin = inp.streams.video[0]
            rate = Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
            plan = plan_encode(probe(src), "mp4")  # the encoder and settings ``embed_video`` uses
            st = out.add_stream(plan.codec, rate=rate, options=dict(plan.options))
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
                sq_bgr += float(np.mean((marked.astype(np.float32) - bgr) ** 2))
                if n == 0:
                    st.width, st.height, st.pix_fmt = w, h, "yuv420p"
                    self.marked_size = (w, h)
                vf = av.VideoFrame.from_ndarray(marked, format="bgr24").reformat(format="yuv420p")
                vf.pts = n
                out.mux(st.encode(vf))
                n += 1
            out.mux(st.encode(None))
        mse = sq / max(n, 1)
        self.cpu_ms = 1000 * cpu / max(n, 1)
        self.psnr_bgr = float(10 * np.log10(255**2 / max(sq_bgr / max(n, 1), 1e-12)))
        return (10 * np.log10(255**2 / mse) if mse else float("inf")), 1000 * t / max(n, 1)

    def _decodable(self, frame: Any) -> np.ndarray:
        """BGR pixels; frames under imwatermark's 256-px minimum are upscaled (bicubic) to the marked size."""
        if min(frame.width, frame.height) < 256 and self.marked_size is not None:
            w, h = self.marked_size
            return frame.reformat(width=w, height=h, format="bgr24", interpolation="BICUBIC").to_ndarray()
        return frame.to_ndarray(format="bgr24")

    def detect(self, path: Path) -> tuple[bool, float, bool, dict[str, Any]]:
        frames = []
        with av.open(str(path)) as c:
            for f in c.decode(video=0):
                if f.time is not None and f.time >= min(DETECT_SECONDS, self.embed_seconds):
                    break
                frames.append(f)
        pick = np.linspace(0, len(frames) - 1, min(self.decode_frames, len(frames))).round().astype(int)
        votes = [np.array(self.dec.decode(self._decodable(frames[i]), self.method), float) for i in pick]
        bits = (np.mean(votes, axis=0) > 0.5).astype(int)
        acc = float(np.mean(bits == np.array(self.bits)))
        return acc == 1.0, acc, False, {"frames": len(pick)}


def run_method(m: Any, clips: list[Path], attacks: list[Attack], work: Path) -> dict[str, Any]:
    """Mark every clip, run every attack, detect; per-clip and per-(clip, attack) results."""
    stats: dict[str, Any] = {"embed": {}, "cases": {}}
    for clip in clips:
        tag = f"{m.name.replace('/', '_')}-{clip.stem}"
        marked = work / f"{tag}{_suffix(clip)}"
        if getattr(m, "delivered", False):
            m.codec_only(clip, work)
        psnr, ms = m.embed(clip, marked)
        stats["embed"][clip.name] = (psnr, m.psnr_bgr, ms, m.cpu_ms)
        emit(metric="embed", method=m.name, clip=clip.name, psnr_y=round(psnr, 2), psnr_bgr=round(m.psnr_bgr, 2),
             ms_per_frame=round(ms, 1), cpu_ms_per_frame=round(m.cpu_ms, 1), **getattr(m, "extra", {}))  # fmt: skip
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
            exact, bit_acc, wrong, extra = m.detect(out)
            stats["cases"][(clip.name, a.name)] = (exact, bit_acc, wrong)
            emit(metric="attack", method=m.name, clip=clip.name, attack=a.name, exact=exact,
                 bit_accuracy=round(bit_acc, 4), wrong_key=wrong, seconds=round(time.perf_counter() - t0, 1),
                 **extra)  # fmt: skip
    return stats


def _suffix(clip: Path) -> str:
    """The marked file's extension: MOV for mezzanine sources (their codec stays), MP4 otherwise."""
    return ".mov" if probe(clip).codec_family in ("prores", "dnxhd") else ".mp4"


def summarise(m: Any, s: dict[str, Any], only: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Per-attack and overall figures, over all cases or over ``only`` (the cases a peer also ran)."""
    cases = {k: v for k, v in s["cases"].items() if only is None or k in only}
    clips = sorted({c for c, _ in cases})
    rows: dict[str, dict[str, Any]] = {}
    for attack in dict.fromkeys(a for _, a in cases):
        res = [v for (_, a), v in cases.items() if a == attack]
        rows[attack] = {
            "exact": f"{sum(r[0] for r in res)}/{len(res)}",
            "exact_rate": float(np.mean([r[0] for r in res])),
            "bit_accuracy": float(np.mean([r[1] for r in res])),
            "wrong_keys": int(sum(r[2] for r in res)),
        }
    emb = [s["embed"][c] for c in clips]
    return {
        "rows": rows,
        "clips": clips,
        "psnr_y": float(np.mean([e[0] for e in emb])),
        "psnr_y_min": float(np.min([e[0] for e in emb])),
        "psnr_bgr": float(np.mean([e[1] for e in emb])),
        "ms_per_frame_native": float(np.mean([e[2] for e in emb])),
        "cpu_ms_per_frame_native": float(np.mean([e[3] for e in emb])),
        "exact_rate_all": float(np.mean([r[0] for r in cases.values()])),
        "bit_accuracy_all": float(np.mean([r[1] for r in cases.values()])),
    }


def emit_summary(name: str, bits: int, r: dict[str, Any]) -> None:
    for attack, row in r["rows"].items():
        emit(metric="attack_summary", method=name, payload_bits=bits, attack=attack, **row)
    emit(metric="method_summary", method=name, payload_bits=bits, clips=len(r["clips"]),
         **{k: round(v, 4) for k, v in r.items() if isinstance(v, float)})  # fmt: skip


def side_by_side(methods: dict[str, Any], stats: dict[str, Any]) -> None:
    """One line per attack with every method's exact-recovery count/rate and bit accuracy (same run), then one
    line per peer with ours restricted to the peer's clips and attacks and the ratios ours/peer."""
    attacks = dict.fromkeys(a for st in stats.values() for _, a in st["cases"])
    for attack in attacks:
        cols: dict[str, Any] = {}
        for key, st in stats.items():
            res = [v for (_, a), v in st["cases"].items() if a == attack]
            if res:
                cols[f"{key}_exact"] = f"{sum(r[0] for r in res)}/{len(res)}"
                cols[f"{key}_bit_accuracy"] = round(float(np.mean([r[1] for r in res])), 4)
        emit(metric="side_by_side", attack=attack, **cols)
    summary: dict[str, Any] = {}
    for key, st in stats.items():
        r = summarise(methods[key], st)
        for field in ("exact_rate_all", "bit_accuracy_all", "psnr_y", "psnr_y_min", "psnr_bgr"):
            summary[f"{key}_{field}"] = round(r[field], 4)
        summary[f"{key}_ms_per_frame"] = round(r["ms_per_frame_native"], 1)
        summary[f"{key}_cpu_ms_per_frame"] = round(r["cpu_ms_per_frame_native"], 1)
        summary[f"{key}_cases"] = len(st["cases"])
    emit(metric="side_by_side_summary", **summary)
    if "cutproof" not in stats:
        return
    for key, st in stats.items():
        if key == "cutproof":
            continue
        peer = summarise(methods[key], st)
        ours = summarise(methods["cutproof"], stats["cutproof"], only=set(st["cases"]))
        emit(
            metric="ratio",
            vs=methods[key].name,
            same_cases=len(st["cases"]),
            clips=peer["clips"],
            exact_rate_ours=round(ours["exact_rate_all"], 4),
            exact_rate_peer=round(peer["exact_rate_all"], 4),
            exact_rate_ours_over_peer=_ratio(ours["exact_rate_all"], peer["exact_rate_all"]),
            bit_accuracy_ours=round(ours["bit_accuracy_all"], 4),
            bit_accuracy_peer=round(peer["bit_accuracy_all"], 4),
            bit_accuracy_ours_over_peer=round(ours["bit_accuracy_all"] / max(peer["bit_accuracy_all"], 1e-9), 3),
            psnr_y_ours=round(ours["psnr_y"], 2),
            psnr_y_peer=round(peer["psnr_y"], 2),
            psnr_y_ours_minus_peer_db=round(ours["psnr_y"] - peer["psnr_y"], 2),
            psnr_bgr_ours_minus_peer_db=round(ours["psnr_bgr"] - peer["psnr_bgr"], 2),
            ms_per_frame_ours=round(ours["ms_per_frame_native"], 1),
            ms_per_frame_peer=round(peer["ms_per_frame_native"], 1),
            ms_per_frame_ours_over_peer=round(ours["ms_per_frame_native"] / max(peer["ms_per_frame_native"], 1e-9), 4),
            cpu_ms_per_frame_ours_over_peer=round(
                ours["cpu_ms_per_frame_native"] / max(peer["cpu_ms_per_frame_native"], 1e-9), 4
            ),
            payload_bits_ours=methods["cutproof"].payload_bits,
            payload_bits_peer=methods[key].payload_bits,
        )


def _ratio(a: float, b: float) -> float | None:
    """``a / b`` rounded, or ``None`` (JSON null) where the peer scored 0."""
    return round(a / b, 3) if b > 0 else None


def peer_speed_1080p(m: Any, src: Path, work: Path) -> None:
    """A peer's embedding ms per 1080p frame (its encode call only), on the same 1080p file as ours."""
    _, ms = m.embed(src, work / f"{m.name}-1080p-out.mp4")
    emit(metric="embed_1080p", method=m.name, ms_per_frame=round(ms, 1), cpu_ms_per_frame=round(m.cpu_ms, 1),
         cv2_threads=cv2.getNumThreads(), cpus=os.cpu_count())  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke test: 2 clips, 4 attacks, fewer segments")
    ap.add_argument("--methods", default="cutproof,dwtDctSvd,rivaGan", help="comma-separated subset")
    ap.add_argument("--segments", type=int, default=None, help="unmarked segments for the false-key test")
    ap.add_argument("--clips", type=int, default=None, help="use only the first N clips of the selection")
    ap.add_argument("--attacks", default=None, help="comma-separated attack names (default: all / quick set)")
    ap.add_argument("--speed-frames", type=int, default=None, help="1080p frames for the speed metric")
    ap.add_argument("--riva-clips", type=int, default=None, help="clips for rivaGan (default 3; quick 1)")
    ap.add_argument("--heldout", action="store_true", help="held-out content: adaptive vs fixed level, quick attacks")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    cv2.setNumThreads(2)
    if not FOOTAGE.is_dir():
        emit(metric="error", error=f"footage not found at {FOOTAGE}")
        return 2
    all_clips = sorted(p for p in FOOTAGE.iterdir() if p.suffix in (".mp4", ".flv", ".mpg"))
    clips = [FOOTAGE / c for c in QUICK_CLIPS] if args.quick else all_clips
    attacks = [a for a in ATTACKS if a.name in QUICK_ATTACKS] if args.quick or args.heldout else ATTACKS
    if args.heldout:
        clips = [make_variant(FOOTAGE / name, variant) for name, variant in HELDOUT]
        if args.methods == ap.get_default("methods"):
            args.methods = "cutproof,cutproof-fixed"
    if args.attacks:
        wanted = args.attacks.split(",")
        unknown = set(wanted) - {a.name for a in ATTACKS}
        if unknown:
            ap.error(f"unknown attacks: {', '.join(sorted(unknown))}")
        attacks = [a for a in ATTACKS if a.name in wanted]
    clips = clips[: args.clips] if args.clips else clips
    methods = args.methods.split(",")
    riva_clips = [FOOTAGE / c for c in RIVA_CLIPS][: args.riva_clips or (1 if args.quick else 3)]
    riva_clips = [c for c in riva_clips if c in clips] or clips[:1]
    emit(metric="config", quick=args.quick, clips=[c.name for c in clips], attacks=[a.name for a in attacks],
         detect_seconds=DETECT_SECONDS, methods=methods, rivagan_clips=[c.name for c in riva_clips],
         loadavg_1min=round(os.getloadavg()[0], 2), cpus=os.cpu_count(),
         heldout=args.heldout,
         note="one process; methods run one after the other on the same clips/attacks; shared machine")  # fmt: skip
    started = time.perf_counter()
    stats: dict[str, Any] = {}
    objs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="wm-bench-") as tmp:
        work = Path(tmp)
        hd = make_1080p(
            FOOTAGE / QUICK_CLIPS[1], work / "speed-1080p.mp4", args.speed_frames or (20 if args.quick else 50)
        )
        for key in ("cutproof", "cutproof-fixed"):
            if key not in methods:
                continue
            objs[key] = ours = Ours(fixed=key == "cutproof-fixed", delivered=args.heldout)
            with _fixed_level(ours.fixed):
                emit(metric="embed_1080p_wall_clock", method=ours.name, **wall_clock_1080p(hd, work, KEY))
            stats[key] = run_method(ours, clips, attacks, work)
            emit_summary(ours.name, ours.payload_bits, summarise(ours, stats[key]))
            if key == "cutproof" and not args.heldout:
                n_seg = args.segments or (200 if args.quick else 1200)
                emit(metric="false_keys", method=ours.name, **false_key_run(all_clips, n_seg, work))
        if "dwtDctSvd" in methods:
            objs["dwtDctSvd"] = peer = Peer("dwtDctSvd", 64, 10, 2.5)
            peer_speed_1080p(peer, make_1080p(FOOTAGE / QUICK_CLIPS[1], work / "peer-1080p.mp4", 5), work)
            stats["dwtDctSvd"] = run_method(peer, clips, attacks, work)
            emit_summary(peer.name, peer.payload_bits, summarise(peer, stats["dwtDctSvd"]))
        if "rivaGan" in methods:
            objs["rivaGan"] = peer = Peer("rivaGan", 32, 3, 0.5)
            peer_speed_1080p(peer, make_1080p(FOOTAGE / QUICK_CLIPS[1], work / "riva-1080p.mp4", 2), work)
            stats["rivaGan"] = run_method(peer, riva_clips, attacks[:2] if args.quick else attacks, work)
            emit_summary(peer.name, peer.payload_bits, summarise(peer, stats["rivaGan"]))
    side_by_side(objs, stats)
    emit(
        metric="run_seconds", seconds=round(time.perf_counter() - started, 1), loadavg_1min=round(os.getloadavg()[0], 2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
