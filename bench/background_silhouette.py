"""The estimated plate's static silhouette against the take's own key: how much of the set it keeps as a person, how
much of the person it bakes into the plate, and whether it refuses a take whose camera moved.

One JSON line per take, version and method. Not a test.

    PYTHONPATH=. python bench/background_silhouette.py [--variants mirror,crf28,prores10,crop] [--frames 50]
        [--methods new,stop55,…] [--takes NAME,…]

**Takes.** The shared takes as recorded, every row kept (the recordings' half-lit first rows included): the two
GRID takes (blue booth) and the three CREMA-D takes (green screen), scored against their key; and the three weekly
addresses (a bookshelf set, no key: what the estimate says of them, and whether the edit refuses them). ``shared``
as shared, and versions the project never saw (``bench/_heldout.py``: mirrored, H.264 CRF 28, ProRes 10-bit,
re-framed). The plate is estimated as the edit does it: the take's first ``--frames`` frames (the demo edits 50),
24 samples, read at the recording's own levels.

**Truth** (keyed takes). Each sample's chroma key (``tests.editor._wide_shot.grid_key``: the backdrop's chroma taken
from the frame's border); its 4 top rows, which it leaves out, take the key of the row below them. ``set`` = the
pixels the key calls backdrop (α < 0.02) in every sample; ``person`` = α > 0.98 in every sample.

**Methods, same samples, same run.** ``new``: this code; ``stop55``: the silhouette not judged by colour models its
answer did not teach (``editor.background._set_colour.set_coloured`` answering none: the code before stop 56; the same
silhouette and plate, only ``set_recovered`` and the refusal differ); ``torso0.4`` and ``torso0.7``: the judge's torso
column ±0.4 and ±0.7 face-box widths instead of ±0.55; ``noreturn``: what the judge holds counted as guessed on a plain
set too, as on a textured one (``PLAIN_SET`` out of reach; nothing traced by faint motion, as on a plain set), instead
of given back to the set; ``stop56``: nothing added along a still person's faintly moving edge
(:mod:`editor.background._faint`: the code before stop 57); ``stop57``: GrabCut never asked again where the judge's
doubts alone would refuse the estimate (``plate.REASKS`` = 0: the code before stop 58); ``trace57``: the faint trace
keeping what is a plain stretch of set continued (``editor.background._faint.set_continued`` answering none, as stop
57 traced); ``stop58``: nobody followed off their place (``editor.background._lean.followed`` answering the static
silhouette in every sample: the code before stop 59). ``--methods`` runs only
those listed (default: all). "Very real challenges" is also estimated on its first 30 frames alone (``range`` 30), where
its camera holds still.

**Fields.** ``set_as_person``: the share of ``set`` that the static silhouette marks as a person (there the matte keeps
the old set); ``set_as_person_px``: the same in pixels; ``top_rows_px``: silhouette pixels in the first 4 rows where the
key of the row below says backdrop; ``person_baked``: the share of ``person`` that the plate says it saw as the set and
the silhouette does not cover (there the matte replaces the person with the plate's copy of them); ``strays``,
``moved_inside`` and ``faint_outline``: the shares of the frame each step changed; ``plain_set``: whether the set
was judged plain; ``camera_shift_px`` and ``camera_tolerance_px`` (:mod:`editor.background._still`);
``set_coloured``: the share of the frame the silhouette holds in the set's colours (counted as guessed),
``set_coloured_returned``: the same given back to a plain set; ``reasked``: how many times GrabCut was asked again,
``released``: the share of the frame the judge doubted that the answer kept gave to the set; ``known``: the share of
the frame the plate saw; ``uncoverable``: where each frame keys the set it uncovers (:mod:`editor.background
._uncovered`); ``leaned``: in how many samples somebody was followed off their place (:mod:`editor.background._lean`);
and of the pixels the kept
answer holds in the set's colours (``new``, keyed
takes) the shares the key calls the set and the person in every sample (``set_coloured_truly_set``,
``set_coloured_truly_person``); ``refused``: the message where the edit refuses the estimate, else null;
``set_recovered``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from unittest import mock

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _heldout import clip_set  # noqa: E402

from editor.background import _lean as lean_module  # noqa: E402
from editor.background import _set_colour as colour_module  # noqa: E402
from editor.background import plate as plate_module  # noqa: E402
from editor.background.errors import PlateUnrecoverableError  # noqa: E402
from tests.editor._wide_shot import edit_samples, grid_key  # noqa: E402

FOOTAGE = REPO.parent / "shared" / "footage"
TAKES = (
    "grid_pwij3p.mpg",
    "grid_id2_vcd_swwp2s.mpg",
    "crema-d_1001_DFA_ANG_XX.flv",
    "crema-d_1001_DFA_NEU_XX.flv",
    "crema-d_1001_DFA_SAD_XX.flv",
    "obama-weekly-address_a-bad-situation.mp4",
    "obama-weekly-address_very-real-challenges.mp4",
    "obama-weekly-address_but-heres-the-thing.mp4",
)
PEERS: dict[str, dict[str, object]] = {
    "new": {},
    "stop55": {"set_coloured": lambda m, c, *a: np.zeros_like(c)},
    "torso0.4": {"TORSO_HALF": 0.4},
    "torso0.7": {"TORSO_HALF": 0.7},
    "noreturn": {"PLAIN_SET": 2.0, "faint_outline": lambda _c, sil, *_: np.zeros_like(sil)},
    "stop56": {"faint_outline": lambda _c, sil, *_: np.zeros_like(sil)},
    "stop57": {"REASKS": 0},
    "trace57": {"set_continued": lambda _m, traced, *_: np.zeros_like(traced)},
    "stop58": {"followed": lambda samples, _m, silhouette: [silhouette] * len(samples)},
}
STILL_RANGE = ("obama-weekly-address_very-real-challenges.mp4", 30)  # its camera holds still in its first 30 frames


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "background_silhouette", **kw}, sort_keys=True), flush=True)


def key(frame: np.ndarray) -> np.ndarray:
    """The frame's key at full height: the 4 top rows the key leaves out take the row below them."""
    alpha, _ = grid_key(frame)
    return np.concatenate([np.repeat(alpha[:1], 4, axis=0), alpha])


