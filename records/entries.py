"""Every ledger entry the application writes, as one typed, versioned model per kind — and the one parser.

An entry's ``kind`` is ``<name>/<version>`` (``edit.applied/1``). A version fixes the payload's shape: the set of
keys, their types, and which optional keys are written as ``null`` and which are left out. The signed bytes are
the RFC 8785 canonical JSON of ``record.entry()`` (the ledger adds its ``ledger`` stamp, see ``ledger.entries``).
A shape never changes under a version: a new shape is a new version (a new model here), and the old model stays
so that existing ledgers stay readable. ``tests/fixtures/records`` holds one golden vector per kind.

``parse_record(payload)`` dispatches on ``kind``: an unknown kind (``UnknownKindError``), an unknown version of a
known kind (``UnknownVersionError``) or a payload without its version's shape (``MalformedRecordError``) is
reported as such, never guessed at. ``key.rotated/1`` is the ledger's own entry and is not modelled here.

Kinds, who writes them and who reads them back:

- ``project.created/1`` — ``cutproof.core.projects``; the project's first entry.
- ``dailies.ingested/1`` — ``cutproof.dailies.ingest``; the audit trail.
- ``performer.registered/1``, ``performer.amended/1`` — ``consent`` (registry); its reconcile.
- ``consent.granted/1``, ``consent.revoked/1``, ``consent.suspended/1``, ``consent.suspension_lifted/1``,
  ``consent.court_approved/1`` — ``consent`` (registry); its reconcile, delivery QC (``cutproof.qc``), the audit.
- ``model.trained/1`` — ``cutproof.training``; training (a resumed job finds its entry).
- ``policy.decided/1`` — ``cutproof.edits.gate`` (translated from ``policies.Decision`` in
  ``cutproof.edits.decided``); QC, the audit.
- ``review.signed/1`` — ``cutproof.edits.flow``; QC, the audit.
- ``edit.applied/1`` — ``cutproof.edits.flow`` (gated edits only); QC, the audit, the flow (resume).
- ``edit.direct/1`` — the ``cutproof edit …`` commands (edits made outside the gate); the audit trail.
- ``label.applied/1`` — ``cutproof.edits.flow`` / ``cutproof.edits.label``; QC, the audit.
- ``demo.tour/1`` — ``cutproof demo --ledger-only``, in the tour's own demo log only.
- ``access.granted/1``, ``access.revoked/1`` — ``cutproof.core.access`` (a role given or taken in the project, by
  whom); the audit trail of who could do what, when (``docs/access.md``).

``edit.applied/1`` was also written, by release 0.1.0's ``cutproof edit …`` commands, in a second shape (the edit
result flattened, ``edit_kind`` beside it, no request or decision). Those entries are read as
``LegacyDirectEdit``; nothing writes that shape any more (direct edits are ``edit.direct/1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

import rfc8785
from pydantic import ConfigDict, Field, ValidationError, model_validator

from records.errors import MalformedRecordError, UnknownKindError, UnknownVersionError, where
from records.values import (
    DisclosureForm,
    EditKind,
    FixedUtc,
    IconColour,
    IconVariant,
    IsoDate,
    IsoInstant,
    JsonObject,
    Model,
    Obligations,
    Outcome,
    Sha256Hex,
)

Rational = Annotated[str, Field(pattern=r"^-?[0-9]+/[0-9]+$")]
"""An exact rational number as ``num/den`` (frame rates, seconds)."""
Scalar = str | int | float | bool | None

PerformerKind = Literal["principal", "background", "stunt", "stand_in"]
Category = Literal["digital_alteration", "ebdr", "icdr", "background_replica"]
Signer = Literal["performer", "representative", "union"]
ModelKind = Literal["lighting", "background", "dialogue", "cast", "eyeline"]


class _Aliased(Model):
    """A value whose JSON has a ``schema`` key (a field name pydantic reserves)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True)


