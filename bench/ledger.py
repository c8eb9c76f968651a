"""Ledger benchmark: durable append throughput, submit→signed-checkpoint latency, cold proof time, fsck speed.

Prints one JSON line per metric, each with ``metric``, ``value``, ``unit`` and the durability mode, and runs
``pymerkle`` (an RFC 6962 Merkle tree with a SQLite backend) on the same entry bytes in the same run, printing the
ratio ours/theirs. Not a test.

    python bench/ledger.py            # batches 1/64/1024, proofs and fsck at 1M entries
    python bench/ledger.py --large    # proofs and fsck at 10M entries as well
    python bench/ledger.py --quick    # a few seconds' smoke run (small sizes; numbers not meaningful)

The proof logs are built once and cached under ``--cache-dir`` (default /tmp/cutproof-bench), keyed by size and a
hash of the stored format (so a storage change rebuilds them). Proof times are measured in a fresh process that
opens the cached log: the first proof of that process is reported as ``cold``, then the median of many; once with
the log file evicted from the OS page cache (``*_disk_ms``: every tile read goes to the disk), once with the tiles
in the page cache (as on a server that has been up a while; the targets apply to these).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ledger import Ledger, verify_receipt  # noqa: E402
from ledger.checkpoint import Checkpoint, checkpoint_text_of  # noqa: E402
from ledger.entries import canonical_batch  # noqa: E402
from ledger.fsck import fsck  # noqa: E402
from ledger.merkle import verify_consistency  # noqa: E402
from store.db import open_engine  # noqa: E402

ORIGIN = "cutproof.bench/ledger"
PEER = "pymerkle 7.0.0 SqliteTree (WAL, synchronous=FULL; append_entries + get_root per batch, no signing)"


def emit(metric: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 6), "unit": unit, **extra}), flush=True)


def entry(i: int) -> dict[str, Any]:
    """A realistic entry: an edit record with a digest (~230 canonical bytes once stamped)."""
    return {
        "kind": "edit.applied/1",
        "project": "bench-film",
        "shot": f"sc{i % 97:03d}/sh{i % 13:02d}",
        "seq": i,
        "output_sha256": hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
    }


def durability(engine: Any) -> str:
    """The durability mode actually in force on this engine's connections."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[conn.exec_driver_sql("PRAGMA synchronous").scalar()]
            return f"sqlite {str(mode).upper()} synchronous={sync}"
        return f"postgresql synchronous_commit={conn.exec_driver_sql('SHOW synchronous_commit').scalar()}"


def new_ledger(path: Path) -> tuple[Any, Any]:
    engine = open_engine(f"sqlite:///{path}")
    ledger = Ledger(engine, path.parent / "keys")
    ledger.create_schema()
    return engine, ledger.create_log(ORIGIN)


def pymerkle_tree(path: Path) -> Any:
    from pymerkle import SqliteTree

    tree = SqliteTree(str(path))
    tree.con.execute("PRAGMA journal_mode=WAL")
    tree.con.execute("PRAGMA synchronous=FULL")
    return tree


# -- append throughput and latency -------------------------------------------------------------------------------


def bench_append(workdir: Path, quick: bool) -> None:
    plan = {1: 40, 64: 10, 1024: 3} if quick else {1: 400, 64: 150, 1024: 40}
    for batch, count in plan.items():
        d = Path(tempfile.mkdtemp(dir=workdir))
        engine, log = new_ledger(d / "store.db")
        mode = durability(engine)
        batches = [[entry(b * batch + i) for i in range(batch)] for b in range(count)]
        latencies = []
        t0 = time.perf_counter()
        for b in batches:
            s = time.perf_counter()
            acks = log.append(b, identity="bench")
            latencies.append(time.perf_counter() - s)
        ours = batch * count / (time.perf_counter() - t0)
        assert acks[-1].index == batch * count - 1
        engine.dispose()

        tree = pymerkle_tree(d / "pymerkle.db")
        datas = [canonical_batch(b, "bench") for b in batches]
        t0 = time.perf_counter()
        for data in datas:
            tree.append_entries(data)
            tree.get_root()
        theirs = batch * count / (time.perf_counter() - t0)
        tree.close()

        target = {"target": 20000} if batch == 1024 else {}
        emit("append_entries_per_s", ours, "entries/s", batch=batch, durability=mode, batches=count, **target)
        emit("pymerkle_append_entries_per_s", theirs, "entries/s", batch=batch, durability=PEER, batches=count)
        emit("append_ratio_ours_over_pymerkle", ours / theirs, "ratio", batch=batch)
        lat = sorted(x * 1000 for x in latencies)
        p99 = lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))]
        for name, v in (("p50", statistics.median(lat)), ("p99", p99)):
            emit(
                f"submit_to_signed_checkpoint_{name}_ms",
                v,
                "ms",
                batch=batch,
                durability=mode,
                note="append() returns after the batch's signed checkpoint is committed",
            )


