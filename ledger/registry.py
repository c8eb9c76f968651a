"""The ledger: many signed, append-only logs in one database, their signing keys in a directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger import storage as st
from ledger.checkpoint import Checkpoint, check_origin
from ledger.entries import now_rfc3339
from ledger.errors import LogExistsError, UnknownLogError
from ledger.keys import generate_key, key_path
from ledger.log import Log
from ledger.merkle import EMPTY_ROOT
from store.errors import ConstraintError
from store.sql import Database, as_database

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Ledger:
    """All logs in one database; signing keys in ``key_dir``.

    ``db`` is a ``store.sql.Database`` (a SQLite file opened without SQLAlchemy: ``store.sql.SqliteFile``) or a
    SQLAlchemy ``Engine``. Callers that write rows of their own with an appended batch (``Log.append(also=…)``)
    give the engine those rows use, so that both commit in one transaction.
    """

    def __init__(self, db: Database | Engine, key_dir: Path | str) -> None:
        self.db = as_database(db)
        self.key_dir = Path(key_dir)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine the ledger runs on.

        Raises:
            AttributeError: it runs on a database opened without SQLAlchemy.
        """
        engine: Any = getattr(self.db, "engine", None)
        if engine is None:
            raise AttributeError(f"this ledger runs on {self.db!r}, without a SQLAlchemy engine")
        return engine  # type: ignore[no-any-return]

    def create_schema(self) -> None:
        """Create the ledger tables (idempotent)."""
        from ledger.tables import create_schema  # the schema's SQLAlchemy description: loaded only to create it

        engine: Any = getattr(self.db, "engine", None)
        if engine is not None:
            create_schema(engine)
            return
        from store.db import open_engine

        engine = open_engine(self.db.url)
        try:
            create_schema(engine)
        finally:
            engine.dispose()

    def origins(self) -> list[str]:
        """Origins of every log, sorted."""
        with self.db.read() as sql:
            return st.origins(sql)

    def create_log(self, origin: str) -> Log:
        """Create a log with a fresh Ed25519 key and its signed empty checkpoint.

        Raises:
            NoteError: the origin is not a valid checkpoint origin.
            LogExistsError: a log with this origin exists.
            SigningKeyError: the key cannot be written.
        """
        check_origin(origin)
        with self.db.read() as sql:
            if st.log_id_of(sql, origin) is not None:
                raise LogExistsError(f"a log {origin} already exists; open it instead")
        signer = generate_key(self.key_dir, origin)
        now = now_rfc3339()
        note = Checkpoint(origin, 0, EMPTY_ROOT).sign([signer])
        try:
            with self.db.write() as sql:
                log_id = st.insert_log(sql, origin, EMPTY_ROOT, note, now)
                st.insert_key(sql, log_id, signer.key_id.hex(), signer.verifier.vkey, now)
                st.store_checkpoint(sql, log_id, 0, EMPTY_ROOT, note, now)
        except ConstraintError:
            key_path(self.key_dir, origin, signer.key_id).unlink(missing_ok=True)
            raise LogExistsError(f"a log {origin} already exists; open it instead") from None
        except BaseException:
            key_path(self.key_dir, origin, signer.key_id).unlink(missing_ok=True)
            raise
        return Log(self, log_id, origin)

    def open_log(self, origin: str) -> Log:
        """Open an existing log.

        Raises:
            UnknownLogError: no log has this origin.
        """
        with self.db.read() as sql:
            log_id = st.log_id_of(sql, origin)
        if log_id is None:
            known = ", ".join(self.origins()) or "none yet"
            raise UnknownLogError(f"no log {origin!r} in this database (logs: {known}); create it first")
        return Log(self, log_id, origin)
