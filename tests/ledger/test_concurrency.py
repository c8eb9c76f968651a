"""Several processes appending to one log at once, on one SQLite file and on one PostgreSQL database.

Every process appends random batches and records what was acknowledged. Afterwards there must be one gap-free
history that fsck accepts, every acknowledged entry present exactly once with the acknowledged bytes, every batch
whole and contiguous, and every published checkpoint signed, consistent with the entries and with each other.
The same holds when writers are SIGKILLed at random while the others keep appending.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ledger import Ledger, verify_receipt
from ledger.merkle import EMPTY_ROOT, verify_consistency
from store.db import open_engine
from tests.ledger._qa import Acks, Auditor, Zygote, spawn_appender
from tests.ledger.reference import open_note_reference, parse_checkpoint_reference

ORIGIN = "cutproof.test/concurrent"


def _run_writers(url: str, keys: Path, tmp_path: Path, writers: int, batches: int) -> None:
    engine = open_engine(url)
    ledger = Ledger(engine, keys)
    ledger.create_schema()
    ledger.create_log(ORIGIN)
    engine.dispose()

    outs = [tmp_path / f"writer-{w}.jsonl" for w in range(writers)]
    children = []
    for w, out in enumerate(outs):
        with out.open("wb") as f:
            children.append(spawn_appender(url, keys, ORIGIN, f"w{w}", 100 + w, batches, f))
    for child in children:
        try:
            child.wait(timeout=300)
        except subprocess.TimeoutExpired:  # pragma: no cover - reported as a failure
            for c in children:
                c.kill()
            pytest.fail("concurrent appenders did not finish within 5 minutes (deadlock?)")
        err = child.stderr.read().decode() if child.stderr else ""
        assert child.returncode == 0, f"appender failed ({child.returncode}): {err[-3000:]}"

    acks = Acks()
    for out in outs:
        acks.read(out.read_bytes())
    auditor = Auditor(url, keys, ORIGIN)
    size = auditor.audit(acks)
    # Every batch of every writer was acknowledged, so the log holds exactly the acknowledged entries.
    assert size == len(acks.entries)
    assert sorted(a["index"] for a in acks.entries) == list(range(size))
    per_worker = auditor.check_batches()
    assert per_worker == {f"w{w}": sum(1 for a in acks.entries if a["worker"] == f"w{w}") for w in range(writers)}
    assert len(acks.checkpoints) == writers * batches  # one new checkpoint per batch, none shared
    assert len(set(acks.checkpoints)) == writers * batches


def test_concurrent_appenders_sqlite(tmp_path: Path) -> None:
    _run_writers(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "keys", tmp_path, writers=3, batches=15)


@pytest.mark.postgres
def test_concurrent_appenders_postgres(postgres_db: str, tmp_path: Path) -> None:
    _run_writers(postgres_db, tmp_path / "keys", tmp_path, writers=3, batches=12)


@pytest.mark.slow
def test_concurrent_appenders_sqlite_many(tmp_path: Path) -> None:
    _run_writers(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "keys", tmp_path, writers=6, batches=200)


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_appenders_postgres_many(postgres_db: str, tmp_path: Path) -> None:
    _run_writers(postgres_db, tmp_path / "keys", tmp_path, writers=8, batches=150)


def _writers_with_kills(url: str, keys: Path, tmp_path: Path, writers: int, rounds: int, seed: int) -> None:
    """Writers append concurrently while one of them is SIGKILLed and replaced every round."""
    engine = open_engine(url)
    ledger = Ledger(engine, keys)
    ledger.create_schema()
    ledger.create_log(ORIGIN)
    engine.dispose()
    rng = random.Random(seed)
    outs: list[Path] = []
    with Zygote() as zygote:

        def start() -> int:
            out = tmp_path / f"writer-{len(outs)}.jsonl"
            outs.append(out)
            return zygote.spawn(out, url, keys, ORIGIN, f"w{len(outs) - 1}", seed * 100 + len(outs))

        running = [start() for _ in range(writers)]
        deadline = time.monotonic() + 60
        while not any(o.exists() and o.stat().st_size for o in outs):  # kill only once appends are flowing
            assert time.monotonic() < deadline, "no writer acknowledged anything within a minute"
            time.sleep(0.01)
        for _ in range(rounds):
            time.sleep(rng.uniform(0.05, 0.4))
            victim = running.pop(rng.randrange(len(running)))
            os.kill(victim, signal.SIGKILL)
            assert zygote.reap(victim)["signal"] == signal.SIGKILL
            running.append(start())
        time.sleep(0.3)
        for pid in running:
            os.kill(pid, signal.SIGKILL)
            assert zygote.reap(pid)["signal"] == signal.SIGKILL
    acks = Acks()
    for out in outs:
        acks.read(out.read_bytes() if out.exists() else b"")
    auditor = Auditor(url, keys, ORIGIN)
    size = auditor.audit(acks)
    assert size >= len(acks.entries) > 0
    per_worker = auditor.check_batches()  # whole batches only, each worker's entries gap-free and in order
    for w in range(len(outs)):
        assert per_worker.get(f"w{w}", 0) >= sum(1 for a in acks.entries if a["worker"] == f"w{w}")


def test_concurrent_appenders_with_kills_sqlite(tmp_path: Path) -> None:
    _writers_with_kills(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "keys", tmp_path, 3, rounds=8, seed=1)


@pytest.mark.postgres
def test_concurrent_appenders_with_kills_postgres(postgres_db: str, tmp_path: Path) -> None:
    _writers_with_kills(postgres_db, tmp_path / "keys", tmp_path, 3, rounds=6, seed=2)


@pytest.mark.slow
def test_concurrent_appenders_with_kills_sqlite_long(tmp_path: Path) -> None:
    _writers_with_kills(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "keys", tmp_path, 5, rounds=80, seed=3)


def _audit_while_appending(url: str, keys: Path, tmp_path: Path, checks: int) -> None:
    """A monitor works against a live log, as auditors and witnesses do: fsck must never report concurrent growth
    as corruption, receipts served meanwhile must verify, and each new checkpoint must be provably consistent with
    the one seen before."""
    from ledger.fsck import fsck

    engine = open_engine(url)
    ledger = Ledger(engine, keys)
    ledger.create_schema()
    log = ledger.create_log(ORIGIN)
    vkeys = log.verifier_keys()
    outs = [tmp_path / f"live-{w}.jsonl" for w in range(2)]
    rng = random.Random(5)
    with Zygote() as zygote:
        pids = [zygote.spawn(out, url, keys, ORIGIN, f"w{w}", 50 + w) for w, out in enumerate(outs)]
        try:
            deadline = time.monotonic() + 60
            while not all(o.exists() and o.stat().st_size for o in outs):
                assert time.monotonic() < deadline, "writers did not start appending within a minute"
                time.sleep(0.01)
            seen = (0, EMPTY_ROOT)
            sizes = []
            for _ in range(checks):
                (result,) = fsck(engine, [ORIGIN])
                assert result.ok, f"fsck of a healthy, growing log reported: {result.problem}"
                sizes.append(result.size)
                note = log.checkpoint()
                _, size, root = parse_checkpoint_reference(open_note_reference(note, vkeys[0]))
                verify_consistency(seen[0], size, seen[1], root, log.consistency_proof(seen[0], size))
                seen = (size, root)
                index = rng.randrange(size)
                verified = verify_receipt(log.prove(index, size), log.entry(index), vkeys)
                assert (verified.size, verified.root_hash) == (size, root)
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
                zygote.reap(pid)
    assert sizes == sorted(sizes)
    engine.dispose()


def test_audit_while_appending_sqlite(tmp_path: Path) -> None:
    _audit_while_appending(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "keys", tmp_path, checks=15)


@pytest.mark.postgres
def test_audit_while_appending_postgres(postgres_db: str, tmp_path: Path) -> None:
    _audit_while_appending(postgres_db, tmp_path / "keys", tmp_path, checks=15)
