"""Bench: 1080p face detection of this tree against the detector of an earlier commit, same frames, same process.

Each take of the shared footage (frame 5) is pasted into a 1920×1080 canvas with its face 40, 60 and 100 px wide,
once on grey and once on a textured background (a GRID take upscaled to 1080p behind it); both detectors
(``editor.cast.detect.find_faces`` here, and the same file at ``--before``, loaded from git) run on every frame in
turn, so machine load hits both alike. One JSON line per detector, face size and background: recall (a box with
IoU ≥ 0.3 to the pasted face) and CPU/wall seconds per frame.

Run: ``PYTHONPATH=. python bench/cast_detect.py [--before fcfade1~1] [--footage /work/shared/footage]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from editor.cast import detect as after  # noqa: E402
from editor.cast import iou  # noqa: E402
from tests.editor import _faces_media as fm  # noqa: E402


def load_before(rev: str, tmp: Path) -> object:
    src = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:editor/cast/detect.py"], check=True, capture_output=True, text=True
    ).stdout
    path = tmp / "detect_before.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("detect_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["detect_before"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="fcfade1~1", help="the commit whose detector is compared")
    ap.add_argument("--footage", type=Path, default=Path("/work/shared/footage"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = load_before(args.before, Path(tmp))
        takes = sorted(p for p in args.footage.iterdir() if p.suffix in (".flv", ".mpg", ".mp4"))
        back = fm.read_take(args.footage / "grid_pwij3p.mpg", 2)[0][1]
        back = cv2.resize(back, (1920, 1080), interpolation=cv2.INTER_CUBIC)
        res: dict[tuple[str, int, str], list[float]] = {}
        for take in takes:
            frame = fm.read_take(take, 6)[0][5]
            box = max(after.find_faces(frame), key=lambda f: f[0][2])[0]
            for side in (40, 60, 100):
                for background, at in (("grey", (0.3, 0.45)), ("textured", (0.75, 0.7))):
                    canvas, gt = fm.on_canvas([frame], box, side, at=at)
                    rgb = canvas[0].copy()
                    if background == "textured":
                        grey = (rgb == 96).all(axis=2)
                        rgb[grey] = back[grey]
                    for name, mod in (("before", before), ("after", after)):
                        t, w = time.process_time(), time.perf_counter()
                        boxes = [b for b, _s in mod.find_faces(rgb)]  # type: ignore[attr-defined]
                        cpu, wall = time.process_time() - t, time.perf_counter() - w
                        r = res.setdefault((name, side, background), [0, 0, 0.0, 0.0])
                        r[0] += any(iou(b, gt) >= 0.3 for b in boxes)
                        r[1] += 1
                        r[2] += cpu
                        r[3] += wall
        for (name, side, background), (hit, n, cpu, wall) in sorted(res.items()):
            row = {
                "metric": "detect_1080p_before_after",
                "detector": name if name == "after" else f"before ({args.before})",
                "face_px": side,
                "background": background,
                "frames": n,
                "recall": round(hit / n, 4),
                "cpu_s_per_frame": round(cpu / n, 3),
                "wall_s_per_frame": round(wall / n, 3),
            }
            print(json.dumps(row, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
