"""YAML policy packs and the evaluator that turns (edit request, consent state) into a decision.

from policies import PolicySet, EditRequest, ConsentState
decision = PolicySet.load().evaluate(request, state)   # allow | deny | review, reasons, obligations, hashes
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policies.decision import (
        Decision,
        Obligations,
        Outcome,
        PackRef,
        Reason,
        Reliance,
        ReviewSignoff,
        effective_outcome,
    )
    from policies.engine import ENGINE_VERSION, PolicySet, inputs_hash
    from policies.errors import PackError, PolicyError, RequestError, ReviewError, UnknownPerformerError
    from policies.models import (
        ClaimedExemption,
        ConsentGrant,
        ConsentState,
        Edit,
        EditRequest,
        Performer,
        ProductionSuspension,
        ProjectContext,
        ReplicaUse,
        Representative,
        Suspension,
    )
    from policies.packs import Pack, Rule, load_pack, parse_pack, resolve_pack_refs, shipped_pack_paths
    from policies.request_file import RequestFile, load_request_file, parse_request
    from policies.review import QUESTIONS, answered, check_answers, open_questions

# The public names load on first use, so that importing one module of the package (``policies.errors``) does
# not load pydantic and YAML.
_LAZY = {
    "policies.decision": (
        "Decision",
        "Obligations",
        "Outcome",
        "PackRef",
        "Reason",
        "Reliance",
        "ReviewSignoff",
        "effective_outcome",
    ),
    "policies.engine": ("ENGINE_VERSION", "PolicySet", "inputs_hash"),
    "policies.errors": ("PackError", "PolicyError", "RequestError", "ReviewError", "UnknownPerformerError"),
    "policies.models": (
        "ClaimedExemption",
        "ConsentGrant",
        "ConsentState",
        "Edit",
        "EditRequest",
        "Performer",
        "ProductionSuspension",
        "ProjectContext",
        "ReplicaUse",
        "Representative",
        "Suspension",
    ),
    "policies.packs": ("Pack", "Rule", "load_pack", "parse_pack", "resolve_pack_refs", "shipped_pack_paths"),
    "policies.request_file": ("RequestFile", "load_request_file", "parse_request"),
    "policies.review": ("QUESTIONS", "answered", "check_answers", "open_questions"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "ENGINE_VERSION",
    "QUESTIONS",
    "ClaimedExemption",
    "ConsentGrant",
    "ConsentState",
    "Decision",
    "Edit",
    "EditRequest",
    "Obligations",
    "Outcome",
    "Pack",
    "PackError",
    "PackRef",
    "Performer",
    "PolicyError",
    "PolicySet",
    "ProductionSuspension",
    "ProjectContext",
    "Reason",
    "Reliance",
    "ReplicaUse",
    "Representative",
    "RequestError",
    "RequestFile",
    "ReviewError",
    "ReviewSignoff",
    "Rule",
    "Suspension",
    "UnknownPerformerError",
    "answered",
    "check_answers",
    "effective_outcome",
    "inputs_hash",
    "load_pack",
    "load_request_file",
    "open_questions",
    "parse_pack",
    "parse_request",
    "resolve_pack_refs",
    "shipped_pack_paths",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