class Record(Model):
    """Base of every record: ``kind`` (name and version) plus the payload of that version."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True)
    KIND: ClassVar[str] = ""
    kind: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["kind"].default
        if isinstance(default, str):
            cls.KIND = default

    def entry(self) -> dict[str, Any]:
        """The payload to append to the ledger (JSON-compatible; the ledger stamps it)."""
        return self.model_dump(mode="json")

    def canonical(self) -> bytes:
        """RFC 8785 canonical JSON of ``entry()``: the signed bytes, less the ledger's stamp."""
        return rfc8785.dumps(self.entry())


# ------------------------------------------------------------------------------------------- project, dailies


class ProjectSettings(Model):
    """The policy context a project was created with."""

    agreement: str
    principal_photography_start: IsoDate | None
    distribution_territories: tuple[str, ...]
    evidently_artistic: bool
    policy_packs: tuple[str, ...]


class ProjectCreated(Record):
    """A project and its ledger log were created."""

    kind: Literal["project.created/1"] = "project.created/1"
    project: str
    context: ProjectSettings


class ColourFacts(Model):
    primaries: int
    transfer: int
    matrix: int
    range: int


class AudioTrackFacts(Model):
    index: int
    codec: str
    sample_rate: int
    channels: int
    layout: str


class MediaFacts(Model):
    """What a camera file is, as probed at ingest."""

    container: str
    codec: str
    codec_family: str
    profile: str | None
    width: int
    height: int
    pix_fmt: str
    bit_depth: int
    frame_rate: Rational
    frame_count: int
    timecode: str | None
    colour: ColourFacts
    audio: tuple[AudioTrackFacts, ...]


class SlateFacts(Model):
    scene: str | None
    shot: str | None
    take: int | None


class CameraManifestFacts(Model):
    """The C2PA manifest the camera signed into the file, as validated at ingest against the camera trust list.

    ``state``: ``trusted`` (signer chains to a registered camera root), ``valid-untrusted`` (validates, signer not on
    the list), ``invalid`` (fails validation; ``failures`` names the codes). Signer facts are left out when the
    manifest could not be read.
    """

    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"signer_issuer", "signer", "claim_generator", "label"})
    state: Literal["trusted", "valid-untrusted", "invalid"]
    failures: tuple[str, ...]
    signer_issuer: str | None = None
    signer: str | None = None
    claim_generator: str | None = None
    label: str | None = None
    manifest_sha256: Sha256Hex


class DailiesIngested(Record):
    """A camera file was catalogued for the project."""

    kind: Literal["dailies.ingested/1"] = "dailies.ingested/1"
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"camera_manifest"})
    content_hash: Sha256Hex
    file_name: str
    media: MediaFacts
    slate: SlateFacts
    camera_manifest: CameraManifestFacts | None = None
    """Absent when the file carries no C2PA manifest (and in entries recorded before cameras' manifests were read)."""


# ------------------------------------------------------------------------------------------- consent registry
# Ids, scope, dates and document hashes in clear; names, reasons and descriptions only as the salted
# ``record_sha256`` commitment (see ``consent._entries``). Times are fixed-width UTC text.


class PerformerRegistered(Record):
    kind: Literal["performer.registered/1"] = "performer.registered/1"
    project: str
    performer_id: str
    performer_kind: PerformerKind
    representative_document_sha256: Sha256Hex | None
    record_sha256: Sha256Hex


class PerformerAmended(Record):
    kind: Literal["performer.amended/1"] = "performer.amended/1"
    project: str
    event_id: str
    performer_id: str
    performer_kind: PerformerKind
    representative_document_sha256: Sha256Hex | None
    record_sha256: Sha256Hex


class ConsentGranted(Record):
    """One consent for one specific use: its scope, signer, signed document and validity window."""

    kind: Literal["consent.granted/1"] = "consent.granted/1"
    project: str
    grant_id: str
    performer_id: str
    category: Category
    edit_kinds: tuple[EditKind | Literal["*"], ...]
    purposes: tuple[str, ...]
    shots: tuple[str, ...] | Literal["all"]
    scenes: tuple[str, ...] | Literal["all"]
    separately_signed: bool
    signed_by: Signer
    signed_at: FixedUtc
    notice_given_at: FixedUtc | None
    document_sha256: Sha256Hex
    governing_law: str | None
    contract_edition: str
    valid_from: FixedUtc
    valid_until: FixedUtc | None
    languages: tuple[str, ...] | None
    record_sha256: Sha256Hex


