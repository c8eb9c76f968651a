"""Does reporting progress slow a render? The same labelling pass (``embed_video``: decode, watermark, encode) run
with and without a ``progress`` callback, in one piece and in segments on worker processes, in the same run.

With a callback, ``media.render`` calls it at most every 1 % of the frames; a segment-parallel render has every
segment task keep its tally file (a 16-byte write every 1 % of its segment) and the calling process read the
running tasks' tallies every ``POLL_SECONDS`` while it waits (``media._parallel``). The callback here does what the
CLI bar's does at its cheapest: it stores the value.

The source is a 1080p H.264 (or ``--kind prores``: ProRes 422 HQ) clip made from the shared footage as
``bench/scale.py`` makes its sources (up-scaled, looped to ``--seconds``). Each configuration is run ``--repeats``
times, alternating with and without the callback (ABBA order, so a drift in the machine's load falls on both); each
line gives the median wall and CPU seconds (this process and its worker processes), the ratio with / without
(``peer``: the run without a callback), the number of values reported, and the 1-minute load average before and
after (the machine is shared: wall seconds include waiting for the CPU; CPU seconds do not).

    python bench/progress.py                     # 4 s of 1080p H.264, 2 repeats, 1 and 2 workers
    python bench/progress.py --kind prores --seconds 8 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import KEY, _cpu, emit, make_source  # noqa: E402

from labeler.watermark import embed_video  # noqa: E402
from media import probe  # noqa: E402


def _run(src: Path, out: Path, workers: int, with_progress: bool) -> tuple[float, float, int]:
    seen: list[float] = []
    out.unlink(missing_ok=True)
    t0, c0 = time.perf_counter(), _cpu()
    embed_video(src, out, KEY, mark_audio=True, workers=workers, progress=seen.append if with_progress else None)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    if with_progress and (not seen or seen[-1] != 1.0):
        raise SystemExit(f"the render with progress reported {seen[-3:]}, not ending at 1.0")
    return wall, cpu, len(seen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=["h264", "prores"], default="h264")
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cutproof-bench-progress-") as tmp:
        work = Path(tmp)
        src = make_source(args.kind, work, args.seconds)
        frames = probe(src).frame_count
        out = work / f"out{src.suffix}"
        for workers in args.workers:
            runs: dict[bool, list[tuple[float, float, int]]] = {True: [], False: []}
            load0 = os.getloadavg()[0]
            for r in range(args.repeats):
                order = (False, True) if r % 2 == 0 else (True, False)
                for with_progress in order:
                    runs[with_progress].append(_run(src, out, workers, with_progress))
            load1 = os.getloadavg()[0]
            med: dict[bool, dict[str, Any]] = {
                k: {
                    "wall_s": statistics.median(w for w, _, _ in v),
                    "cpu_s": statistics.median(c for _, c, _ in v),
                    "reports": v[-1][2],
                }
                for k, v in runs.items()
            }
            for k in (False, True):
                emit(
                    metric="label_progress" if k else "label_no_progress",
                    kind=args.kind,
                    frames=frames,
                    workers=workers,
                    repeats=args.repeats,
                    wall_s=round(med[k]["wall_s"], 3),
                    cpu_s=round(med[k]["cpu_s"], 3),
                    fps=round(frames / med[k]["wall_s"], 2),
                    reports=med[k]["reports"],
                    all_wall_s=[round(w, 3) for w, _, _ in runs[k]],
                    load_before=round(load0, 2),
                    load_after=round(load1, 2),
                    **(
                        {
                            "peer": "label_no_progress",
                            "wall_ratio": round(med[True]["wall_s"] / med[False]["wall_s"], 4),
                            "cpu_ratio": round(med[True]["cpu_s"] / med[False]["cpu_s"], 4),
                        }
                        if k
                        else {}
                    ),
                )


if __name__ == "__main__":
    main()
