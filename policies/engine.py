"""The evaluator: (edit request, consent state) → decision, against a loaded policy set.

Evaluation steps:
1. every performer the request touches (declared or detected) must be in the consent state, and the state must have
   been judged by the application's consent clock at the request's time (``ConsentState.judged_at``): the engine
   never compares consent times itself;
2. request facts are derived once; per touched performer, consent facts (which grant covers, or why none);
3. each pack whose ``applies_when`` holds runs its request rules once and its performer rules per performer;
4. safety nets: a touched performer no rule spoke about, or a request no rule spoke about, gets ``review``;
5. outcome = the most severe effect (deny > review > allow); reasons, reliances and obligations are all kept;
6. ``inputs_hash`` = SHA-256 of RFC 8785 JSON ``{"consent": state, "request": request}``, ``policy_set_hash`` =
   SHA-256 of RFC 8785 JSON of the engine version and every pack document, so a decision can be replayed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from policies._facts import ConsentIndex, Facts, performer_facts, request_facts
from policies._hashing import canonical_json, canonical_model_json, sha256_hex
from policies.decision import SEVERITY, Decision, Obligations, Outcome, PackRef, Reason, Reliance
from policies.errors import PackError, PolicyError, RequestError, UnknownPerformerError
from policies.packs import Disclosure, IconVariant, MarkingLayer, Pack, Rule, load_pack, shipped_pack_paths

if TYPE_CHECKING:  # the input models are the caller's; loading and checking packs does not build them
    from policies.models import ConsentState, EditRequest

ENGINE_VERSION = "cutproof.policies/1"
_ENGINE_CITATION = "Cutproof policy engine safety net (no pack rule decided this)"


class PolicySet:
    """Packs selected for a production, compiled once; ``evaluate`` is pure and deterministic."""

    def __init__(self, packs: Iterable[Pack]) -> None:
        """Combine compiled packs.

        Raises:
            PackError: no packs, two packs with the same id, or a rule id used by two packs.
        """
        self.packs: tuple[Pack, ...] = tuple(sorted(packs, key=lambda p: p.id))
        if not self.packs:
            raise PackError("<policy set>", None, "no packs selected; select at least one pack")
        owner: dict[str, str] = {}
        pack_ids: set[str] = set()
        for pack in self.packs:
            if pack.id in pack_ids:
                raise PackError(pack.source, None, f"pack id {pack.id!r} is loaded twice; select each pack once")
            pack_ids.add(pack.id)
            for rule in pack.rules:
                if rule.id in owner:
                    raise PackError(
                        pack.source, None, f"rule id {rule.id!r} is also defined by pack {owner[rule.id]!r}"
                    )
                owner[rule.id] = pack.id
        self.hash = sha256_hex(
            canonical_json(
                {"engine": ENGINE_VERSION, "packs": [{"id": p.id, "document": p.document} for p in self.packs]}
            )
        )
        self._refs = tuple(PackRef(id=p.id, version=p.spec.version, sha256=p.sha256) for p in self.packs)
        self._index_cache: tuple[ConsentState, ConsentIndex] | None = None

    @classmethod
    def load(cls, paths: Iterable[str | Path] | None = None) -> PolicySet:
        """Load packs from files (default: the shipped packs).

        Raises:
            PackError: a pack is malformed or the set is inconsistent.
        """
        return cls(load_pack(p) for p in (shipped_pack_paths() if paths is None else paths))

    def evaluate(self, request: EditRequest, state: ConsentState) -> Decision:
        """Decide whether the edit may run.

        Raises:
            UnknownPerformerError: the request touches a performer the consent state does not list.
            RequestError: the consent state was not judged at the request's time.
        """
        if (state.performers or state.grants) and state.judged_at != request.time:
            raise RequestError(
                "consent",
                "the consent state was not judged at the request's time; the application judges it with the "
                "consent clock (cutproof.edits.consent_facts) before the policies are evaluated",
            )
        index = self._index(state)
        for field in ("performers", "detected_performers"):
            for i, pid in enumerate(getattr(request, field)):
                if pid not in index.performers:
                    raise UnknownPerformerError(
                        f"request.{field}[{i}]",
                        f"performer {pid!r} is not registered in the consent state; register the performer "
                        "(or list them under consent.performers) before evaluating",
                    )
        touched = request.touched()
        rf = request_facts(request, touched)
        declared = set(request.performers)
        per_performer: list[Facts] = [performer_facts(index, pid, rf, pid in declared) for pid in touched]
        reasons: list[Reason] = []
        reliances: list[Reliance] = []
        fired: list[tuple[Rule, Facts]] = []
        spoken: set[str] = set()
        for pack in self.packs:
            if not pack.applies.evaluate(rf):
                continue
            for rule in pack.request_rules:
                if rule.condition.evaluate(rf):
                    fired.append((rule, rf))
            for pf in per_performer:
                for rule in pack.performer_rules:
                    if rule.condition.evaluate(pf):
                        fired.append((rule, pf))
                        spoken.add(pf["performer.id"])
        for rule, facts in fired:
            spec = rule.spec
            pid = facts.get("performer.id")
            reasons.append(
                Reason(
                    rule_id=spec.id,
                    pack_id=rule.pack_id,
                    effect=spec.effect,
                    citation=spec.citation,
                    wording=spec.wording,
                    explanation=rule.explain(facts),
                    performer_id=pid,
                )
            )
            reliance = _reliance(rule, facts, request)
            if reliance is not None and reliance not in reliances:
                reliances.append(reliance)
        for pf in per_performer:
            if pf["performer.id"] not in spoken:
                reasons.append(self._net("engine.performer-not-evaluated", pf["performer.id"], request))
        if not reasons:
            reasons.append(self._net("engine.no-applicable-rule", None, request))
        outcome: Outcome = max((r.effect for r in reasons), key=SEVERITY.__getitem__)
        return Decision(
            outcome=outcome,
            reasons=tuple(reasons),
            relied_on=tuple(reliances),
            obligations=_obligations(r for r, _ in fired),
            inputs_hash=inputs_hash(request, state),
            policy_set_hash=self.hash,
            packs=self._refs,
        )

    def replay(self, decision: Decision, request: EditRequest, state: ConsentState) -> Decision:
        """Re-evaluate the inputs of an earlier decision and check the result is identical.

        Raises:
            PolicyError: the policy set or the inputs differ from the recorded hashes, or the result differs.
        """
        if decision.policy_set_hash != self.hash:
            raise PolicyError("the recorded decision was made with a different policy set; load the same packs")
        if decision.inputs_hash != inputs_hash(request, state):
            raise PolicyError("the request or consent state differs from the recorded inputs (inputs hash mismatch)")
        again = self.evaluate(request, state)
        if again != decision:
            raise PolicyError("re-evaluation gave a different decision; the recorded decision cannot be reproduced")
        return again

    def _index(self, state: ConsentState) -> ConsentIndex:
        cached = self._index_cache
        if cached is not None and cached[0] is state:
            return cached[1]
        index = ConsentIndex(state)
        self._index_cache = (state, index)
        return index

    @staticmethod
    def _net(rule_id: str, performer_id: str | None, request: EditRequest) -> Reason:
        agreement = request.project.agreement
        subject = f"performer {performer_id}" if performer_id else "this request"
        text = (
            f"No rule of the selected packs decided anything about {subject} (agreement {agreement!r}); "
            "check the agreement and the pack selection, or have legal review."
        )
        return Reason(
            rule_id=rule_id,
            pack_id="engine",
            effect="review",
            citation=_ENGINE_CITATION,
            wording="read",
            explanation=text,
            performer_id=performer_id,
        )


# Inputs added after decisions were recorded, left out of the hash at their defaults so the inputs of every
# recorded decision hash as they did (replay stays possible): field path → default.
_LATER_INPUTS: tuple[tuple[tuple[str, ...], object], ...] = (
    (("edit", "not_deep_fake_reason"), None),
    (("photoreal",), True),
)


def inputs_hash(request: EditRequest, state: ConsentState) -> str:
    """SHA-256 of the RFC 8785 canonical JSON ``{"consent": <state>, "request": <request>}`` (inputs added later
    are left out at their defaults, ``_LATER_INPUTS``)."""
    dumped = request.model_dump(mode="json")
    for path, default in _LATER_INPUTS:
        parent = dumped
        for key in path[:-1]:
            parent = parent[key]
        if parent.get(path[-1], default) == default:
            parent.pop(path[-1], None)
    request_bytes = canonical_model_json(dumped)
    body = b'{"consent":' + state.canonical() + b',"request":' + request_bytes + b"}"
    return sha256_hex(body)


def _reliance(rule: Rule, facts: Facts, request: EditRequest) -> Reliance | None:
    spec = rule.spec
    if spec.relies_on == "consent" and facts.get("consent.grant_id"):
        return Reliance(
            kind="consent",
            rule_id=spec.id,
            performer_id=facts.get("performer.id"),
            grant_id=facts["consent.grant_id"],
            ledger_index=facts["consent.ledger_index"],
        )
    if spec.relies_on == "exemption" and request.edit.claimed_exemption is not None:
        claimed = request.edit.claimed_exemption
        return Reliance(
            kind="exemption",
            rule_id=spec.id,
            performer_id=facts.get("performer.id"),
            exemption=claimed.kind,
            justification=claimed.justification,
        )
    if spec.relies_on == "purpose":
        return Reliance(
            kind="exemption",
            rule_id=spec.id,
            performer_id=facts.get("performer.id"),
            exemption=f"purpose:{request.edit.purpose}",
        )
    return None


def _obligations(rules: Iterable[Rule]) -> Obligations:
    marking: set[MarkingLayer] = set()
    disclosure: set[Disclosure] = set()
    variants: set[str] = set()
    for rule in rules:
        ob = rule.spec.obligations
        if ob is None:
            continue
        marking.update(ob.marking)
        disclosure.update(ob.disclosure)
        if ob.icon_variant:
            variants.add(ob.icon_variant)
    variant: IconVariant | None = None
    if variants:
        variant = "fully_generated" if "fully_generated" in variants else "partially_modified"
    return Obligations(
        marking=tuple(sorted(marking)),
        disclosure=tuple(sorted(disclosure)),
        icon_variant=variant,  # values checked at pack load
    )
