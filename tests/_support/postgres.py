"""A real, throw-away PostgreSQL server for the tests that need one.

``.ci/run`` starts one and exports ``CUTPROOF_TEST_PG``; without it, the test session starts its own cluster with
the Debian server binaries (``initdb``/``pg_ctl``). If neither works, the PostgreSQL tests fail loudly.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a running PostgreSQL server (an existing one, or one started here)."""
    url = os.environ.get("CUTPROOF_TEST_PG")
    if url:
        yield url
        return
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdbs:
        raise RuntimeError(
            "PostgreSQL tests need a server: set CUTPROOF_TEST_PG to a SQLAlchemy URL, or install the Debian "
            "package `postgresql` (as .ci/run does) so the tests can start one"
        )
    bindir = Path(initdbs[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="cutproof-pg-test-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        subprocess.run(["id", "postgres"], check=True, capture_output=True)
        shutil.chown(data, user="postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data / "db"), "-U", "cutproof", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={data} -c max_connections=200"
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-l", str(data / "log"), "-w", "-o", opts, "start"],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [*run_as, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "cutproof", "cutproof_test"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://cutproof@127.0.0.1:{port}/cutproof_test"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(data, ignore_errors=True)
