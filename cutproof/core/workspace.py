"""The workspace: one directory (``--home``) holding the database, keys and content-addressed blobs.

Layout::

    <home>/workspace.json     marker with the layout version (written last by ``init``)
    <home>/cutproof.db        embedded SQLite database (unless --db names another database)
    <home>/cutproof.db-writer.lock   writers of the SQLite file take turns on it (``store.db.writer_lock``)
    <home>/job-pool.lock      held by the server process that runs the render-job pool (``cutproof.api.pool``)
    <home>/keys/              private keys, directory 0700, files 0600 (keys/c2pa/: C2PA signing identity)
    <home>/blobs/             content-addressed store (documents, models, renders, manifests)

Private whatever the umask (``secure``): the home and its directories 0700, the SQLite database 0600, blobs 0400,
keys 0600. Temporary files an interrupted upload or check left behind (``.upload-*``, ``.qc-*``,
``blobs/tmp/incoming-*``) are swept at start-up once older than ``STALE_AFTER_S`` (``sweep_stale``).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cutproof.core import schema
from cutproof.core.errors import WorkspaceError
from store.blobs import BlobStore

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ledger import Ledger
    from store.sql import Database

LAYOUT_VERSION = 1
MARKER = "workspace.json"
DEFAULT_HOME = Path("cutproof-data")
PRIVATE_DIRS = ("", "keys", "blobs", "blobs/tmp", "dailies", "deliverables", "renders", "staging")
STALE_AFTER_S = 3600
"""A temporary upload or check untouched this long belongs to no live request (an upload's file grows with every
chunk, and the server drops a body that stalls for ``Settings.body_timeout_s``)."""
TEMP_PATTERNS = (".upload-*", ".qc-*", "blobs/tmp/incoming-*")


class Workspace:
    """A Cutproof workspace on disk plus the database it points at."""

    def __init__(self, home: Path, db_url: str | None = None, *, tsa_url: str | None = None) -> None:
        self.home = Path(home)
        self._db_url = db_url
        self.tsa_url = tsa_url or None
        """The RFC 3161 time-stamp authority that time-stamps C2PA claim signatures (setting ``tsa_url``,
        ``CUTPROOF_TSA_URL``); None signs without a time-stamp."""

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL in use: ``--db`` if given, else the embedded SQLite file."""
        return self._db_url or f"sqlite:///{(self.home / 'cutproof.db').resolve()}"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def blobs_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def is_initialised(self) -> bool:
        return (self.home / MARKER).is_file()

    def require(self) -> Workspace:
        """Return self, or raise if ``cutproof init`` has not been run for this home.

        Raises:
            WorkspaceError: the workspace does not exist or is not initialised.
        """
        if not self.is_initialised:
            raise WorkspaceError(
                f"no Cutproof workspace at {self.home}; run `cutproof --home {self.home} init` first "
                "or point --home / CUTPROOF_HOME at an existing workspace"
            )
        return self

    def init(self) -> bool:
        """Create the workspace (idempotent): directories, signing identity, and the database schema through the
        migrations (an existing database is upgraded to the head revision). Returns True if it was created now,
        False if it existed.

        Raises:
            SchemaError: the database cannot be upgraded (newer than this Cutproof, or not Cutproof's).
        """
        existed = self.is_initialised
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.keys_dir.mkdir(mode=0o700, exist_ok=True)
        self.blobs_dir.mkdir(mode=0o700, exist_ok=True)
        self.secure()
        from labeler.identity import ensure_identity  # cryptography: loaded by the commands that write, not by all

        ensure_identity(self.keys_dir)  # the project's C2PA signing identity (keys/c2pa/), kept if present
        self.upgrade_schema()
        self.secure()  # the database file now exists
        if not existed:
            tmp = self.home / (MARKER + ".tmp")
            tmp.write_text(json.dumps({"layout": LAYOUT_VERSION}) + "\n")
            os.replace(tmp, self.home / MARKER)
        return not existed

    def secure(self) -> None:
        """Make the workspace private to its owner whatever the umask it was made under (see the module's
        docstring); idempotent, and cheap enough for every start."""
        for name in PRIVATE_DIRS:
            d = self.home / name
            if d.is_dir() and not d.is_symlink():
                os.chmod(d, 0o700)
        if self._db_url is None:
            for suffix in ("", "-wal", "-shm", "-writer.lock"):
                f = self.home / f"cutproof.db{suffix}"
                if f.is_file():
                    os.chmod(f, 0o600)
        for f in (self.home / MARKER, self.home / "job-pool.lock"):
            if f.is_file():
                os.chmod(f, 0o600)

    def sweep_stale(self, older_than_s: float = STALE_AFTER_S) -> list[str]:
        """Remove temporary files and folders (``TEMP_PATTERNS``) untouched for ``older_than_s`` seconds, left by a
        process killed mid-upload or mid-check; returns their names."""
        cutoff = time.time() - older_than_s
        removed = []
        for pattern in TEMP_PATTERNS:
            for p in self.home.glob(pattern):
                try:
                    if p.lstat().st_mtime > cutoff:
                        continue
                    if p.is_dir() and not p.is_symlink():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink(missing_ok=True)
                    removed.append(p.name)
                except OSError:
                    continue
        return removed

    def upgrade_schema(self) -> schema.Upgrade:
        """Create or upgrade every package's tables through the migrations (``cutproof.core.schema.upgrade``).

        Raises:
            SchemaError: the database is newer than this Cutproof, or has only some of Cutproof's tables.
        """
        result = schema.upgrade(self._database)
        self.__dict__.pop("engine", None)  # checked again on next use
        return result

    def schema_state(self) -> schema.SchemaState:
        """Where the database's schema stands (``cutproof db current``); changes nothing."""
        with self._database.connect() as conn:
            return schema.state(conn)

    @cached_property
    def engine(self) -> Engine:
        """The workspace database, once its schema is checked to be the one this code needs (once per engine).

        Raises:
            SchemaError: the database is not at the head revision (e.g. made by 0.1.0 and not upgraded yet: run
                ``cutproof db upgrade``), or is not a Cutproof database.
        """
        schema.check(self._database)
        return self._database

    @cached_property
    def database(self) -> Database:
        """The workspace database as plain SQL (``store.sql``), its schema checked like ``engine``'s: the embedded
        SQLite file through the standard library's driver, so a command that needs nothing else starts without
        SQLAlchemy; any other database through ``engine``.

        Raises:
            SchemaError: as ``engine``.
        """
        from store.sql import SqliteFile, as_database, sqlite_path

        path = sqlite_path(self.db_url)
        if path is None or not path.is_file():
            return as_database(self.engine)  # (a missing file: ``engine`` says what to do)
        db = SqliteFile(path)
        with db.read() as sql:
            current = schema.is_head(sql)
        if not current:
            self.engine  # noqa: B018 - the full check, which raises the SchemaError that says what to do
        return db

    @cached_property
    def _database(self) -> Engine:
        from store.db import open_engine  # SQLAlchemy: loaded by the commands that use the database, not by all

        return open_engine(self.db_url)

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.blobs_dir)


def open_ledger(ws: Workspace, *, alone: bool = False) -> Ledger:
    """The workspace's ledger: every log lives in the workspace database, each log's signing key under
    ``keys/ledger``. Here (not in ``projects``) so that the ledger commands load no application tables.

    It runs on ``ws.engine``, so that rows the application writes with an appended entry (``Log.append(also=…)``)
    commit in the same transaction. ``alone``: for a caller that uses the ledger by itself (the ``cutproof ledger``
    commands), it runs on ``ws.database`` instead, which on the embedded SQLite file needs no SQLAlchemy.
    """
    from ledger import Ledger  # the log's code: loaded by the commands that use it, not by all

    return Ledger(ws.database if alone else ws.engine, ws.keys_dir / "ledger")
