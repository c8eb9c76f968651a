"""The set a talker uncovers where the estimated plate never saw it, on real takes with no key: how much of it the
matte still keeps as him.

One JSON line per take, version and method. Not a test.

    PYTHONPATH=. python bench/background_uncovered.py [--takes NAME,…] [--variants mirror,crf28,prores10,crop]
        [--frames 50] [--from 37]

**Takes.** The weekly addresses as shared and in versions the project never saw (``bench/_heldout.py``: mirrored,
H.264 CRF 28, ProRes 10-bit, re-framed). The plate is estimated as the edit does it (the first ``--frames`` frames,
24 samples, read at the recording's own levels), then every frame is matted in order (``ShotMatter.step``), and the
frames from ``--from`` on are scored: on "but here's the thing" he leans off his place in frames 37–49 of the first
50, and the matte kept the wall he uncovered as him (a pale glow 15–25 px wide by his ear, stop 58).

**No truth; what is counted**, within the plate's ``uncoverable`` zone (:mod:`editor.background._uncovered`: unknown
pixels of the static silhouette next to a plain stretch of set): ``wall``, the pixels whose (lightly blurred) colour
is within the matte's lower key threshold of the plate there (the set, as the inpainted plate predicts it), and
``not_set``, those beyond its upper threshold (certainly not the set the plate predicts: the talker). Fields, each a
percentage of the frame averaged over the scored frames: ``alpha_on_wall`` (the matte's alpha summed over ``wall``:
the old set kept; ``wall`` itself for scale), ``alpha_on_not_set`` (over ``not_set``: what the matte keeps of the
talker there; ``not_set`` for scale: the gap between them is the talker cut), ``alpha_in_zone``; and beside the zone,
in the unseen margin the silhouette leaves to the set (neither keyable nor the silhouette), ``alpha_on_margin_wall``
over its pixels within the lower threshold of the plate (``margin_wall`` for scale): the set kept just outside him.

**Methods, same plate, same frames, same run.** ``new``: this code; ``join59``: this code but the set a frame
uncovers keyed only where it joins the keyable set directly, not through the unseen margin the silhouette leaves to
the set, as at stop 59; ``bound59``: this code but the soft edge where the set was never seen not bounded by its
colour (:mod:`editor.background._unmix`), as at stop 59; ``stop59``: both as at stop 59;
``uncover58``: the plate's ``uncoverable`` zone taken away (``None``): the static silhouette decides wherever the set
was never seen, as at stop 58.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _heldout import FOOTAGE, clip_set  # noqa: E402
from _peers import matte_v59  # noqa: E402

from editor.background.edit import _frames_u8  # noqa: E402
from editor.background.pipeline import BackgroundParams, ShotMatter  # noqa: E402
from editor.background.plate import estimate_plate  # noqa: E402
from media import probe  # noqa: E402
from tests.editor._wide_shot import edit_samples  # noqa: E402

TAKES = ("obama-weekly-address_but-heres-the-thing.mp4",)


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "background_uncovered", **kw}, sort_keys=True), flush=True)


def run(name: str, variant: str, path: Path, frames: int, first: int) -> None:
    plate = estimate_plate(edit_samples(path, frames))
    params = BackgroundParams().resolved(plate)
    zone = plate.uncoverable if plate.uncoverable is not None else np.zeros(plate.known.shape, bool)
    margin = ~plate.keyable & ~plate.performer  # unseen, left to the set by the silhouette (the segmentation's margin)
    matters = {
        "new": ShotMatter(plate, params),
        "join59": ShotMatter(plate, params),
        "bound59": ShotMatter(plate, params),
        "stop59": ShotMatter(plate, params),
        "uncover58": ShotMatter(replace(plate, uncoverable=None), params),
    }
    patched = {"join59": matte_v59.join59, "bound59": matte_v59.bound59, "stop59": matte_v59.as_stop59}
    sums = {k: np.zeros(4) for k in matters}
    wall_n = not_set_n = margin_n = scored = 0
    for i, frame in enumerate(_frames_u8(probe(path), list(range(frames)))):
        f = frame.astype(np.float32) / 255.0
        alphas = {}
        for k, m in matters.items():
            with patched.get(k, nullcontext)():
                alphas[k] = m.step(f)
        if i < first:
            continue
        dist = np.sqrt(((cv2.GaussianBlur(f, (3, 3), 0) - plate.image) ** 2).sum(axis=-1))
        wall, not_set = zone & (dist < params.matte.key_low), zone & (dist > params.matte.key_high)
        beside = margin & (dist < params.matte.key_low)
        wall_n, not_set_n, scored = wall_n + int(wall.sum()), not_set_n + int(not_set.sum()), scored + 1
        margin_n += int(beside.sum())
        for k, a in alphas.items():
            sums[k] += [float(a[wall].sum()), float(a[not_set].sum()), float(a[zone].sum()), float(a[beside].sum())]
    share = 100.0 / (zone.size * max(1, scored))
    for method, (on_wall, on_not_set, in_zone, on_margin) in sums.items():
        emit(take=name, variant=variant, split="shared" if variant == "shared" else "heldout", method=method,
             frames=f"{first}-{frames - 1}", zone=round(float(zone.mean()), 6), set_recovered=plate.set_recovered,
             alpha_on_wall=round(on_wall * share, 4), wall=round(wall_n * share, 4),
             alpha_on_not_set=round(on_not_set * share, 4), not_set=round(not_set_n * share, 4),
             alpha_in_zone=round(in_zone * share, 4), alpha_on_margin_wall=round(on_margin * share, 4),
             margin_wall=round(margin_n * share, 4))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--takes", default=",".join(TAKES))
    ap.add_argument("--variants", default="mirror,crf28,prores10,crop")
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--from", dest="first", type=int, default=37)
    args = ap.parse_args()
    if not FOOTAGE.is_dir():
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    variants = tuple(v for v in args.variants.split(",") if v)
    for name, variant, path in clip_set([t for t in args.takes.split(",") if t], variants):
        run(name, variant, path, args.frames, args.first)


if __name__ == "__main__":
    main()
