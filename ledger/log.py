"""One signed, append-only log: reading, proving, appending in batches, key rotation.

Appending a batch is one write transaction: read the latest size, extend the right edge of the tile tree with the
new leaf hashes, sign the new checkpoint with every active key, then compare-and-swap the log row
(``UPDATE ledger_logs SET size=:new … WHERE id=:log AND size=:old``) and insert entries, changed tiles and the
checkpoint. If the swap touches no row another writer won the race: the transaction is rolled back and the whole
batch is retried on the new state, so concurrent processes produce one gap-free history and never sign two
inconsistent checkpoints. On SQLite the transaction starts with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger import storage as st
from ledger._hashing import leaf_hashes
from ledger.checkpoint import Checkpoint, checkpoint_text_of
from ledger.entries import KEY_ROTATED, canonical_batch, now_rfc3339, parse_entry
from ledger.errors import (
    ConflictError,
    CorruptionError,
    IndexOutOfRangeError,
    NoCheckpointError,
    NoteError,
)
from ledger.keys import generate_key, key_path, load_key
from ledger.merkle import HASH_SIZE, consistency_proof, inclusion_proof
from ledger.note import Signer, Verifier
from ledger.receipt import format_receipt
from ledger.tiles import RightEdge, make_hash_reader
from store.errors import BusyError, ConstraintError, SqlError
from store.sql import Sql

if TYPE_CHECKING:
    from ledger.registry import Ledger

MAX_ATTEMPTS = 50

AlsoWrite = Callable[[Any, list["Appended"]], None]
"""Writes that commit with an appended batch: called with the open connection (the transaction's ``Sql.native``: a
SQLAlchemy ``Connection`` where the ledger runs on an engine) and where each entry landed."""


@dataclass(frozen=True)
class Appended:
    """One appended entry: its index, leaf hash and the signed checkpoint that first includes it."""

    index: int
    leaf_hash: bytes
    checkpoint: str

    @property
    def leaf_hash_hex(self) -> str:
        return self.leaf_hash.hex()


@contextmanager
def _undecodable(table: str) -> Iterator[None]:
    """SQLite refuses to return TEXT that disk corruption turned into invalid UTF-8: report it as corruption."""
    try:
        yield
    except SqlError as exc:
        if "decode" not in str(exc):
            raise
        raise CorruptionError(f"{table}: a stored checkpoint is not valid UTF-8; run `cutproof ledger fsck`") from None


class _Lost(Exception):
    """The compare-and-swap found another writer's checkpoint."""


