"""Bench: the lids following a vertical look (``editor.eyeline.lids``, issue 18, stop 52), one JSON line per metric.

Per performer (``bench/eyeline.py``'s takes: the model learnt on one take, tested on another) and held-out version
of the test take (``--variants``, ``bench/_heldout.py``): the eyeline edit at ± the vertical look (``--shift``, or
the model's vertical range where smaller) over the first 48 frames, this code (``method: new``) and the warp before
(``method: v1``, ``bench/_peers/lids_static_v1.py``: the lids do not follow), in the same run.

- ``eyeline_lids``: on the settled frames (ease excluded) whose eyes are open (the edit's blink hold ≥ 0.5), per
  eye: the iris's vertical displacement, read back as the edit reads it (``readback.iris_moved``), and the upper
  and lower lids' beside the iris: bands of columns 1.3–2.3 iris radii either side of the iris's centre (inside the
  corners), rows 0.3–2 radii above (upper) or below (lower) the shot's iris row; each band's mean column profile
  (grey, blurred by 1 px) in the output matched to the source's moved by ``s`` (cubic, ``s`` on a 0.01 px grid
  within ±4 px). ``upper_ratio`` and ``lower_ratio`` are the medians of a band's move ÷ the iris's. ``expected_*``:
  the same measure of the source patch warped in memory by this code's flow for the iris's read move (no codec, no
  blend into the frame): what the lids' model (``lids.UPPER``, ``lids.LOWER``, the cosine arch) gives there. The
  lids before moved only as far as the iris's falloff dragged them.
- ``catchlight_ratio`` (same lines): on the eyes that show a catchlight (``bench/eyeline.py``'s ``--catchlight``
  reading, its row refined as its column is), its vertical move ÷ the iris's; the cornea's share
  (``catchlight.SHARE``) expected, with the lids following or not.
- ``eyeline_lids_edit``: the edit's own signed metrics: the achieved vertical shift against the requested, and the
  eye region's warping error ÷ the source's (flicker).

Run: ``PYTHONPATH=. python bench/eyeline_lids.py [--variants shared,crop,prores10,closeup,mirror] [--shift 6]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "bench"))

from _heldout import make_variant  # noqa: E402
from _peers.lids_static_v1 import lids_static  # noqa: E402
from eyeline import PEOPLE, _catchlight_x, _first_frames  # noqa: E402

from editor.eyeline import EyelineConfig, EyelineModel, redirect_gaze, train_eyeline  # noqa: E402
from editor.eyeline._eyes import CORNER_SPREAD, PATCH_H, PATCH_W, cut_patch, iris_centre, px_to_degrees  # noqa: E402
from editor.eyeline.catchlight import SHARE  # noqa: E402
from editor.eyeline.iris import IRIS_RADIUS, LIMBUS, iris_field  # noqa: E402
from editor.eyeline.readback import iris_moved  # noqa: E402
from media import iter_frames, probe  # noqa: E402

R = LIMBUS * PATCH_W  # the iris's radius, patch px


def emit(**kv: object) -> None:
    print(json.dumps(kv, sort_keys=True), flush=True)


def _grey(patch: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(cv2.cvtColor(np.ascontiguousarray(patch, np.float32), cv2.COLOR_RGB2GRAY), (0, 0), 1.0)


def _bands(cx: float, row: float, above: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two bands (rows, columns) beside the iris, above or below the shot's iris row."""
    ys = np.arange(PATCH_H)
    rows = ys[(ys >= row - 2 * R) & (ys <= row - 0.3 * R)] if above else ys[(ys >= row + 0.3 * R) & (ys <= row + 2 * R)]
    xs = np.arange(PATCH_W)
    inside = np.abs(xs - (PATCH_W - 1) / 2) < CORNER_SPREAD * PATCH_W / 2
    out = []
    for side in (-1, 1):
        d = side * (xs - cx)
        cols = xs[(d >= 1.3 * R) & (d <= 2.3 * R) & inside]
        if len(rows) >= 4 and len(cols) >= 2:
            out.append((rows, cols))
    return out


