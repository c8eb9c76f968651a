"""The ledger: many signed, append-only logs in one database, their signing keys in a directory."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from ledger import storage as st
from ledger.checkpoint import Checkpoint, check_origin
from ledger.entries import now_rfc3339
from ledger.errors import LogExistsError, UnknownLogError
from ledger.keys import generate_key, key_path
from ledger.log import Log
from ledger.merkle import EMPTY_ROOT


class Ledger:
    """All logs in one database; signing keys in ``key_dir``."""

    def __init__(self, engine: Engine, key_dir: Path | str) -> None:
        self.engine = engine
        self.key_dir = Path(key_dir)

    def create_schema(self) -> None:
        """Create the ledger tables (idempotent)."""
        st.create_schema(self.engine)

    def origins(self) -> list[str]:
        """Origins of every log, sorted."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(st.logs.c.origin).order_by(st.logs.c.origin)).scalars())

    def create_log(self, origin: str) -> Log:
        """Create a log with a fresh Ed25519 key and its signed empty checkpoint.

        Raises:
            NoteError: the origin is not a valid checkpoint origin.
            LogExistsError: a log with this origin exists.
            SigningKeyError: the key cannot be written.
        """
        check_origin(origin)
        with self.engine.connect() as conn:
            if st.log_row(conn, origin) is not None:
                raise LogExistsError(f"a log {origin} already exists; open it instead")
        signer = generate_key(self.key_dir, origin)
        now = now_rfc3339()
        note = Checkpoint(origin, 0, EMPTY_ROOT).sign([signer])
        try:
            with st.write_transaction(self.engine) as conn:
                log_id = conn.execute(  # type: ignore[index]
                    insert(st.logs).values(origin=origin, size=0, root_hash=EMPTY_ROOT, checkpoint=note, created_at=now)
                ).inserted_primary_key[0]
                conn.execute(
                    insert(st.keys).values(
                        log_id=log_id,
                        key_id=signer.key_id.hex(),
                        vkey=signer.verifier.vkey,
                        active=True,
                        created_at=now,
                    )
                )
                conn.execute(
                    insert(st.checkpoints).values(
                        log_id=log_id, size=0, root_hash=EMPTY_ROOT, note=note, created_at=now
                    )
                )
        except IntegrityError:
            key_path(self.key_dir, origin, signer.key_id).unlink(missing_ok=True)
            raise LogExistsError(f"a log {origin} already exists; open it instead") from None
        except BaseException:
            key_path(self.key_dir, origin, signer.key_id).unlink(missing_ok=True)
            raise
        return Log(self, int(log_id), origin)

    def open_log(self, origin: str) -> Log:
        """Open an existing log.

        Raises:
            UnknownLogError: no log has this origin.
        """
        with self.engine.connect() as conn:
            row = st.log_row(conn, origin)
        if row is None:
            known = ", ".join(self.origins()) or "none yet"
            raise UnknownLogError(f"no log {origin!r} in this database (logs: {known}); create it first")
        return Log(self, int(row.id), origin)
