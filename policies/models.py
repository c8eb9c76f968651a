"""Input models of the policy engine: the edit request and the consent state it is evaluated against.

These are the *policy view* of the consent registry's records. Field names are shared with ``consent`` so the
application converts a record with ``Performer.model_validate(record.model_dump())``; fields the policy engine
does not need (names, guild ids, …) are ignored there. Request files written by hand are validated strictly
(unknown keys are errors) through ``policies.request_file``.

The engine never compares consent times. Each grant carries its times as recorded (kept for the reader and the
inputs hash) and, once the application has judged it with the consent clock at the request's time, its
``standing``: in force or not and why, and whether its signer could consent. The application attaches it at one
seam (``cutproof.edits.consent_facts``); a grant without it is refused by the engine.

All models are frozen: an input that was hashed cannot change afterwards.
"""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
import re
from collections import Counter
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

from policies._hashing import canonical_model_json
from records import EditKind, empty_list  # the edit kinds are defined once, in records

CONTRACT_EDITIONS: tuple[str, ...] = ("sag-aftra-tv-theatrical-2023", "sag-aftra-tv-theatrical-2026")
_TERRITORY = re.compile(r"^(EU|[A-Z]{2}(-[A-Z0-9]{1,3})?)$")
_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")

PerformerKind = Literal["principal", "background", "stunt", "stand_in"]
Representation = Literal["counsel", "union", "none"]
Category = Literal["digital_alteration", "ebdr", "icdr", "background_replica"]
Signer = Literal["performer", "representative", "union"]
ExemptionKind = Literal[
    "substantially_as_performed", "standard_editing", "no_substantial_alteration", "first_amendment"
]


class _Input(BaseModel):
    """Frozen base; with validation context ``{"strict_keys": True}`` unknown keys are rejected, and so are the
    ``JUDGED`` fields, which only the application's consent clock sets."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True, defer_build=True)
    JUDGED: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and info.context and info.context.get("strict_keys"):
            unknown = sorted(str(k) for k in data if k not in cls.model_fields)
            if unknown:
                allowed = ", ".join(n for n in cls.model_fields if n not in cls.JUDGED)
                raise ValueError(f"unknown field {unknown[0]!r} (allowed: {allowed})")
            judged = sorted(str(k) for k in data if k in cls.JUDGED)
            if judged:
                raise ValueError(
                    f"{judged[0]!r} is the consent clock's judgement, made when the request is evaluated; give the "
                    "recorded facts instead (dates, revocation, suspensions, court approval)"
                )
        return data


def _wildcard_or_tokens(values: list[str], what: str) -> list[str]:
    if not values:
        raise ValueError(f"{what} must not be empty (use ['*'] for any)")
    if "*" in values and len(values) > 1:
        raise ValueError(f"{what}: '*' must stand alone")
    for v in values:
        if v != "*" and not _TOKEN.match(v):
            raise ValueError(f"{what}: {v!r} is not a lower-case token like 'continuity'")
    return values


class Representative(_Input):
    """The estate or authorised representative of a performer, and the document proving the authority."""

    name: str = Field(min_length=1)
    authority_document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Performer(_Input):
    """A performer as the policies see them (no personal data beyond what a rule needs); ``years_since_death``
    is judged by the application at the request's time."""

    performer_id: str = Field(min_length=1)
    kind: PerformerKind
    guild_member: bool
    guild: str | None = None
    minor: bool = False
    deceased: bool = False
    died_at: AwareDatetime | None = None
    representative: Representative | None = None
    representation: Representation = "none"
    years_since_death: int | None = None
    JUDGED: ClassVar[frozenset[str]] = frozenset({"years_since_death"})


class Suspension(_Input):
    """A period during which a grant may not be relied on; ``strike`` marks one caused by a strike (as recorded;
    whether it is in force at the request's time is the consent clock's judgement, in the grant's ``standing``)."""

    start: AwareDatetime
    end: AwareDatetime | None = None
    reason: str = Field(min_length=1)
    strike: bool = False


class ProductionSuspension(Suspension):
    """A suspension recorded for the production, e.g. a strike suspending all replica consents.

    ``performer_id`` None means every performer; ``categories`` lists the grant categories suspended (``["*"]``:
    all).
    """

    performer_id: str | None = None
    categories: list[Category | Literal["*"]] = Field(default_factory=lambda: ["*"])  # type: ignore[arg-type]


GrantStatus = Literal["in_force", "not_yet_valid", "expired", "revoked", "suspended"]


class Standing(_Input):
    """A grant as judged by the application with the consent clock at the request's time.

    ``status``: in force, or the first reason it is not (not yet valid, expired, revoked, suspended), ``since``
    when; ``strike`` and ``suspension_reasons`` for a suspension. ``capacity_ok`` False: the signer could not
    consent for the performer (``capacity_problem`` says why), so the grant covers nothing. ``court_approval``:
    whether the court approval the governing law asks for a minor's contract is on record (``court_approval_law``
    cites the law).
    """

    status: GrantStatus
    since: AwareDatetime | None = None
    strike: bool = False
    suspension_reasons: list[str] = Field(default_factory=empty_list)
    capacity_ok: bool = True
    capacity_problem: str | None = None
    court_approval: Literal["not_required", "on_record", "missing"] = "not_required"
    court_approval_law: str | None = None


