"""The workspace database's schema: every package's tables, created and changed only by the migrations.

The migrations (Alembic) ship inside the package, in ``cutproof/core/migrations``, so an installed Cutproof can
upgrade a production's database: ``cutproof db upgrade``. ``cutproof init`` creates a new database through the
same migrations; nothing else creates tables in a workspace. Revisions::

    0001   the schema of release 0.1.0 (the baseline)
    0002   the console's sessions and delivery QC's history of checks
    0003   perceptual fingerprints of deliverables (QC's third recovery path)
    0004   camera provenance of dailies (the C2PA manifest a camera signed, as validated at ingest)
    0005   layout prints of catalogued clips (a relight's search of the dailies for a reference's original)
    0006   the request an edit request was submitted again as

``upgrade`` works in four steps, all in one transaction (a failed upgrade leaves the database as it was):

1. take the database's lock for schema changes: on SQLite the file's writer lock and ``BEGIN IMMEDIATE``; on
   PostgreSQL a transaction-level advisory lock (DDL is transactional there). Two processes upgrading at once take
   turns, and the second finds nothing left to do;
2. read the revision in ``alembic_version``. A database made by release 0.1.0 has no such table: it is recognised
   by its tables (every table 0.1.0 made) and stamped at the baseline, which it already is. A database with only
   some of them was not made by a release and is refused; one with none of them is new;
3. run the revisions from there to the head;
4. commit.

Every other use of the database goes through ``Workspace.engine``, which checks once per engine that the schema is
the head this code was written for (``check``): a database that is behind, ahead, or not Cutproof's is refused with
what to do, instead of failing later on a missing column. The check reads ``alembic_version`` directly; Alembic
itself (a few hundred milliseconds of imports) is loaded only to migrate, or to list the revisions. SQLAlchemy too
is imported by the functions that touch a database: importing this module (the workspace does) loads neither.

Errors::

    WorkspaceError
    └── SchemaError     the database's schema is not the one this Cutproof needs, or cannot be upgraded
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cutproof.core.errors import WorkspaceError
from store.errors import SqlError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

    from store.sql import Sql

BASELINE = "0001"
"""The revision of release 0.1.0's schema."""
HEAD = "0006"
"""The newest revision, which this code reads and writes (a test checks it is the migrations' head)."""
VERSION_TABLE = "alembic_version"
SCRIPT_LOCATION = "cutproof.core:migrations"

RELEASE_0_1_0_TABLES = frozenset(
    {
        "ledger_logs",
        "ledger_entries",
        "ledger_tiles",
        "ledger_checkpoints",
        "ledger_keys",
        "app_projects",
        "app_users",
        "app_memberships",
        "app_tokens",
        "app_jobs",
        "app_edit_requests",
        "app_watermark_keys",
        "app_presence_cache",
        "app_uploads",
        "consent_performers",
        "consent_documents",
        "consent_pending",
        "consent_grants",
        "consent_events",
        "editor_clips",
        "editor_models",
        "editor_cast_tags",
    }
)
"""Every table release 0.1.0 created (``cutproof init``): how a database it made is recognised."""

_PG_LOCK_KEY = 0x43505F534348  # "CP_SCH": the advisory lock schema changes take on PostgreSQL
_UPGRADE_HELP = "back the database up, then run `cutproof db upgrade` (docs/operators-database.md)"


class SchemaError(WorkspaceError):
    """The database's schema is not the one this Cutproof needs, or cannot be upgraded."""


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands.

    ``revision`` is None for a database without ``alembic_version``: then ``release_0_1_0`` says whether it holds
    every table of release 0.1.0, and ``known_tables`` lists which of those tables it has (none: a new database).
    """

    revision: str | None
    release_0_1_0: bool
    known_tables: frozenset[str]

    @property
    def is_new(self) -> bool:
        return self.revision is None and not self.known_tables

    @property
    def is_current(self) -> bool:
        return self.revision == HEAD

    def describe(self) -> str:
        """One line for the operator."""
        if self.revision == HEAD:
            return f"revision {HEAD} (head): up to date"
        if self.revision is not None:
            if self.revision in _known_revisions():
                return f"revision {self.revision}: behind this Cutproof's {HEAD}; {_UPGRADE_HELP}"
            return (
                f"revision {self.revision}: unknown to this Cutproof (head {HEAD}), written by a newer release; "
                "run that release (or a newer one) on this database"
            )
        if self.release_0_1_0:
            return f"made by Cutproof 0.1.0, not upgraded yet; {_UPGRADE_HELP}"
        if self.is_new:
            return "no Cutproof tables: run `cutproof init` to create them, or check --db names the right database"
        missing = ", ".join(sorted(RELEASE_0_1_0_TABLES - self.known_tables))
        return (
            "not a Cutproof database: it has some of Cutproof's tables but not "
            f"{missing}; restore it from a backup made by Cutproof"
        )


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade`` did: the revision before (None: new, or 0.1.0's unstamped), whether it stamped a 0.1.0
    database at the baseline, and the revisions it ran, oldest first."""

    before: str | None
    stamped_release_0_1_0: bool
    applied: tuple[str, ...]

    @property
    def after(self) -> str:
        return HEAD