def _band_moved(src: np.ndarray, out: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    """How far a band's mean column profile moved down from ``src`` to ``out`` (patch px)."""
    from scipy.interpolate import CubicSpline

    a, b = src[:, cols].mean(1), out[:, cols].mean(1)
    spline = CubicSpline(np.arange(PATCH_H), a)
    shifts = np.arange(-4.0, 4.0001, 0.01)
    cost = [float(((b[rows] - spline(np.clip(rows - s, 0, PATCH_H - 1))) ** 2).sum()) for s in shifts]
    return float(shifts[int(np.argmin(cost))])


def _ideal(patch: np.ndarray, dy_px: float, anchor: float) -> np.ndarray:
    """The source patch warped in memory by this code's flow for an iris moved ``dy_px`` down (no codec, no blend):
    what the band measure reads where the lids follow exactly as the model says."""
    import cv2

    field = iris_field(patch, (0.0, px_to_degrees(dy_px, PATCH_W)), lids_at=anchor)
    ys, xs = np.mgrid[0:PATCH_H, 0:PATCH_W].astype(np.float32)
    return cv2.remap(patch, xs + field[..., 0], ys + field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def lids(model: EyelineModel, person: str, src: Path, variant: str, shift: float) -> None:
    end, face, frames = _first_frames(person, src, 48)
    dy = min(shift, model.shift_range[1])
    for sign in (1, -1):
        for method, peer in (("new", None), ("v1", lids_static())):
            with tempfile.TemporaryDirectory() as tmp, peer if peer is not None else nullcontext():
                out_path = Path(tmp) / ("out.mov" if src.suffix == ".mov" else "out.mp4")
                result = redirect_gaze(src, out_path, model, (0.0, sign * dy), performer=person, end=end)
                edited = [np.asarray(f) for _, f in iter_frames(probe(out_path), end=end, fmt="rgb24")]
            ramp = result.parameters["ramp_frames"]
            anchors = result.parameters["lids_follow"]["anchor_rows"]
            ratios: dict[str, list[float]] = {"upper": [], "lower": []}
            expected: dict[str, list[float]] = {"upper": [], "lower": []}
            iris_dy, lights = [], []
            for k in range(ramp, end - ramp):
                for e, box in enumerate(model.geometry.patch_boxes(face[k])):  # type: ignore[arg-type]
                    a, b = (cut_patch(f.astype(np.float32) / 255.0, box) for f in (frames[k], edited[k]))
                    moved = iris_moved(a, b)
                    if abs(moved[1]) < 0.25:  # a blink held back, or nothing read
                        continue
                    iris_dy.append(moved[1])
                    before = _catchlight_x(a, iris_centre(a), 0.8 * IRIS_RADIUS * PATCH_W, rows=True)
                    if before is not None:  # the same catchlight: the peak nearest where it was
                        after = _catchlight_x(b, before, abs(moved[1]) + 1.5, nearest=True, rows=True)
                        if after is not None:
                            lights.append((after[1] - before[1]) / moved[1])
                    ga, gb, gi = _grey(a), _grey(b), _grey(_ideal(a, moved[1], anchors[e]))
                    cx = float(np.clip(np.argmin(ga.mean(0)[8:-8]) + 8, 0, PATCH_W - 1))
                    for part, above in (("upper", True), ("lower", False)):
                        bands = _bands(cx, anchors[e], above)
                        if not bands:
                            continue
                        got = np.mean([_band_moved(ga, gb, r, c) for r, c in bands])
                        ideal = np.mean([_band_moved(ga, gi, r, c) for r, c in bands])
                        ratios[part].append(float(got / moved[1]))
                        expected[part].append(float(ideal / moved[1]))
            line: dict[str, object] = {"eyes_read": len(iris_dy), "catchlights_read": len(lights)}
            line["catchlight_ratio"] = round(float(np.median(lights)), 3) if lights else None
            line["catchlight_expected"] = round(SHARE, 3)
            line["iris_dy_px_median"] = round(float(np.median(iris_dy)), 3) if iris_dy else None
            for p in ("upper", "lower"):
                v = ratios[p]
                line[f"{p}_ratio"] = round(float(np.median(v)), 3) if v else None
                line[f"{p}_ratio_p25_p75"] = [round(float(x), 3) for x in np.percentile(v, [25, 75])] if v else None
                line[f"expected_{p}"] = round(float(np.median(expected[p])), 3) if v else None
            emit(metric="eyeline_lids", person=person, variant=variant, method=method, shift_deg=[0.0, sign * dy],
                 **line)  # fmt: skip
            emit(metric="eyeline_lids_edit", person=person, variant=variant, method=method, shift_deg=[0.0, sign * dy],
                 frames=end, achieved_y_deg=result.metrics.get("gaze_shift_achieved_y_deg"),
                 requested_y_deg=result.metrics.get("gaze_shift_requested_y_deg"),
                 achieved_x_deg=result.metrics.get("gaze_shift_achieved_x_deg"),
                 warping_error_ratio=result.metrics.get("eye_warping_error_ratio"),
                 anchor_rows=anchors)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--footage", type=Path, default=Path("/work/shared/footage"))
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--shift", type=float, default=6.0, help="the vertical look, degrees (or the model's range)")
    ap.add_argument("--people", default=",".join(PEOPLE))
    ap.add_argument("--variants", default="shared")
    args = ap.parse_args()
    for person in args.people.split(","):
        train_take, test_take = PEOPLE[person]
        model = train_eyeline([probe(args.footage / train_take)], person, config=EyelineConfig(samples=args.samples))
        emit(metric="eyeline_train", person=person, shift_range=[round(v, 3) for v in model.model.shift_range])
        for variant in args.variants.split(","):
            take = args.footage / test_take
            lids(model.model, person, take if variant == "shared" else make_variant(take, variant), variant, args.shift)


if __name__ == "__main__":
    main()
