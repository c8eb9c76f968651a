"""Where the soft edge is bounded by its colour (:mod:`editor.background._unmix`) found at the matte's work size,
against stop 60's search on the full-resolution plate: its cost and what it finds, at the take's size and above.

One JSON line per take, version, size and metric. Not a test.

    PYTHONPATH=. python bench/background_unmix_scale.py [--takes NAME,…] [--variants mirror,crf28,prores10,crop]
        [--sizes 1920x1080,3840x2160] [--frame 45]

**Takes.** The weekly addresses as shared and in versions the project never saw (``bench/_heldout.py``), 1280×720.
The plate is estimated as the edit does it (the first 50 frames, 24 samples); for each larger size the plate (image
resized, masks nearest) and the frame are brought to it (bicubic) — a frame of that size with the take's detail,
not a camera's at that size: no footage wider than 1280 px is shared.

**Methods, same plate, same run.** ``new``: this code, the search on the plate at the matte's work size
(``BackgroundParams.work_width``, 1280) and the mask brought to the frame's size (``pipeline._unmixable``);
``stop60``: the search on the plate at the frame's size, as stop 60 did (``_unmix.unmixable`` on the full plate).
Lines: ``unmixable_cpu_seconds`` (CPU seconds of the search, once per matter: the ratio is stop 60's over this
code's), ``unmixable`` (the share of the frame each finds, and ``kept``: the share of stop 60's pixels this code's
has too, ``added``: of this code's, the share stop 60's lacks), and ``alpha_difference`` (frame ``--frame``, the
single-frame matte, ``ShotMatter.raw``: mean and largest |Δα| between the two over the frame, and the mean over the
pixels either finds).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from unittest import mock

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _heldout import FOOTAGE, clip_set  # noqa: E402

from editor.background import pipeline  # noqa: E402
from editor.background._unmix import unmixable  # noqa: E402
from editor.background.edit import _frames_u8  # noqa: E402
from editor.background.pipeline import BackgroundParams, ShotMatter  # noqa: E402
from editor.background.plate import estimate_plate  # noqa: E402
from media import probe  # noqa: E402
from tests.editor._wide_shot import edit_samples  # noqa: E402

TAKES = ("obama-weekly-address_but-heres-the-thing.mp4",)


def emit(metric: str, value: float, unit: str, **kw: object) -> None:
    line = {"bench": "background_unmix_scale", "metric": metric, "value": round(value, 6), "unit": unit, **kw}
    print(json.dumps(line, sort_keys=True), flush=True)


def cpu(fn: object, *args: object, repeat: int = 3) -> tuple[float, object]:
    """The least CPU seconds of ``repeat`` calls of ``fn(*args)``, and its result."""
    best, out = np.inf, None
    for _ in range(repeat):
        c0 = time.process_time()
        out = fn(*args)  # type: ignore[operator]
        best = min(best, time.process_time() - c0)
    return best, out


def run(name: str, variant: str, path: Path, sizes: list[tuple[int, int]], frame_no: int) -> None:
    plate = estimate_plate(edit_samples(path, 50))
    frame = _frames_u8(probe(path), [frame_no])[0]
    h, w = plate.known.shape
    for size in [(w, h), *sizes]:
        full = plate if size == (w, h) else pipeline._scaled_plate(plate, size)
        f = frame if size == (w, h) else cv2.resize(frame, size, interpolation=cv2.INTER_CUBIC)
        f = f.astype(np.float32) / 255.0
        params = BackgroundParams()
        matter = ShotMatter(full, params)
        work = matter.plate  # the plate at the matte's work size
        ctx = {"take": name, "variant": variant, "split": "shared" if variant == "shared" else "heldout",
               "size": f"{size[0]}x{size[1]}", "frame": frame_no}  # fmt: skip
        new_s, new = cpu(pipeline._unmixable, work, size)
        old_s, old = cpu(unmixable, full)
        emit("unmixable_cpu_seconds", new_s, "s", method="new", **ctx)
        emit("unmixable_cpu_seconds", old_s, "s", method="stop60", ratio=round(old_s / max(new_s, 1e-9), 3), **ctx)
        none = np.zeros((size[1], size[0]), bool)
        new_m, old_m = (none if m is None else m for m in (new, old))
        emit("unmixable", float(new_m.mean()), "share", method="new", stop60=round(float(old_m.mean()), 6),
             kept=round(float((new_m & old_m).sum() / max(1, old_m.sum())), 6),
             added=round(float((new_m & ~old_m).sum() / max(1, new_m.sum())), 6), **ctx)  # fmt: skip
        alpha_new = matter.raw(f)
        with mock.patch.object(pipeline, "_unmixable", lambda *_, found=old: found):
            alpha_old = ShotMatter(full, params).raw(f)
        d = np.abs(alpha_new - alpha_old)
        either = new_m | old_m
        emit("alpha_difference", float(d.mean()), "alpha", method="new", peer="stop60",
             largest=round(float(d.max()), 6), in_either=round(float(d[either].mean()) if either.any() else 0.0, 6),
             **ctx)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--takes", default=",".join(TAKES))
    ap.add_argument("--variants", default="mirror,crf28,prores10,crop")
    ap.add_argument("--sizes", default="1920x1080,3840x2160")
    ap.add_argument("--frame", type=int, default=45)
    args = ap.parse_args()
    if not FOOTAGE.is_dir():
        print(
            json.dumps({"bench": "background_unmix_scale", "metric": "skipped", "reason": f"no footage at {FOOTAGE}"})
        )
        return
    sizes = [(int(a), int(b)) for a, b in (s.split("x") for s in args.sizes.split(",") if s)]
    variants = tuple(v for v in args.variants.split(",") if v)
    cv2.setNumThreads(1)
    for name, variant, path in clip_set([t for t in args.takes.split(",") if t], variants):
        run(name, variant, path, sizes, args.frame)


if __name__ == "__main__":
    main()
