"""Where the dailies' layout prints are made: at ingest (``cutproof.dailies.ingest``, since stop 45) or at a
project's first relight search, as before (the peer: the same ingest with the printing left out). One JSON line per
metric.

Each run makes a fresh workspace and project, ingests a card of clips (symlinks), then times what a project's first
relight search spends getting every clip's prints (``editor.lighting.search._prints`` over the catalogue, this
process's cache emptied: a server's render runs in another process than the ingest). New and peer alternate,
``--repeats`` times each; medians of wall seconds. Cards:

- ``shared``: the eight clips of the shared footage;
- ``prores10``: their ProRes 10-bit versions (``bench/_heldout.py``), as a lab's transcodes of camera originals;
- with ``--long``: the same plus Obama's take looped to 1,495 frames as H.264 and ProRes 10-bit
  (``bench/lighting_narrow.py``'s long takes), as minute-long camera originals.

Reported per card and method: ``ingest_seconds``, ``first_search_prints_seconds`` and their sum; the ratio of the
first search's time, peer over new.

Usage: ``PYTHONPATH=. python bench/ingest_prints.py [--repeats 3] [--long]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from _heldout import FOOTAGE, make_variant

import cutproof.dailies.ingest as ingest
from cutproof.core.projects import ProjectContext, create_project
from cutproof.core.workspace import Workspace
from editor import Catalogue
from editor.layout_prints import LayoutPrints
from editor.lighting import search
from editor.lighting.relight import Shot

CLIPS = sorted(p.name for p in FOOTAGE.glob("*") if p.suffix in {".flv", ".mpg", ".mp4"}) if FOOTAGE.is_dir() else []


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "ingest_prints", **kw}, sort_keys=True), flush=True)


def one_run(files: list[Path], tmp: Path, *, print_at_ingest: bool) -> tuple[float, float]:
    """Ingest ``files`` into a fresh project; the ingest's seconds and the first search's seconds for the prints."""
    ws = Workspace(tmp / "home")
    ws.init()
    create_project(ws, "film", "Film", ProjectContext(principal_photography_start=date(2026, 9, 1)), identity="b")
    card = tmp / "card"
    card.mkdir()
    for f in files:
        (card / f.name).symlink_to(f)
    real: Callable[..., None] = ingest._print_layouts
    if not print_at_ingest:
        ingest._print_layouts = lambda ws, clips: None  # type: ignore[assignment]  # the peer: as before stop 45
    search._PRINTS.clear()
    try:
        t0 = time.perf_counter()
        ingest.ingest_dailies(ws, "film", card, identity="bench")
        ingested = time.perf_counter() - t0
    finally:
        ingest._print_layouts = real  # type: ignore[assignment]
    search._PRINTS.clear()  # the search runs in another process: only the table is shared
    store = LayoutPrints(ws.engine)
    clips = [Shot(c.info, c.content_hash) for c in Catalogue(ws.engine).list("film")]
    t0 = time.perf_counter()
    for clip in clips:
        search._prints(clip, store)
    return ingested, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--long", action="store_true")
    args = ap.parse_args()
    if not CLIPS:
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    cards = {
        "shared": [FOOTAGE / c for c in CLIPS],
        "prores10": [make_variant(FOOTAGE / c, "prores10") for c in CLIPS],
    }
    if args.long:  # imported here: lighting_narrow puts bench/ first on the path, where consent.py is a bench
        from lighting_narrow import LONG_CODECS, long_take

        cards["long"] = [long_take(FOOTAGE / "obama-weekly-address_but-heres-the-thing.mp4", c) for c in LONG_CODECS]
    for card, files in cards.items():
        times: dict[str, list[tuple[float, float]]] = {"new": [], "peer": []}
        for _ in range(args.repeats):
            for method in ("new", "peer"):
                with tempfile.TemporaryDirectory() as d:
                    times[method].append(one_run(files, Path(d), print_at_ingest=method == "new"))
        med = {m: (statistics.median(t[0] for t in v), statistics.median(t[1] for t in v)) for m, v in times.items()}
        for method, (ing, first) in med.items():
            ctx = {"card": card, "clips": len(files), "method": method, "repeats": args.repeats}
            emit(metric="ingest_seconds", value=round(ing, 3), **ctx)
            emit(metric="first_search_prints_seconds", value=round(first, 3), **ctx)
            emit(metric="ingest_and_first_search_seconds", value=round(ing + first, 3), **ctx)
        emit(metric="first_search_prints_ratio", card=card, value=round(med["peer"][1] / max(med["new"][1], 1e-9), 1),
             peer="print at the first search")  # fmt: skip


if __name__ == "__main__":
    main()
