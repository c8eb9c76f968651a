"""Background-replacement benchmark: matte quality against a known reference, temporal consistency, speed.

Prints one JSON line per metric (``metric``, ``value``, ``unit`` plus context). Not a test.

    python bench/background.py           # full run (a few minutes on 2 shared cores)
    python bench/background.py --quick   # smoke run on fewer frames (numbers not meaningful)

**Reference mattes (what "ground truth" means here).** The footage has no ground-truth alpha, so reference
composites are built from it: the performer of ``crema-d_1001_DFA_NEU_XX.flv`` (green backdrop) is matted once
with heavy settings (exact guided filter, estimated clean plate, no stabilisation); that matte α* and the clip's
own frames F are composited over a *known* plate P with nobody in it (the flag-and-bookshelf left third of
frame 10 of ``obama-weekly-address_a-bad-situation.mp4``, cover-fitted): C_t = α*_t·F_t + (1 − α*_t)·P. α* is
then exactly the alpha of C, and the benchmark re-extracts it from C with the edit's default settings — (a)
given P as the clean plate, (b) estimating the plate from C itself (the production case), (c) = (b) + the
per-shot refiner trained on C — against the peer, a plain hard difference key (threshold at the midpoint of the
key), on the same frames. Composites stay in memory (no codec round trip).
Because α* comes from the same family of keyer, these numbers measure re-extraction over a textured plate and
temporal coherence, not absolute accuracy on hair against a real backdrop.

**Temporal consistency.** Warping error (Lai et al. 2018) of each edited clip relative to its source: mean
squared difference between frame t and frame t+1 warped back by DIS optical flow, occlusions excluded by the
forward–backward check. Reported (1) with each video's own flow (the headline, target ≤ 1.1×), (2) with the
source's flow applied to both (Lai et al.'s protocol; the new plate's texture then moves with the source's flow
noise, which penalises any textured plate), and (3) own flows restricted to the matte's edge band (where flicker
lives).

**Speed.** Seconds per frame for matte + stabilisation + re-grade + composite (decode/encode excluded) at the
clip's resolution and with the clip upscaled to 1920×1080, and the whole edit (plate estimation, decode, encode,
metrics) per frame.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from editor.background import BackgroundParams, MatteParams, ShotMatter, estimate_plate, plate_from_shot  # noqa: E402
from editor.background.composite import Regrade, composite, fit_plate, regraded_composite  # noqa: E402
from editor.background.edit import load_plate, replace_background  # noqa: E402
from editor.background.matte import matte_frame  # noqa: E402
from editor.background.metrics import dtssd, mad, mse, source_flows, warping_error  # noqa: E402
from editor.background.refiner import RefinerConfig, train_refiner  # noqa: E402

FOOTAGE = REPO.parent / "shared" / "footage"
FG_CLIP = "crema-d_1001_DFA_NEU_XX.flv"
PLATE_CLIP = "obama-weekly-address_a-bad-situation.mp4"
CLIPS = ["grid_pwij3p.mpg", "crema-d_1001_DFA_ANG_XX.flv", "obama-weekly-address_but-heres-the-thing.mp4"]


def emit(metric: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": round(float(value), 6), "unit": unit, **extra}), flush=True)


def decode(path: Path, n: int | None = None) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        out = []
        for f in c.decode(video=0):
            out.append(f.to_ndarray(format="rgb24"))
            if n is not None and len(out) >= n:
                break
    return out


def plate_image() -> np.ndarray:
    """A plate with nobody in it: the flag-and-bookshelf left third of frame 10 of the Obama take."""
    frame = decode(FOOTAGE / PLATE_CLIP, 11)[10].astype(np.float32) / 255.0
    return np.ascontiguousarray(frame[:, : frame.shape[1] // 3])


def reference_composites(n: int) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Composites C_t over a known plate P, with their exact alphas α* (see the module docstring)."""
    frames = decode(FOOTAGE / FG_CLIP, n)
    plate = estimate_plate(frames)
    heavy = MatteParams(subsample=1, radius=0.03).resolved(plate)
    alphas = [matte_frame(f.astype(np.float32) / 255.0, plate, heavy).alpha for f in frames]
    p = fit_plate(plate_image(), frames[0].shape[:2])
    comps = [
        (np.clip(composite(f.astype(np.float32) / 255.0, a, p), 0, 1) * 255).round().astype(np.uint8)
        for f, a in zip(frames, alphas, strict=True)
    ]
    return comps, alphas, (p * 255).round().astype(np.uint8)


