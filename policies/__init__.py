"""YAML policy packs and the evaluator that turns (edit request, consent state) into a decision.

from policies import PolicySet, EditRequest, ConsentState
decision = PolicySet.load().evaluate(request, state)   # allow | deny | review, reasons, obligations, hashes
"""

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

__all__ = [
    "ENGINE_VERSION",
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
    "effective_outcome",
    "inputs_hash",
    "load_pack",
    "load_request_file",
    "parse_pack",
    "parse_request",
    "resolve_pack_refs",
    "shipped_pack_paths",
]
