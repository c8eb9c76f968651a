"""Typed, versioned records: every ledger entry the application writes, one pydantic model per kind and version.

from records import EditApplied, parse_record
log.append([record.entry()], identity=...)          # write: the model's JSON is the entry
record = parse_record(log.entry_json(i), index=i)    # read: dispatch on kind; unknown kinds/versions are errors

Also the value types several packages share (edit kinds, obligations, fixed-width UTC times). Knows nothing of
the ledger, consent or film beyond the shapes of the records: the bottom layer, importable by every package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from records._base import (
        Record,
    )
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
    from records.entries import (
        RECORD_TYPES,
        AnyRecord,
        known_kinds,
        parse_record,
        split_kind,
    )
    from records.errors import (
        MalformedRecordError,
        RecordError,
        UnknownKindError,
        UnknownVersionError,
    )
    from records.values import (
        EDIT_KINDS,
        DisclosureForm,
        EditKind,
        IconColour,
        IconVariant,
        MarkingLayer,
        Obligations,
        Outcome,
        empty_list,
        format_utc,
        parse_utc,
    )

_LAZY = {  # each name from the module that defines it: a command loads only the record families it uses
    "records.entries": ("RECORD_TYPES", "AnyRecord", "known_kinds", "parse_record", "split_kind"),
    "records._base": ("Record",),
    "records._project": (
        "AudioTrackFacts",
        "CameraManifestFacts",
        "ColourFacts",
        "DailiesIngested",
        "MediaFacts",
        "ProjectCreated",
        "ProjectSettings",
        "SlateFacts",
    ),
    "records._consent": (
        "ConsentGranted",
        "ConsentRevoked",
        "ConsentSuspended",
        "CourtApproved",
        "PerformerAmended",
        "PerformerRegistered",
        "SuspensionLifted",
    ),
    "records._gate": (
        "AccessGranted",
        "AccessRevoked",
        "DecisionReason",
        "DecisionReliance",
        "EditAsked",
        "GateRequest",
        "ModelTrained",
        "PackUsed",
        "PolicyDecided",
        "RequestResubmitted",
        "ReviewSigned",
        "TrainingInputFacts",
        "TrainingManifestFacts",
    ),
    "records._edits": (
        "BadgeFacts",
        "BadgeShown",
        "DemoTourEntry",
        "DirectEdit",
        "DisclosureFacts",
        "EditApplied",
        "EditResultFacts",
        "EndCreditFacts",
        "FingerprintFacts",
        "FrameSize",
        "FrameSpan",
        "LabelApplied",
        "LegacyDirectEdit",
        "OutputFacts",
        "PixelRect",
        "WatermarkFacts",
    ),
    "records.errors": (
        "MalformedRecordError",
        "RecordError",
        "UnknownKindError",
        "UnknownVersionError",
    ),
    "records.values": (
        "EDIT_KINDS",
        "DisclosureForm",
        "EditKind",
        "IconColour",
        "IconVariant",
        "MarkingLayer",
        "Obligations",
        "Outcome",
        "empty_list",
        "format_utc",
        "parse_utc",
    ),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "EDIT_KINDS",
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
    "DisclosureForm",
    "EditApplied",
    "EditAsked",
    "EditKind",
    "EditResultFacts",
    "EndCreditFacts",
    "FingerprintFacts",
    "FrameSize",
    "FrameSpan",
    "GateRequest",
    "IconColour",
    "IconVariant",
    "LabelApplied",
    "LegacyDirectEdit",
    "MalformedRecordError",
    "MarkingLayer",
    "MediaFacts",
    "ModelTrained",
    "Obligations",
    "Outcome",
    "OutputFacts",
    "PackUsed",
    "PerformerAmended",
    "PerformerRegistered",
    "PixelRect",
    "PolicyDecided",
    "ProjectCreated",
    "ProjectSettings",
    "Record",
    "RecordError",
    "RequestResubmitted",
    "ReviewSigned",
    "SlateFacts",
    "SuspensionLifted",
    "TrainingInputFacts",
    "TrainingManifestFacts",
    "UnknownKindError",
    "UnknownVersionError",
    "WatermarkFacts",
    "empty_list",
    "format_utc",
    "known_kinds",
    "parse_record",
    "parse_utc",
    "split_kind",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
