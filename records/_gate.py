"""Records of training, the gate, reviews and roles: ``model.trained/1``, ``policy.decided/1``, ``review.signed/1``,
``access.granted/1``, ``access.revoked/1`` (see ``records.entries``)."""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
from typing import ClassVar, Literal

from pydantic import Field

from records._base import ModelKind, Rational, Record, Scalar, _Aliased
from records.values import (
    EditKind,
    FixedUtc,
    IsoInstant,
    Model,
    Obligations,
    Outcome,
    Sha256Hex,
)

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


class RequestResubmitted(Record):
    """An edit request that ended without a deliverable was submitted again as a new one. Appended in one batch
    with the new request's ``policy.decided/1`` (the entry before it): the new decision stands on its own, made
    afresh; this says which request it takes up, and how that one had ended."""

    kind: Literal["request.resubmitted/1"] = "request.resubmitted/1"
    request_id: str
    """The request submitted again."""
    ended: Literal["failed", "cancelled", "denied", "rejected"]
    """How it had ended: its render failed or was cancelled, the gate denied it, or legal rejected it."""
    resubmitted_as: str
    """The new request (``policy.decided/1``'s ``request.id``)."""


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
