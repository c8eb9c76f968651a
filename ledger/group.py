"""Group commit: many threads appending single entries to one log share one batch, one fsync, one checkpoint.

A caller hands in its entry and waits. Appends to a log are serialised by a per-log lock; whoever holds it takes
every entry that is waiting at that moment (its own included) and appends them as one batch (one per submitting
identity), then hands each waiter its own ``Appended``. Each caller may hand in writes of its own (``also``) that
commit in the batch's transaction, so an application row that points at the entry shares the entry's fsync.
Under load, the entries that arrive while a batch is being written form the next batch, so the cost of
durability is shared instead of queued. A batch that fails is retried entry by entry, so one bad entry fails only
its own caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from ledger.log import Appended, Log

MAX_BATCH = 1024


AlsoWriteOne = Callable[[Any, Appended], None]
"""Writes that commit with one appended entry: called with the open connection and where the entry landed."""


class _Pending:
    __slots__ = ("also", "entry", "future", "identity")

    def __init__(self, entry: Mapping[str, Any], identity: str, also: AlsoWriteOne | None) -> None:
        self.entry = entry
        self.identity = identity
        self.also = also
        self.future: Future[Appended] = Future()


class GroupCommitter:
    """Per-process group commit for single-entry appends to one log."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._writer = threading.Lock()

    def append(self, entry: Mapping[str, Any], *, identity: str, also: AlsoWriteOne | None = None) -> Appended:
        """Append one entry (durably, in a signed checkpoint) and return where it landed.

        ``also`` runs inside the batch's write transaction (see ``Log.append``), so what it writes is committed in
        the same fsync as the entry, or not at all; an exception from it fails only this entry.

        Raises:
            EntryError, LedgerError: as ``Log.append`` for this entry; whatever ``also`` raises.
        """
        mine = _Pending(entry, identity, also)
        with self._queue_lock:
            self._queue.append(mine)
        while not mine.future.done():
            with self._writer:
                if mine.future.done():
                    break
                with self._queue_lock:
                    batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                self._write(batch)
        return mine.future.result()

    def _write(self, batch: list[_Pending]) -> None:
        by_identity: dict[str, list[_Pending]] = {}
        for p in batch:
            by_identity.setdefault(p.identity, []).append(p)
        for identity, group in by_identity.items():
            try:
                results = self.log.append([p.entry for p in group], identity=identity, also=_also_all(group))
            except Exception as exc:
                if len(group) == 1:
                    group[0].future.set_exception(exc)
                    continue
                for p in group:  # isolate the bad entry: the others still land
                    try:
                        p.future.set_result(self.log.append([p.entry], identity=identity, also=_also_all([p]))[0])
                    except Exception as one:
                        p.future.set_exception(one)
                continue
            for p, r in zip(group, results, strict=True):
                p.future.set_result(r)


def _also_all(group: list[_Pending]) -> Callable[[Any, list[Appended]], None] | None:
    if all(p.also is None for p in group):
        return None

    def run(conn: Any, appended: list[Appended]) -> None:
        for p, a in zip(group, appended, strict=True):
            if p.also is not None:
                p.also(conn, a)

    return run


_registry_lock = threading.Lock()
_ATTR = "_ledger_group_committers"


def group_committer(log: Log) -> GroupCommitter:
    """The process-wide group committer of ``log`` (one per database and origin; it lives as long as the database
    object does: for an engine, as long as the engine)."""
    attachments = log._db.attachments
    with _registry_lock:
        committers: dict[str, GroupCommitter] | None = attachments.get(_ATTR)
        if committers is None:
            committers = attachments[_ATTR] = {}
        gc = committers.get(log.origin)
        if gc is None:
            gc = committers[log.origin] = GroupCommitter(log)
        return gc