def state(conn: Connection) -> SchemaState:
    """Where the database behind ``conn`` stands (reads only)."""
    from sqlalchemy import inspect, text

    names = set(inspect(conn).get_table_names())
    revision = None
    if VERSION_TABLE in names:
        revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    known = frozenset(names & RELEASE_0_1_0_TABLES)
    return SchemaState(revision=revision, release_0_1_0=known == RELEASE_0_1_0_TABLES, known_tables=known)


def is_head(sql: Sql) -> bool:
    """Whether the database behind a plain ``store.sql`` transaction is at the head revision: the quick check of a
    command that opens the database without SQLAlchemy. False also where there is no ``alembic_version``;
    ``check`` then says precisely what is wrong."""
    try:
        rows = sql.rows(f"SELECT version_num FROM {VERSION_TABLE}")
    except SqlError:
        return False
    return rows == [(HEAD,)]


def check(engine: Engine) -> None:
    """Refuse a database whose schema is not this code's head.

    Raises:
        SchemaError: the database is behind (0.1.0's included), ahead, new, or not Cutproof's; the message says
            what to do.
    """
    with engine.connect() as conn:
        found = state(conn)
    if not found.is_current:
        raise SchemaError(f"the workspace database ({_safe_url(engine)}): {found.describe()}")


def upgrade(engine: Engine) -> Upgrade:
    """Bring the database to the head revision (a new database gets every table); see the module for the steps.

    Raises:
        SchemaError: the database is ahead of this code, or has only some of Cutproof's tables.
    """
    from alembic import command

    with _schema_transaction(engine) as conn:  # 1.
        found = state(conn)  # 2.
        if found.revision is not None and found.revision not in _known_revisions():
            raise SchemaError(f"cannot upgrade {_safe_url(engine)}: {found.describe()}")
        if found.revision is None and found.known_tables and not found.release_0_1_0:
            raise SchemaError(f"cannot upgrade {_safe_url(engine)}: {found.describe()}")
        config = _config(conn)
        stamped = found.revision is None and found.release_0_1_0
        if stamped:
            command.stamp(config, BASELINE)
        before = BASELINE if stamped else found.revision
        applied = _pending(before)
        command.upgrade(config, "head")  # 3.
    return Upgrade(before=found.revision, stamped_release_0_1_0=stamped, applied=applied)  # 4. (committed)


@dataclass(frozen=True)
class Revision:
    """One migration: its id, the one it follows (None for the baseline) and its first docstring line."""

    revision: str
    down_revision: str | None
    title: str


@functools.cache
def history() -> tuple[Revision, ...]:
    """Every revision the migrations hold, newest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(None))
    out = []
    for rev in script.walk_revisions():
        down = rev.down_revision
        out.append(Revision(rev.revision, down if isinstance(down, str) else None, (rev.doc or "").splitlines()[0]))
    return tuple(out)


def _known_revisions() -> frozenset[str]:
    return frozenset(r.revision for r in history())


def _pending(current: str | None) -> tuple[str, ...]:
    """The revisions after ``current`` (None: all of them), oldest first."""
    chain = [r.revision for r in reversed(history())]
    return tuple(chain[chain.index(current) + 1 :] if current is not None else chain)


def _config(conn: Connection | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    if conn is not None:
        config.attributes["connection"] = conn  # env.py runs the migrations on it, inside this transaction
    return config


@contextmanager
def _schema_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database's lock for schema changes (commits when the block ends)."""
    from sqlalchemy import text

    from store.db import writer_lock

    if engine.dialect.name == "sqlite":
        with writer_lock(engine), engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
            yield conn
        return
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield conn


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