class ConsentGrant(_Input):
    """One consent for one specific use, plus its state (revocation, suspensions)."""

    grant_id: str = Field(min_length=1)
    performer_id: str = Field(min_length=1)
    project: str = Field(min_length=1)
    category: Category
    edit_kinds: list[EditKind | Literal["*"]]
    purposes: list[str]
    shots: list[str] | Literal["all"]
    scenes: list[str] | Literal["all"]
    use_description: str = Field(min_length=1)
    separately_signed: bool
    signed_by: Signer
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    governing_law: str | None = None
    contract_edition: str
    signed_at: AwareDatetime | None = None
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None
    compensation_ref: str | None = None
    languages: list[str] | None = None
    ledger_index: int | None = Field(default=None, ge=0)
    revoked_at: AwareDatetime | None = None
    suspensions: list[Suspension] = Field(default_factory=empty_list)
    court_approved_at: AwareDatetime | None = None
    standing: Standing | None = None
    JUDGED: ClassVar[frozenset[str]] = frozenset({"standing"})

    @model_validator(mode="after")
    def _consistent(self) -> "ConsentGrant":
        _wildcard_or_tokens(list(self.edit_kinds), "edit_kinds")
        _wildcard_or_tokens(self.purposes, "purposes")
        for name in ("shots", "scenes"):
            value = getattr(self, name)
            if isinstance(value, list) and not value:
                raise ValueError(f"{name} must list at least one entry or be 'all'")
        return self


class ConsentState(_Input):
    """Everything the policies know about consent at the time of an edit; ``judged_at`` is the instant the
    application judged it for (every grant's ``Standing``, every performer's ``years_since_death``)."""

    performers: list[Performer] = Field(default_factory=empty_list)
    grants: list[ConsentGrant] = Field(default_factory=empty_list)
    suspensions: list[ProductionSuspension] = Field(default_factory=empty_list)
    judged_at: AwareDatetime | None = None
    JUDGED: ClassVar[frozenset[str]] = frozenset({"judged_at"})
    _canonical: bytes | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique(self) -> "ConsentState":
        ids = [p.performer_id for p in self.performers]
        for what, values in (("performer", ids), ("grant", [g.grant_id for g in self.grants])):
            dup = sorted(v for v, n in Counter(values).items() if n > 1)
            if dup:
                raise ValueError(f"{what} {dup[0]!r} is listed twice")
        known = set(ids)
        for g in self.grants:
            if g.performer_id not in known:
                raise ValueError(f"grant {g.grant_id!r} names performer {g.performer_id!r}, who is not listed")
        return self

    def canonical(self) -> bytes:
        """RFC 8785 canonical JSON of this state (computed once; the model is frozen)."""
        if self._canonical is None:
            self._canonical = canonical_model_json(self.model_dump(mode="json"))
        return self._canonical


class ProjectContext(_Input):
    """The production the edit belongs to."""

    name: str = Field(min_length=1)
    agreement: str = Field(min_length=1, description="contract edition, e.g. sag-aftra-tv-theatrical-2026, or none")
    principal_photography_start: date | None = None
    distribution_territories: list[str] = Field(min_length=1)
    evidently_artistic: bool
    output_role: Literal["intermediate", "distribution_master"]
    original_language: str | None = None

    @model_validator(mode="after")
    def _territories(self) -> "ProjectContext":
        for t in self.distribution_territories:
            if not _TERRITORY.match(t):
                raise ValueError(f"distribution territory {t!r} is not an ISO 3166 code (e.g. US, DE, US-CA) or EU")
        return self


class ClaimedExemption(_Input):
    """An exemption the requester claims, with the reason in words."""

    kind: ExemptionKind
    justification: str = ""


class ReplicaUse(_Input):
    """The edit renders a digital replica of the touched performers (not just alters recorded footage)."""

    category: Literal["ebdr", "icdr", "background_replica"]
    source_project: str = Field(min_length=1)


class Edit(_Input):
    """What the edit does and why."""

    kind: EditKind
    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    target_language: str | None = None
    claimed_exemption: ClaimedExemption | None = None
    is_deep_fake: bool | None = None
    not_deep_fake_reason: str | None = None
    """Why the requester says the result is not a deep fake (with ``is_deep_fake: false``): what legal reviews."""
    generation: Literal["partially_modified", "fully_generated"] = "partially_modified"
    replica: ReplicaUse | None = None


class EditRequest(_Input):
    """One requested edit of one shot, and who it touches."""

    project: ProjectContext
    shot: str = Field(min_length=1)
    scene: str = Field(min_length=1)
    edit: Edit
    performers: list[str] = Field(default_factory=empty_list)
    detected_performers: list[str] = Field(default_factory=empty_list)
    unidentified_faces: int = Field(default=0, ge=0)
    time: AwareDatetime
    photoreal: bool = True
    """Photoreal (live-action camera) footage; False for animation, where an edit cannot pass as authentic."""

    def touched(self) -> list[str]:
        """Performers the edit touches: declared first, then those only the editor detected (no duplicates)."""
        return list(dict.fromkeys([*self.performers, *self.detected_performers]))
