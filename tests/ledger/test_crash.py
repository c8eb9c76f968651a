"""Crash safety: a child appending in batches is killed with SIGKILL at random moments, again and again.

After every kill the log must pass fsck, hold every acknowledged entry with identical bytes, keep every checkpoint
it ever published unchanged and consistent with the entries, and contain only whole batches. The default run
kills two dozen children (well under a minute); ``-m slow`` runs hundreds, and a variant through the CLI.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.db import open_engine
from tests.ledger._qa import REPO_ROOT, Acks, Auditor, spawn_appender

ORIGIN = "cutproof.test/crash"


def _new_log(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    keys = tmp_path / "keys"
    engine = open_engine(url)
    ledger = Ledger(engine, keys)
    ledger.create_schema()
    ledger.create_log(ORIGIN)
    engine.dispose()
    return url, keys


def _wait_for_output(path: Path, child: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while path.stat().st_size == 0:
        if child.poll() is not None:
            pytest.fail(f"appender exited with {child.returncode}: {child.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail("appender acknowledged nothing within a minute")
        time.sleep(0.005)


def _crash_loop(tmp_path: Path, iterations: int, seed: int) -> None:
    url, keys = _new_log(tmp_path)
    auditor = Auditor(url, keys, ORIGIN)
    acks = Acks()
    rng = random.Random(seed)
    unacknowledged_commits = 0
    for it in range(iterations):
        out = tmp_path / f"acks-{it}.jsonl"
        with out.open("wb") as f:
            child = spawn_appender(url, keys, ORIGIN, f"run{it}", seed * 1000 + it, -1, f)
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.0, 0.6))  # anywhere, start-up included
        else:
            _wait_for_output(out, child)  # mid-append: it is already sequencing batches
            time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        child.wait()
        stderr = child.stderr.read().decode() if child.stderr else ""
        assert child.returncode == -signal.SIGKILL, f"appender died on its own ({child.returncode}): {stderr[-2000:]}"
        before = len(acks.entries)
        acks.read(out.read_bytes())
        size = auditor.audit(acks)
        committed = auditor.check_batches().get(f"run{it}", 0)
        acknowledged = len(acks.entries) - before
        assert committed >= acknowledged
        unacknowledged_commits += committed > acknowledged
    assert acks.entries, "no child ever got an acknowledgement: the kills all landed in start-up"
    assert size >= len(acks.entries)


def test_sigkill_during_appends(tmp_path: Path) -> None:
    _crash_loop(tmp_path, iterations=24, seed=1)


@pytest.mark.slow
def test_sigkill_during_appends_many_times(tmp_path: Path) -> None:
    _crash_loop(tmp_path, iterations=200, seed=2)


CLI_FEEDER = r"""
import json, sys
start, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    sys.stdout.write(json.dumps({"kind": "test.append/1", "worker": sys.argv[3], "seq": start + i,
                                 "batch": [start, n]}) + "\n")
"""


@pytest.mark.slow
def test_sigkill_cli_append(tmp_path: Path) -> None:
    """The same through `cutproof ledger append`: each invocation is one batch; acknowledged lines survive kills."""
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cli = [sys.executable, "-m", "cutproof", "--home", str(home)]
    subprocess.run([*cli, "init"], check=True, cwd=REPO_ROOT, env=env, capture_output=True)
    subprocess.run(
        [*cli, "ledger", "create", "--log", ORIGIN], check=False, cwd=REPO_ROOT, env=env, capture_output=True
    )
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
        out, err = child.communicate()
        assert child.returncode in (0, -signal.SIGKILL), err.decode()[-2000:]
        got = [json.loads(x) for x in out.decode()[: out.decode().rfind("\n") + 1].splitlines()]
        for i, ack in enumerate(got):
            acks.entries.append({"index": ack["index"], "leaf": ack["leaf_hash"], "worker": "cli", "seq": seq + i})
        auditor.audit(acks)
        committed = auditor.check_batches().get("cli", 0)
        assert committed in (seq, seq + n)  # the whole batch or none of it
        seq = committed