class ConsentRevoked(Record):
    """A grant is revoked from ``effective_at`` (which may lie before or after the entry was recorded)."""

    kind: Literal["consent.revoked/1"] = "consent.revoked/1"
    project: str
    event_id: str
    grant_id: str
    performer_id: str
    effective_at: FixedUtc
    record_sha256: Sha256Hex


class ConsentSuspended(Record):
    """Consent suspended from ``start`` until ``end`` (open when null), for one performer or the project."""

    kind: Literal["consent.suspended/1"] = "consent.suspended/1"
    project: str
    suspension_id: str
    scope: Literal["performer", "project"]
    performer_id: str | None
    categories: tuple[Category | Literal["*"], ...]
    strike: bool
    start: FixedUtc
    end: FixedUtc | None
    record_sha256: Sha256Hex

    @model_validator(mode="after")
    def _scope(self) -> Self:
        if (self.scope == "project") != (self.performer_id is None):
            raise ValueError("scope 'project' has no performer_id; scope 'performer' names one")
        return self


class SuspensionLifted(Record):
    """A suspension ends at ``end`` (earlier than it was set to)."""

    kind: Literal["consent.suspension_lifted/1"] = "consent.suspension_lifted/1"
    project: str
    event_id: str
    suspension_id: str
    end: FixedUtc
    record_sha256: Sha256Hex


class CourtApproved(Record):
    """A court approved a minor's consent contract (grant), from ``approved_at``, by the recorded order."""

    kind: Literal["consent.court_approved/1"] = "consent.court_approved/1"
    project: str
    event_id: str
    grant_id: str
    performer_id: str
    approved_at: FixedUtc
    court_document_sha256: Sha256Hex
    record_sha256: Sha256Hex


# ------------------------------------------------------------------------------------------- training


class TrainingInputFacts(Model):
    content_hash: Sha256Hex
    frames: tuple[int, int]
    frame_rate: Rational
    role: str


class TrainingManifestFacts(_Aliased):
    """The complete training manifest (``editor.training-manifest/1``); its hash is the model id."""

    schema_: Literal["editor.training-manifest/1"] = Field(alias="schema")
    model_kind: ModelKind
    inputs: tuple[TrainingInputFacts, ...]
    code_version: str
    hyperparameters: dict[str, Scalar]
    seeds: dict[str, int]


class ModelTrained(Record):
    """A project model was trained (on the manifest's inputs only) and registered."""

    kind: Literal["model.trained/1"] = "model.trained/1"
    model_id: Sha256Hex
    model_kind: ModelKind
    model_file_hash: Sha256Hex
    training_manifest: TrainingManifestFacts


# ------------------------------------------------------------------------------------------- the gate


class DecisionReason(Model):
    """One fired rule of a decision."""

    rule_id: str
    pack_id: str
    effect: Outcome
    citation: str
    wording: Literal["read", "reported"]
    explanation: str
    performer_id: str | None


class DecisionReliance(Model):
    """A consent grant (with its ledger index) or an exemption a decision relied on."""

    kind: Literal["consent", "exemption"]
    rule_id: str
    performer_id: str | None
    grant_id: str | None
    ledger_index: int | None
    exemption: str | None
    justification: str | None


class PackUsed(Model):
    id: str
    version: str
    sha256: Sha256Hex


class EditAsked(Model):
    kind: EditKind
    purpose: str


class GateRequest(Model):
    """The edit request the gate decided: which clip, shot and frames, who it touches and how that was found."""

    id: str
    project: str
    clip: Sha256Hex
    scene: str | None = None
    """The slate's scene (absent when the clip has no slate scene: never a placeholder)."""
    shot: str
    edit: EditAsked
    region: str | None
    frames: tuple[int, int | None]
    declared: tuple[str, ...]
    detected: tuple[str, ...]
    unidentified_faces: int
    detection_method: str
    cast_model: str | None = None
    """The cast model that identified ``detected`` (absent when the project had none, and in entries written
    before it was recorded)."""

    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"cast_model", "scene"})


