"""A camera that moves for part of a take: what the background edit's refusal offers, on the weekly addresses.

One JSON line per take, version and motion. Not a test.

    PYTHONPATH=. python bench/background_settle.py [--takes NAME,…] [--variants mirror,crf28] [--frames 50]

**Takes.** The weekly addresses as shared and in versions the project never saw (``bench/_heldout.py``), their first
``--frames`` frames written again (H.264 CRF 12) with the camera moved: ``settles`` — 3 px right and 1.5 px down at
frame 0, easing to rest at frame 8 (an operator's hand leaving the head); ``bumped`` — at rest, then the last 8
frames moved the same way (a knock near the end); ``as-shot`` — not moved. Each is edited as the edit estimates its
plate (``editor.background.edit.build_clean_plate``, the frames 0–``--frames``, no clean plate): ``refused`` (true
or false) and the refusal's first words; ``named`` — the range the refusal names where the camera held still
(``editor.background._acceptance.held_still``: the longest run of samples within the tolerance, checked by
estimating a plate from it; none where that plate is refused too), ``named_accepted`` — that range edited on its own
(its plate estimated again here: accepted or the refusal's first words), ``shift_px`` / ``tolerance_px`` — the
estimate's camera measure (read from the refusal where it refused for the camera). The peer is the refusal before it
named a range: the same refusal with no range (the text "(--start/--end)"; ``generic`` says where it still is).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _heldout import FOOTAGE, clip_set, write_h264  # noqa: E402

from editor.background.edit import _frames_u8, build_clean_plate  # noqa: E402
from editor.background.errors import PlateUnrecoverableError  # noqa: E402
from editor.background.pipeline import BackgroundParams  # noqa: E402
from media import probe  # noqa: E402

TAKES = (
    "obama-weekly-address_a-bad-situation.mp4",
    "obama-weekly-address_but-heres-the-thing.mp4",
    "obama-weekly-address_very-real-challenges.mp4",
)
EASE = 8  # frames over which the camera comes to rest (or, bumped, moves off)
MOVE = 3.0  # px right at the start of the ease (half of it down)


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "background_settle", **kw}, sort_keys=True), flush=True)


def offset(motion: str, i: int, n: int) -> float:
    if motion == "settles":
        return max(0.0, MOVE * (1 - i / EASE))
    if motion == "bumped":
        return max(0.0, MOVE * (i - (n - 1 - EASE)) / EASE)
    return 0.0


def written(frames: list[np.ndarray], motion: str, path: Path) -> Path:
    """``frames`` with the camera moved as ``motion`` says, written at CRF 12, 25 fps."""
    moved = []
    for i, f in enumerate(frames):
        d = offset(motion, i, len(frames))
        moved.append(
            cv2.warpAffine(f, np.float32([[1, 0, d], [0, 1, d / 2]]), f.shape[1::-1], borderMode=cv2.BORDER_REFLECT)
        )
    return write_h264(moved, path, 12)


def verdict(info: object, frames: range) -> tuple[str, object]:
    """("accepted", the plate) or (the refusal's message, None)."""
    try:
        return "accepted", build_clean_plate(info, frames, BackgroundParams(), None)  # type: ignore[arg-type]
    except PlateUnrecoverableError as refused:
        return str(refused), None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--takes", default=",".join(TAKES))
    ap.add_argument("--variants", default="mirror,crf28")
    ap.add_argument("--frames", type=int, default=50)
    args = ap.parse_args()
    if not FOOTAGE.is_dir():
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    variants = tuple(v for v in args.variants.split(",") if v)
    with tempfile.TemporaryDirectory() as tmp:
        for name, variant, path in clip_set([t for t in args.takes.split(",") if t], variants):
            frames = _frames_u8(probe(path), list(range(args.frames)))
            for motion in ("as-shot", "settles", "bumped"):
                info = probe(written(frames, motion, Path(tmp) / f"{motion}.mp4"))
                said, plate = verdict(info, range(0, len(frames)))
                found = re.search(r"--start (\d+) --end (\d+)", said)
                named = None if found is None else (int(found[1]), int(found[2]))
                again = None if named is None else verdict(info, range(*named))[0]
                camera = None if plate is None else plate.camera
                measured = re.search(r"shifts by up to ([\d.]+) px .*? at ([\d.]+) px", said)
                shift, tolerance = (
                    (float(measured[1]), float(measured[2]))
                    if measured
                    else (None, None)
                    if camera is None
                    else (round(camera.shift, 3), round(camera.tolerance, 3))
                )
                emit(take=name, variant=variant, split="shared" if variant == "shared" else "heldout", motion=motion,
                     refused=plate is None, said=said.split(":")[0] if plate is None else "accepted",
                     named=None if named is None else f"{named[0]}-{named[1]}",
                     named_accepted=None if again is None else again.split(":")[0],
                     generic="(--start/--end)" in said,
                     shift_px=shift, tolerance_px=tolerance)  # fmt: skip


if __name__ == "__main__":
    main()
