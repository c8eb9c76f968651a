"""Reading a project's consent registry: performers, grants and their state at a time, history, coverage with
ledger receipts, and the integrity check against the ledger."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from consent import _sql as q
from consent import _state
from consent._validate import aware
from consent.coverage import CandidateGrant, ConsentEvent, Coverage, Proof
from consent.errors import DocumentError, UnknownGrantError, UnknownPerformerError
from consent.models import Category, ConsentGrant, ConsentState, Performer, Suspension, now_utc
from store.blobs import BlobStore
from store.sql import Database, Sql, as_database

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ledger import Log


class RegistryReader:
    """The read side of ``ConsentRegistry`` (see there for the arguments): what a command that only reads consent
    needs, without the write and integrity-check code (nor the ledger record models those build)."""

    def __init__(
        self,
        db: Database | Engine,
        blobs: BlobStore,
        log: Log | None = None,
        project: str | None = None,
        *,
        open_log: Callable[[], Log] | None = None,
    ) -> None:
        """``open_log`` (with ``project``) instead of ``log``: the project's log is opened on first use, so a read
        that never touches the ledger (a state or a history without receipts) never loads it.

        Raises:
            TypeError: neither or both of ``log`` and ``open_log`` given, or ``open_log`` without ``project``.
        """
        if (log is None) == (open_log is None) or (open_log is not None and project is None):
            raise TypeError("give the project's log, or open_log and project")
        self.db = as_database(db)
        self.blobs = blobs
        self._log = log
        self._open_log = open_log
        self.project = project or log.origin.rsplit("/", 1)[-1]  # type: ignore[union-attr]

    @property
    def log(self) -> Log:
        """The project's ledger log (opened now if it was given as ``open_log``)."""
        if self._log is None:
            assert self._open_log is not None
            self._log = self._open_log()
        return self._log

    # ------------------------------------------------------------------ reads

    def performers(self, *, known_at: datetime | None = None) -> list[Performer]:
        """Every performer registered in this project, in registration order, as amended (as known at
        ``known_at``)."""
        prow, _, erow = self._load(None, known_at)
        return _state.amend(prow, erow)

    def performer(self, performer_id: str, *, known_at: datetime | None = None) -> Performer:
        """One performer, as amended (as known at ``known_at``).

        Raises:
            UnknownPerformerError: not registered in this project.
        """
        prow, _, erow = self._load([performer_id], known_at)
        if not prow:
            raise UnknownPerformerError(
                f"no performer {performer_id!r} in project {self.project}; `cutproof performer list` shows them"
            )
        return _state.amend(prow, erow)[0]

    def _grant_row(self, grant_id: str) -> dict[str, Any]:
        with self.db.read() as sql:
            rows = q.select(sql, q.GRANTS, "project = ? AND grant_id = ?", (self.project, grant_id))
        if not rows:
            raise UnknownGrantError(
                f"no grant {grant_id!r} in project {self.project}; `cutproof consent show` lists them"
            )
        return rows[0]

    def _load(
        self, performer_ids: Sequence[str] | None, known_at: datetime | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """Rows of the performers (None: all), their grants, and the events that can concern them (their own and
        project-wide ones), as known at ``known_at``, in ledger order."""
        with self.db.read() as sql:  # one read transaction: one consistent state
            if performer_ids is None:
                where, params = "project = ?", [self.project]
            elif performer_ids:
                where, params = (
                    f"project = ? AND performer_id IN ({q.marks(len(performer_ids))})",
                    [
                        self.project,
                        *performer_ids,
                    ],
                )
            else:
                where, params = "1 = 0", []
            p = q.select(sql, q.PERFORMERS, where, params, order="ledger_index")
            g = q.select(sql, q.GRANTS, where, params, order="ledger_index")
            e = self._event_rows(sql, performer_ids)
        return _state.known(p, known_at), _state.known(g, known_at), _state.known(e, known_at)

    def _events(self, performer_ids: Sequence[str] | None, known_at: datetime | None) -> list[dict[str, Any]]:
        """Event rows of the performers (None: every event of the project) and project-wide ones, as known."""
        with self.db.read() as sql:
            return _state.known(self._event_rows(sql, performer_ids), known_at)

    def _event_rows(self, sql: Sql, performer_ids: Sequence[str] | None) -> list[dict[str, Any]]:
        if performer_ids is None:
            return q.select(sql, q.EVENTS, "project = ?", (self.project,), order="ledger_index")
        ids = list(performer_ids)
        mine = f"performer_id IN ({q.marks(len(ids))}) OR " if ids else ""
        where = f"project = ? AND ({mine}performer_id IS NULL)"
        return q.select(sql, q.EVENTS, where, (self.project, *ids), order="ledger_index")

    def grants(
        self, performer_id: str | None = None, *, at: datetime | None = None, known_at: datetime | None = None
    ) -> list[ConsentGrant]:
        """Grants (of one performer, or all), with their state at ``at`` (default now), as known at ``known_at``."""
        return self.state_at(None if performer_id is None else [performer_id], at, known_at=known_at).grants

    def state_at(
        self, performer_ids: Sequence[str] | None, at: datetime | None = None, *, known_at: datetime | None = None
    ) -> ConsentState:
        """The consent state handed to the gate: performers, their grants as of ``at``, suspensions in force.

        Args:
            performer_ids: the performers concerned (None: all of the project's).
            at: the time evaluated (default now).
            known_at: only count what had been recorded by then (default: everything recorded so far).

        Raises:
            UnknownPerformerError: an id is not registered in this project (as known at ``known_at``).
        """
        when = aware("at", at) or now_utc()
        aware("known_at", known_at)
        prow, grow, erow = self._load(performer_ids, known_at)
        if performer_ids is not None:
            missing = sorted(set(performer_ids) - {r["performer_id"] for r in prow})
            if missing:
                raise UnknownPerformerError(
                    f"no performer {', '.join(missing)} in project {self.project}"
                    + (f" as known at {known_at.isoformat()}" if known_at else "")
                )
        hist = _state.history(erow)
        performers = _state.amend(prow, erow)
        now = {p.performer_id: p for p in performers}
        grants = [
            _state.grant_at(r, hist, when, _state.signer_facts(r, prow, erow, now[r["performer_id"]])) for r in grow
        ]
        return ConsentState(
            project=self.project,
            at=when,
            known_at=known_at,
            performers=performers,
            grants=grants,
            suspensions=[s for s in _state.suspensions(erow) if s.performer_id is None and s.active_at(when)],
        )

    def suspensions(self, *, known_at: datetime | None = None) -> list[Suspension]:
        """Every suspension of the project (past, present and future), with ends as lifted."""
        return _state.suspensions(self._events(None, known_at))

    def history(self, grant_id: str) -> list[ConsentEvent]:
        """Everything recorded about a grant, in ledger order: the grant, its revocation, and the suspensions
        (performer's own and production-wide) and lifts that applied to it.

        Raises:
            UnknownGrantError: no such grant in this project.
        """
        g = self._grant_row(grant_id)
        return _history(g, self._events([g["performer_id"]], None))

    def document(self, sha256: str) -> bytes:
        """The bytes of a signed document recorded in this project (checked against its hash).

        Raises:
            DocumentError: no such document recorded in this project.
        """
        with self.db.read() as sql:
            known = q.exists(sql, q.DOCUMENTS, "project = ? AND sha256 = ?", (self.project, sha256))
        if not known:
            raise DocumentError(f"no document {sha256!r} recorded in project {self.project}")
        return self.blobs.read_bytes(sha256)

    # ------------------------------------------------------------------ proofs

    def proof(self, ledger_index: int) -> Proof:
        """The ledger entry at ``ledger_index`` with its inclusion receipt."""
        data = self.log.entry(ledger_index)
        return Proof(
            ledger_index=ledger_index,
            kind=json.loads(data)["kind"],
            entry=data.decode(),
            leaf_hash=leaf_hash_hex(data),
            receipt=self.log.prove(ledger_index),
        )

    def state_proofs(self, state: ConsentState) -> list[Proof]:
        """Receipts for everything a consent state rests on: the performers' registrations and amendments, each
        grant's history (grant, revocation, suspensions and lifts), and the production-wide suspensions."""
        indices: set[int] = set()
        for p in state.performers:
            indices.update(self._performer_indices(p.performer_id, state.known_at))
        _, grow, erow = self._load([p.performer_id for p in state.performers], state.known_at)
        wanted = {g.grant_id for g in state.grants}
        for g in grow:
            if g["grant_id"] in wanted:
                indices.update(e.ledger_index for e in _history(g, erow))
        ids_susp = {s.suspension_id for s in state.suspensions}
        for e in erow:
            if e["suspension_id"] in ids_susp:
                indices.add(e["ledger_index"])
        return [self.proof(i) for i in sorted(indices)]

    def _performer_indices(self, performer_id: str, known_at: datetime | None) -> list[int]:
        """Ledger indices of a performer's registration and amendments (as known at ``known_at``)."""
        prow, _, erow = self._load([performer_id], known_at)
        amendments = [
            e["ledger_index"]
            for e in erow
            if e["event_kind"] == "performer_amended" and e["performer_id"] == performer_id
        ]
        return [r["ledger_index"] for r in prow] + amendments

    def covering(
        self,
        performer_id: str,
        edit_kind: str,
        purpose: str,
        shot: str | None = None,
        scene: str | None = None,
        at: datetime | None = None,
        *,
        known_at: datetime | None = None,
        category: Category | None = None,
        language: str | None = None,
    ) -> Coverage:
        """What consent covered performer P for use U (edit kind, purpose) in shot S / scene C at time T — every
        grant of P considered, why each does or does not cover the use, their events, and ledger receipts.

        A shot or scene left out only matches grants that cover all shots (scenes).

        Raises:
            UnknownPerformerError: the performer is not registered in this project.
        """
        state = self.state_at([performer_id], at, known_at=known_at)
        _, grow, erow = self._load([performer_id], known_at)
        grows = {g["grant_id"]: g for g in grow}
        covering: list[CandidateGrant] = []
        not_covering: list[CandidateGrant] = []
        for grant in state.grants:
            why = _state.shortfalls(
                grant, edit_kind=edit_kind, purpose=purpose, shot=shot, scene=scene, at=state.at, category=category,
                language=language,
            )  # fmt: skip
            events = _history(grows[grant.grant_id], erow)
            cand = CandidateGrant(
                grant=grant,
                covers=not why,
                shortfalls=why,
                events=events,
                proofs=[self.proof(e.ledger_index) for e in events],
            )
            (covering if not why else not_covering).append(cand)
        susp = _state.applicable(self.suspensions(known_at=known_at), performer_id)
        active = [s for s in susp if s.active_at(state.at)]
        performer_proofs = [self.proof(i) for i in self._performer_indices(performer_id, known_at)]
        return Coverage(
            project=self.project, origin=self.log.origin, performer_id=performer_id, edit_kind=edit_kind,
            purpose=purpose, shot=shot, scene=scene, category=category, language=language, at=state.at,
            known_at=known_at, covered=bool(covering), covering=covering, not_covering=not_covering,
            suspensions=active, performer_proofs=performer_proofs,
            checkpoint=self.log.checkpoint(), verifier_keys=self.log.verifier_keys(),
        )  # fmt: skip


def _history(g: dict[str, Any], erow: list[dict[str, Any]]) -> list[ConsentEvent]:
    """A grant's history from its row and the project's event rows (already limited to what is known)."""
    out = [
        ConsentEvent(
            event_id=g["grant_id"], kind="granted", grant_id=g["grant_id"], performer_id=g["performer_id"],
            effective_at=g["valid_from"], end=g["valid_until"], recorded_at=g["recorded_at"],
            identity=g["identity"], ledger_index=g["ledger_index"],
        )
    ]  # fmt: skip
    susp_ids = {
        e["event_id"]
        for e in erow
        if e["event_kind"] == "suspended"
        and e["performer_id"] in (None, g["performer_id"])
        and (not e["categories"] or "*" in e["categories"] or g["category"] in e["categories"])
    }
    for e in erow:
        if e["grant_id"] == g["grant_id"] or (e["suspension_id"] in susp_ids and e["event_kind"] != "revoked"):
            out.append(_event(e))
    return sorted(out, key=lambda ev: ev.ledger_index)


def _event(e: Any) -> ConsentEvent:
    return ConsentEvent(
        event_id=e["event_id"], kind=e["event_kind"], grant_id=e["grant_id"], performer_id=e["performer_id"],
        suspension_id=e["suspension_id"], effective_at=e["effective_at"], end=e["end_at"], reason=e["reason"],
        recorded_at=e["recorded_at"], identity=e["identity"], ledger_index=e["ledger_index"],
    )  # fmt: skip


def leaf_hash_hex(entry_bytes: bytes) -> str:
    """RFC 6962 leaf hash of stored entry bytes."""
    return hashlib.sha256(b"\x00" + entry_bytes).hexdigest()
