"""Lighting-match benchmark: quality against held-out graded frames, apply speed at 1080p, training time.

Prints one JSON line per metric. Data: the shared footage (../shared/footage). There are no graded dailies in it,
so the "graded dailies" are made for the purpose: each held-out clip is graded with known reference looks
(ASC CDL + a non-linear S-curve, ``editor.lighting.grades.random_look`` with fixed seeds 9000+k). The task per
look: given the ungraded shot and ONE graded reference frame of the same shot (frame n−5), reproduce the graded
look on held-out frames (4 others, never shown to the model); ΔE (CIE76, mean per pixel) and PSNR against the
graded truth. Peer: Reinhard et al. 2001 colour transfer (Lab mean/std matching), run on the same inputs.
Training clips and held-out clips are disjoint (one take of each performer held out).

Run: PYTHONPATH=. python bench/lighting.py [--steps N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, bench/ is sys.path[0] and bench/ledger.py would shadow the ledger package: put the repo first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from editor.lighting import (
    LightingConfig,
    ShotLut,
    TrainingClip,
    delta_e76,
    match_grade,
    psnr,
    random_look,
    train_lighting,
)
from editor.lighting.model import deserialise
from editor.lighting.training import pick_device
from editor.models import unpack_model
from media import probe, read_frame, render, sample_keyframes

FOOTAGE = Path(__file__).resolve().parent.parent.parent / "shared" / "footage"
TRAIN = [
    "crema-d_1001_DFA_NEU_XX.flv",
    "crema-d_1001_DFA_ANG_XX.flv",
    "grid_id2_vcd_swwp2s.mpg",
    "obama-weekly-address_but-heres-the-thing.mp4",
    "obama-weekly-address_a-bad-situation.mp4",
]
HELD_OUT = ["crema-d_1001_DFA_SAD_XX.flv", "grid_pwij3p.mpg", "obama-weekly-address_very-real-challenges.mp4"]


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(
        json.dumps({"bench": "lighting", "metric": metric, "value": round(float(value), 4), "unit": unit, **extra}),
        flush=True,
    )


def reinhard(src: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Reinhard colour transfer in CIELAB (the classic statistics-matching peer)."""
    s = cv2.cvtColor(src.astype(np.float32), cv2.COLOR_RGB2Lab)
    r = cv2.cvtColor(ref.astype(np.float32), cv2.COLOR_RGB2Lab)
    out = (s - s.mean((0, 1))) / (s.std((0, 1)) + 1e-6) * r.std((0, 1)) + r.mean((0, 1))
    return np.clip(cv2.cvtColor(out.astype(np.float32), cv2.COLOR_Lab2RGB), 0, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--looks", type=int, default=3)
    args = ap.parse_args()
    clips = []
    for name in TRAIN:
        p = FOOTAGE / name
        clips.append(TrainingClip(probe(p), hashlib.sha256(p.read_bytes()).hexdigest()))
    cfg = LightingConfig(steps=args.steps)
    t0 = time.perf_counter()
    trained = train_lighting(clips, config=cfg, progress=False)
    train_s = time.perf_counter() - t0
    frames_in = sum(c.info.frame_count for c in clips)
    emit(
        "train_seconds",
        train_s,
        "s",
        steps=args.steps,
        clips=len(clips),
        frames_in_clips=frames_in,
        frames_sampled=trained.metrics["frames_used"],
        device=pick_device(),
    )
    net = deserialise(unpack_model(trained.model_file).payload)
    per: dict[str, list[float]] = {
        k: [] for k in ("model_de", "model_psnr", "cdl_de", "peer_de", "peer_psnr", "none_de")
    }
    stages = []
    for name in HELD_OUT:
        info = probe(FOOTAGE / name)
        ref_idx = info.frame_count - 5
        test_idx = [3, info.frame_count // 4, info.frame_count // 2, (3 * info.frame_count) // 4]
        src_ref = read_frame(info, ref_idx)
        tests = [read_frame(info, i) for i in test_idx]
        for k in range(args.looks):
            look = random_look(np.random.default_rng(9000 + k))
            ref = look.apply(src_ref)
            grade = match_grade(net, tests, [ref])
            stages.append(grade.stage)
            cdl_lut = grade.cdl
            for src in tests:
                truth = look.apply(src)
                out = grade.lut.apply(src)
                peer = reinhard(src, ref)
                per["model_de"].append(delta_e76(out, truth))
                per["model_psnr"].append(psnr(out, truth))
                per["cdl_de"].append(delta_e76(cdl_lut.apply(src), truth))
                per["peer_de"].append(delta_e76(peer, truth))
                per["peer_psnr"].append(psnr(peer, truth))
                per["none_de"].append(delta_e76(src, truth))
    n = len(per["model_de"])
    emit(
        "delta_e76_mean",
        np.mean(per["model_de"]),
        "dE",
        target="<=3",
        held_out_frames=n,
        stages={k: stages.count(k) for k in sorted(set(stages))},
    )
    emit("psnr_mean", np.mean(per["model_psnr"]), "dB", held_out_frames=n)
    emit("delta_e76_exported_cdl", np.mean(per["cdl_de"]), "dE", note="the .cdl export alone")
    emit("delta_e76_peer_reinhard", np.mean(per["peer_de"]), "dE")
    emit("psnr_peer_reinhard", np.mean(per["peer_psnr"]), "dB")
    emit("delta_e76_ratio_vs_peer", np.mean(per["model_de"]) / np.mean(per["peer_de"]), "ratio", lower_is_better=True)
    emit("delta_e76_no_edit", np.mean(per["none_de"]), "dE", note="graded truth vs ungraded source")

    # Apply speed at 1080p: the fused shot LUT on 8-bit frames (one gather), and full trilinear (>8-bit path).
    rng = np.random.default_rng(0)
    frame = (rng.integers(0, 256, (1080, 1920, 3)) / 255.0).astype(np.float32)
    shot = ShotLut(grade.lut)
    t = time.perf_counter()
    shot.apply(frame, exact_8bit=True)
    emit("lut_8bit_table_build_seconds", time.perf_counter() - t, "s", note="once per shot")
    reps = 20
    t = time.perf_counter()
    for _ in range(reps):
        shot.apply(frame, exact_8bit=True)
    fps8 = reps / (time.perf_counter() - t)
    emit("apply_fps_1080p_8bit", fps8, "fps", target=">=10")
    t = time.perf_counter()
    for _ in range(3):
        grade.lut.apply(frame)
    fps_tri = 3 / (time.perf_counter() - t)
    emit("apply_fps_1080p_trilinear", fps_tri, "fps", note="10/12-bit sources")
    t = time.perf_counter()
    for _ in range(3):
        cv2.cvtColor(frame, cv2.COLOR_RGB2Lab)
        reinhard(frame, frame)
    emit("apply_fps_1080p_peer_reinhard", 3 / (time.perf_counter() - t), "fps")

    # End-to-end render at 1080p (decode + grade + H.264 encode), on a generated 1080p H.264 clip.
    with tempfile.TemporaryDirectory() as d:
        import av

        src_path = Path(d) / "src.mp4"
        with av.open(str(src_path), "w") as out:
            s = out.add_stream("libx264", rate=24, options={"preset": "fast", "g": "12"})
            s.width, s.height, s.pix_fmt = 1920, 1080, "yuv420p"
            base = (frame * 255).astype(np.uint8)
            for i in range(48):
                vf = av.VideoFrame.from_ndarray(np.roll(base, i * 8, axis=1), format="rgb24").reformat(format="yuv420p")
                vf.pts = i
                for pkt in s.encode(vf):
                    out.mux(pkt)
            for pkt in s.encode():
                out.mux(pkt)
        info = probe(src_path)
        t = time.perf_counter()
        sample_keyframes(info, 4)  # the training sampler: demux everything, decode only the 4 key frames
        sample_decode_s = (time.perf_counter() - t) / 4
        emit("training_sample_seconds_per_keyframe_1080p", sample_decode_s, "s", note="h264 GOP 12, 48 frames")
        support = np.ones((1080, 1920), bool)
        t = time.perf_counter()
        render(info, Path(d) / "out.mp4", lambda n, rgb: (shot.apply(rgb, exact_8bit=True), support))
        emit(
            "render_fps_1080p_h264_end_to_end",
            24 / (time.perf_counter() - t),
            "fps",
            note="decode + RGB + LUT + YUV + libx264 preset fast",
        )
    # Extrapolation to 5 min of 1080p dailies: steps do not grow with footage (fixed frames per clip); only the
    # sampled-frame decode does. Seek+decode one 1080p frame is measured on the generated clip above.
    step_s = train_s / args.steps
    emit("train_seconds_per_step", step_s, "s")
    clips_5min = 30  # assumption: 5 min of dailies ≈ 30 takes of 10 s
    est = args.steps * step_s + clips_5min * cfg.frames_per_clip * sample_decode_s
    emit(
        "train_seconds_5min_1080p_extrapolated",
        est,
        "s",
        target="<=600",
        how=f"{args.steps} steps × measured s/step + {clips_5min} clips × {cfg.frames_per_clip} frames × "
        f"{sample_decode_s:.3f} s measured per sampled key frame (demux + key-frame decode)",
    )


if __name__ == "__main__":
    main()
