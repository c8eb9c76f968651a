"""The consent registry's records: performers, consent grants, suspensions and the consent state at a time.

The application translates them into the policy engine's inputs at one seam (``cutproof.edits.consent_facts``),
judging every grant with the consent clock (``consent.clock``) on the way. Every model validates itself in its
constructor, so an invalid record never exists, and is frozen. All datetimes are timezone-aware and normalised to
UTC; a naive datetime is refused.
"""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
import re
from datetime import UTC, datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from consent import clock
from records import EDIT_KINDS, empty_list
from records.vocab import Category, ContractEdition, PerformerKind, Representation, Signer

KNOWN_PURPOSES: tuple[str, ...] = (
    "continuity",
    "cosmetic",
    "dialogue_adjustment",
    "dubbing",
    "effects",
    "noise_reduction",
    "performance_change",
    "pitch_tone",
    "ratings",
    "speed",
    "standards_and_practices",
    "timing",
    "wardrobe",
)
"""Purposes in common use (from the SAG-AFTRA alteration exceptions); others are accepted if well formed."""

WILDCARD = "*"
ALL = "all"

_PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_LAW_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ID_RE = re.compile(r"^[a-z]{2,4}_[0-9a-z]{8,40}$")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime has no timezone; give one explicitly, e.g. 2026-11-23T10:00:00Z")
    return value.astimezone(UTC)


UTCDateTime = Annotated[datetime, AfterValidator(_utc)]
"""A timezone-aware datetime, normalised to UTC."""


def _sha256(value: str) -> str:
    if not _SHA256_RE.match(value):
        raise ValueError("must be a lower-case hex SHA-256 digest (64 characters)")
    return value


Sha256Hex = Annotated[str, AfterValidator(_sha256)]


def _record_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(f"{value!r} is not a registry id (prefix, underscore, 8-40 lower-case letters/digits)")
    return value


RecordId = Annotated[str, AfterValidator(_record_id)]


def _nonblank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


