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
- ``request.resubmitted/1`` — ``cutproof.edits.flow`` (with the new request's decision, in one batch); the audit.
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
from typing import Any

from pydantic import ValidationError

from records._base import Rational, Record, Scalar
from records._consent import (
    ConsentGranted,
    ConsentRevoked,
    ConsentSuspended,
    CourtApproved,
    PerformerAmended,
    PerformerRegistered,
    SuspensionLifted,
)
from records._edits import (
    BadgeFacts,
    BadgeShown,
    DemoTourEntry,
    DirectEdit,
    DisclosureFacts,
    EditApplied,
    EditResultFacts,
    EndCreditFacts,
    FingerprintFacts,
    FrameSize,
    FrameSpan,
    LabelApplied,
    LegacyDirectEdit,
    OutputFacts,
    PixelRect,
    WatermarkFacts,
)
from records._gate import (
    AccessGranted,
    AccessRevoked,
    DecisionReason,
    DecisionReliance,
    EditAsked,
    GateRequest,
    ModelTrained,
    PackUsed,
    PolicyDecided,
    RequestResubmitted,
    ReviewSigned,
    TrainingInputFacts,
    TrainingManifestFacts,
)
from records._project import (
    AudioTrackFacts,
    CameraManifestFacts,
    ColourFacts,
    DailiesIngested,
    MediaFacts,
    ProjectCreated,
    ProjectSettings,
    SlateFacts,
)
from records.errors import MalformedRecordError, UnknownKindError, UnknownVersionError, where

__all__ = [
    "RECORD_TYPES",
    "AccessGranted",
    "AccessRevoked",
    "AnyRecord",
    "AudioTrackFacts",
    "BadgeFacts",
    "BadgeShown",
    "CameraManifestFacts",
    "ColourFacts",
    "ConsentGranted",
    "ConsentRevoked",
    "ConsentSuspended",
    "CourtApproved",
    "DailiesIngested",
    "DecisionReason",
    "DecisionReliance",
    "DemoTourEntry",
    "DirectEdit",
    "DisclosureFacts",
    "EditApplied",
    "EditAsked",
    "EditResultFacts",
    "EndCreditFacts",
    "FingerprintFacts",
    "FrameSize",
    "FrameSpan",
    "GateRequest",
    "LabelApplied",
    "LegacyDirectEdit",
    "MediaFacts",
    "ModelTrained",
    "OutputFacts",
    "PackUsed",
    "PerformerAmended",
    "PerformerRegistered",
    "PixelRect",
    "PolicyDecided",
    "ProjectCreated",
    "ProjectSettings",
    "Rational",
    "Record",
    "RequestResubmitted",
    "ReviewSigned",
    "Scalar",
    "SlateFacts",
    "SuspensionLifted",
    "TrainingInputFacts",
    "TrainingManifestFacts",
    "WatermarkFacts",
    "known_kinds",
    "parse_record",
    "split_kind",
]

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
    | RequestResubmitted
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
    RequestResubmitted,
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