def matte_all(frames: list[np.ndarray], matter: ShotMatter) -> list[np.ndarray]:
    return [matter.step(f.astype(np.float32) / 255.0) for f in frames]


def bench_reference(n: int, steps: int) -> None:
    comps, ref, p = reference_composites(n)
    size = f"{comps[0].shape[1]}x{comps[0].shape[0]}"
    given = plate_from_shot([p], comps[0].shape[:2])
    estimated = estimate_plate(comps)
    ctx = {
        "reference": f"{FG_CLIP} heavy matte composited over {PLATE_CLIP}@10 left 1/3",
        "frames": len(comps),
        "size": size,
    }
    runs: dict[str, list[np.ndarray]] = {
        "given_plate": matte_all(comps, ShotMatter(given, BackgroundParams())),
        "estimated_plate": matte_all(comps, ShotMatter(estimated, BackgroundParams())),
        "estimated_plate_no_stabilisation": matte_all(comps, ShotMatter(estimated, BackgroundParams(stabilise=0.0))),
    }
    # The per-shot refiner, trained on pseudo-labels from C itself (never on α*).
    params = BackgroundParams().resolved(estimated)
    idx = np.linspace(0, len(comps) - 1, 8).round().astype(int)
    fl = [comps[i].astype(np.float32) / 255.0 for i in idx]
    light = [matte_frame(f, estimated, params.matte) for f in fl]
    heavy = [matte_frame(f, estimated, params.pseudo_label_matte()) for f in fl]
    t0 = time.perf_counter()
    net, _ = train_refiner(
        fl, [m.p for m in light], [m.alpha for m in heavy], [m.unknown for m in light], RefinerConfig(steps=steps)
    )
    emit("refiner_training_time", time.perf_counter() - t0, "s", steps=steps, **ctx)
    runs["estimated_plate_refiner"] = matte_all(comps, ShotMatter(estimated, BackgroundParams(), net))
    # Peer: a hard difference key against the given plate.
    prm = MatteParams().resolved(given)
    assert prm.key_low is not None and prm.key_high is not None
    mid = (prm.key_low + prm.key_high) / 2
    pf = given.image
    runs["peer_hard_key_given_plate"] = [
        (np.sqrt(((f.astype(np.float32) / 255.0 - pf) ** 2).sum(-1)) > mid).astype(np.float32) for f in comps
    ]
    for name, est in runs.items():
        emit("matte_mad", mad(est, ref), "x1e3", run=name, **ctx)
        emit("matte_mse", mse(est, ref), "x1e3", run=name, **ctx)
        emit("matte_dtssd", dtssd(est, ref), "x1e2", run=name, **ctx)
    peer = mad(runs["peer_hard_key_given_plate"], ref)
    emit("matte_mad_ratio_vs_peer", mad(runs["given_plate"], ref) / peer, "ratio", run="given_plate", **ctx)


def edge_masks(alphas: list[np.ndarray]) -> list[np.ndarray]:
    k = np.ones((7, 7), np.uint8)
    return [cv2.dilate(((a > 0.02) & (a < 0.98)).astype(np.uint8), k) > 0 for a in alphas[:-1]]