NonBlank = Annotated[str, AfterValidator(_nonblank)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built on first use


class Representative(_Record):
    """The performer's authorised representative (estate, guardian), with the document proving the authority."""

    name: NonBlank
    authority_document_sha256: Sha256Hex


class Performer(_Record):
    """A performer as registered for a project. Personal data: stays in the registry, never in the ledger."""

    performer_id: RecordId
    name: NonBlank
    kind: PerformerKind
    guild_member: bool = False
    guild: str | None = None
    guild_id: str | None = None
    minor: bool = False
    deceased: bool = False
    died_at: UTCDateTime | None = None
    representative: Representative | None = None
    representation: Representation = "none"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.guild_member and not (self.guild and self.guild.strip()):
            raise ValueError("a guild member needs the guild named (e.g. guild='SAG-AFTRA')")
        if not self.guild_member and (self.guild or self.guild_id):
            raise ValueError("guild/guild_id given for a performer who is not a guild member; set guild_member")
        if self.representation == "union" and not self.guild_member:
            raise ValueError("representation 'union' needs guild_member=True and the guild named")
        if self.died_at is not None and not self.deceased:
            raise ValueError("died_at given for a performer not marked deceased")
        return self


class Suspension(_Record):
    """A suspension of consent (e.g. during a strike), for one performer or production-wide (performer_id None)."""

    suspension_id: RecordId
    performer_id: str | None = None
    start: UTCDateTime
    end: UTCDateTime | None = None
    reason: NonBlank
    categories: list[Category | Literal["*"]] = Field(default_factory=lambda: [WILDCARD])  # type: ignore[arg-type]
    strike: bool = False

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        if not value or (WILDCARD in value and len(value) > 1) or len(set(value)) != len(value):
            raise ValueError("categories must be ['*'] or distinct grant categories, e.g. ['ebdr', 'icdr']")
        return value

    def applies_to(self, performer_id: str, category: str) -> bool:
        """True if the suspension concerns grants of ``performer_id`` in ``category``."""
        return (self.performer_id is None or self.performer_id == performer_id) and (
            WILDCARD in self.categories or category in self.categories
        )

    @model_validator(mode="after")
    def _window(self) -> Self:
        clock.check_window(self.start, self.end, "suspension end")
        return self

    def span(self) -> clock.SuspensionSpan:
        """The suspension as the consent clock sees it (its end already as lifted)."""
        return clock.SuspensionSpan(
            self.suspension_id, self.performer_id, self.start, self.end, tuple(self.categories), self.strike,
            self.reason,
        )  # fmt: skip

    def active_at(self, at: datetime) -> bool:
        """True if the suspension is in force at ``at`` (the consent clock's rule 3)."""
        return self.span().active_at(at)


class GrantCapacity(_Record):
    """The consent clock's judgement of who signed a grant (``consent.clock.capacity``), as of a time."""

    ok: bool
    problem: str | None = None
    court_approval: Literal["not_required", "on_record", "missing"] = "not_required"
    court_approval_law: str | None = None

    @classmethod
    def of(cls, judged: clock.Capacity) -> "GrantCapacity":
        """From the clock's answer."""
        return cls(
            ok=judged.ok,
            problem=judged.problem,
            court_approval=judged.court_approval,
            court_approval_law=judged.law.citation if judged.law else None,
        )


def _scope(value: object, what: str) -> str | list[str]:
    if isinstance(value, str):
        if value != ALL:
            raise ValueError(f"{what} must be 'all' or a list of {what} names, not {value!r}")
        return value
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be 'all' or a list of {what} names")
    names = [v.strip() for v in value]
    if not names:
        raise ValueError(f"empty {what} list; name at least one, or use 'all'")
    if any(not n for n in names):
        raise ValueError(f"blank name in the {what} list")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate names in the {what} list")
    return names


class ConsentGrant(_Record):
    """One consent, for one specific use, with its state as evaluated at a time: the revocation and suspensions in
    force, the court approval in force, and the capacity of its signer."""

    grant_id: RecordId
    performer_id: RecordId
    project: NonBlank
    category: Category
    edit_kinds: list[str]
    purposes: list[str]
    shots: list[str] | Literal["all"]
    scenes: list[str] | Literal["all"]
    use_description: NonBlank
    separately_signed: bool
    signed_by: Signer
    signed_at: UTCDateTime
    notice_given_at: UTCDateTime | None = None
    document_sha256: Sha256Hex
    governing_law: str | None = None
    contract_edition: ContractEdition
    valid_from: UTCDateTime
    valid_until: UTCDateTime | None = None
    compensation_ref: str | None = None
    languages: list[str] | None = None
    ledger_index: int | None = Field(default=None, ge=0)
    recorded_at: UTCDateTime | None = None
    revoked_at: UTCDateTime | None = None
    suspensions: list[Suspension] = Field(default_factory=empty_list)
    court_approved_at: UTCDateTime | None = None
    capacity: GrantCapacity | None = None

    @field_validator("edit_kinds")
    @classmethod
    def _edit_kinds(cls, value: list[str]) -> list[str]:
        if value == [WILDCARD]:
            return value
        if not value:
            raise ValueError(f"no edit kinds; name at least one of {', '.join(EDIT_KINDS)} or use ['*']")
        unknown = [v for v in value if v not in EDIT_KINDS]
        if unknown:
            raise ValueError(f"unknown edit kind(s) {unknown}; known: {', '.join(EDIT_KINDS)} (or ['*'] alone)")
        if len(set(value)) != len(value):
            raise ValueError("duplicate edit kinds")
        return value

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, value: list[str]) -> list[str]:
        if value == [WILDCARD]:
            return value
        if not value:
            raise ValueError("no purposes; name at least one (e.g. continuity, dubbing) or use ['*']")
        bad = [v for v in value if not _PURPOSE_RE.match(v)]
        if bad:
            raise ValueError(f"malformed purpose(s) {bad}; use lower_snake_case, e.g. {', '.join(KNOWN_PURPOSES[:4])}")
        if len(set(value)) != len(value):
            raise ValueError("duplicate purposes")
        return value

    @field_validator("shots", mode="before")
    @classmethod
    def _shots(cls, value: object) -> str | list[str]:
        return _scope(value, "shots")

    @field_validator("scenes", mode="before")
    @classmethod
    def _scenes(cls, value: object) -> str | list[str]:
        return _scope(value, "scenes")

    @field_validator("governing_law")
    @classmethod
    def _law(cls, value: str | None) -> str | None:
        if value is not None and not _LAW_RE.match(value):
            raise ValueError(f"governing law {value!r} is not a jurisdiction code like US-CA, US-NY or FR")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        bad = [v for v in value if not _LANG_RE.match(v)]
        if bad or not value:
            raise ValueError(f"languages must be a non-empty list of BCP 47 tags like 'fr' or 'es-MX', got {value}")
        return value

    @model_validator(mode="after")
    def _window(self) -> Self:
        clock.check_window(self.valid_from, self.valid_until, "valid_until", "valid_from")
        return self

    def terms(self) -> clock.GrantTerms:
        """The grant as the consent clock sees it."""
        return clock.GrantTerms(
            self.grant_id, self.performer_id, self.category, self.valid_from, self.valid_until, self.recorded_at
        )

    def judge(self, at: datetime) -> clock.Judgement:
        """The consent clock's judgement at ``at``, from the state the grant carries (its revocation and the
        suspensions recorded with it)."""
        history = clock.History(
            revocations=() if self.revoked_at is None else (clock.Revocation(self.grant_id, self.revoked_at),),
            suspensions=tuple(
                clock.SuspensionEvent(
                    s.suspension_id, s.performer_id, s.start, s.end, tuple(s.categories), s.strike, s.reason
                )
                for s in self.suspensions
            ),
        )
        return clock.judge(self.terms(), history, at)

    def in_window(self, at: datetime) -> bool:
        """True if ``at`` lies in the validity window (the consent clock's rule 1)."""
        return clock.in_window(self.terms(), at)

    def in_force(self, at: datetime) -> bool:
        """True if the grant is valid, not revoked and not suspended at ``at`` (given the state it carries)."""
        return self.judge(at).in_force


class ConsentState(_Record):
    """Snapshot handed to the gate: the performers, their grants with state as of ``at``, production suspensions."""

    project: str
    at: UTCDateTime
    known_at: UTCDateTime | None = None
    performers: list[Performer]
    grants: list[ConsentGrant]
    suspensions: list[Suspension] = Field(default_factory=empty_list)


def now_utc() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