class PolicyDecided(Record):
    """The gate's decision on one edit request (``decision_id``: SHA-256 of the decision's canonical JSON)."""

    kind: Literal["policy.decided/1"] = "policy.decided/1"
    decision_id: Sha256Hex
    outcome: Outcome
    reasons: tuple[DecisionReason, ...]
    relied_on: tuple[DecisionReliance, ...]
    obligations: Obligations
    inputs_hash: Sha256Hex
    policy_set_hash: Sha256Hex
    packs: tuple[PackUsed, ...]
    request: GateRequest


class ReviewSigned(Record):
    """A legal user's sign-off on a ``review`` decision."""

    kind: Literal["review.signed/1"] = "review.signed/1"
    decision_id: Sha256Hex
    reviewer: str
    verdict: Literal["approve", "reject"]
    note: str
    time: IsoInstant
    request_id: str
    decision_index: int
    answers: dict[str, bool] | None = None
    """Legal's answer to each question the review was opened for (e.g. ``deep_fake``); absent when none was asked
    (and in sign-offs recorded before reviews asked questions)."""
    obligations: Obligations | None = None
    """The obligations recomputed from the answers; they govern the edit's output instead of the decision's."""

    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"answers", "obligations"})


# ------------------------------------------------------------------------------------------------- access


Role = Literal["admin", "editor", "legal", "qc"]


class AccessGranted(Record):
    """A user was given a role in the project, by someone allowed to (``docs/access.md``)."""

    kind: Literal["access.granted/1"] = "access.granted/1"
    project: str
    username: str
    role: Role
    granted_by: str
    time: FixedUtc


class AccessRevoked(Record):
    """A user's role in the project was taken away."""

    kind: Literal["access.revoked/1"] = "access.revoked/1"
    project: str
    username: str
    role: Role
    revoked_by: str
    reason: str
    time: FixedUtc


# ------------------------------------------------------------------------------------------- edits and labels


class OutputFacts(Model):
    path: str
    content_hash: Sha256Hex
    codec: str
    container: str
    timecode: str | None
    audio: tuple[str, ...]


class FrameSpan(Model):
    frames: tuple[int, int]
    frame_rate: Rational
    seconds: tuple[Rational, Rational]


class PixelRect(Model):
    x: int
    y: int
    width: int
    height: int


class FrameSize(Model):
    width: int
    height: int


class EditResultFacts(_Aliased):
    """What an edit changed (``editor.edit-result/1``): hashes, model, exact parameters, frames, region, metrics.

    ``parameters`` and ``metrics`` are the engine's own per-kind objects, recorded as given.
    """

    schema_: Literal["editor.edit-result/1"] = Field(alias="schema")
    kind: str
    source_hash: Sha256Hex
    output: OutputFacts
    trained_model: bool | None = None
    """Whether a trained model made the edit (absent in results recorded before it was stated)."""
    model_id: str | None = None
    training_manifest_hash: str | None = None
    model_file_hash: Sha256Hex | None = None
    parameters: JsonObject
    frames: FrameSpan
    region: PixelRect
    frame_size: FrameSize
    metrics: JsonObject
    performers: tuple[str, ...] | None = None
    """The performers the gate decided the edit on (absent in results recorded before they were listed)."""

    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"performers", "trained_model"})
    OMIT_IF_UNSET: ClassVar[frozenset[str]] = frozenset({"model_id", "training_manifest_hash", "model_file_hash"})

    @model_validator(mode="after")
    def _model_stated_once(self) -> Self:
        if self.trained_model is not None and self.trained_model != (self.model_id is not None):
            raise ValueError("trained_model must say whether model_id is given")
        if self.model_id is None and (self.training_manifest_hash or self.model_file_hash):
            raise ValueError("a training manifest or model file hash without a model id")
        return self


