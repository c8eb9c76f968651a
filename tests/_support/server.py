"""Run the real API server (``cutproof serve``) on loopback in a child process for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(home: Path, *, secret: str, db: str | None = None, workers: int = 1) -> Iterator[str]:
    """Yield the base URL of ``cutproof serve`` for ``home``; the server is stopped afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "CUTPROOF_SECRET_KEY": secret, "CUTPROOF_WORKERS": str(workers)}
    cmd = [sys.executable, "-m", "cutproof", "--home", str(home)]
    if db:
        cmd += ["--db", db]
    proc = subprocess.Popen(
        [*cmd, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
