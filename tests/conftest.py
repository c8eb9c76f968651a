"""Fixtures shared by every package's tests."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from cutproof.core.workspace import Workspace
from tests._support.postgres import postgres_server

# No timed assertions: a property test's examples may take as long as a busy machine needs (hypothesis's default
# 200 ms deadline per example failed tests on a loaded 2-core box without anything being wrong).
settings.register_profile("cutproof", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cutproof")

REPO_ROOT = Path(__file__).resolve().parent.parent
FOOTAGE_DIR = REPO_ROOT.parent / "shared" / "footage"


@pytest.fixture(scope="session")
def footage_dir() -> Path:
    """The shared real footage (``../shared/footage``); tests using it skip with a reason when it is absent."""
    if not FOOTAGE_DIR.is_dir() or not any(FOOTAGE_DIR.iterdir()):
        pytest.skip(f"shared footage not found at {FOOTAGE_DIR} (CI has it; place ../shared beside the repo)")
    return FOOTAGE_DIR


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh, initialised workspace on the embedded SQLite database."""
    ws = Workspace(tmp_path / "home")
    ws.init()
    return ws


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a real PostgreSQL server; fails loudly (never skips) when none can be had."""
    try:
        with postgres_server() as url:
            yield url
    except (RuntimeError, OSError) as exc:  # pragma: no cover - depends on the machine
        pytest.fail(f"PostgreSQL is required for this test and could not be started: {exc}")


_db_counter = itertools.count()


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    name = f"t_{next(_db_counter)}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
