"""Reading a project's consent registry: performers, grants and their state at a time, history, coverage with
ledger receipts, and the integrity check against the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from consent import _state
from consent import _tables as t
from consent._reconcile import ReconcileReport, reconcile
from consent._rows import performer_from_row
from consent._validate import aware
from consent._writer import leaf_hash_hex
from consent.coverage import CandidateGrant, ConsentEvent, Coverage, Proof
from consent.errors import DocumentError, UnknownGrantError, UnknownPerformerError
from consent.models import Category, ConsentGrant, ConsentState, Performer, Suspension, now_utc
from ledger.blobs import BlobStore

if TYPE_CHECKING:
    from ledger import Log


class RegistryReader:
    """The read side of ``ConsentRegistry`` (see there for the arguments)."""

    def __init__(self, engine: Engine, blobs: BlobStore, log: Log, project: str | None = None) -> None:
        self.engine = engine
        self.blobs = blobs
        self.log = log
        self.project = project or log.origin.rsplit("/", 1)[-1]

    # ------------------------------------------------------------------ reads

    def performers(self) -> list[Performer]:
        """Every performer registered in this project, in registration order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.performers).where(t.performers.c.project == self.project).order_by(t.performers.c.ledger_index)
            ).all()
        return [performer_from_row(r) for r in rows]

    def performer(self, performer_id: str) -> Performer:
        """One performer.

        Raises:
            UnknownPerformerError: not registered in this project.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.performers).where(
                    t.performers.c.project == self.project, t.performers.c.performer_id == performer_id
                )
            ).first()
        if row is None:
            raise UnknownPerformerError(
                f"no performer {performer_id!r} in project {self.project}; `cutproof performer list` shows them"
            )
        return performer_from_row(row)

    def _grant_row(self, grant_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.grants).where(t.grants.c.project == self.project, t.grants.c.grant_id == grant_id)
            ).first()
        if row is None:
            raise UnknownGrantError(
                f"no grant {grant_id!r} in project {self.project}; `cutproof consent show` lists them"
            )
        return dict(row._mapping)

    def _load(
        self, performer_ids: Sequence[str] | None, known_at: datetime | None
    ) -> tuple[list[Any], list[Any], list[Any]]:
        with self.engine.connect() as conn:
            p = conn.execute(select(t.performers).where(t.performers.c.project == self.project)).all()
            g = conn.execute(
                select(t.grants).where(t.grants.c.project == self.project).order_by(t.grants.c.ledger_index)
            ).all()
            e = conn.execute(
                select(t.events).where(t.events.c.project == self.project).order_by(t.events.c.ledger_index)
            ).all()
        want = set(performer_ids) if performer_ids is not None else None
        prow = [r._mapping for r in p if want is None or r.performer_id in want]
        grow = [r._mapping for r in g if want is None or r.performer_id in want]
        return (
            _state.known(prow, known_at),
            _state.known(grow, known_at),
            _state.known([r._mapping for r in e], known_at),
        )

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
        susp = _state.suspensions(erow)
        revoked = _state.revocations(erow)
        return ConsentState(
            project=self.project,
            at=when,
            known_at=known_at,
            performers=[performer_from_row(dict(r)) for r in prow],
            grants=[_state.grant_at(r, revoked, susp, when) for r in grow],
            suspensions=[s for s in susp if s.performer_id is None and s.active_at(when)],
        )

    def suspensions(self, *, known_at: datetime | None = None) -> list[Suspension]:
        """Every suspension of the project (past, present and future), with ends as lifted."""
        return _state.suspensions(self._load([], known_at)[2])

    def history(self, grant_id: str) -> list[ConsentEvent]:
        """Everything recorded about a grant, in ledger order: the grant, its revocation, and the suspensions
        (performer's own and production-wide) and lifts that applied to it.

        Raises:
            UnknownGrantError: no such grant in this project.
        """
        g = self._grant_row(grant_id)
        out = [
            ConsentEvent(
                event_id=grant_id, kind="granted", grant_id=grant_id, performer_id=g["performer_id"],
                effective_at=g["valid_from"], end=g["valid_until"], recorded_at=g["recorded_at"],
                identity=g["identity"], ledger_index=g["ledger_index"],
            )
        ]  # fmt: skip
        erow = self._load([], None)[2]
        susp_ids = {
            e["event_id"]
            for e in erow
            if e["event_kind"] == "suspended" and e["performer_id"] in (None, g["performer_id"])
        }
        for e in erow:
            if e["grant_id"] == grant_id or e["event_id"] in susp_ids or e["suspension_id"] in susp_ids:
                out.append(_event(e))
        return sorted(out, key=lambda ev: ev.ledger_index)

    def document(self, sha256: str) -> bytes:
        """The bytes of a signed document recorded in this project (checked against its hash).

        Raises:
            DocumentError: no such document recorded in this project.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.documents.c.sha256).where(
                    t.documents.c.project == self.project, t.documents.c.sha256 == sha256
                )
            ).first()
        if row is None:
            raise DocumentError(f"no document {sha256} recorded in project {self.project}")
        return self.blobs.read_bytes(sha256)

    # ------------------------------------------------------------------ proofs

    def proof(self, ledger_index: int) -> Proof:
        """The ledger entry at ``ledger_index`` with its inclusion receipt."""
        data = self.log.entry(ledger_index)
        return Proof(
            ledger_index=ledger_index,
            kind=self.log.entry_json(ledger_index)["kind"],
            entry=data.decode(),
            leaf_hash=leaf_hash_hex(data),
            receipt=self.log.prove(ledger_index),
        )

    def state_proofs(self, state: ConsentState) -> list[Proof]:
        """Receipts for everything a consent state rests on: the performers' registrations, each grant's
        history (grant, revocation, suspensions and lifts), and the production-wide suspensions."""
        indices: set[int] = set()
        with self.engine.connect() as conn:
            ids = [p.performer_id for p in state.performers]
            if ids:
                indices.update(
                    r[0]
                    for r in conn.execute(
                        select(t.performers.c.ledger_index).where(
                            t.performers.c.project == self.project, t.performers.c.performer_id.in_(ids)
                        )
                    )
                )
        for g in state.grants:
            indices.update(e.ledger_index for e in self.history(g.grant_id) if self._known(e, state.known_at))
        ids_susp = {s.suspension_id for s in state.suspensions}
        for e in self._load([], state.known_at)[2]:
            if e["suspension_id"] in ids_susp:
                indices.add(e["ledger_index"])
        return [self.proof(i) for i in sorted(indices)]

    @staticmethod
    def _known(event: ConsentEvent, known_at: datetime | None) -> bool:
        return known_at is None or event.recorded_at <= known_at

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
        prow = self._load([performer_id], known_at)[0][0]
        covering, not_covering = [], []
        for grant in state.grants:
            why = _state.shortfalls(
                grant, edit_kind=edit_kind, purpose=purpose, shot=shot, scene=scene, at=state.at, category=category,
                language=language,
            )  # fmt: skip
            events = [e for e in self.history(grant.grant_id) if known_at is None or e.recorded_at <= known_at]
            cand = CandidateGrant(
                grant=grant,
                covers=not why,
                shortfalls=why,
                events=events,
                proofs=[self.proof(e.ledger_index) for e in events],
            )
            (covering if not why else not_covering).append(cand)
        active = [
            s for s in _state.applicable(self.suspensions(known_at=known_at), performer_id) if s.active_at(state.at)
        ]
        return Coverage(
            project=self.project, origin=self.log.origin, performer_id=performer_id, edit_kind=edit_kind,
            purpose=purpose, shot=shot, scene=scene, category=category, language=language, at=state.at,
            known_at=known_at, covered=bool(covering), covering=covering, not_covering=not_covering,
            suspensions=active, performer_proof=self.proof(prow["ledger_index"]), checkpoint=self.log.checkpoint(),
            verifier_keys=self.log.verifier_keys(),
        )  # fmt: skip

    # ------------------------------------------------------------------ integrity

    def reconcile(self, *, repair: bool = False, abandon_after: timedelta = timedelta(minutes=5)) -> ReconcileReport:
        """Compare registry rows with the ledger; with ``repair``, complete interrupted writes.

        Finds: rows whose ledger entry is missing or different (tampering, or a row inserted behind the ledger's
        back), consent entries in the ledger with no rows, and interrupted writes (intent rows). See
        ``consent._reconcile``.
        """
        return reconcile(self.engine, self.log, self.project, repair=repair, abandon_after=abandon_after)


def _event(e: Any) -> ConsentEvent:
    return ConsentEvent(
        event_id=e["event_id"], kind=e["event_kind"], grant_id=e["grant_id"], performer_id=e["performer_id"],
        suspension_id=e["suspension_id"], effective_at=e["effective_at"], end=e["end_at"], reason=e["reason"],
        recorded_at=e["recorded_at"], identity=e["identity"], ledger_index=e["ledger_index"],
    )  # fmt: skip
