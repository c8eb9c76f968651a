"""Consent registry benchmark: write path (validate, document, intent, ledger append, rows) vs a bare ledger
append, and the read paths the gate and legal use (state at a time, coverage with receipts, reconcile).

Prints one JSON line per metric. Run: `PYTHONPATH=. python bench/consent.py [--performers 20 --grants 200]`.
Numbers depend on the disk's fsync latency (every write is durable) and on what else runs on the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consent import ConsentRegistry
from cutproof.core.workspace import Workspace
from ledger import Ledger

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "consent", "metric": metric, "value": round(value, 3), "unit": unit, **extra}))


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--performers", type=int, default=20)
    ap.add_argument("--grants", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "home")
        ws.init()
        ledger = Ledger(ws.engine, ws.keys_dir)
        reg = ConsentRegistry(ws.engine, ws.blobs, ledger.create_log("cutproof.local/bench"))
        peer = ledger.create_log("cutproof.local/bench-peer")
        performers = [
            reg.register_performer(name=f"Performer {i}", kind="principal", guild="SAG-AFTRA", guild_id=f"B{i}")
            for i in range(args.performers)
        ]
        grants = []
        start = time.perf_counter()
        for i in range(args.grants):
            p = performers[i % len(performers)]
            grants.append(
                reg.grant(
                    p.performer_id, category="digital_alteration", edit_kinds=["eyeline", "relight"],
                    purposes=["continuity"], shots=[f"{i}A", f"{i}B"], use_description=f"Use {i}",
                    document=f"signed consent {i}".encode(), signed_by="performer",
                    contract_edition="sag-aftra-tv-theatrical-2026", valid_from=T0 + timedelta(days=i % 30),
                    valid_until=T0 + timedelta(days=365),
                )
            )  # fmt: skip
        registry_s = time.perf_counter() - start
        entry = reg.log.entry_json(grants[-1].ledger_index)
        entry.pop("ledger")
        start = time.perf_counter()
        for _ in range(args.grants):
            peer.append([entry], identity="bench")
        peer_s = time.perf_counter() - start
        emit("grant_writes_per_s", args.grants / registry_s, "1/s", n=args.grants)
        emit("bare_ledger_appends_per_s", args.grants / peer_s, "1/s", n=args.grants, peer=True)
        emit("grant_write_overhead_ratio", registry_s / peer_s, "x", note="registry write time / bare append time")

        for g in grants[::10]:
            reg.revoke(g.grant_id, reason="withdrawn", effective_at=T0 + timedelta(days=100))
        reg.suspend(None, reason="strike", start=T0 + timedelta(days=200), strike=True)
        at = T0 + timedelta(days=50)
        pid = performers[0].performer_id
        for name, fn in (
            ("state_at_all_ms", lambda: reg.state_at(None, at)),
            ("state_at_one_performer_ms", lambda: reg.state_at([pid], at)),
            ("covering_with_receipts_ms", lambda: reg.covering(pid, "eyeline", "continuity", "0A", at=at)),
        ):
            times = timed(fn, args.repeat)
            emit(name, statistics.median(times) * 1000, "ms", repeat=args.repeat, grants=args.grants)
        cov = reg.covering(pid, "eyeline", "continuity", "0A", at=at)
        times = timed(lambda: cov.verify(), args.repeat)
        emit("coverage_verify_ms", statistics.median(times) * 1000, "ms", receipts=len(cov.proofs()))
        times = timed(lambda: reg.reconcile(), 3)
        emit("reconcile_ms", statistics.median(times) * 1000, "ms", log_size=reg.log.size())


if __name__ == "__main__":
    main()
