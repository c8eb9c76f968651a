"""The performer side of the registry's writes: registering a performer and recording changes to them.

``PerformerWrites`` is the base ``ConsentRegistry`` builds on (grants, revocations, suspensions), with the pieces
every write shares: fresh ids and an event row's values.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from consent import _entries as en
from consent import _sql as q
from consent._reader import RegistryReader
from consent._rows import performer_values
from consent._validate import Document, aware, build, load_document, nonblank, plain_texts
from consent._writer import Operation, write
from consent.errors import DuplicatePerformerError, InvalidRecordError
from consent.models import Performer, PerformerKind, Representation, Representative, now_utc

DocumentInput = bytes | str | Path


def new_id(prefix: str) -> str:
    """A fresh registry id, e.g. ``prf_3f2a…`` (prefix + 32 hex digits)."""
    return f"{prefix}_{uuid.uuid4().hex}"


class PerformerWrites(RegistryReader):
    """Registering and amending performers (see ``ConsentRegistry`` for the arguments)."""

    def register_performer(
        self,
        *,
        name: str,
        kind: PerformerKind,
        guild: str | None = None,
        guild_id: str | None = None,
        minor: bool = False,
        deceased: bool = False,
        died_at: datetime | None = None,
        representative_name: str | None = None,
        representative_document: DocumentInput | None = None,
        representation: Representation = "none",
        identity: str = "consent",
    ) -> Performer:
        """Register a performer for this project (``performer.registered/1``; no personal data in the entry).

        Raises:
            InvalidRecordError: a field is invalid (the message names it).
            DocumentError: a representative was named without a readable authority document (or vice versa).
            DuplicatePerformerError: a performer with this guild id is already registered in the project.
        """
        aware("died_at", died_at)
        plain_texts(
            (("name", name), ("guild", guild), ("guild_id", guild_id), ("representative's name", representative_name))
        )
        docs: list[Document] = []
        rep = None
        if representative_name is not None or representative_document is not None:
            if representative_name is None or not representative_name.strip():
                raise InvalidRecordError("a representative's authority document was given without their name")
            doc = load_document("representative's authority document", representative_document)
            docs.append(doc)
            rep = build(
                "representative", lambda: Representative(name=representative_name, authority_document_sha256=doc.sha256)
            )
        performer = build(
            "performer",
            lambda: Performer(
                performer_id=new_id("prf"),
                name=name,
                kind=kind,
                guild_member=guild is not None,
                guild=guild,
                guild_id=guild_id,
                minor=minor,
                deceased=deceased or died_at is not None,
                died_at=died_at,
                representative=rep,
                representation=representation,
            ),
        )
        if performer.guild_id is not None:
            with self.db.read() as sql:
                found = sql.rows(
                    f"SELECT performer_id FROM {q.PERFORMERS} WHERE project = ? AND guild = ? AND guild_id = ?",
                    (self.project, performer.guild, performer.guild_id),
                )
            clash = found[0] if found else None
            if clash is not None:
                raise DuplicatePerformerError(
                    f"{performer.guild} member {performer.guild_id} is already registered in project "
                    f"{self.project} as {clash[0]}; use that performer id"
                )
        salt = en.new_salt()
        op = Operation(
            op_id=performer.performer_id,
            entry=en.performer_entry(self.project, performer, salt),
            rows=[(q.PERFORMERS, performer_values(self.project, performer, salt))],
            documents=docs,
        )
        write(self.db, self.blobs, self.log, self.project, op, identity)
        return performer

    def amend_performer(
        self,
        performer_id: str,
        *,
        reason: str,
        name: str | None = None,
        deceased: bool | None = None,
        died_at: datetime | None = None,
        minor: bool | None = None,
        representative_name: str | None = None,
        representative_document: DocumentInput | None = None,
        representation: Representation | None = None,
        identity: str = "consent",
    ) -> Performer:
        """Record a change to a performer (``performer.amended/1``): a death, a representative appointed or
        replaced, coming of age, a corrected name. Arguments left None are unchanged. Earlier grants are untouched
        and are judged against the performer as they were when signed.

        Raises:
            UnknownPerformerError: no such performer in this project.
            InvalidRecordError: empty reason, no change, or the amended record is invalid.
            DocumentError: a representative named without a readable authority document (or vice versa).
        """
        reason = nonblank("reason for the amendment", reason)
        aware("died_at", died_at)
        plain_texts((("name", name), ("representative's name", representative_name)))
        current = self.performer(performer_id)
        changes: dict[str, Any] = {
            k: v
            for k, v in (("name", name), ("deceased", deceased), ("died_at", died_at), ("minor", minor),
                         ("representation", representation))
            if v is not None
        }  # fmt: skip
        if died_at is not None:
            changes["deceased"] = True
        docs: list[Document] = []
        if representative_name is not None or representative_document is not None:
            if representative_name is None or not representative_name.strip():
                raise InvalidRecordError("a representative's authority document was given without their name")
            doc = load_document("representative's authority document", representative_document)
            docs.append(doc)
            changes["representative"] = {"name": representative_name, "authority_document_sha256": doc.sha256}
        merged = current.model_dump(mode="json") | {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in changes.items()
        }
        amended = build("performer", lambda: Performer.model_validate(merged))
        if amended == current:
            raise InvalidRecordError(f"nothing to amend: performer {performer_id} already has these values")
        event_id, salt = new_id("amd"), en.new_salt()
        entry = en.amended_entry(self.project, event_id, amended, reason, salt)
        values = self._event_values(event_id, "performer_amended", salt, reason, now_utc(), performer_id=performer_id)
        values["record"] = amended.model_dump(mode="json")
        write(
            self.db,
            self.blobs,
            self.log,
            self.project,
            Operation(event_id, entry, [(q.EVENTS, values)], docs),
            identity,
        )
        return amended

    def _event_values(
        self,
        event_id: str,
        kind: str,
        salt: str,
        reason: str,
        effective_at: datetime,
        *,
        grant_id: str | None = None,
        performer_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "event_id": event_id, "project": self.project, "event_kind": kind, "grant_id": grant_id,
            "performer_id": performer_id, "suspension_id": None, "effective_at": effective_at, "end_at": None,
            "categories": None, "strike": None, "record": None, "reason": reason, "salt": salt,
        }  # fmt: skip
