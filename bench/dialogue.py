"""Dialogue matching (ADR re-sync) benchmark on the shared footage. One JSON line per metric.

Per performer (takes in SOURCES.md order; the last take is held out of the sync scorer's training):
- ``heldout_av_offset``: the held-out take's audio shifted by known offsets (−8…+8 frames); the scorer's
  recovered offset, residual per shift, and whether every residual is ≤ 1 frame (the target).
- ``resync``: the held-out take's picture dubbed to another take's line (that take excluded from the bank, as a
  real ADR line is not in it): AV offset / LSE-D / LSE-C of the line against the original picture and the result.
- ``rebuild``: the held-out take rebuilt from the *other* takes' mouths using its own sync sound; mouth-region
  PSNR/SSIM against the real take, next to two peers in the same run: a static mouth (one bank frame held) and
  audio-nearest selection without the smoothness cost; ratio = ours / peer.
- ``retime``: the held-out take's own line delayed by 0.2 s (6 frames at 29.97 fps); recovered slip.
- speed: training seconds, seconds per dubbed frame.

Usage: ``PYTHONPATH=. python bench/dialogue.py [--footage DIR] [--performers crema,grid,obama] [--steps 300]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from editor.dailies import content_hash
from editor.dialogue import dub, retime, score, train_dialogue
from editor.dialogue.blend import place_mouth
from editor.dialogue.features import selection_descriptors
from editor.dialogue.select import select_units
from editor.dialogue.sync import SyncTake, grey_mouths, shift_features
from editor.dialogue.track import crop, read_range, track_face
from media import probe
from tests.editor._dialogue_media import line_from

GROUPS = {
    "crema": ["crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv", "crema-d_1001_DFA_NEU_XX.flv"],
    "grid": ["grid_pwij3p.mpg", "grid_id2_vcd_swwp2s.mpg"],
    "obama": [
        "obama-weekly-address_a-bad-situation.mp4",
        "obama-weekly-address_very-real-challenges.mp4",
        "obama-weekly-address_but-heres-the-thing.mp4",
    ],
}
SHIFTS = (-8, -6, -4, -2, 0, 2, 4, 6, 8)


def emit(**kw: object) -> None:
    print(json.dumps(kw, sort_keys=True), flush=True)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM (Wang et al. 2004; Gaussian σ 1.5, K1 .01, K2 .03) on grey images."""
    x = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float64)
    y = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5)  # noqa: E731
    mx, my = g(x), g(y)
    sxx, syy, sxy = g(x * x) - mx * mx, g(y * y) - my * my, g(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(m.mean())


def mouth_quality(real: list[np.ndarray], fake: list[np.ndarray], boxes: list[np.ndarray]) -> tuple[float, float]:
    p, s = [], []
    for r, f, b in zip(real, fake, boxes, strict=True):
        cr, cf = crop(r, b, (96, 60)), crop(f, b, (96, 60))
        p.append(psnr(cr, cf))
        s.append(ssim(cr, cf))
    return float(np.mean(p)), float(np.mean(s))


def run_group(name: str, footage: Path, steps: int, tmp: Path) -> None:
    takes = [footage / f for f in GROUPS[name]]
    performer = f"{name}-performer"
    t0 = time.perf_counter()
    _, _, model = train_dialogue(takes, performer, steps=steps)
    emit(group=name, metric="train_seconds", value=round(time.perf_counter() - t0, 2), takes=len(takes), steps=steps)
    emit(group=name, metric="sync_train_accuracy", value=model.metrics["sync_train_accuracy"])
    held = takes[-1]
    info = probe(held)
    fps = info.frame_rate
    hid = model.take_hashes.index(content_hash(held))
    grey = grey_mouths(model.crops[model.take_ids == hid])
    from editor.dialogue.features import utterance_features
    from media import read_audio

    audio = read_audio(held)
    feats = utterance_features(audio.samples, audio.rate)
    residuals = []
    for s in SHIFTS:
        got = score(model.sync, SyncTake(grey, shift_features(feats, s, fps), fps))
        residuals.append(abs(got.offset_frames - s))
        emit(
            group=name,
            metric="heldout_av_offset",
            shift=s,
            found=got.offset_frames,
            lse_d=round(got.lse_d, 4),
            lse_c=round(got.lse_c, 4),
        )
    emit(
        group=name,
        metric="heldout_av_offset_residual_max_frames",
        value=max(residuals),
        mean=round(float(np.mean(residuals)), 3),
        target=1,
        target_met=max(residuals) <= 1,
    )

    # Re-sync the held-out picture to another take's line (that take excluded from the bank).
    other = takes[0]
    secs = min(float(info.duration), float(probe(other).duration)) - 0.15
    line = line_from(other, tmp / f"{name}-other.wav", seconds=secs)
    t0 = time.perf_counter()
    r = dub(held, model, line, tmp / f"{name}-resync.mov", performer=performer, exclude_take=content_hash(other))
    dt = time.perf_counter() - t0
    m = r.metrics
    emit(
        group=name,
        metric="resync",
        before_av_offset=m.get("before_av_offset_frames"),
        after_av_offset=m.get("after_av_offset_frames"),
        before_lse_d=m.get("before_lse_d"),
        after_lse_d=m.get("after_lse_d"),
        before_lse_c=m.get("before_lse_c"),
        after_lse_c=m.get("after_lse_c"),
        target_met=bool(m.get("av_offset_target_met")),
        frames=r.frames.end - r.frames.start,
    )
    emit(group=name, metric="dub_seconds_per_frame", value=round(dt / (r.frames.end - r.frames.start), 3))

    # Rebuild the held-out take from the other takes with its own sound.
    n = info.frame_count
    own = line_from(held, tmp / f"{name}-own.wav", seconds=float(n / fps) - 0.001)
    rb = dub(held, model, own, tmp / f"{name}-rebuild.mov", performer=performer, end=n, exclude_take=content_hash(held))
    real = read_range(info, 0, n)
    out = read_range(probe(rb.output.path), 0, n)
    track = track_face(real)
    boxes = [track.mouth_box(k) for k in range(n)]
    ours = mouth_quality(real, out, boxes)
    # Peers in the same run: a static mouth, and audio-nearest selection with no smoothness cost.
    pool = np.nonzero(model.take_ids != hid)[0]
    static_idx = pool[len(pool) // 2]
    from editor.dialogue.features import utterance_features as uf
    from media import read_audio as ra

    own_audio = ra(own)
    q = selection_descriptors(uf(own_audio.samples, own_audio.rate), fps, n)
    greedy = select_units(
        q, model.descriptors, model.take_ids, model.frame_ids, model.thumbs(), beam=1, exclude_take=hid
    ).indices
    peers = {}
    for peer, idx in (("static_mouth", [static_idx] * n), ("nearest_audio_no_smoothing", list(greedy))):
        fake = [place_mouth(real[k], model.crops[idx[k]], boxes[k])[0] for k in range(n)]
        peers[peer] = mouth_quality(real, fake, boxes)
    emit(
        group=name,
        metric="rebuild_mouth_psnr_db",
        value=round(ours[0], 3),
        **{f"{p}_db": round(v[0], 3) for p, v in peers.items()},
        **{f"ratio_vs_{p}": round(ours[0] / v[0], 4) for p, v in peers.items()},
    )
    emit(
        group=name,
        metric="rebuild_mouth_ssim",
        value=round(ours[1], 4),
        **{p: round(v[1], 4) for p, v in peers.items()},
        **{f"ratio_vs_{p}": round(ours[1] / v[1], 4) for p, v in peers.items()},
    )
    emit(
        group=name,
        metric="rebuild_sync",
        after_av_offset=rb.metrics.get("after_av_offset_frames"),
        after_lse_d=rb.metrics.get("after_lse_d"),
        after_lse_c=rb.metrics.get("after_lse_c"),
        target_met=bool(rb.metrics.get("av_offset_target_met")),
    )

    # Re-time only: the held-out take's own line, 0.2 s late.
    late = line_from(held, tmp / f"{name}-late.wav", seconds=float(n / fps) - 0.25, delay_s=0.2)
    rt = retime(held, late, tmp / f"{name}-retime.mov", performer=performer, model=model)
    expect = -0.2 * float(fps)
    emit(
        group=name,
        metric="retime_offset_frames",
        value=rt.metrics["retime_offset_frames"],
        expected=round(expect, 2),
        residual=round(abs(rt.metrics["retime_offset_frames"] - expect), 3),
        target_met=abs(rt.metrics["retime_offset_frames"] - expect) <= 1,
        stretch=rt.metrics["retime_stretch"],
        after_av_offset=rt.metrics.get("after_av_offset_frames"),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--footage", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "footage")
    ap.add_argument("--performers", default="crema,grid")
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    if not args.footage.is_dir():
        emit(metric="skipped", reason=f"no footage at {args.footage}")
        return
    with tempfile.TemporaryDirectory() as d:
        for name in args.performers.split(","):
            run_group(name.strip(), args.footage, args.steps, Path(d))


if __name__ == "__main__":
    main()
