"""Crash safety: a child appending in batches is killed with SIGKILL at random moments, again and again.

After every kill the log must pass fsck, hold every acknowledged entry with identical bytes, keep every checkpoint
it ever published unchanged and consistent with the entries, and contain only whole batches. The default run
kills two dozen children (well under a minute) on SQLite and six on PostgreSQL; ``-m slow`` runs hundreds, and a
variant through the CLI.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger
from store.db import open_engine
from tests.ledger._qa import REPO_ROOT, Acks, Auditor, Zygote, spawn_appender

ORIGIN = "cutproof.test/crash"


def _new_log(tmp_path: Path, url: str | None = None) -> tuple[str, Path]:
    url = url or f"sqlite:///{tmp_path / 'store.db'}"
    keys = tmp_path / "keys"
    engine = open_engine(url)
    ledger = Ledger(engine, keys)
    ledger.create_schema()
    ledger.create_log(ORIGIN)
    engine.dispose()
    return url, keys


def _wait_for_output(path: Path, alive: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or path.stat().st_size == 0:
        if not alive():
            pytest.fail("the appender exited before acknowledging anything (its traceback is on stderr)")
        if time.monotonic() > deadline:
            pytest.fail("the appender acknowledged nothing within a minute")
        time.sleep(0.005)


def _wait_for_acks(path: Path, count: int, alive: Callable[[], bool], cap: float) -> None:
    """Until ``path`` holds ``count`` acknowledgements or ``cap`` seconds have passed. The count bounds how much a
    child appends before its kill whatever the machine's speed (on a fast one, 0.2 s was thousands of entries, and
    the audits after each kill, which read the whole log, made the many-kills run quadratic: it outran its 600 s
    timeout with about 370,000 entries in the log)."""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline and alive():
        with contextlib.suppress(OSError):
            if path.read_bytes().count(b"\n") >= count:
                return
        time.sleep(0.002)


class _Children:
    """Appenders as fresh interpreters (``sys.executable -c``) or forked from a pre-imported zygote (fast)."""

    def __init__(self, zygote: Zygote | None) -> None:
        self.zygote = zygote

    def start(self, out: Path, url: str, keys: Path, worker: str, seed: int) -> Any:
        if self.zygote is not None:
            return self.zygote.spawn(out, url, keys, ORIGIN, worker, seed)
        with out.open("wb") as f:
            return spawn_appender(url, keys, ORIGIN, worker, seed, -1, f)

    def alive(self, child: Any) -> bool:
        if self.zygote is not None:
            return True  # a dead fork stays a zombie until reaped; the timeout catches it
        return child.poll() is None

    def kill(self, child: Any) -> None:
        """SIGKILL, wait until it is gone, and check that it was the kill that ended it."""
        if self.zygote is not None:
            os.kill(child, signal.SIGKILL)
            ended = self.zygote.reap(child)
            assert ended["signal"] == signal.SIGKILL, f"appender ended on its own: {ended} (see stderr)"
            return
        child.send_signal(signal.SIGKILL)
        child.wait()
        stderr = child.stderr.read().decode() if child.stderr else ""
        assert child.returncode == -signal.SIGKILL, f"appender died on its own ({child.returncode}): {stderr[-2000:]}"


def _server_done(url: str, timeout: float = 30.0) -> None:
    """On PostgreSQL, wait until the server has finished what the killed client left it doing: a backend that had
    its COMMIT before the kill commits it after, and an audit that read the log's size before and its checkpoints
    after saw them disagree (a checkpoint 200 entries past the size, on a loaded host). SQLite has no server."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import text

    busy = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND state IS NOT NULL AND state <> 'idle'"
    )
    engine = open_engine(url)
    try:
        deadline = time.monotonic() + timeout
        with engine.connect() as conn:
            while conn.execute(busy).scalar_one():
                assert time.monotonic() < deadline, f"the killed appender's server session still busy after {timeout} s"
                conn.rollback()
                time.sleep(0.01)
    finally:
        engine.dispose()


