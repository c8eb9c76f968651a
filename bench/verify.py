"""Latency of the free verification interface (``POST /api/v1/verify``) on a labelled 2 s deliverable.

Labels a 2 s 640×360 H.264 clip (QC scenario: C2PA + watermark + fingerprint), then times ``--runs`` POSTs of it
through the ASGI app in-process (FastAPI's TestClient: no network), for the labelled file (answer from the embedded
manifest) and for a 0.25× CRF 40 copy (manifest gone: watermark or fingerprint). The peer is ``cutproof qc verify``'s
function (``verify_deliverable``) on the same file: the endpoint's overhead is the ratio. One JSON line per metric.

Usage: ``PYTHONPATH=. python bench/verify.py [--runs N]``. Wall-clock on this machine; say whether other work ran.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from cutproof.api.app import create_app  # noqa: E402
from cutproof.core.settings import Settings  # noqa: E402
from cutproof.core.workspace import Workspace  # noqa: E402
from cutproof.qc.verify import verify_deliverable  # noqa: E402
from tests._support.attacks import downscale, reencode  # noqa: E402
from tests._support.qc_scenario import build  # noqa: E402
from tests._support.video import make_clip  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ws = Workspace(d / "home")
        ws.init()
        render = make_clip(d / "render.mp4", seconds=2, size=(640, 360))
        (d / "out").mkdir()
        sc = build(ws, render, d / "out", disclosure=())
        attacked = reencode(sc.result.path, d / "small.mp4", downscale(0.25), crf=40)
        settings = Settings(home=ws.home, secret_key="b" * 40, verify_per_minute=10_000)
        client = TestClient(create_app(settings, ws, run_workers=False))
        for label, path in (("labelled", sc.result.path), ("downscale_crf40", attacked)):
            body = path.read_bytes()
            api, peer = [], []
            for _ in range(args.runs):
                t = time.perf_counter()
                res = client.post("/api/v1/verify", content=body, headers={"X-Filename": path.name})
                api.append(time.perf_counter() - t)
                assert res.status_code == 200, res.text
                t = time.perf_counter()
                verify_deliverable(ws, path)
                peer.append(time.perf_counter() - t)
            a, p = statistics.median(api), statistics.median(peer)
            found = res.json()["found_by"]
            common = {"file": label, "runs": args.runs}
            print(json.dumps({"metric": "verify_endpoint_s_median", "value": round(a, 3), "found_by": found, **common}))
            print(
                json.dumps(
                    {"metric": "qc_verify_s_median (peer)", "value": round(p, 3), "ratio": round(a / p, 3), **common}
                )
            )


if __name__ == "__main__":
    main()
