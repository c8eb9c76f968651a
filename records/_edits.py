"""Records of edits and labels: ``edit.applied/1`` (and 0.1.0's flattened shape), ``edit.direct/1``,
``label.applied/1``, and the demo's ``demo.tour/1`` (see ``records.entries``)."""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from records._base import Rational, Record, _Aliased
from records._gate import DecisionReliance
from records.values import (
    DisclosureForm,
    IconColour,
    IconVariant,
    JsonObject,
    Model,
    Sha256Hex,
)

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
    def of(cls, result: Mapping[str, Any]) -> "DirectEdit":
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