# -- cached big logs ----------------------------------------------------------------------------------------------


def source_key() -> str:
    """A key of the stored format: the tables' DDL, the tile width and the canonical bytes of a sample entry.

    A change to any of these rebuilds the cached logs; code changes that keep the format reuse them."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateTable

    from ledger import tables as storage
    from ledger.tiles import TILE_WIDTH

    h = hashlib.sha256()
    for table in (storage.logs, storage.entries, storage.tiles, storage.checkpoints, storage.keys):
        h.update(str(CreateTable(table).compile(dialect=sqlite.dialect())).encode())
    h.update(str(TILE_WIDTH).encode())
    h.update(canonical_batch([entry(0)], "bench", time="2026-01-01T00:00:00Z")[0])
    return h.hexdigest()[:12]


def build_cached(cache: Path, size: int) -> tuple[Path, Path, float, bool]:
    """Our log and a pymerkle tree with the same ``size`` entries.

    Returns (our db, pymerkle db, seconds our build took, whether it was built by an earlier run).
    """
    d = cache / f"log-{size}-{source_key()}"
    ours, theirs, done = d / "store.db", d / "pymerkle.db", d / "complete"
    if done.exists():
        return ours, theirs, float(done.read_text()), True
    if d.exists():
        for p in d.rglob("*"):
            if p.is_file():
                p.unlink()
    d.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    engine, log = new_ledger(ours)
    step = BUILD_BATCH
    for lo in range(0, size, step):
        log.append([entry(i) for i in range(lo, min(size, lo + step))], identity="bench")
    build = time.perf_counter() - t0
    tree = pymerkle_tree(theirs)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT data FROM ledger_entries ORDER BY idx")
        while chunk := rows.fetchmany(100_000):
            tree.append_entries([bytes(r[0]) for r in chunk])
    tree.close()
    engine.dispose()
    for p in (ours, theirs):
        with sqlite3.connect(p) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done.write_text(str(build))
    return ours, theirs, build, False


BUILD_BATCH = 8192


def evict_from_page_cache(db: Path) -> None:
    """Drop the database's pages from the OS page cache (no root needed; Linux honours it for clean pages)."""
    for p in (db, db.with_name(db.name + "-wal")):
        if p.exists():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def read_all_tiles(db: Path) -> None:
    """Read every stored tile once (all pages, overflow included), so that they sit in the OS page cache."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        c.execute("SELECT count(substr(hashes, length(hashes))) FROM ledger_tiles").fetchone()


def old_size(size: int) -> int:
    """The old size of the timed cold consistency proof: a published checkpoint about a third of the way in."""
    return max(BUILD_BATCH, size // 3 // BUILD_BATCH * BUILD_BATCH)


def worker_ours(db: Path, rounds: int) -> dict[str, Any]:
    """Runs in a fresh process: time proofs on a cached log."""
    t_open = time.perf_counter()
    engine = open_engine(f"sqlite:///{db}")
    log = Ledger(engine, db.parent / "keys").open_log(ORIGIN)
    size = log.size()
    vkeys = log.verifier_keys()
    opened = time.perf_counter() - t_open
    rng = random.Random(7)
    out: dict[str, Any] = {"size": size, "open_s": opened}
    index, old = size // 3, old_size(size)
    t = time.perf_counter()
    path = log.inclusion_proof(index, size)
    out["inclusion_cold_s"] = time.perf_counter() - t
    t = time.perf_counter()
    proof = log.consistency_proof(old, size)
    out["consistency_cold_s"] = time.perf_counter() - t
    # What was timed is a real, valid proof.
    receipt = log.prove(index)
    verify_receipt(receipt, log.entry(index), vkeys)
    assert receipt.split("\n")[2 : 2 + len(path)] == [base64.b64encode(h).decode() for h in path]
    roots = [Checkpoint.parse(checkpoint_text_of(n)).root_hash for n in (log.checkpoint_at(old), log.checkpoint())]
    verify_consistency(old, size, roots[0], roots[1], proof)
    inc, rec, con = [], [], []
    for _ in range(rounds):
        # Independent random leaves for each kind, so that no timing profits from pages the previous one read.
        i = rng.randrange(size)
        t = time.perf_counter()
        log.inclusion_proof(i, size)
        inc.append(time.perf_counter() - t)
        i = rng.randrange(size)
        t = time.perf_counter()
        log.prove(i)
        rec.append(time.perf_counter() - t)
        o = rng.randrange(1, size)
        t = time.perf_counter()
        log.consistency_proof(o, size)
        con.append(time.perf_counter() - t)
    out["inclusion_p50_s"] = statistics.median(inc)
    out["receipt_p50_s"] = statistics.median(rec)
    out["consistency_p50_s"] = statistics.median(con)
    (result,) = fsck(engine, [ORIGIN])
    assert result.ok, result.problem
    out["fsck_s"] = result.seconds
    return out


def worker_theirs(db: Path, rounds: int) -> dict[str, Any]:
    from pymerkle import SqliteTree, verify_inclusion
    from pymerkle import verify_consistency as pm_verify_consistency

    t_open = time.perf_counter()
    tree = SqliteTree(str(db))
    size = tree.get_size()
    out: dict[str, Any] = {"size": size, "open_s": time.perf_counter() - t_open}
    rng = random.Random(7)
    index, old = size // 3, old_size(size)
    t = time.perf_counter()
    proof = tree.prove_inclusion(index + 1, size)  # pymerkle counts leaves from 1
    out["inclusion_cold_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cproof = tree.prove_consistency(old, size)
    out["consistency_cold_s"] = time.perf_counter() - t
    verify_inclusion(tree.get_leaf(index + 1), tree.get_root(size), proof)
    pm_verify_consistency(tree.get_root(old), tree.get_root(size), cproof)
    inc, con = [], []
    for _ in range(rounds):
        i = rng.randrange(size)
        t = time.perf_counter()
        tree.prove_inclusion(i + 1, size)
        inc.append(time.perf_counter() - t)
        old = rng.randrange(1, size)
        t = time.perf_counter()
        tree.prove_consistency(old, size)
        con.append(time.perf_counter() - t)
    out["inclusion_p50_s"] = statistics.median(inc)
    out["consistency_p50_s"] = statistics.median(con)
    return out


def run_worker(kind: str, db: Path, rounds: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--db", str(db), "--rounds", str(rounds)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} proof worker failed: {proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def bench_proofs(cache: Path, size: int, rounds: int) -> None:
    ours_db, theirs_db, build_s, cached = build_cached(cache, size)
    mode = "sqlite WAL synchronous=FULL"
    # Twice, each in a fresh process: first with the log's file evicted from the OS page cache (every tile read
    # is a disk read), then with the tiles in the page cache, as on a server that has been up for a while.
    evict_from_page_cache(ours_db)
    disk = run_worker("ours", ours_db, rounds)
    read_all_tiles(ours_db)
    ours = run_worker("ours", ours_db, rounds)
    theirs = run_worker("theirs", theirs_db, max(3, rounds // 20))
    assert ours["size"] == theirs["size"] == disk["size"] == size
    for what in ("inclusion", "consistency"):
        for when in ("cold", "p50"):
            emit(
                f"{what}_proof_{when}_disk_ms",
                disk[f"{what}_{when}_s"] * 1000,
                "ms",
                size=size,
                page_cache="log file evicted first (posix_fadvise DONTNEED): tile reads go to disk",
            )
    emit(
        "log_build_entries_per_s",
        size / build_s,
        "entries/s",
        size=size,
        batch=BUILD_BATCH,
        durability=mode,
        measured="when the cached log was built (earlier run)" if cached else "this run",
    )
    for what in ("inclusion", "consistency"):
        for when in ("cold", "p50"):
            target = {"target": 1.0} if size >= 10_000_000 else {}
            extra = {"note": "first proof in a fresh process"} if when == "cold" else {}
            extra["page_cache"] = "tiles in the OS page cache (read once before the fresh process)"
            emit(f"{what}_proof_{when}_ms", ours[f"{what}_{when}_s"] * 1000, "ms", size=size, **target, **extra)
            emit(f"pymerkle_{what}_proof_{when}_ms", theirs[f"{what}_{when}_s"] * 1000, "ms", size=size)
            emit(
                f"{what}_proof_{when}_ratio_ours_over_pymerkle",
                ours[f"{what}_{when}_s"] / theirs[f"{what}_{when}_s"],
                "ratio",
                size=size,
            )
    emit(
        "open_log_and_first_inclusion_proof_ms",
        (ours["open_s"] + ours["inclusion_cold_s"]) * 1000,
        "ms",
        size=size,
        note="fresh process after imports: engine, open_log, size, vkeys, then the first proof",
    )
    emit("receipt_p50_ms", ours["receipt_p50_s"] * 1000, "ms", size=size, note="log.prove: proof + signed checkpoint")
    emit("fsck_leaves_per_s", size / ours["fsck_s"], "leaves/s", size=size, target=1_000_000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a few seconds' smoke run")
    ap.add_argument("--large", action="store_true", help="also 10M entries (builds a ~4 GB cached log once)")
    ap.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "cutproof-bench")
    ap.add_argument("--worker", choices=["ours", "theirs"], help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=200, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        fn = worker_ours if args.worker == "ours" else worker_theirs
        print(json.dumps(fn(args.db, args.rounds)))
        return
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cutproof-bench-") as tmp:
        bench_append(Path(tmp), args.quick)
    sizes = [3 * BUILD_BATCH] if args.quick else [1_000_000] + ([10_000_000] if args.large else [])
    for size in sizes:
        bench_proofs(args.cache_dir, size, 30 if args.quick else 200)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
