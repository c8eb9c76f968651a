"""Labelling overhead of the RFC 3161 time-stamp on the C2PA claim signature.

Signs the same 2 s H.264 render (640×360) ``--runs`` times without a time-stamp (the peer: what labelling cost
before) and with one from the loopback TSA (``openssl ts -reply`` behind an HTTP handler on 127.0.0.1), alternating,
and prints one JSON line per metric with the ratio. A production TSA is reached over the network: add its
round-trip time (typically tens to hundreds of ms) to the loopback figure; the signing itself is what this measures.

Usage: ``PYTHONPATH=. python bench/timestamp.py [--runs N]``. Wall-clock on this machine; say whether other work ran.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cutproof.demo.tsa import LoopbackTsa  # noqa: E402
from labeler import EditAction, EditLabel, IngredientRef, LedgerRef, TimeRange, ensure_identity  # noqa: E402
from labeler.c2pa_adapter import sign_video  # noqa: E402
from labeler.manifest import build_definition  # noqa: E402
from tests._support.video import make_clip  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    label = EditLabel(
        title="bench.mp4",
        source=IngredientRef("bench take 1", "video/mp4", "1" * 64),
        action=EditAction.EDITED,
        operation="relight",
        time_range=TimeRange(Fraction(0), Fraction(1)),
        region=None,
        model_id=None,
        training_manifest_sha256=None,
        ledger=LedgerRef("cutproof.local/bench", 1, "3" * 64, "cutproof.local/bench\n2\nAAAA\n\n— key sig\n"),
    )
    definition = build_definition(label)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        clip = make_clip(d / "render.mp4", seconds=2, size=(640, 360))
        identity = ensure_identity(d / "keys")[0]
        timings: dict[str, list[float]] = {"without": [], "with": []}
        with LoopbackTsa(d / "tsa") as tsa:
            for i in range(args.runs):
                for mode in ("without", "with"):
                    out = d / f"{mode}{i}.mp4"
                    t = time.perf_counter()
                    sign_video(clip, out, definition, identity, tsa_url=tsa.url if mode == "with" else None)
                    timings[mode].append((time.perf_counter() - t) * 1000)
                    out.unlink()
    base, stamped = statistics.median(timings["without"]), statistics.median(timings["with"])
    common = {"runs": args.runs, "clip": "2 s 640x360 H.264", "tsa": "loopback openssl ts -reply"}
    print(
        json.dumps(
            {"metric": "c2pa_sign_ms_median", "variant": "no time-stamp (peer)", "value": round(base, 1), **common}
        )
    )
    print(
        json.dumps(
            {"metric": "c2pa_sign_ms_median", "variant": "RFC 3161 time-stamped", "value": round(stamped, 1), **common}
        )
    )
    print(
        json.dumps(
            {
                "metric": "time_stamp_overhead_ms",
                "value": round(stamped - base, 1),
                "ratio": round(stamped / base, 3),
                **common,
            }
        )
    )


if __name__ == "__main__":
    main()
