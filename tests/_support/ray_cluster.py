"""A real, throw-away local Ray cluster for the tests of the distributed engine (``cutproof.scale``).

``ray start --head --block`` on 127.0.0.1 with a fixed small number of CPUs, its own temporary directory and its
own process group; stopped (that process group only — never ``ray stop``, which would stop every Ray cluster of
the machine) when the session ends. Its workers import this checkout (``PYTHONPATH``). Token authentication is
off for this loopback-only cluster (``RAY_AUTH_MODE=disabled``, on the cluster and in the test process alike).
If Ray cannot start, the tests that need it fail loudly.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CPUS = 2
OBJECT_STORE_BYTES = 100 * 1024 * 1024
START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cluster_env() -> dict[str, str]:
    """The environment of the cluster's processes (and of any process that talks to it)."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RAY_AUTH_MODE": "disabled",
        "RAY_USAGE_STATS_ENABLED": "0",
    }


@contextmanager
def ray_cluster() -> Iterator[str]:
    """Start a local Ray cluster and yield its address (``127.0.0.1:<port>``).

    Raises:
        RuntimeError: the cluster did not come up (with the end of its log).
    """
    ray_bin = Path(sys.executable).with_name("ray")
    if not ray_bin.exists():
        raise RuntimeError(f"the `ray` command is not installed beside {sys.executable}; pip install ray (pyproject)")
    port = _free_port()
    temp = Path(tempfile.mkdtemp(prefix="cpray-", dir="/tmp"))  # short: Ray's socket paths must fit 107 bytes
    log = (temp / "start.log").open("wb")
    cmd = [
        str(ray_bin), "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port", str(port),
        "--num-cpus", str(CPUS), "--object-store-memory", str(OBJECT_STORE_BYTES), "--include-dashboard=false",
        "--disable-usage-stats", "--temp-dir", str(temp),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=cluster_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while b"Ray runtime started" not in (temp / "start.log").read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (temp / "start.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"`ray start --head` did not come up (exit {proc.returncode}):\n{tail}")
            time.sleep(0.2)
        yield address
    finally:
        _stop(proc)
        log.close()
        shutil.rmtree(temp, ignore_errors=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the cluster this module started: its `ray start --block` (which stops what it started), then anything
    left in its process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