def _crash_loop(tmp_path: Path, iterations: int, seed: int, url: str | None = None, fork: bool = True) -> None:
    url, keys = _new_log(tmp_path, url)
    auditor = Auditor(url, keys, ORIGIN)
    acks = Acks()
    rng = random.Random(seed)
    with contextlib.ExitStack() as stack:
        children = _Children(stack.enter_context(Zygote()) if fork else None)
        for it in range(iterations):
            out = tmp_path / f"acks-{it}.jsonl"
            child = children.start(out, url, keys, f"run{it}", seed * 1000 + it)
            if rng.random() < 0.2:
                time.sleep(rng.uniform(0.0, 0.3))  # anywhere, start-up included
            else:
                alive = functools.partial(children.alive, child)
                _wait_for_output(out, alive)  # mid-append: sequencing batches
                _wait_for_acks(out, rng.randint(1, 400), alive, rng.uniform(0.0, 0.2))
            children.kill(child)
            _server_done(url)
            before = len(acks.entries)
            acks.read(out.read_bytes() if out.exists() else b"")
            size = auditor.audit(acks)
            committed = auditor.check_batches().get(f"run{it}", 0)
            assert committed >= len(acks.entries) - before
    assert acks.entries, "no child ever got an acknowledgement: the kills all landed in start-up"
    assert size >= len(acks.entries)


def test_sigkill_during_appends(tmp_path: Path) -> None:
    _crash_loop(tmp_path, iterations=24, seed=1)


@pytest.mark.slow
def test_sigkill_during_appends_many_times(tmp_path: Path) -> None:
    _crash_loop(tmp_path, iterations=200, seed=2)


@pytest.mark.slow
def test_sigkill_fresh_interpreters(tmp_path: Path) -> None:
    """The same with every appender a fresh ``sys.executable -c`` process (no fork)."""
    _crash_loop(tmp_path, iterations=40, seed=6, fork=False)


@pytest.mark.postgres
def test_sigkill_during_appends_postgres(postgres_db: str, tmp_path: Path) -> None:
    """A killed client's open transaction is rolled back by the server: nothing half-written, nothing lost."""
    _crash_loop(tmp_path, iterations=6, seed=4, url=postgres_db)


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_during_appends_postgres_many_times(postgres_db: str, tmp_path: Path) -> None:
    _crash_loop(tmp_path, iterations=100, seed=5, url=postgres_db)


@pytest.mark.slow
def test_sigkill_cli_append(tmp_path: Path) -> None:
    """The same through `cutproof ledger append`: each invocation is one batch; acknowledged lines survive kills."""
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cli = [sys.executable, "-m", "cutproof", "--home", str(home)]
    subprocess.run([*cli, "init"], check=True, cwd=REPO_ROOT, env=env, capture_output=True)
    subprocess.run([*cli, "ledger", "create", ORIGIN], check=True, cwd=REPO_ROOT, env=env, capture_output=True)
    url = f"sqlite:///{(home / 'cutproof.db').resolve()}"
    auditor = Auditor(url, home / "keys", ORIGIN)
    acks = Acks()
    rng = random.Random(3)
    seq = 0
    for _ in range(30):
        n = rng.choice([1, 10, 500])
        lines = "".join(
            json.dumps({"kind": "test.append/1", "worker": "cli", "seq": seq + i, "batch": [seq, n]}) + "\n"
            for i in range(n)
        )
        child = subprocess.Popen(
            [*cli, "ledger", "append", "--log", ORIGIN],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=env,
        )
        assert child.stdin is not None
        child.stdin.write(lines.encode())
        child.stdin.close()
        time.sleep(rng.uniform(0.0, 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.stdout is not None and child.stderr is not None
        out, err = child.stdout.read(), child.stderr.read()
        assert child.returncode in (0, -signal.SIGKILL), err.decode()[-2000:]
        got = [json.loads(x) for x in out.decode()[: out.decode().rfind("\n") + 1].splitlines()]
        for i, ack in enumerate(got):
            acks.entries.append({"index": ack["index"], "leaf": ack["leaf_hash"], "worker": "cli", "seq": seq + i})
        auditor.audit(acks)
        committed = auditor.check_batches().get("cli", 0)
        assert committed in (seq, seq + n)  # the whole batch or none of it
        seq = committed
