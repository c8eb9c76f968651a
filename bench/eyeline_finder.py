"""Bench: the iris finder (``editor.eyeline._eyes.iris_centre``, issue 18, stop 53), one JSON line per metric.

Per performer (the model learnt on the first take, tested on each other take of the shared footage) and held-out
version of the test take (``--variants``, ``bench/_heldout.py``), this code (``method: new``) and the finder before
(``method: v1``, ``bench/_peers/iris_finder_v1.py``: the darkest disc of 0.11 of the patch width, catchlights left
in), in the same run. Each method trains its own model: the finder labels the training pairs' gazes.

- ``eyeline_finder_noise``: the finder's noise with no truth to compare to. Two eyes move together, so the
  difference of their frame-to-frame moves (patch px, both axes) is what the finder adds. Over the first
  ``--frames`` frames of the take, on the eye patches the edit cuts (the face track smoothed as the edit smooths
  it), on pairs of frames whose eyes are both open by the edit's own rule (``blink.hold`` at least half against the
  take's ``blink.reference``, as training's ``_open``): its median and 90th percentile. ``open_rule_agreement``: the
  share of frames that rule and the bench's rule before stop 54 (the lower eye's contrast over half the median of
  the lower eye's) call alike.
- ``eyeline_finder_edit``: the eyeline edit over the same frames, a look aside (``--aside``) and a look down
  (``--down``, or the model's range where smaller): the signed metrics, the eye region's warping error ÷ the
  source's (``measure``: flicker) and the achieved shift against the requested; the seconds the edit took.

Run: ``PYTHONPATH=. python bench/eyeline_finder.py [--variants shared,crop,closeup,prores10,mirror] [--frames 96]
[--noise-only]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "bench"))

from _heldout import FOOTAGE, make_variant  # noqa: E402
from _peers.iris_finder_v1 import finder_v1  # noqa: E402

import editor.eyeline._eyes as eyes  # noqa: E402
from editor.cast import track_faces  # noqa: E402
from editor.eyeline import EyelineConfig, EyelineModel, redirect_gaze, train_eyeline  # noqa: E402
from editor.eyeline._data import find_performer  # noqa: E402
from editor.eyeline.blink import hold, reference, sclera_contrast  # noqa: E402
from editor.eyeline.edit import _boxes  # noqa: E402
from editor.eyeline.timing import Timing  # noqa: E402
from media import iter_frames, probe  # noqa: E402

TAKES = {
    "grid": ["grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"],
    "actor1001": ["crema-d_1001_DFA_NEU_XX.flv", "crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv"],
    "obama": [
        "obama-weekly-address_a-bad-situation.mp4",
        "obama-weekly-address_very-real-challenges.mp4",
        "obama-weekly-address_but-heres-the-thing.mp4",
    ],
}
METHODS = {"new": nullcontext, "v1": finder_v1}


def emit(**kv: object) -> None:
    print(json.dumps(kv, sort_keys=True), flush=True)


def noise(model: EyelineModel, person: str, take: Path, frames: int) -> dict[str, float]:
    """The difference of the two eyes' frame-to-frame moves, found by ``eyes.iris_centre`` as it is now."""
    info = probe(take)
    end = min(frames, info.frame_count)
    tracks, _ = track_faces(info, start=0, end=end, samples=end // 4 + 1)
    boxes = _boxes(find_performer(tracks, person, None, take.name), range(end), Timing.at(info.frame_rate).box_sigma)
    centres, contrasts = [], []
    for i, rgb in iter_frames(info, end=end, fmt="rgb24"):
        frame = np.asarray(rgb, np.float32) / 255.0
        patches = [eyes.cut_patch(frame, b) for b in model.geometry.patch_boxes(tuple(float(v) for v in boxes[i]))]
        centres.append([eyes.iris_centre(p) for p in patches])
        contrasts.append([sclera_contrast(p) for p in patches])
    c = np.array(contrasts)
    ref = reference(c)
    ok = np.array([ref is None or hold((float(a), float(b)), ref) >= 0.5 for a, b in c])
    before = c.min(axis=1) > 0.5 * np.median(c.min(axis=1))
    both = ok[1:] & ok[:-1]
    moves = np.diff(np.array(centres), axis=0)  # (frames - 1, eye, xy)
    d = np.linalg.norm(moves[:, 0] - moves[:, 1], axis=1)[both]
    return {
        "pairs": int(both.sum()),
        "median_px": round(float(np.median(d)), 3),
        "p90_px": round(float(np.percentile(d, 90)), 3),
        "open_rule_agreement": round(float(np.mean(ok == before)), 3),
        "open_frames": int(ok.sum()),
    }


def edit(model: EyelineModel, person: str, take: Path, frames: int, shift: tuple[float, float]) -> dict[str, object]:
    end = min(frames, probe(take).frame_count)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        result = redirect_gaze(take, Path(tmp) / f"out{'.mov' if take.suffix == '.mov' else '.mp4'}", model, shift,
                               performer=person, end=end)  # fmt: skip
        seconds = time.perf_counter() - t
    m = result.metrics
    axis = "x" if shift[0] else "y"
    return {"frames": end, "seconds": round(seconds, 2), "warping_error_ratio": m.get("eye_warping_error_ratio"),
            "pairs": m.get("eye_warping_pairs_measured"), "requested_deg": m.get(f"gaze_shift_requested_{axis}_deg"),
            "achieved_deg": m.get(f"gaze_shift_achieved_{axis}_deg")}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--footage", type=Path, default=FOOTAGE)
    ap.add_argument("--people", default=",".join(TAKES))
    ap.add_argument("--variants", default="shared,crop,closeup,prores10,mirror")
    ap.add_argument("--frames", type=int, default=96)
    ap.add_argument("--aside", type=float, default=4.0)
    ap.add_argument("--down", type=float, default=6.0)
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--noise-only", action="store_true", help="the finder's noise alone, no edits")
    args = ap.parse_args()
    for person in args.people.split(","):
        train, *tests = TAKES[person]
        for method, context in METHODS.items():
            with context():
                model = train_eyeline([probe(args.footage / train)], person, config=EyelineConfig(samples=args.samples))
            emit(metric="eyeline_finder_train", person=person, method=method,
                 shift_range=[round(v, 3) for v in model.model.shift_range])  # fmt: skip
            for test in tests:
                for variant in args.variants.split(","):
                    take = args.footage / test if variant == "shared" else make_variant(args.footage / test, variant)
                    where = {"person": person, "take": test, "variant": variant, "method": method}
                    with context():
                        emit(metric="eyeline_finder_noise", **where, **noise(model.model, person, take, args.frames))
                        rx, ry = model.model.shift_range
                        shifts = ((min(args.aside, rx), 0.0), (0.0, min(args.down, ry)))
                        for shift in () if args.noise_only else shifts:
                            line = edit(model.model, person, take, args.frames, shift)
                            emit(metric="eyeline_finder_edit", **where, shift_deg=list(shift), **line)


if __name__ == "__main__":
    main()
