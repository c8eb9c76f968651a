"""Run the real API server (``cutproof serve``) on loopback in a child process for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running ``cutproof serve``: its base URL, process id and the file its output goes to."""

    base: str
    pid: int
    log: Path


@contextmanager
def running_server(home: Path, *, secret: str, db: str | None = None, workers: int = 1) -> Iterator[str]:
    """Yield the base URL of ``cutproof serve`` for ``home``; the server is stopped afterwards."""
    with server_process(home, secret=secret, db=db, workers=workers) as server:
        yield server.base


@contextmanager
def server_process(
    home: Path,
    *,
    secret: str,
    db: str | None = None,
    workers: int = 1,
    processes: int = 1,
    extra_env: dict[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> Iterator[Server]:
    """Run ``cutproof serve`` for ``home`` and yield it; the server is stopped afterwards.

    Its output (uvicorn's log, one access line per request) goes to a file next to ``home``, never to an undrained
    pipe: a full pipe would block the server's event loop after some hundred requests. ``wrapper`` is a command
    that runs the server as its child (e.g. ``py-spy record -o OUT --``); it is stopped with SIGINT, and ``pid``
    is then the server's own process id. With ``processes`` > 1, ``pid`` is uvicorn's supervisor (the server
    processes are its children).
    """
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CUTPROOF_SECRET_KEY": secret,
        "CUTPROOF_WORKERS": str(workers),
        **(extra_env or {}),
    }
    cmd = [sys.executable, "-m", "cutproof", "--home", str(home)]
    if db:
        cmd += ["--db", db]
    log_path = home.parent / f"serve-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*wrapper, *cmd, "serve", "--port", str(port), "--processes", str(processes)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it reaches every server process
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()}")
            try:
                up = httpx.get(base + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                up = False
            if up and log_path.read_text().count("Application startup complete") >= processes:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.2)
        pid = proc.pid
        if wrapper:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pid = int(children[0])
        yield Server(base, pid, log_path)
    finally:
        _stop_group(proc, signal.SIGINT if wrapper else signal.SIGTERM)


def _stop_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Stop the server's process group (uvicorn's supervisor and its server processes, or a wrapper and the
    server under it): ``sig`` first, SIGKILL after 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the group's other processes may outlive its leader briefly
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
