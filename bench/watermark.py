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

This script holds the run itself (clip and attack selection, marking and detecting every case, the order of the
methods); ``_wm/methods.py`` the methods (ours and the imwatermark peers), ``_wm/report.py`` the JSON lines and
their summaries, ``_wm/attacks.py``, ``_wm/speed.py`` and ``_wm/unmarked.py`` the attacks, the 1080p speed run and
the false-key test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))  # first: bench/ledger.py must not shadow the ledger package

import cv2  # noqa: E402
from _heldout import make_variant  # noqa: E402
from _wm.attacks import ATTACKS, QUICK_ATTACKS, Attack, apply, retime  # noqa: E402
from _wm.methods import DETECT_SECONDS, KEY, Ours, Peer, _fixed_level, _suffix  # noqa: E402
from _wm.report import emit, emit_summary, side_by_side, summarise  # noqa: E402
from _wm.speed import make_1080p, wall_clock_1080p  # noqa: E402
from _wm.unmarked import false_key_run  # noqa: E402

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
