"""Reviews that answer: the questions a ``review`` decision opens, and the obligations recomputed from the answers.

A review rule may name the question legal's sign-off must answer (``asks:`` in the pack). Today there is one:

- ``deep_fake``: is the result a deep fake in the sense of Art. 3(60) of Regulation (EU) 2024/1689 — does it
  resemble existing persons and would it falsely appear authentic? It sets the fact ``edit.is_deep_fake``.

1. ``open_questions(policy_set, decision)``: the questions of the decision's review reasons (file order, once each).
2. ``check_answers(questions, answers)``: a sign-off answers each question exactly, and nothing else.
3. ``answered(request, answers, note)``: the request with the answers as its facts — an answer is legal's, so a
   "not a deep fake" answer carries the sign-off's note as its reason. Evaluating it with the same policy set and
   consent state gives the obligations the answers imply; the application records them with the sign-off.
"""

from __future__ import annotations

from collections.abc import Mapping

from policies.decision import Decision
from policies.engine import PolicySet
from policies.errors import ReviewError
from policies.models import EditRequest

QUESTIONS: Mapping[str, str] = {
    "deep_fake": (
        "Is the result a deep fake (Art. 3(60)): does it resemble an existing person and would it falsely appear "
        "authentic? Answer true or false."
    ),
}


def open_questions(policy_set: PolicySet, decision: Decision) -> tuple[str, ...]:
    """The questions ``decision``'s review reasons ask (empty when none asks one, or when it is not a review)."""
    asks = {rule.id: rule.spec.asks for pack in policy_set.packs for rule in pack.rules if rule.spec.asks}
    found = [asks[r.rule_id] for r in decision.reasons if r.effect == "review" and r.rule_id in asks]
    return tuple(dict.fromkeys(q for q in found if q is not None))


def check_answers(questions: tuple[str, ...], answers: Mapping[str, object] | None) -> dict[str, bool]:
    """The answers, validated: one boolean per open question, no other keys.

    Raises:
        ReviewError: a question is unanswered, an answer is not true/false, or an answer has no question.
    """
    given = dict(answers or {})
    missing = [q for q in questions if q not in given]
    if missing:
        asked = "; ".join(f"{q}: {QUESTIONS[q]}" for q in missing)
        raise ReviewError(f"the review was opened for questions the sign-off does not answer — {asked}")
    extra = sorted(set(given) - set(questions))
    if extra:
        raise ReviewError(f"the review did not ask {', '.join(extra)}; answer only {', '.join(questions) or 'nothing'}")
    bad = [q for q, v in given.items() if not isinstance(v, bool)]
    if bad:
        raise ReviewError(f"answer {', '.join(bad)} with true or false")
    return {q: bool(given[q]) for q in questions}


def answered(request: EditRequest, answers: Mapping[str, bool], note: str) -> EditRequest:
    """``request`` with legal's answers as facts (see the module docstring)."""
    edit = request.edit
    if "deep_fake" in answers:
        is_fake = answers["deep_fake"]
        edit = edit.model_copy(
            update={"is_deep_fake": is_fake, "not_deep_fake_reason": None if is_fake else f"legal review: {note}"}
        )
    return request.model_copy(update={"edit": edit})