class EditApplied(Record):
    """A gated edit was rendered: the request, the decision (and sign-off) it rests on, the consent relied on."""

    kind: Literal["edit.applied/1"] = "edit.applied/1"
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"job_id"})
    request_id: str
    decision_index: int
    review_index: int | None
    consent: tuple[DecisionReliance, ...]
    result: EditResultFacts
    job_id: str | None = None


class DirectEdit(Record):
    """An edit made with the engine directly (``cutproof edit …``): no gate, no decision, no consent check."""

    kind: Literal["edit.direct/1"] = "edit.direct/1"
    result: EditResultFacts

    @classmethod
    def of(cls, result: Mapping[str, Any]) -> DirectEdit:
        """From an edit result's JSON (``editor.edit-result/1``)."""
        return cls(result=EditResultFacts.model_validate(result))


class LegacyDirectEdit(Record):
    """Release 0.1.0's direct edits, recorded under ``edit.applied/1`` with the result flattened (read only)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True)
    kind: Literal["edit.applied/1"] = "edit.applied/1"
    schema_: Literal["editor.edit-result/1"] = Field(alias="schema")
    edit_kind: str
    source_hash: Sha256Hex
    output: OutputFacts
    model_id: str | None
    training_manifest_hash: str | None
    model_file_hash: Sha256Hex | None
    parameters: JsonObject
    frames: FrameSpan
    region: PixelRect
    frame_size: FrameSize
    metrics: JsonObject

    @property
    def result(self) -> EditResultFacts:
        """The edit result, in the shape ``edit.direct/1`` records it."""
        body = self.model_dump(mode="json", exclude={"kind", "edit_kind"})
        return EditResultFacts.model_validate({**body, "kind": self.edit_kind})


class WatermarkFacts(Model):
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"audio_algorithm"})
    algorithm: str
    key: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    audio_algorithm: str | None = None


class BadgeShown(_Aliased):
    """One interval the on-screen icon was drawn: seconds ``[from, to)``, its colour variant, and the opacity of the
    scrim laid under it (absent when none)."""

    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"scrim"})
    from_: str = Field(alias="from")
    to: str
    colour: IconColour
    scrim: str | None = None


class BadgeFacts(_Aliased):
    """The on-screen icon as drawn. ``from``/``to`` span everything shown. Labels made with the EU icon name its
    artwork (``icon``) and list each shown interval (``shown``); labels made before have neither (one interval,
    the legacy white-on-dark plate)."""

    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"icon", "shown"})
    corner: str
    variant: IconVariant
    rect: tuple[int, int, int, int]
    frame: tuple[int, int]
    height: str
    margin: str
    from_: str = Field(alias="from")
    to: str
    icon: Literal["eu-ai/1"] | None = None
    shown: tuple[BadgeShown, ...] | None = None


class EndCreditFacts(Model):
    start: str
    pages: int
    seconds_per_page: str


class DisclosureFacts(_Aliased):
    """The disclosure actually applied (``cutproof.disclosure/1``)."""

    schema_: Literal["cutproof.disclosure/1"] = Field(alias="schema")
    forms: tuple[DisclosureForm, ...]
    badge: BadgeFacts | None
    end_credit: EndCreditFacts | None
    sidecars: dict[str, Sha256Hex]
    output_sha256: Sha256Hex | None


class FingerprintFacts(Model):
    """The deliverable's perceptual fingerprint: algorithm, SHA-256 of the concatenated hashes, how many hashes."""

    algorithm: str
    sha256: Sha256Hex
    hashes: int


class LabelApplied(Record):
    """The edit's deliverable was labelled: C2PA manifest, watermark key, disclosure, fingerprint."""

    kind: Literal["label.applied/1"] = "label.applied/1"
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"job_id", "fingerprint"})
    edit_index: int
    deliverable: str
    output_sha256: Sha256Hex
    manifest_sha256: Sha256Hex
    watermark: WatermarkFacts | None
    disclosure: DisclosureFacts | None
    job_id: str | None = None
    fingerprint: FingerprintFacts | None = None
    """Absent in labels recorded before deliverables were fingerprinted."""


# ------------------------------------------------------------------------------------------- the demo