class Log:
    """One append-only log. Obtain it from ``Ledger.create_log`` / ``Ledger.open_log``."""

    def __init__(self, ledger: Ledger, log_id: int, origin: str) -> None:
        self._ledger = ledger
        self._db = ledger.db
        self._id = log_id
        self.origin = origin
        self._signers: dict[str, Signer] = {}

    def __repr__(self) -> str:
        return f"Log({self.origin!r})"

    # -- reading -----------------------------------------------------------------------------------------------

    def size(self) -> int:
        """The size of the latest signed checkpoint."""
        with self._db.read() as sql:
            return st.current_size(sql, self._id)

    def checkpoint(self) -> str:
        """The latest signed checkpoint, verbatim.

        Raises:
            CorruptionError: the stored checkpoint is not valid UTF-8 (run fsck).
        """
        with _undecodable("ledger_logs"), self._db.read() as sql:
            return st.latest_checkpoint(sql, self._id)

    def checkpoint_at(self, size: int) -> str:
        """The signed checkpoint published at ``size``.

        Raises:
            IndexOutOfRangeError: beyond the log's size.
            NoCheckpointError: no checkpoint was published at that size (sizes are batch boundaries).
        """
        with _undecodable("ledger_checkpoints"), self._db.read() as sql:
            note = st.checkpoint_note(sql, self._id, size)
        if note is None:
            current = self.size()
            if size > current or size < 0:
                raise IndexOutOfRangeError(f"tree size {size} is beyond log {self.origin} (size {current})")
            raise NoCheckpointError(
                f"log {self.origin} published no checkpoint at size {size}; use a size from `checkpoint_sizes` "
                "or the latest checkpoint"
            )
        return note

    def checkpoint_sizes(self) -> list[int]:
        """Every tree size at which a signed checkpoint was published, ascending."""
        with self._db.read() as sql:
            return st.checkpoint_sizes(sql, self._id)

    def entry(self, index: int) -> bytes:
        """The exact stored bytes of entry ``index``.

        Raises:
            IndexOutOfRangeError: no such entry.
        """
        with self._db.read() as sql:
            size = st.current_size(sql, self._id)
            data = st.entry_data(sql, self._id, index) if 0 <= index < size else None
        if data is None:
            raise IndexOutOfRangeError(f"no entry {index} in log {self.origin} (size {size})")
        return data

    def entry_json(self, index: int) -> dict[str, Any]:
        """Entry ``index`` parsed as JSON."""
        return parse_entry(self.entry(index))

    def entries(self, start: int = 0, stop: int | None = None, chunk: int = 1024) -> Iterator[tuple[int, bytes]]:
        """(index, exact stored bytes) of entries ``start … stop-1`` (default: to the size when called), in order,
        read in chunks of ``chunk`` entries.

        Raises:
            IndexOutOfRangeError: the range is not within the log.
            CorruptionError: an entry inside the published size is missing.
        """
        size = self.size()
        stop = size if stop is None else stop
        if not 0 <= start <= stop <= size:
            raise IndexOutOfRangeError(f"need 0 <= start <= stop <= {size} for log {self.origin}, got {start}, {stop}")
        for lo in range(start, stop, chunk):
            hi = min(stop, lo + chunk)
            with self._db.read() as sql:
                rows = st.entry_range(sql, self._id, lo, hi)
            if len(rows) != hi - lo:
                raise CorruptionError(
                    f"entries {lo}…{hi - 1} of {self.origin} are incomplete; run `cutproof ledger fsck`"
                )
            yield from rows

    def verifier_keys(self) -> list[str]:
        """Verifier key strings of every key this log ever signed with (active and retired), oldest first."""
        with self._db.read() as sql:
            return st.verifier_keys(sql, self._id)

    def verifiers(self) -> list[Verifier]:
        return [Verifier.from_vkey(v) for v in self.verifier_keys()]

    def _reader(self, sql: Sql) -> Any:
        return make_hash_reader(lambda keys: st.fetch_tiles(sql, self._id, keys))

    def prove(self, index: int, size: int | None = None) -> str:
        """A c2sp.org/tlog-proof@v1 receipt for entry ``index`` against the checkpoint at ``size`` (default latest).

        Raises:
            IndexOutOfRangeError: index or size beyond the log.
            NoCheckpointError: no checkpoint was published at ``size``.
        """
        with _undecodable("ledger_checkpoints"), self._db.read() as sql:
            if size is None:
                note = st.latest_checkpoint(sql, self._id)
            else:
                note = st.checkpoint_note(sql, self._id, size)
                if note is None:
                    note = self.checkpoint_at(size)  # raises the precise error (or it appeared meanwhile)
            cp_size = Checkpoint.parse(checkpoint_text_of(note)).size
            if not 0 <= index < cp_size:
                raise IndexOutOfRangeError(f"no entry {index} in log {self.origin} at size {cp_size}")
            proof = inclusion_proof(index, cp_size, self._reader(sql))
        return format_receipt(index, proof, note)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """RFC 6962 consistency proof from size ``old`` to ``new`` (default: the latest size).

        Raises:
            IndexOutOfRangeError: ``old``/``new`` beyond the log or ``old > new``.
        """
        with self._db.read() as sql:
            size = st.current_size(sql, self._id)
            new = size if new is None else new
            if not 0 <= old <= new <= size:
                raise IndexOutOfRangeError(
                    f"need 0 <= old <= new <= {size} for log {self.origin}, got old={old} new={new}"
                )
            return consistency_proof(old, new, self._reader(sql))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Raw RFC 6962 inclusion proof of ``index`` in the tree of ``size`` leaves (any size ≤ the log's)."""
        with self._db.read() as sql:
            current = st.current_size(sql, self._id)
            if not 0 <= index < size <= current:
                raise IndexOutOfRangeError(f"need 0 <= index < size <= {current}, got index={index} size={size}")
            return inclusion_proof(index, size, self._reader(sql))

    # -- writing -----------------------------------------------------------------------------------------------

    def _active_signers(self, sql: Sql) -> list[Signer]:
        ids = st.active_key_ids(sql, self._id)
        out: list[Signer] = []
        for kid in ids:
            if kid not in self._signers:
                self._signers[kid] = load_key(self._ledger.key_dir, self.origin, bytes.fromhex(kid))
            out.append(self._signers[kid])
        if not out:
            raise NoteError(f"log {self.origin} has no active signing key; run `cutproof ledger rotate-key`")
        return out

    def append(
        self, entries: Sequence[Mapping[str, Any]], identity: str, *, also: AlsoWrite | None = None
    ) -> list[Appended]:
        """Append a batch atomically: all entries, one transaction, one newly signed checkpoint.

        ``also`` runs inside that same write transaction once the entries are stored, with the connection and
        where each entry landed: rows it writes (e.g. an application's record pointing at the entry) commit with
        the entries, in the same fsync, or not at all. It may run more than once (a lost compare-and-swap retries
        the whole transaction); an exception from it rolls the batch back and propagates.

        Raises:
            EntryError: an entry is not acceptable (nothing is written); ``.position`` names it.
            ConflictError: other writers kept winning the compare-and-swap for too long.
            SigningKeyError: the log's signing key cannot be loaded.
        """
        datas = canonical_batch(entries, identity)
        if not datas:
            return []
        return self._append_bytes(datas, also=also)

    def rotate_key(self, retire_old: bool = True, identity: str = "ledger") -> str:
        """Add a new signing key; returns its verifier key string.

        The rotation is itself an entry (``key.rotated/1``) whose checkpoint is signed by the old *and* the new
        keys, so a verifier that trusts only the old key can see the new one endorsed. With ``retire_old`` the old
        keys stop signing afterwards (their public keys stay in ``verifier_keys()`` so old checkpoints verify and
        their private key files are deleted); without it, checkpoints carry both signatures until the next rotation.

        Raises:
            SigningKeyError: the new key cannot be written or an old one cannot be loaded.
        """
        with self._db.read() as sql:
            old_signers = self._active_signers(sql)
        signer = generate_key(self._ledger.key_dir, self.origin)
        new_vkey = signer.verifier.vkey
        entry = {
            "kind": KEY_ROTATED,
            "new_vkey": new_vkey,
            "previous_vkeys": [s.verifier.vkey for s in old_signers],
            "retired": retire_old,
        }
        datas = canonical_batch([entry], identity)
        now = now_rfc3339()

        def register(sql: Sql) -> None:
            if retire_old:
                st.retire_keys(sql, self._id, now)
            st.insert_key(sql, self._id, signer.key_id.hex(), new_vkey, now)

        self._signers[signer.key_id.hex()] = signer
        try:
            self._append_bytes(datas, extra_signers=old_signers, before_sign=register)
        except BaseException:
            key_path(self._ledger.key_dir, self.origin, signer.key_id).unlink(missing_ok=True)
            raise
        if retire_old:
            for old in old_signers:
                key_path(self._ledger.key_dir, self.origin, old.key_id).unlink(missing_ok=True)
                self._signers.pop(old.key_id.hex(), None)
        return new_vkey

    def _append_bytes(
        self,
        datas: Sequence[bytes],
        extra_signers: Sequence[Signer] = (),
        before_sign: Callable[[Sql], None] | None = None,
        also: AlsoWrite | None = None,
    ) -> list[Appended]:
        joined = leaf_hashes(datas)
        hashes = [joined[i : i + HASH_SIZE] for i in range(0, len(joined), HASH_SIZE)]
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._try_append(datas, hashes, extra_signers, before_sign, also)
            except _Lost:
                pass
            except BusyError:  # e.g. PostgreSQL serialization failure / deadlock under contention
                pass
            time.sleep(min(0.2, 0.002 * (2 ** min(attempt, 7))) * random.random())
        raise ConflictError(
            f"could not append to {self.origin}: other writers won {MAX_ATTEMPTS} times in a row; retry the batch"
        )

    def _try_append(
        self,
        datas: Sequence[bytes],
        hashes: Sequence[bytes],
        extra_signers: Sequence[Signer],
        before_sign: Callable[[Sql], None] | None,
        also: AlsoWrite | None = None,
    ) -> list[Appended]:
        with self._db.write() as sql:
            if before_sign is not None:
                before_sign(sql)
            old = st.current_size(sql, self._id)
            edge = RightEdge.load(old, lambda keys: st.fetch_tiles(sql, self._id, keys))
            changed = edge.extend(hashes)
            new = old + len(hashes)
            root = edge.root()
            signers = self._active_signers(sql)
            signers += [s for s in extra_signers if s.key_id not in {x.key_id for x in signers}]
            note = Checkpoint(self.origin, new, root).sign(signers)
            if not st.swap_head(sql, self._id, old, new, root, note):
                raise _Lost
            try:  # we hold the log row now: no other writer can be inserting these rows
                st.store_entries(sql, self._id, old, datas)
                st.store_tiles(sql, self._id, changed)
                st.store_checkpoint(sql, self._id, new, root, note, now_rfc3339())
            except ConstraintError:
                raise CorruptionError(
                    f"log {self.origin} already stores entries or a checkpoint beyond its size {old}; nothing was "
                    "appended; run `cutproof ledger fsck`"
                ) from None
            appended = [Appended(old + i, h, note) for i, h in enumerate(hashes)]
            if also is not None:
                also(sql.native, appended)
        return appended
