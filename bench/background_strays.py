"""Pieces of an estimated plate's static silhouette with no person in them: how much of the set the silhouette keeps
as a person, and how much of the person it gives away, with and without them taken out.

One JSON line per take, version and method. Not a test.

    PYTHONPATH=. python bench/background_strays.py [--variants mirror,crf28,prores10,crop] [--frames 50]

**Takes.** The shared keyable takes as recorded, every row kept (the recordings' half-lit first rows included): the
two GRID takes (blue booth) and the three CREMA-D takes (green screen); ``shared`` as shared, and versions the
project never saw (``bench/_heldout.py``: mirrored, H.264 CRF 28, ProRes 10-bit, re-framed). The plate is estimated
as the edit does it: the take's first ``--frames`` frames (the demo edits 50), 24 samples, read at the recording's
own levels.

**Truth.** Each sample's chroma key (``tests.editor._wide_shot.grid_key``: the backdrop's chroma taken from the
frame's border); its 4 top rows, which it leaves out, take the key of the row below them. ``set`` = the pixels the
key calls backdrop (α < 0.02) in every sample; ``person`` = α > 0.98 in every sample.

**Methods, same samples, same run.** ``new``: this code; ``kept``: the same with no stray piece taken out
(``editor.background._people.stray_pieces`` answering none: the code before).

**Fields.** ``set_as_person``: the share of ``set`` that the static silhouette marks as a person (there the matte
keeps the old set); ``set_as_person_px``: the same in pixels; ``top_rows_px``: silhouette pixels in the first 4
rows where the key of the row below says backdrop; ``person_lost``: the share of ``person`` the silhouette had with
``kept`` and no longer has; ``strays``: the share of the frame ``new`` took out; ``set_recovered``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _heldout import clip_set  # noqa: E402

from editor.background import plate as plate_module  # noqa: E402
from editor.background.edit import _frames_u8  # noqa: E402
from media import probe, sample_indices  # noqa: E402
from tests.editor._wide_shot import grid_key  # noqa: E402

FOOTAGE = REPO.parent / "shared" / "footage"
TAKES = (
    "grid_pwij3p.mpg",
    "grid_id2_vcd_swwp2s.mpg",
    "crema-d_1001_DFA_ANG_XX.flv",
    "crema-d_1001_DFA_NEU_XX.flv",
    "crema-d_1001_DFA_SAD_XX.flv",
)


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "background_strays", **kw}, sort_keys=True), flush=True)


def key(frame: np.ndarray) -> np.ndarray:
    """The frame's key at full height: the 4 top rows the key leaves out take the row below them."""
    alpha, _ = grid_key(frame)
    return np.concatenate([np.repeat(alpha[:1], 4, axis=0), alpha])


def run(name: str, variant: str, path: Path, frames: int) -> None:
    info = probe(path)
    samples = _frames_u8(info, sample_indices(info.frame_count, 24, start=0, end=min(frames, info.frame_count)))
    alphas = np.stack([key(f) for f in samples])
    is_set, person = (alphas < 0.02).all(axis=0), (alphas > 0.98).all(axis=0)
    new = plate_module.estimate_plate(samples)
    with mock.patch.object(plate_module, "stray_pieces", lambda s, *a: np.zeros_like(s)):
        kept = plate_module.estimate_plate(samples)
    ctx = {"take": name, "variant": variant, "split": "shared" if variant == "shared" else "heldout"}
    for method, plate in (("new", new), ("kept", kept)):
        sil = plate.performer
        emit(
            method=method,
            set_as_person=round(float(sil[is_set].mean()), 6),
            set_as_person_px=int(sil[is_set].sum()),
            top_rows_px=int((sil[:4] & (alphas[:, 4] < 0.02).all(axis=0)[None]).sum()),
            person_lost=round(float((kept.performer & ~sil)[person].mean()), 6),
            strays=plate.strays,
            set_recovered=plate.set_recovered,
            set_px=int(is_set.sum()),
            **ctx,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default="mirror,crf28,prores10,crop")
    ap.add_argument("--frames", type=int, default=50)
    args = ap.parse_args()
    if not FOOTAGE.is_dir():
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    variants = tuple(v for v in args.variants.split(",") if v)
    for name, variant, path in clip_set(list(TAKES), variants):
        run(name, variant, path, args.frames)


if __name__ == "__main__":
    main()
