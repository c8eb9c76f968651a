"""Bench: eyeline (gaze redirection) on the shared footage, one JSON line per metric.

Per performer with more than one take: train the eyeline model on the first take; on a held-out take, the
iris warp (``method: new``, ``editor.eyeline.iris``) and the warp network before it (``net_v1``,
``bench/_peers/eyeline_net_v1.py``, trained in the same run on the same observed frames, ``--steps``), on the
left eye's patches:
1. ``eyeline_real_frame_error``: for pairs of held-out frames (a, b) whose estimated gazes differ, warp a's eye
   patch by the gaze difference and compare with b's real patch (mean absolute error, 0–1 RGB), next to the error
   of leaving a unchanged (the ratio < 1 means the warp moves the eye towards the real look). The gaze estimates
   on small eyes are noisy, so this is a weak test of either;
2. ``eyeline_response``: each frame's patch warped for a request of 2°, 4° and −4°; what moved, read twice: by
   the eye model (``gaze_of``: the same estimator that labels the network's training pairs; its argmin can jump to
   another dark blob) and by finding the source's iris disc again in the output (``iris_moved``, template matching,
   as the edit's own metric now reads it), against the request in patch pixels (``degrees_to_px``: eyeball radius
   12 mm, corner to corner 28 mm);
3. ``eyeline_edit``: a full edit of the take's first 48 frames (new only): the achieved shift by the edit's own
   metric and the warping error (Lai et al.) of the eye region against the source's. With ``--variants`` (e.g.
   ``shared,mirror,crop,prores10``, ``bench/_heldout.py``), only this, on each held-out version of the test take.

With ``--readback``, instead: the signed achieved shift's read-back (``editor.eyeline.readback``, ``method: new``)
and the one before it (``bench/_peers/readback_v1.py``, ``method: v1``), in the same run, on the held-out take and
its held-out versions (``--variants``). ``eyeline_readback``: each of the first 16 frames moved whole by a known
±0.5 and ±1 patch px (bilinear, at the frame's own pixels, then 8-bit), both eyes read back; ``bias_px`` is the
mean of the + and − readings (0 when a look either way reads the same). ``eyeline_edit_readback``: the edit at
+4° and −4° over the first 48 frames, its output read back by both on every frame (``warp: limbus``); and the
edit with the warp before stop 48 (``warp: disc_v1``, ``bench/_peers/iris_disc_v1.py``: only the iris's found disc
moved whole), read back by the new read-back.

With ``--catchlight``, instead: the edit at ±8° (or the model's range) over the first 48 frames of the held-out take
and its ``--variants``, today's (``method: new``: the catchlight moves ``catchlight.SHARE`` of the iris's way, one
warp), stop 48's (``split_v2``: split off and moved apart) and the one before (``method: v1``,
``bench/_peers/catchlight_v1.py``: the whole way), in the same run.
``eyeline_catchlight``: on the settled frames whose source eye shows a catchlight (a white top-hat above twice
``catchlight.LIFT`` inside the iris's disc), the catchlight's displacement over the
iris's (``readback``), both eyes; ``ratio_median`` is 0.475 when it moves the cornea's share. The catchlight's
place is the peak of its smoothed top-hat, to a fraction of a pixel; in the output, the peak nearest where it was,
within the iris's displacement and 1.5 px (until stop 51: the brightest around the moved iris, which on an eye
with two catchlights could be the other one).

With ``--catchlight-flicker``, instead (stop 51): the edit at 4° (or the model's range) over the first 48 frames of
the held-out take and its ``--variants``, in the same run: today's (``method: new``: one warp, the flow held back
where the catchlights go), stop 48's (``split_v2``, ``bench/_peers/catchlight_split_v2.py``: the catchlight split
off, the eye filled in under it, the two warped apart) with the catchlight moved ``SHARE``, 0.75 and 0 of the
iris's way (``share``), and the catchlight moved with the iris (``v1``, as ``--catchlight``).
``eyeline_catchlight_flicker``: the edit's own warping-error ratio of the eye region and its signed achieved shift.

With ``--blinks``, instead: on the held-out take and its ``--variants``, the first 150 frames (6 s at 25 fps).
``eyeline_openness``: each frame's openness (``blink``: the white beside each iris against the iris, ÷ the shot's
median over the face's detection frames, the lower eye's), its percentiles, and the frames read as closing (under
``blink.OPEN``) and shut (the hold under 0.5). ``eyeline_blink_edit``: the edit at 4° (or the model's range) over
those frames, today's (``method: new``) and without the hold (``method: v1``, ``bench/_peers/blinks_v1.py``), in
the same run: the mean absolute change (0–255) in both eye patches on the frames held back and on the others.

With ``--rates``, instead: the held-out take as shared and at other frame rates (``bench/_heldout.py``: ``rate2x``
at twice its rate, ``rate24`` conformed to 23.976), each edited over its first second with the timing in seconds
(``editor.eyeline.timing``, ``method: new``) and counted in frames (the code before, ``bench/_peers/
eyeline_frames_v1.py``, ``method: frames``), in the same run. ``eyeline_ease``: the achieved horizontal shift
(as the edit's metric reads it, ``measure.achieved_shift``) on every frame; ``ease_s`` is the time from the range's
start to the first frame reaching 90 % of the achieved shift's median over the second half of the range (one
frame's time is the reading's step); ``warping_error_ratio`` the edit's own temporal-stability metric.

Run: ``python bench/eyeline.py [--footage /work/shared/footage] [--steps 400] [--samples 32] [--rates]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the repo's packages, not this folder's same-named scripts (bench/ledger.py)
sys.path.insert(1, str(REPO / "bench"))  # the bench's helpers (_heldout, _peers), after the repo's packages

from _heldout import RATE_VARIANTS, make_variant  # noqa: E402
from _peers import (  # noqa: E402
    blinks_v1,
    catchlight_split_v2,
    catchlight_v1,
    eyeline_frames_v1,
    eyeline_net_v1,
    iris_disc_v1,
    readback_v1,
)

from editor.cast import track_faces  # noqa: E402
from editor.dailies import content_hash  # noqa: E402
from editor.eyeline import EyelineConfig, EyelineModel, redirect_gaze, train_eyeline  # noqa: E402
from editor.eyeline._data import eye_samples, find_performer, observe  # noqa: E402
from editor.eyeline._eyes import PATCH_W, cut_patch, degrees_to_px, gaze_of, iris_centre, px_to_degrees  # noqa: E402
from editor.eyeline.blink import OPEN, hold, sclera_contrast  # noqa: E402
from editor.eyeline.catchlight import LIFT, SHARE  # noqa: E402
from editor.eyeline.edit import _boxes, _open_eyes  # noqa: E402
from editor.eyeline.iris import IRIS_RADIUS  # noqa: E402
from editor.eyeline.measure import achieved_shift  # noqa: E402
from editor.eyeline.model import _gazes, moved  # noqa: E402
from editor.eyeline.readback import iris_moved  # noqa: E402
from editor.eyeline.timing import Timing  # noqa: E402
from media import MediaInfo, iter_frames, probe  # noqa: E402

PEOPLE = {
    "grid": ["grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"],
    "actor1001": ["crema-d_1001_DFA_NEU_XX.flv", "crema-d_1001_DFA_ANG_XX.flv"],
    "obama": ["obama-weekly-address_a-bad-situation.mp4", "obama-weekly-address_very-real-challenges.mp4"],
}


def emit(**kv: object) -> None:
    print(json.dumps(kv, sort_keys=True), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--footage", type=Path, default=Path("/work/shared/footage"))
    ap.add_argument("--steps", type=int, default=400, help="the network peer's training steps")
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--shift", type=float, default=4.0)
    ap.add_argument("--people", default=",".join(PEOPLE))
    ap.add_argument("--rates", action="store_true", help="the ease at other frame rates (module docstring)")
    ap.add_argument("--readback", action="store_true", help="the achieved shift's read-back, new and v1")
    ap.add_argument("--catchlight", action="store_true", help="where the catchlight goes, new, split_v2 and v1")
    ap.add_argument("--catchlight-flicker", action="store_true", help="eye flicker: new, split_v2 at 3 shares, v1")
    ap.add_argument("--blinks", action="store_true", help="the look held back through blinks, new and v1")
    ap.add_argument("--variants", default=None, help="only the edit (3.), on these held-out versions of the test take")
    args = ap.parse_args()
    for person in args.people.split(","):
        train_take, test_take = PEOPLE[person]
        t0 = time.perf_counter()
        trained = train_eyeline([probe(args.footage / train_take)], person, config=EyelineConfig(samples=args.samples))
        emit(metric="eyeline_train", person=person, seconds=round(time.perf_counter() - t0, 1), note="2 shared cores",
             **{k: v for k, v in trained.metrics.items() if k != "train_seconds"})  # fmt: skip
        model = trained.model
        if args.rates:
            ease_at_rates(model, person, args.footage / test_take, args.shift)
            continue
        if args.catchlight_flicker:
            for variant in (args.variants or "shared").split(","):
                take = args.footage / test_take
                catchlight_flicker(model, person, take if variant == "shared" else make_variant(take, variant), variant,
                                   args.shift)  # fmt: skip
            continue
        if args.readback or args.catchlight or args.blinks:
            for variant in (args.variants or "shared").split(","):
                take = args.footage / test_take
                take = take if variant == "shared" else make_variant(take, variant)
                if args.readback:
                    readback(model, person, take, variant, args.shift)
                elif args.blinks:
                    blinks(model, person, take, variant, args.shift)
                else:
                    catchlights(model, person, take, variant)
            continue
        info = probe(args.footage / test_take)
        if args.variants is None:
            against_the_network(model, person, args.footage / train_take, info, args)
        for variant in args.variants.split(",") if args.variants else ["shared"]:
            src = info.path if variant == "shared" else make_variant(info.path, variant)
            with tempfile.TemporaryDirectory() as tmp:
                s = min(args.shift, model.shift_range[0])
                t1 = time.perf_counter()
                out = Path(tmp) / ("out.mov" if src.suffix == ".mov" else "out.mp4")
                result = redirect_gaze(src, out, model, (s, 0.0), performer=person,
                                       end=min(probe(src).frame_count, 48))  # fmt: skip
                emit(metric="eyeline_edit", person=person, take=test_take, variant=variant, shift_deg=[s, 0.0],
                     seconds=round(time.perf_counter() - t1, 1), region=result.region.as_json(),
                     **result.metrics)  # fmt: skip


def against_the_network(model: EyelineModel, person: str, train_take: Path, info: MediaInfo, args: Any) -> None:
    """The iris warp (``new``) and the network before it (``net_v1``, trained in this run on the same observed
    frames), on the held-out take's left-eye patches: error against real frames, and the response to requests."""
    train_info = probe(train_take)
    seen = eye_samples(content_hash(train_take), observe(train_info, person, None, samples=args.samples),
                       model.geometry)  # fmt: skip
    cut = max(1, round(len(seen) * 0.8))  # the frames the model's range was learnt from
    idx = list(range(cut))
    pairs = np.array([(a, b) for a in idx for b in idx if a != b])
    t0 = time.perf_counter()
    net = eyeline_net_v1.train_net(np.stack([x.patches for x in seen]), _gazes(seen), pairs, steps=args.steps)
    emit(metric="eyeline_train", person=person, method="net_v1", steps=args.steps,
         seconds=round(time.perf_counter() - t0, 1))  # fmt: skip
    samples = eye_samples(info.path.name, observe(info, person, None, samples=args.samples), model.geometry)
    gazes = _gazes(samples)
    pairs = np.array([(a, b) for a in range(len(samples)) for b in range(len(samples)) if a != b])
    delta = gazes[pairs[:, 1]] - gazes[pairs[:, 0]]
    ok = (np.abs(delta[:, 0]) <= model.shift_range[0]) & (np.abs(delta[:, 1]) <= model.shift_range[1])
    ok &= np.abs(delta).max(1) >= 1.0
    pairs, delta = pairs[ok], delta[ok]
    methods: dict[str, Callable[[np.ndarray, tuple[float, float]], np.ndarray]] = {
        "new": moved, "net_v1": lambda p, d: eyeline_net_v1.moved(net, p, d)}  # fmt: skip
    none = [float(np.abs(samples[a].patches[0] - samples[b].patches[0]).mean()) for a, b in pairs]
    for method, move in methods.items():
        err = [float(np.abs(move(samples[a].patches[0], (float(d[0]), float(d[1]))) - samples[b].patches[0]).mean())
               for (a, b), d in zip(pairs, delta, strict=True)]  # fmt: skip
        emit(metric="eyeline_real_frame_error", person=person, method=method, take=info.path.name, pairs=len(pairs),
             mae_model=round(float(np.mean(err)), 5), mae_unchanged=round(float(np.mean(none)), 5),
             ratio=round(float(np.mean(err) / np.mean(none)), 4) if len(err) else None)  # fmt: skip
        for request in (2.0, 4.0, -4.0):
            got_deg, got_px = [], []
            for x in samples:
                src = x.patches[0]
                out = move(src, (request, 0.0))
                got_deg.append(gaze_of(out)[0] - gaze_of(src)[0])
                got_px.append(iris_moved(src, out)[0])
            emit(metric="eyeline_response", person=person, method=method, take=info.path.name, frames=len(samples),
                 request_deg=request, request_px=round(degrees_to_px(request, PATCH_W), 3),
                 gaze_of_deg_median=round(float(np.median(got_deg)), 3),
                 iris_moved_px_median=round(float(np.median(got_px)), 3),
                 iris_moved_px_p10_p90=[round(float(v), 3) for v in np.percentile(got_px, [10, 90])])  # fmt: skip


