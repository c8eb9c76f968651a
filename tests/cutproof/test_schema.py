"""The migrations: they build exactly what the models declare, on SQLite and on PostgreSQL; the baseline is release
0.1.0's schema; a 0.1.0 database is recognised and stamped; an upgrade is all or nothing and takes turns."""

from __future__ import annotations

import sqlite3
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

import ledger.tables
from cutproof.core import schema
from cutproof.core.metadata import TARGET_METADATA
from cutproof.core.schema import SchemaError
from cutproof.core.workspace import Workspace
from store.db import open_engine

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release_0_1_0" / "workspace.tar.gz"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cutproof.db'}"
    return str(request.getfixturevalue("postgres_db"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    e = open_engine(db_url)
    yield e
    e.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _alembic(conn: object) -> Config:
    config = Config()
    config.set_main_option("script_location", schema.SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = conn
    return config


def test_head_and_baseline_constants_name_the_migrations() -> None:
    script = ScriptDirectory.from_config(_alembic(None))
    assert script.get_current_head() == schema.HEAD
    assert script.get_revision(schema.BASELINE).down_revision is None
    assert schema.history()[0].revision == schema.HEAD


def test_migrations_build_what_the_models_declare(engine: Engine) -> None:
    done = schema.upgrade(engine)
    assert (done.before, done.stamped_release_0_1_0, done.after) == (None, False, schema.HEAD)
    assert done.applied[-1] == schema.HEAD
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, list(TARGET_METADATA))
    assert differences == []
    declared = {name for md in TARGET_METADATA for name in md.tables}
    assert _tables(engine) == declared | {schema.VERSION_TABLE}
    schema.check(engine)


def test_the_baseline_is_release_0_1_0_exactly(tmp_path: Path) -> None:
    """Column for column, constraint for constraint: the SQLite DDL of the baseline equals that of a database
    written by release 0.1.0 (the upgrade fixture's)."""
    with tarfile.open(FIXTURE) as tar:
        tar.extract("home/cutproof.db", tmp_path, filter="data")
    engine = open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with engine.connect() as conn, conn.begin():
        command.upgrade(_alembic(conn), schema.BASELINE)

    def ddl(path: Path) -> dict[str, str]:
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
        return {name: " ".join(sql.split()) for name, sql in rows if name != schema.VERSION_TABLE}

    old = ddl(tmp_path / "home" / "cutproof.db")
    assert ddl(tmp_path / "new.db") == old
    assert {n for n in old if not n.startswith("ix_")} == schema.RELEASE_0_1_0_TABLES


def test_a_release_0_1_0_database_is_stamped_then_upgraded(engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as conn, conn.begin():  # what 0.1.0 left: its tables, no alembic_version
        command.upgrade(_alembic(conn), schema.BASELINE)
        conn.execute(text(f"DROP TABLE {schema.VERSION_TABLE}"))
    with pytest.raises(SchemaError, match=r"made by Cutproof 0\.1\.0, not upgraded yet.*cutproof db upgrade"):
        schema.check(engine)
    done = schema.upgrade(engine)
    assert done.stamped_release_0_1_0 and done.before is None
    assert done.applied == tuple(r.revision for r in reversed(schema.history()))[1:]
    schema.check(engine)
    assert schema.upgrade(engine).applied == ()


def test_a_database_with_only_some_of_the_tables_is_refused_untouched(engine: Engine) -> None:
    ledger.tables.create_schema(engine)  # e.g. the ledger library used on its own
    with pytest.raises(SchemaError, match=r"not a Cutproof database.*app_projects"):
        schema.upgrade(engine)
    assert _tables(engine) == set(ledger.tables.metadata.tables)


def test_a_database_from_a_newer_release_is_refused(engine: Engine) -> None:
    schema.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(SchemaError, match=r"revision 9999: unknown to this Cutproof.*newer release"):
        schema.check(engine)
    with pytest.raises(SchemaError, match=r"cannot upgrade"):
        schema.upgrade(engine)


def test_a_failed_upgrade_leaves_the_database_as_it_was(engine: Engine) -> None:
    with engine.begin() as conn:  # an index name a migration needs is taken: it fails half-way through
        conn.execute(text("CREATE TABLE unrelated (x INTEGER)"))
        conn.execute(text("CREATE INDEX ix_app_jobs_state ON unrelated (x)"))
    with pytest.raises(Exception, match="ix_app_jobs_state"):
        schema.upgrade(engine)
    assert _tables(engine) == {"unrelated"}


def test_concurrent_upgrades_take_turns(db_url: str) -> None:
    engines = [open_engine(db_url) for _ in range(3)]
    results: list[schema.Upgrade] = []
    errors: list[BaseException] = []

    def run(e: Engine) -> None:
        try:
            results.append(schema.upgrade(e))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert errors == []
    assert sorted(len(r.applied) for r in results) == [0, 0, len(schema.history())]


def test_a_workspace_is_created_through_the_migrations(tmp_path: Path, db_url: str) -> None:
    ws = Workspace(tmp_path / "home", db_url)
    with pytest.raises(SchemaError, match=r"no Cutproof tables: run `cutproof init`"):
        ws.engine  # noqa: B018
    ws.init()
    assert ws.schema_state().is_current
    with ws.engine.connect() as conn:
        assert conn.execute(text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).scalar() == schema.HEAD


def test_every_revision_downgrades_to_an_empty_database(engine: Engine) -> None:
    schema.upgrade(engine)
    with engine.connect() as conn, conn.begin():
        command.downgrade(_alembic(conn), "base")
    assert _tables(engine) == {schema.VERSION_TABLE}