def bench_temporal(n: int) -> None:
    new = plate_image()
    for clip in CLIPS:
        frames = decode(FOOTAGE / clip, n)
        bg = fit_plate(new, frames[0].shape[:2])
        plate = estimate_plate(frames)
        params = BackgroundParams().resolved(plate)
        probe = [frames[i].astype(np.float32) / 255.0 for i in np.linspace(0, len(frames) - 1, 6).astype(int)]
        regrade = Regrade.fit(probe, [ShotMatter(plate, params).raw(f) for f in probe], bg, params.regrade)
        matter = ShotMatter(plate, params)
        outs, alphas = [], []
        for f in frames:
            x = f.astype(np.float32) / 255.0
            a = matter.step(x)
            alphas.append(a)
            outs.append((np.clip(regraded_composite(x, a, bg, regrade), 0, 1) * 255).round().astype(np.uint8))
        src_flows, out_flows = source_flows(frames), source_flows(outs)
        edges = edge_masks(alphas)
        ctx = {"clip": clip, "frames": len(frames), "size": f"{frames[0].shape[1]}x{frames[0].shape[0]}"}
        e_src, e_out = warping_error(frames, src_flows), warping_error(outs, out_flows)
        emit("warping_error_source", e_src, "x1e3", flow="own", **ctx)
        emit("warping_error_result", e_out, "x1e3", flow="own", **ctx)
        emit("warping_error_ratio", e_out / e_src, "ratio", flow="own", target=1.1, **ctx)
        emit("warping_error_ratio", warping_error(outs, src_flows) / e_src, "ratio", flow="source", **ctx)
        e_src_edge = warping_error(frames, src_flows, edges)
        emit("warping_error_ratio", warping_error(outs, out_flows, edges) / e_src_edge, "ratio", flow="own-edge", **ctx)
        # The matte's own flicker (source flow) with and without stabilisation.
        still = ShotMatter(plate, params)
        raw = [still.raw(f.astype(np.float32) / 255.0) for f in frames]
        emit("matte_warping_error", warping_error([_to8(a) for a in raw], src_flows), "x1e3", run="raw", **ctx)
        emit(
            "matte_warping_error", warping_error([_to8(a) for a in alphas], src_flows), "x1e3", run="stabilised", **ctx
        )


def _to8(alpha: np.ndarray) -> np.ndarray:
    return np.repeat((alpha[..., None] * 255).round().astype(np.uint8), 3, 2)


def bench_speed(n: int) -> None:
    for clip, sizes in [(FG_CLIP, [None, (1920, 1080)]), (PLATE_CLIP, [None, (1920, 1080)])]:
        frames = decode(FOOTAGE / clip, n)
        for size in sizes:
            fr = frames if size is None else [cv2.resize(f, size, interpolation=cv2.INTER_CUBIC) for f in frames]
            plate = estimate_plate(fr)
            bg = fit_plate(decode(FOOTAGE / CLIPS[0], 1)[0].astype(np.float32) / 255.0, fr[0].shape[:2])
            matter = ShotMatter(plate, BackgroundParams())
            regrade = Regrade.fit(
                [fr[0].astype(np.float32) / 255.0], [matter.raw(fr[0].astype(np.float32) / 255.0)], bg, 0.3
            )
            t0, c0 = time.perf_counter(), time.process_time()
            for f in fr:
                x = f.astype(np.float32) / 255.0
                regraded_composite(x, matter.step(x), bg, regrade)
            per = (time.perf_counter() - t0) / len(fr)
            cpu = (time.process_time() - c0) / len(fr)
            res = f"{fr[0].shape[1]}x{fr[0].shape[0]}"
            emit("matte_composite_time_per_frame", per, "s", clip=clip, size=res, frames=len(fr))
            # CPU seconds of this process (all threads): steadier than wall time on a shared machine.
            emit("matte_composite_cpu_per_frame", cpu, "cpu-s", clip=clip, size=res, frames=len(fr))
    with tempfile.TemporaryDirectory() as d:
        src = FOOTAGE / CLIPS[0]
        t0 = time.perf_counter()
        result = replace_background(src, load_plate(FOOTAGE / PLATE_CLIP, frame=10), Path(d) / "out.mp4", end=n)
        wall = time.perf_counter() - t0
        emit(
            "edit_wall_time_per_edited_frame",
            wall / n,
            "s",
            clip=CLIPS[0],
            frames=n,
            note="includes plate estimation, decode+encode of the whole clip, metrics",
        )
        emit(
            "edit_warping_error_ratio",
            result.metrics.get("warping_error_ratio", float("nan")),
            "ratio",
            clip=CLIPS[0],
            frames=n,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few frames, few steps (smoke run)")
    ap.add_argument("--only", choices=["reference", "temporal", "speed"], help="run one part")
    args = ap.parse_args()
    n = 12 if args.quick else 60
    cv2.setNumThreads(2)
    emit("config", 0, "-", frames=n, note="2 CPU cores shared with other work; timings under contention")
    if args.only in (None, "reference"):
        bench_reference(n, 30 if args.quick else 300)
    if args.only in (None, "temporal"):
        bench_temporal(n)
    if args.only in (None, "speed"):
        bench_speed(8 if args.quick else 20)


if __name__ == "__main__":
    main()