def achieved_x(model: EyelineModel, person: str, src: Path, out: Path, end: int) -> np.ndarray:
    """The achieved horizontal shift (degrees) on frames 0..end, read as the edit's metric reads it
    (``measure.achieved_shift``: each eye's iris found again in the output)."""
    info = probe(src)
    tracks, _ = track_faces(info, start=0, end=end, samples=max(2, end // 4 + 1))
    boxes = find_performer(tracks, person, None, src.name).canonical_boxes(range(end))
    shots = [[np.asarray(f) for _, f in iter_frames(probe(p), end=end, fmt="rgb24")] for p in (src, out)]
    face = [tuple(float(v) for v in boxes[k]) for k in range(end)]
    return np.array([achieved_shift(model, face[k], shots[0][k], shots[1][k])[0] for k in range(end)])


READERS = {"new": iris_moved, "v1": readback_v1.iris_moved}


def _read(reader: Callable[..., tuple[float, float]], model: EyelineModel, face: tuple[float, ...],
          src: np.ndarray, out: np.ndarray) -> list[float]:  # fmt: skip
    """Both eyes' horizontal displacement (patch px) from ``src`` to ``out`` (8-bit frames) by ``reader``."""
    got = []
    for box in model.geometry.patch_boxes(face):  # type: ignore[arg-type]
        a, b = (cut_patch(f.astype(np.float32) / 255.0, box) for f in (src, out))
        got.append(reader(a, b)[0])
    return got


def _first_frames(person: str, src: Path, most: int) -> tuple[int, list[tuple[float, ...]], list[np.ndarray]]:
    """The take's first ``most`` frames (or all): how many, the performer's face box on each, the RGB frames."""
    info = probe(src)
    end = min(info.frame_count, most)
    tracks, _ = track_faces(info, start=0, end=end, samples=max(2, end // 4 + 1))
    boxes = find_performer(tracks, person, None, src.name).canonical_boxes(range(end))
    return end, [tuple(float(v) for v in boxes[k]) for k in range(end)], [
        np.asarray(f) for _, f in iter_frames(info, end=end, fmt="rgb24")]  # fmt: skip


def _edited(model: EyelineModel, person: str, src: Path, shift: float, end: int,
            peer: Any = None) -> tuple[Any, list[np.ndarray]]:  # fmt: skip
    """The edit of ``src``'s frames 0..end at ``shift``° (horizontal), inside ``peer`` (a context manager that puts an
    older method in place) when given: its result and its output's frames."""
    with tempfile.TemporaryDirectory() as tmp, peer if peer is not None else nullcontext():
        out_path = Path(tmp) / ("out.mov" if src.suffix == ".mov" else "out.mp4")
        result = redirect_gaze(src, out_path, model, (shift, 0.0), performer=person, end=end)
        return result, [np.asarray(f) for _, f in iter_frames(probe(out_path), end=end, fmt="rgb24")]


def readback(model: EyelineModel, person: str, src: Path, variant: str, shift: float) -> None:
    """``--readback``: known moves and the edit's ±shift, read back by the new read-back and v1 (docstring)."""
    import cv2

    end, face, frames = _first_frames(person, src, 48)
    for amount in (0.5, 1.0):
        got: dict[tuple[str, int], list[float]] = {}
        for k in range(min(16, end)):
            ys, xs = np.mgrid[0 : frames[k].shape[0], 0 : frames[k].shape[1]].astype(np.float32)
            for sign in (1, -1):
                for box in model.geometry.patch_boxes(face[k]):
                    step = np.float32(sign * amount * box[2] / PATCH_W)  # patch px at the frame's own scale
                    moved_frame = cv2.remap(frames[k].astype(np.float32), xs - step, ys, cv2.INTER_LINEAR,
                                            borderMode=cv2.BORDER_REFLECT)  # fmt: skip
                    out = np.clip(np.rint(moved_frame), 0, 255).astype(np.uint8)
                    for method, reader in READERS.items():
                        a, b = (cut_patch(f.astype(np.float32) / 255.0, box) for f in (frames[k], out))
                        got.setdefault((method, sign), []).append(reader(a, b)[0])
        for method in READERS:
            plus, minus = np.array(got[(method, 1)]), np.array(got[(method, -1)])
            emit(metric="eyeline_readback", person=person, variant=variant, method=method, moved_px=amount,
                 readings=len(plus), plus_median=round(float(np.median(plus)), 3),
                 minus_median=round(float(np.median(minus)), 3),
                 bias_px=round(float(np.mean(plus + minus) / 2), 3),
                 spread_px=round(float(np.std(np.concatenate([plus - amount, minus + amount]))), 3))  # fmt: skip
    s = min(shift, model.shift_range[0])
    for warp in ("limbus", "disc_v1"):
        for sign in (1, -1):
            peer = iris_disc_v1.found_disc() if warp == "disc_v1" else None
            result, edited = _edited(model, person, src, sign * s, end, peer)
            settled = range(result.parameters["ramp_frames"], end - result.parameters["ramp_frames"])
            for method, reader in READERS.items() if warp == "limbus" else [("new", iris_moved)]:
                deg = [px_to_degrees(float(np.mean(_read(reader, model, face[k], frames[k], edited[k]))), PATCH_W)
                       for k in settled]  # fmt: skip
                emit(metric="eyeline_edit_readback", person=person, variant=variant, method=method, warp=warp,
                     requested_deg=sign * s, frames=len(deg), achieved_median_deg=round(float(np.median(deg)), 3),
                     achieved_mean_deg=round(float(np.mean(deg)), 3),
                     edit_metric_deg=result.metrics.get("gaze_shift_achieved_x_deg"),
                     edit_metric_requested_deg=result.metrics.get("gaze_shift_requested_x_deg"))  # fmt: skip


def _catchlight_x(patch: np.ndarray, centre: tuple[float, float], radius: float, nearest: bool = False,
                  rows: bool = False) -> tuple[float, float] | None:  # fmt: skip
    """The x (and row) of the catchlight's peak within ``radius`` of ``centre`` (the white top-hat, smoothed by
    σ = 1 px, its maximum refined by a parabola through its neighbours): the brightest, or with ``nearest`` the
    local peak nearest ``centre``. None when there is none (a top-hat under 2 ``LIFT``). With ``rows`` the row is
    refined the same way (``bench/eyeline_lids.py``: a look up or down), else it is the peak's whole row."""
    import cv2

    grey = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    size = max(3, 2 * round(IRIS_RADIUS * PATCH_W / 2) + 1)
    hat = cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    ys, xs = np.mgrid[0 : patch.shape[0], 0 : patch.shape[1]]
    away = np.hypot(xs - centre[0], ys - centre[1])
    inside = away <= radius
    if (hat * inside).max() < 2 * LIFT:
        return None
    smooth = cv2.GaussianBlur(hat, (0, 0), 1.0)
    if nearest:
        peaks = inside & (smooth >= cv2.dilate(smooth, np.ones((3, 3), np.uint8))) & (hat >= LIFT)
        if not peaks.any():
            return None
        y, x = np.unravel_index(int(np.argmin(np.where(peaks, away, np.inf))), smooth.shape)
    else:
        y, x = np.unravel_index(int(np.argmax(np.where(inside, smooth, -1.0))), smooth.shape)
    return _refined(smooth[y, :], int(x)), _refined(smooth[:, x], int(y)) if rows else float(y)


def _refined(line: np.ndarray, at: int) -> float:
    """``at``, a maximum of ``line``, refined by a parabola through its neighbours."""
    if not 0 < at < len(line) - 1:
        return float(at)
    left, mid, right = line[at - 1], line[at], line[at + 1]
    bend = left - 2 * mid + right
    return float(at + (0.5 * (left - right) / bend if bend < 0 else 0.0))


def catchlights(model: EyelineModel, person: str, src: Path, variant: str) -> None:
    """``--catchlight``: the catchlight's displacement over the iris's, new and v1 (docstring)."""
    end, face, frames = _first_frames(person, src, 48)
    s = min(8.0, model.shift_range[0])
    r = 0.8 * IRIS_RADIUS * PATCH_W  # where the catchlight is read, as in stop 48
    for method in ("new", "split_v2", "v1"):
        for sign in (1, -1):
            peer = {"new": None, "split_v2": catchlight_split_v2.split_and_fill(),
                    "v1": catchlight_v1.with_the_iris()}[method]  # fmt: skip
            result, edited = _edited(model, person, src, sign * s, end, peer)
            ramp = result.parameters["ramp_frames"]
            ratios, seen = [], 0
            for k in range(ramp, end - ramp):
                for box in model.geometry.patch_boxes(face[k]):  # type: ignore[arg-type]
                    a, b = (cut_patch(f.astype(np.float32) / 255.0, box) for f in (frames[k], edited[k]))
                    centre = iris_centre(a)
                    before = _catchlight_x(a, centre, r)
                    if before is None:
                        continue
                    seen += 1
                    iris = iris_moved(a, b)
                    # the same catchlight: the peak nearest where it was, within the iris's move and 1.5 px (Obama's
                    # two lie 5-6 px apart and nearly as bright, so the brightest may be the other one)
                    after = _catchlight_x(b, (before[0], before[1]), abs(iris[0]) + 1.5, nearest=True)
                    if after is not None and abs(iris[0]) > 0.25:
                        ratios.append((after[0] - before[0]) / iris[0])
            emit(metric="eyeline_catchlight", person=person, variant=variant, method=method, shift_deg=sign * s,
                 eyes_with_catchlight=seen, eyes_read=len(ratios),
                 ratio_median=round(float(np.median(ratios)), 3) if ratios else None,
                 ratio_p25_p75=[round(float(v), 3) for v in np.percentile(ratios, [25, 75])] if ratios else None,
                 expected=1.0 if method == "v1" else round(SHARE, 3))  # fmt: skip


def catchlight_flicker(model: EyelineModel, person: str, src: Path, variant: str, shift: float) -> None:
    """``--catchlight-flicker``: the eye region's warping error, new, split_v2 and v1 (docstring)."""
    s = min(shift, model.shift_range[0])
    end = min(probe(src).frame_count, 48)
    runs: list[tuple[str, float, Any]] = [("new", SHARE, None), ("v1", 1.0, catchlight_v1.with_the_iris())]
    runs += [("split_v2", share, catchlight_split_v2.split_and_fill(share)) for share in (SHARE, 0.75, 0.0)]
    for method, share, peer in runs:
        result, _ = _edited(model, person, src, s, end, peer)
        emit(metric="eyeline_catchlight_flicker", person=person, variant=variant, method=method,
             share=round(share, 3), shift_deg=s, frames=end,
             warping_error_ratio=result.metrics.get("eye_warping_error_ratio"),
             achieved_x_deg=result.metrics.get("gaze_shift_achieved_x_deg"),
             requested_x_deg=result.metrics.get("gaze_shift_requested_x_deg"))  # fmt: skip


def blinks(model: EyelineModel, person: str, src: Path, variant: str, shift: float) -> None:
    """``--blinks``: the openness over the take, and the edit through its blinks, new and v1 (docstring)."""
    info = probe(src)
    end = min(info.frame_count, 150)
    tracks, _ = track_faces(info, start=0, end=end, samples=max(2, end // 4 + 1))
    track = find_performer(tracks, person, None, src.name)
    boxes = _boxes(track, range(end), Timing.at(info.frame_rate).box_sigma)  # as the edit smooths them
    face = [tuple(float(v) for v in boxes[k]) for k in range(end)]
    frames = [np.asarray(f) for _, f in iter_frames(info, end=end, fmt="rgb24")]
    contrasts = np.array(
        [
            [
                sclera_contrast(cut_patch(frames[k].astype(np.float32) / 255.0, box))
                for box in model.geometry.patch_boxes(face[k])
            ]
            for k in range(end)
        ]
    )  # type: ignore[arg-type]
    ref, _ = _open_eyes(info, model, track, boxes, 0)  # the edit's own reading of the shot's open eyes
    if ref is None:
        emit(metric="eyeline_openness", person=person, variant=variant, frames=end, reference=None)
        return
    openness = np.minimum(contrasts[:, 0] / ref[0], contrasts[:, 1] / ref[1])  # the lower eye's, as ``blink.hold``
    held = np.array([hold((float(c[0]), float(c[1])), ref) for c in contrasts])
    emit(metric="eyeline_openness", person=person, variant=variant, frames=end,
         reference=[round(v, 4) for v in ref],
         openness_p5_p50_p95=[round(float(v), 3) for v in np.percentile(openness, [5, 50, 95])],
         closing_frames=[int(k) for k in np.nonzero(openness < OPEN)[0]],
         shut_frames=[int(k) for k in np.nonzero(held < 0.5)[0]],
         openness_on_shut=[round(float(v), 3) for v in openness[held < 0.5]])  # fmt: skip
    s = min(shift, model.shift_range[0])
    for method in ("new", "v1"):
        result, edited = _edited(model, person, src, s, end, blinks_v1.without_holding() if method == "v1" else None)
        change = np.array([np.mean([np.abs(cut_patch(edited[k].astype(np.float32), box)
                                           - cut_patch(frames[k].astype(np.float32), box)).mean()
                                    for box in model.geometry.patch_boxes(face[k])])  # type: ignore[arg-type]
                           for k in range(end)])  # fmt: skip
        shut = held < 0.5
        emit(metric="eyeline_blink_edit", person=person, variant=variant, method=method, shift_deg=s,
             frames_held=int(shut.sum()), frames_held_signed=result.metrics.get("frames_held_for_blinks"),
             change_on_held=round(float(change[shut].mean()), 3) if shut.any() else None,
             change_on_open=round(float(change[~shut].mean()), 3),
             achieved_x_deg=result.metrics.get("gaze_shift_achieved_x_deg"),
             requested_x_deg=result.metrics.get("gaze_shift_requested_x_deg"))  # fmt: skip


def ease_at_rates(model: EyelineModel, person: str, take: Path, shift: float) -> None:
    """``--rates``: the ease in seconds on the take at its own and at other rates, new and frame-counted timing."""
    s = min(shift, model.shift_range[0])
    for variant in ("shared", *RATE_VARIANTS):
        src = take if variant == "shared" else make_variant(take, variant)
        info = probe(src)
        end = min(info.frame_count, round(float(info.frame_rate)))  # the first second
        for method in ("new", "frames"):
            with tempfile.TemporaryDirectory() as tmp:
                with eyeline_frames_v1.timing() if method == "frames" else nullcontext():
                    result = redirect_gaze(src, Path(tmp) / "out.mov", model, (s, 0.0), performer=person, end=end)
                got = achieved_x(model, person, src, result.output.path, end)
            plateau = float(np.median(got[end // 2 :]))
            reached = np.nonzero(got >= 0.9 * plateau)[0] if plateau > 0 else np.array([], int)
            emit(metric="eyeline_ease", person=person, variant=variant, method=method,
                 fps=round(float(info.frame_rate), 3), frames=end, shift_deg=s,
                 ramp_frames=result.parameters["ramp_frames"],
                 ease_s=round(float(reached[0] + 1) / float(info.frame_rate), 4) if len(reached) else None,
                 plateau_deg=round(plateau, 3), first_frames_deg=[round(float(v), 3) for v in got[:8]],
                 warping_error_ratio=result.metrics.get("eye_warping_error_ratio"))  # fmt: skip


if __name__ == "__main__":
    main()