class DemoTourEntry(Record):
    """An entry of the ledger tour's own demo log. It records nothing about any production: ``says`` describes,
    in words, the kind of entry a real project would record at that point."""

    kind: Literal["demo.tour/1"] = "demo.tour/1"
    batch: str
    sequence: int = Field(ge=0)
    says: str
    digest: Sha256Hex


# ------------------------------------------------------------------------------------------- parsing

AnyRecord = (
    ProjectCreated
    | DailiesIngested
    | PerformerRegistered
    | PerformerAmended
    | ConsentGranted
    | ConsentRevoked
    | ConsentSuspended
    | SuspensionLifted
    | CourtApproved
    | ModelTrained
    | PolicyDecided
    | ReviewSigned
    | AccessGranted
    | AccessRevoked
    | EditApplied
    | DirectEdit
    | LegacyDirectEdit
    | LabelApplied
    | DemoTourEntry
)

RECORD_TYPES: tuple[type[Record], ...] = (
    ProjectCreated,
    DailiesIngested,
    PerformerRegistered,
    PerformerAmended,
    ConsentGranted,
    ConsentRevoked,
    ConsentSuspended,
    SuspensionLifted,
    CourtApproved,
    ModelTrained,
    PolicyDecided,
    ReviewSigned,
    AccessGranted,
    AccessRevoked,
    EditApplied,
    DirectEdit,
    LabelApplied,
    DemoTourEntry,
)
"""The model of every kind and version this release reads and writes (``LegacyDirectEdit`` is read only)."""

_MODELS: dict[str, type[Record]] = {m.KIND: m for m in RECORD_TYPES}
_VERSIONS: dict[str, tuple[str, ...]] = {}
for _kind in _MODELS:
    _name, _, _version = _kind.rpartition("/")
    _VERSIONS[_name] = (*_VERSIONS.get(_name, ()), _version)


def split_kind(kind: str) -> tuple[str, str]:
    """``("edit.applied", "1")`` from ``"edit.applied/1"``."""
    name, _, version = kind.rpartition("/")
    return name, version


def parse_record(payload: Mapping[str, Any], *, index: int | None = None) -> AnyRecord:
    """The record a ledger entry's payload holds (a ``ledger`` stamp, if present, is ignored).

    Raises:
        UnknownKindError: the kind is not one Cutproof writes.
        UnknownVersionError: a known kind at a version this release cannot read.
        MalformedRecordError: no ``kind``, or a payload without its version's shape.
    """
    kind = payload.get("kind")
    if not isinstance(kind, str) or "/" not in kind:
        raise MalformedRecordError(
            f"{where(index)} has no kind of the form name/version (got {kind!r}); it is not a Cutproof record",
            index=index,
            kind=kind,
        )
    model = _MODELS.get(kind)
    if model is None:
        name, _ = split_kind(kind)
        known = _VERSIONS.get(name)
        if known is None:
            raise UnknownKindError(
                f"{where(index)} is of kind {kind!r}, which this release of Cutproof does not know (written by "
                "another tool or a newer Cutproof); upgrade Cutproof to read it, or check what wrote it",
                index=index,
                kind=kind,
            )
        raise UnknownVersionError(
            f"{where(index)} is {kind}; this release of Cutproof reads {name} version(s) {', '.join(known)} only — "
            "upgrade Cutproof to read it",
            index=index,
            kind=kind,
        )
    body = {k: v for k, v in payload.items() if k != "ledger"}
    if model is EditApplied and "edit_kind" in body:
        model = LegacyDirectEdit
    try:
        return model.model_validate(body)  # type: ignore[return-value]  # one of AnyRecord
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or kind
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise MalformedRecordError(
            f"{where(index)} ({kind}) does not have that version's shape: {loc}: {msg} "
            f"({len(exc.errors())} problem(s)); it was not written by Cutproof, or was altered",
            index=index,
            kind=kind,
        ) from None


def known_kinds() -> tuple[str, ...]:
    """Every ``name/version`` this release reads, sorted."""
    return tuple(sorted(_MODELS))
