"""``ConsentRegistry``: one project's performers and consent, recorded in its tables and its ledger log.

Reads are ``RegistryReader``'s (``consent._reader``), performer writes ``PerformerWrites``'s
(``consent._performer_writes``); here: grants, revocations, court approvals, suspensions and lifts, and the
integrity check against the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from consent import _entries as en
from consent import _sql as q
from consent import clock
from consent._performer_writes import DocumentInput, PerformerWrites, new_id
from consent._reconcile import ReconcileReport, reconcile
from consent._rows import grant_values
from consent._validate import aware, build, check_signer, load_document, nonblank, plain_text, plain_texts
from consent._writer import Operation, write
from consent.coverage import ConsentEvent
from consent.errors import AlreadyLiftedError, AlreadyRevokedError, InvalidRecordError, UnknownSuspensionError
from consent.models import Category, ConsentGrant, ContractEdition, GrantCapacity, Signer, Suspension, now_utc

__all__ = ["ConsentRegistry", "DocumentInput", "new_id"]


class ConsentRegistry(PerformerWrites):
    """The consent registry of one project.

    Args:
        db: the workspace database: a ``store.sql.Database`` (e.g. ``Workspace.database``, which on the embedded
            SQLite file needs no SQLAlchemy), or a SQLAlchemy ``Engine``.
        blobs: the workspace's content-addressed store, where signed documents are kept.
        log: the project's ledger log; every registration, grant, revocation, suspension and lift is one entry.
        project: the project's slug; defaults to the last path segment of the log's origin.
    """

    # ------------------------------------------------------------------ consent writes

    def grant(
        self,
        performer_id: str,
        *,
        category: Category,
        edit_kinds: Sequence[str],
        purposes: Sequence[str],
        use_description: str,
        document: DocumentInput | None,
        signed_by: Signer,
        contract_edition: ContractEdition,
        valid_from: datetime,
        signed_at: datetime | None = None,
        notice_given_at: datetime | None = None,
        valid_until: datetime | None = None,
        shots: Sequence[str] | Literal["all"] = "all",
        scenes: Sequence[str] | Literal["all"] = "all",
        separately_signed: bool = True,
        governing_law: str | None = None,
        compensation_ref: str | None = None,
        languages: Sequence[str] | None = None,
        identity: str = "consent",
    ) -> ConsentGrant:
        """Record a consent grant for one specific use, with its signed document (``consent.granted/1``).

        ``signed_at`` (when the writing was signed) defaults to ``valid_from``, or now if that is later;
        ``notice_given_at`` records when the performer was notified (e.g. 48 hours before a replica session).

        Raises:
            UnknownPerformerError: the performer is not registered in this project.
            InvalidRecordError: a field is invalid (empty use description, window ending before it starts, ...).
            SignerError: the signer does not fit the performer (see ``check_signer``).
            DocumentError: the signed document is missing, empty or unreadable.
        """
        for name, value in (
            ("valid_from", valid_from), ("valid_until", valid_until), ("signed_at", signed_at),
            ("notice_given_at", notice_given_at),
        ):  # fmt: skip
            aware(name, value)
        plain_text("use description", use_description, lines=True)
        plain_texts((("governing_law", governing_law), ("compensation_ref", compensation_ref)))
        plain_texts((f"{what} {v!r}", v) for what, vs in (
            ("edit kind", edit_kinds), ("purpose", purposes), ("language", languages or []),
            ("shot", [] if isinstance(shots, str) else shots), ("scene", [] if isinstance(scenes, str) else scenes),
        ) for v in vs)  # fmt: skip
        performer = self.performer(performer_id)
        doc = load_document("signed consent document", document)
        grant = build(
            "consent grant",
            lambda: ConsentGrant(
                grant_id=new_id("cg"),
                performer_id=performer_id,
                project=self.project,
                category=category,
                edit_kinds=list(edit_kinds),
                purposes=list(purposes),
                shots=shots if isinstance(shots, str) else list(shots),  # type: ignore[arg-type]  # checked
                scenes=scenes if isinstance(scenes, str) else list(scenes),  # type: ignore[arg-type]  # checked
                use_description=use_description,
                separately_signed=separately_signed,
                signed_by=signed_by,
                signed_at=signed_at or clock.earlier(valid_from, now_utc()),
                notice_given_at=notice_given_at,
                document_sha256=doc.sha256,
                governing_law=governing_law,
                contract_edition=contract_edition,
                valid_from=valid_from,
                valid_until=valid_until,
                compensation_ref=compensation_ref,
                languages=list(languages) if languages is not None else None,
            ),
        )
        check_signer(performer, grant)
        salt = en.new_salt()
        op = Operation(grant.grant_id, en.grant_entry(grant, salt), [(q.GRANTS, grant_values(grant, salt))], [doc])
        written = write(self.db, self.blobs, self.log, self.project, op, identity)
        rep = performer.representative
        signer = clock.SignerFacts(
            performer_id, performer.minor, performer.deceased, performer.died_at,
            rep.authority_document_sha256 if rep else None,
        )  # fmt: skip
        judged = clock.capacity(grant.grant_id, grant.signed_by, grant.signed_at, signer, grant.governing_law)
        return grant.model_copy(
            update={
                "ledger_index": written.ledger_index,
                "recorded_at": written.recorded_at,
                "capacity": GrantCapacity.of(judged),
            }
        )

    def revoke(
        self, grant_id: str, *, reason: str, effective_at: datetime | None = None, identity: str = "consent"
    ) -> ConsentEvent:
        """Revoke a grant from ``effective_at`` (default now) — an event; the grant itself is never changed.

        Raises:
            UnknownGrantError: no such grant in this project.
            AlreadyRevokedError: the grant has been revoked already.
            InvalidRecordError: empty reason or a naive time.
        """
        reason = nonblank("revocation reason", reason)
        effective = aware("effective_at", effective_at) or now_utc()
        row = self._grant_row(grant_id)
        with self.db.read() as sql:
            found = q.select(sql, q.EVENTS, "grant_id = ? AND event_kind = 'revoked'", (grant_id,))
        prior = (found[0]["event_id"], found[0]["effective_at"]) if found else None
        if prior is not None:
            raise AlreadyRevokedError(
                f"grant {grant_id} was already revoked with effect from {prior[1].isoformat()} ({prior[0]}); "
                "a revocation is final — record a new grant if consent is given again"
            )
        event_id, salt = new_id("rev"), en.new_salt()
        entry = en.revoked_entry(self.project, event_id, grant_id, row["performer_id"], effective, reason, salt)
        values = self._event_values(event_id, "revoked", salt, reason, effective, grant_id=grant_id)
        values["performer_id"] = row["performer_id"]
        written = write(
            self.db, self.blobs, self.log, self.project, Operation(event_id, entry, [(q.EVENTS, values)]), identity
        )
        return ConsentEvent(
            event_id=event_id, kind="revoked", grant_id=grant_id, performer_id=row["performer_id"],
            effective_at=effective, reason=reason, recorded_at=written.recorded_at, identity=written.identity,
            ledger_index=written.ledger_index,
        )  # fmt: skip

    def approve_by_court(
        self,
        grant_id: str,
        *,
        document: DocumentInput | None,
        approved_at: datetime,
        reason: str,
        identity: str = "consent",
    ) -> ConsentEvent:
        """Record a court's approval of a minor's consent contract (``consent.court_approved/1``), with the order.

        Where the governing law makes court approval what binds a minor's entertainment contract (see
        ``consent.clock.COURT_APPROVAL_LAWS``), the grant is relied on without review only from ``approved_at``.

        Raises:
            UnknownGrantError: no such grant in this project.
            InvalidRecordError: empty reason (give the court and case), naive time, an approval dated before the
                contract was signed, the performer is not a minor, or the grant was approved already.
            DocumentError: the court's order is missing, empty or unreadable.
        """
        reason = nonblank("court and case reference", reason)
        approved = aware("approved_at", approved_at)
        assert approved is not None
        row = self._grant_row(grant_id)
        performer = self.performer(row["performer_id"])
        if not performer.minor:
            raise InvalidRecordError(
                f"performer {performer.performer_id} is not recorded as a minor; court approval applies to a minor's "
                "contract (amend the performer first if they are a minor)"
            )
        try:
            clock.check_not_before(row["signed_at"], approved, "approved_at")
        except clock.WindowError as exc:
            raise InvalidRecordError(f"{exc}: a court approves a contract already signed") from None
        with self.db.read() as sql:
            found = sql.rows(
                f"SELECT event_id FROM {q.EVENTS} WHERE grant_id = ? AND event_kind = 'court_approved'", (grant_id,)
            )
        prior = found[0] if found else None
        if prior is not None:
            raise InvalidRecordError(f"grant {grant_id} already has a court approval on record ({prior[0]})")
        doc = load_document("court's approval order", document)
        event_id, salt = new_id("crt"), en.new_salt()
        entry = en.court_approved_entry(
            self.project, event_id, grant_id, row["performer_id"], approved, doc.sha256, reason, salt
        )
        values = self._event_values(event_id, "court_approved", salt, reason, approved, grant_id=grant_id)
        values.update(performer_id=row["performer_id"], record={"court_document_sha256": doc.sha256})
        written = write(
            self.db,
            self.blobs,
            self.log,
            self.project,
            Operation(event_id, entry, [(q.EVENTS, values)], [doc]),
            identity,
        )
        return ConsentEvent(
            event_id=event_id, kind="court_approved", grant_id=grant_id, performer_id=row["performer_id"],
            effective_at=approved, reason=reason, recorded_at=written.recorded_at, identity=written.identity,
            ledger_index=written.ledger_index,
        )  # fmt: skip

    def suspend(
        self,
        performer_id: str | None,
        *,
        reason: str,
        start: datetime | None = None,
        end: datetime | None = None,
        categories: Sequence[str] | None = None,
        strike: bool = False,
        identity: str = "consent",
    ) -> Suspension:
        """Suspend one performer's consents, or every consent of the project (``performer_id=None``, e.g. a strike).

        ``categories`` limits it to grants of those categories (default: all); ``strike`` marks a strike suspension.

        Raises:
            UnknownPerformerError: no such performer in this project.
            InvalidRecordError: empty reason, naive times, or an end not after the start.
        """
        reason = nonblank("suspension reason", reason)
        begin = aware("start", start) or now_utc()
        aware("end", end)
        if performer_id is not None:
            self.performer(performer_id)
        sid = new_id("sus")
        suspension = build(
            "suspension",
            lambda: Suspension(
                suspension_id=sid, performer_id=performer_id, start=begin, end=end, reason=reason,
                categories=list(categories) if categories is not None else ["*"],  # type: ignore[arg-type]
                strike=strike,
            ),
        )  # fmt: skip
        salt = en.new_salt()
        entry = en.suspended_entry(self.project, suspension, salt)
        values = self._event_values(sid, "suspended", salt, reason, suspension.start, performer_id=performer_id)
        values.update(
            end_at=suspension.end, suspension_id=sid, categories=list(suspension.categories), strike=suspension.strike
        )
        write(self.db, self.blobs, self.log, self.project, Operation(sid, entry, [(q.EVENTS, values)]), identity)
        return suspension

    def lift_suspension(
        self, suspension_id: str, *, reason: str, end: datetime | None = None, identity: str = "consent"
    ) -> ConsentEvent:
        """End a suspension at ``end`` (default now); recorded as its own event.

        Raises:
            UnknownSuspensionError: no such suspension in this project.
            AlreadyLiftedError: it has been lifted already.
            InvalidRecordError: empty reason, naive time, or an end not after the start or not before a set end.
        """
        reason = nonblank("reason for lifting", reason)
        until = aware("end", end) or now_utc()
        with self.db.read() as sql:
            rows = q.select(
                sql, q.EVENTS, "project = ? AND (event_id = ? OR suspension_id = ?)",
                (self.project, suspension_id, suspension_id), order="ledger_index",
            )  # fmt: skip
        susp = [r for r in rows if r["event_kind"] == "suspended"]
        if not susp:
            raise UnknownSuspensionError(f"no suspension {suspension_id!r} in project {self.project}")
        lifted = [r for r in rows if r["event_kind"] == "suspension_lifted"]
        if lifted:
            raise AlreadyLiftedError(
                f"suspension {suspension_id} was already lifted "
                f"with effect from {lifted[0]['effective_at'].isoformat()}"
            )
        s = susp[0]
        try:
            clock.check_window(s["effective_at"], until, "lift time")
        except clock.WindowError:
            raise InvalidRecordError(f"lift time {until.isoformat()} is not after the suspension's start") from None
        try:
            clock.check_window(until, s["end_at"], "suspension end")
        except clock.WindowError:
            raise InvalidRecordError(
                f"suspension {suspension_id} already ends at {s['end_at'].isoformat()}; a lift can only end it earlier"
            ) from None
        event_id, salt = new_id("lift"), en.new_salt()
        entry = en.lifted_entry(self.project, event_id, suspension_id, until, reason, salt)
        values = self._event_values(event_id, "suspension_lifted", salt, reason, until, performer_id=s["performer_id"])
        values["suspension_id"] = suspension_id
        written = write(
            self.db, self.blobs, self.log, self.project, Operation(event_id, entry, [(q.EVENTS, values)]), identity
        )
        return ConsentEvent(
            event_id=event_id, kind="suspension_lifted", performer_id=s["performer_id"], suspension_id=suspension_id,
            effective_at=until, reason=reason, recorded_at=written.recorded_at, identity=written.identity,
            ledger_index=written.ledger_index,
        )  # fmt: skip

    # ------------------------------------------------------------------ integrity

    def reconcile(self, *, repair: bool = False, abandon_after: timedelta = timedelta(minutes=5)) -> ReconcileReport:
        """Compare registry rows with the ledger; with ``repair``, complete interrupted writes.

        Finds: rows whose ledger entry is missing or different (tampering, or a row inserted behind the ledger's
        back), consent entries in the ledger with no rows, and interrupted writes (intent rows). See
        ``consent._reconcile``.
        """
        return reconcile(self.db, self.log, self.project, repair=repair, abandon_after=abandon_after, blobs=self.blobs)
