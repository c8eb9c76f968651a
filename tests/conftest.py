"""Fixtures shared by every package's tests."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from cutproof.core.workspace import Workspace
from cutproof.demo.tsa import LoopbackTsa
from tests._support.placeholders import LEGACY_MARK, placeholders_in_workspace, workspaces_under
from tests._support.postgres import postgres_server
from tests._support.ray_cluster import ray_cluster

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


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """Address of a real local Ray cluster started for the session (``tests/_support/ray_cluster.py``); fails
    loudly (never skips) when it cannot start. This process talks to it as a driver, without token auth."""
    before = os.environ.get("RAY_AUTH_MODE")
    os.environ["RAY_AUTH_MODE"] = "disabled"  # as on the loopback cluster
    try:
        with ray_cluster() as address:
            yield address
            import ray  # only the Ray tests load it

            if ray.is_initialized():
                ray.shutdown()
    except RuntimeError as exc:  # pragma: no cover - depends on the machine
        pytest.fail(f"a local Ray cluster is required for this test and could not be started: {exc}")
    finally:
        if before is None:
            os.environ.pop("RAY_AUTH_MODE", None)
        else:
            os.environ["RAY_AUTH_MODE"] = before


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


@pytest.fixture(autouse=True)
def _nothing_false_is_signed(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: no ledger entry and no manifest in any workspace it made holds a placeholder value
    (all-zero hash, "none", "unknown", empty id). See ``tests/_support/placeholders.py``."""
    yield
    tmp = request.node.funcargs.get("tmp_path") if hasattr(request.node, "funcargs") else None
    if tmp is None:
        return
    homes = list(workspaces_under(Path(tmp)))
    _WALKED.update(str(h.resolve()) for h in homes)
    if request.node.get_closest_marker("placeholders_allowed"):
        (Path(tmp) / LEGACY_MARK).write_text("placeholders planted or kept on purpose by this test\n")
        return
    found = [f"{home}: {p}" for home in homes for p in placeholders_in_workspace(home)]
    if found:
        pytest.fail("placeholder values were signed:\n" + "\n".join(found[:20]), pytrace=False)


_WALKED: set[str] = set()


def _is_xdist_controller(session: pytest.Session) -> bool:
    return not hasattr(session.config, "workerinput") and bool(getattr(session.config.option, "numprocesses", None))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The workspaces of module- and session-scoped fixtures, walked once at the end (see above)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or (session.config.pluginmanager.hasplugin("xdist") and _is_xdist_controller(session)):
        return  # each xdist worker sweeps its own directories
    try:
        base = factory.getbasetemp()
    except (OSError, ValueError):
        return
    found = []
    for home in workspaces_under(base, max_depth=5):
        if str(home.resolve()) in _WALKED:
            continue
        found += [f"{home}: {p}" for p in placeholders_in_workspace(home)]
    if found:
        session.config.get_terminal_writer().line("placeholder values were signed:\n" + "\n".join(found[:20]), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def loopback_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackTsa]:
    """A real RFC 3161 TSA (``openssl ts -reply`` behind an HTTP handler) on 127.0.0.1, stopped after the session."""
    with LoopbackTsa(tmp_path_factory.mktemp("tsa")) as tsa:
        yield tsa
