"""Input checks shared by the registry's write methods; each raises a specific ``ConsentError`` subclass."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from consent import clock
from consent.errors import DocumentError, InvalidRecordError, SignerError
from consent.models import ConsentGrant, Performer, now_utc

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)

T = TypeVar("T")


@dataclass(frozen=True)
class Document:
    """A signed document to store with an operation."""

    data: bytes
    filename: str | None = None
    media_type: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def build(what: str, factory: Callable[[], T]) -> T:
    """Construct a record, turning pydantic's validation error into one ``InvalidRecordError`` naming the fields.

    Raises:
        InvalidRecordError: the record is not valid.
    """
    try:
        return factory()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or what
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{loc}: {msg}")
        raise InvalidRecordError(f"invalid {what}: " + "; ".join(problems)) from None


def aware(name: str, value: datetime | None) -> datetime | None:
    """Check a datetime argument has a timezone.

    Raises:
        InvalidRecordError: it is naive.
    """
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InvalidRecordError(f"{name} {value.isoformat()} has no timezone; give one, e.g. 2026-11-23T10:00:00Z")
    return value


# Bidirectional embeddings, overrides and isolates: they reorder the text after them on screen, so a name or a
# reason holding one displays as something else in the audit, the console and the terminal (Unicode TR #9; the
# "Trojan Source" class, CVE-2021-42574). The marks (U+200E, U+200F, U+061C) and the joiners (U+200C, U+200D, needed
# in Persian and Indic names) reorder nothing beyond themselves and stay allowed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_text(what: str, value: str | None, *, lines: bool = False) -> None:
    """Check that text a person typed shows as what it is wherever the registry's records are displayed: no control
    characters (a terminal escape, a NUL; a reason may hold line breaks and tabs when ``lines``) and no bidirectional
    embedding, override or isolate.

    Raises:
        InvalidRecordError: the text holds one (the message names the field and the character's code point).
    """
    if not isinstance(value, str):
        return  # None, or not text at all: the record's own validation says what is wrong
    allowed = "\n\t" if lines else ""
    for ch in value:
        if (unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in _BIDI_CONTROLS:
            raise InvalidRecordError(
                f"{what} holds the invisible character U+{ord(ch):04X} ({unicodedata.name(ch, 'a control character')}),"
                " which would change how it displays; type it again without it"
            )


def plain_texts(fields: Iterable[tuple[str, str | None]]) -> None:
    """``plain_text`` for each (field, value) pair (single-line fields)."""
    for what, value in fields:
        plain_text(what, value)


def nonblank(name: str, value: str) -> str:
    """Check a text argument is not empty and shows as what it is (``plain_text``: line breaks allowed).

    Raises:
        InvalidRecordError: it is empty or only whitespace, or holds a control or bidirectional-override character.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecordError(f"{name} is empty; say in a few words why (it is kept in the registry)")
    plain_text(name, value, lines=True)
    return value.strip()


def load_document(what: str, document: bytes | str | Path | None) -> Document:
    """Read a signed document given as bytes or a path, checking it is present, non-empty and not too large.

    Raises:
        DocumentError: no document, an unreadable path, an empty or oversize file.
    """
    if document is None:
        raise DocumentError(f"the {what} is required: pass the signed document (a file path or its bytes)")
    filename = None
    if isinstance(document, bytes | bytearray):
        data = bytes(document)
    else:
        path = Path(document)
        filename = path.name
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise DocumentError(f"the {what} {path} is not a regular file")
            if size > MAX_DOCUMENT_BYTES:
                raise DocumentError(
                    f"the {what} {path} is {size} bytes, over the {MAX_DOCUMENT_BYTES}-byte limit; store a smaller scan"
                )
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None
    if not data:
        raise DocumentError(f"the {what} is empty; pass the signed document itself")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"the {what} is {len(data)} bytes, over the {MAX_DOCUMENT_BYTES}-byte limit")
    return Document(data=data, filename=filename, media_type=_media_type(data))


def _media_type(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def check_signer(performer: Performer, grant: ConsentGrant) -> None:
    """Check who signed fits the performer: a performer cannot sign after death, a representative must be on
    file, the union signs only for a deceased performer with no identifiable representative.

    Raises:
        SignerError: the signer does not fit.
    """
    pid = performer.performer_id
    if grant.signed_by == "performer" and performer.deceased:
        if performer.died_at is None:
            raise SignerError(
                f"performer {pid} is recorded as deceased with no date of death, so a consent signed by the "
                "performer cannot be placed before it; have the authorised representative (or the union) sign"
            )
        if not clock.signed_in_life(grant.signed_at, performer.died_at):
            raise SignerError(
                f"consent signed by performer {pid} on {grant.signed_at.isoformat()}, on or after their death on "
                f"{performer.died_at.isoformat()}; a deceased performer's consent comes from the authorised "
                "representative, or the union when none can be identified"
            )
    if grant.signed_by == "representative" and performer.representative is None:
        raise SignerError(
            f"signed_by='representative' but performer {pid} has no authorised representative on file; register "
            "the performer with the representative and the document proving their authority"
        )
    if grant.signed_by == "union":
        if not performer.deceased:
            raise SignerError(
                f"signed_by='union' for living performer {pid}; the performer (or their authorised representative) "
                "signs their own consent"
            )
        if performer.representative is not None:
            raise SignerError(
                f"signed_by='union' but performer {pid} has an authorised representative on file "
                f"({performer.representative.name}); the union signs only when no representative can be identified"
            )
    if clock.in_future(grant.signed_at, now_utc(), CLOCK_SKEW):
        raise InvalidRecordError(f"signed_at {grant.signed_at.isoformat()} is in the future; give the signing date")
    if grant.category == "background_replica" and performer.kind != "background":
        raise InvalidRecordError(
            f"category 'background_replica' is for background actors; performer {pid} is {performer.kind}"
        )
