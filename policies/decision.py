"""What the evaluator hands back: the decision, its reasons, what it relied on and the labeler's obligations.

Also the review sign-off (data) and ``effective_outcome``, the pure function that combines a ``review``
decision with a legal user's sign-off. Recording either in the ledger is the application's job: it translates
them into the ``policy.decided`` / ``review.signed`` records at one seam (``cutproof.edits.decided``).
``Obligations`` is the records' type (``records.Obligations``): one definition for the gate and the labeller.
"""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

import records
from policies._hashing import canonical_json, sha256_hex
from policies.errors import PolicyError, ReviewError
from records import Obligations, Outcome

__all__ = [
    "SEVERITY",
    "Decision",
    "Obligations",
    "Outcome",
    "PackRef",
    "Reason",
    "Reliance",
    "ReviewSignoff",
    "effective_outcome",
]

SEVERITY: dict[str, int] = {"allow": 0, "review": 1, "deny": 2}


@dataclass(frozen=True, slots=True)
class Reason:
    """One fired rule: which, where it comes from, and why, in one sentence."""

    rule_id: str
    pack_id: str
    effect: Outcome
    citation: str
    wording: Literal["read", "reported"]
    explanation: str
    performer_id: str | None = None


@dataclass(frozen=True, slots=True)
class Reliance:
    """A consent grant or an exemption an allowing (or reviewing) rule relied on."""

    kind: Literal["consent", "exemption"]
    rule_id: str
    performer_id: str | None = None
    grant_id: str | None = None
    ledger_index: int | None = None
    exemption: str | None = None
    justification: str | None = None


@dataclass(frozen=True, slots=True)
class PackRef:
    """Which pack (and which exact content) took part in a decision."""

    id: str
    version: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer for one edit request; deny beats review beats allow, every reason is kept.

    A plain frozen dataclass (built on the hot path without validation); ``to_json``/``from_json`` convert it
    for the ledger and the CLI, ``from_json`` validating every field.
    """

    outcome: Outcome
    reasons: tuple[Reason, ...]
    relied_on: tuple[Reliance, ...]
    obligations: Obligations
    inputs_hash: str
    policy_set_hash: str
    packs: tuple[PackRef, ...]

    @property
    def decision_id(self) -> str:
        """SHA-256 of the decision's canonical JSON: what a review sign-off refers to."""
        return sha256_hex(canonical_json(self.to_json()))

    def deciding_reasons(self) -> list[Reason]:
        """The reasons whose effect equals the outcome (the rules that decided it)."""
        return [r for r in self.reasons if r.effect == self.outcome]

    def to_json(self) -> dict[str, Any]:
        """JSON-compatible form (``schema: policy.decided/1``: the kind of the record it is written as, part of what
        ``decision_id`` hashes; read from the record model here, so that checking packs loads no record)."""
        return {"schema": records.PolicyDecided.KIND, **_decision_adapter().dump_python(self, mode="json")}

    @classmethod
    def from_json(cls, data: Any) -> "Decision":
        """Parse and validate a decision from its JSON form (e.g. read back from the ledger).

        Raises:
            PolicyError: the data is not a valid ``policy.decided/1`` decision.
        """
        kind = records.PolicyDecided.KIND
        if not isinstance(data, dict) or data.get("schema", data.get("kind")) != kind:
            raise PolicyError(f"not a {kind} decision")
        body = {k: v for k, v in data.items() if k not in ("schema", "kind", "decision_id", "ledger")}
        try:
            decision = _decision_adapter().validate_python(body)
        except ValidationError as exc:
            raise PolicyError(f"invalid {kind} decision: {exc.errors()[0]['msg']}") from None
        recorded = data.get("decision_id")
        if recorded is not None and recorded != decision.decision_id:
            raise PolicyError("the recorded decision_id does not match the decision's content; it was altered")
        return decision


@cache
def _decision_adapter() -> TypeAdapter[Decision]:
    """The decision's validator and serialiser, built on first use (``policy check`` never needs it)."""
    return TypeAdapter(Decision)


class ReviewSignoff(BaseModel):
    """A legal user's sign-off on a ``review`` decision."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True)

    decision_id: str = Field(pattern=r"^[0-9a-f]{64}$")
    reviewer: str = Field(min_length=1)
    verdict: Literal["approve", "reject"]
    note: str = Field(min_length=1)
    time: AwareDatetime
    answers: dict[str, bool] | None = None
    """Legal's answer to each question the review was opened for (``policies.review``)."""
    obligations: Obligations | None = None
    """The obligations recomputed from the answers (they replace the decision's for the edit's output)."""


def effective_outcome(decision: Decision, signoff: ReviewSignoff | None = None) -> Outcome:
    """The outcome that governs the edit: a review decision becomes allow/deny once signed off.

    Raises:
        ReviewError: a sign-off is given for a decision that is not awaiting review, or for another decision.
    """
    if signoff is None:
        return decision.outcome
    if decision.outcome != "review":
        raise ReviewError(
            f"decision {decision.decision_id[:12]} is {decision.outcome!r}, not awaiting review; "
            "only review decisions can be signed off"
        )
    if signoff.decision_id != decision.decision_id:
        raise ReviewError(
            f"the sign-off refers to decision {signoff.decision_id[:12]}, not {decision.decision_id[:12]}; "
            "sign off the decision you reviewed"
        )
    return "allow" if signoff.verdict == "approve" else "deny"