def estimate(samples: list[np.ndarray], method: str) -> tuple[plate_module.CleanPlate, np.ndarray | None]:
    """The plate by ``method``, and the silhouette pixels it held in the set's colours (at the work size)."""
    held: list[np.ndarray] = []
    judge = plate_module.set_coloured
    with contextlib.ExitStack() as stack:
        for name, stand_in in PEERS[method].items():
            module = colour_module if name == "TORSO_HALF" else plate_module  # PLAIN_SET: as plate uses it
            stack.enter_context(mock.patch.object(module, name, stand_in))
            if name == "followed":  # what covered the set, as well as the faint trace's count
                stack.enter_context(mock.patch.object(lean_module, name, stand_in))
        if method == "new":
            spy = lambda *a: held.append(judge(*a)) or held[-1]  # noqa: E731
            stack.enter_context(mock.patch.object(plate_module, "set_coloured", spy))
        plate = plate_module.estimate_plate(samples)
    kept = [h for h in held if round(float(h.mean()), 6) == plate.set_coloured]  # the answer kept (GrabCut re-asked)
    return plate, kept[-1] if kept else None


def run(name: str, variant: str, path: Path, frames: int, methods: list[str]) -> None:
    samples = edit_samples(path, frames)
    keyed = not name.startswith("obama")
    ctx = {"take": name, "variant": variant, "split": "shared" if variant == "shared" else "heldout", "range": frames}
    if keyed:
        alphas = np.stack([key(f) for f in samples])
        is_set, person = (alphas < 0.02).all(axis=0), (alphas > 0.98).all(axis=0)
        top = (alphas[:, 4] < 0.02).all(axis=0)[None]
    for method in methods:
        plate, held = estimate(samples, method)
        try:
            plate_module.require_recoverable(plate, name)
            refused = None
        except PlateUnrecoverableError as exc:
            refused = str(exc)
        sil = plate.performer
        truth = {}
        if keyed:
            truth = {
                "set_as_person": round(float(sil[is_set].mean()), 6),
                "set_as_person_px": int(sil[is_set].sum()),
                "top_rows_px": int((sil[:4] & top).sum()),
                "person_baked": round(float((plate.known & ~sil)[person].mean()), 6),
            }
            if held is not None and held.any():
                at = cv2.resize(held.astype(np.uint8), sil.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
                truth["set_coloured_truly_set"] = round(float(is_set[at].mean()), 6)
                truth["set_coloured_truly_person"] = round(float(person[at].mean()), 6)
        camera = plate.camera
        emit(method=method, strays=plate.strays, moved_inside=plate.moved_inside, faint_outline=plate.faint_outline,
             plain_set=plate.plain_set, set_recovered=plate.set_recovered, reasked=plate.reasked,
             released=plate.released, known=round(plate.known_fraction, 6),
             uncoverable=round(plate.uncoverable_fraction, 6), leaned=plate.leaned,
             set_coloured=plate.set_coloured, set_coloured_returned=plate.set_coloured_returned,
             camera_shift_px=None if camera is None else round(camera.shift, 3),
             camera_tolerance_px=None if camera is None else round(camera.tolerance, 3),
             refused=refused, **truth, **ctx)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default="mirror,crf28,prores10,crop")
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--methods", default=",".join(PEERS))
    ap.add_argument("--takes", default="", help="comma-separated names (default: all)")
    args = ap.parse_args()
    if not FOOTAGE.is_dir():
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    variants = tuple(v for v in args.variants.split(",") if v)
    methods = [m for m in args.methods.split(",") if m]
    takes = [t for t in TAKES if not args.takes or t in args.takes.split(",")]
    for name, variant, path in clip_set(takes, variants):
        run(name, variant, path, args.frames, methods)
        if name == STILL_RANGE[0]:
            run(name, variant, path, STILL_RANGE[1], methods)


if __name__ == "__main__":
    main()
