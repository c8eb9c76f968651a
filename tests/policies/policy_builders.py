"""Builders for policy test inputs: one realistic production, its performers and grants, as plain dicts.

Tests copy ``base_request()`` / ``base_consent()`` and change what the scenario is about, so each scenario reads
as "the standard case, except …".
"""

from __future__ import annotations

import copy
from typing import Any

from cutproof.edits.consent_facts import judge_snapshot
from policies import ConsentState, EditRequest

DOC = "ab" * 32
AUTH = "cd" * 32


def base_request() -> dict[str, Any]:
    """A continuity relight of Mara in shot 12A of a 2023-agreement feature distributed in the US only."""
    return {
        "project": {
            "name": "harbor-lights",
            "agreement": "sag-aftra-tv-theatrical-2023",
            "principal_photography_start": "2025-03-01",
            "distribution_territories": ["US"],
            "evidently_artistic": True,
            "output_role": "distribution_master",
            "original_language": "en",
        },
        "shot": "12A",
        "scene": "12",
        "edit": {"kind": "relight", "purpose": "continuity"},
        "performers": ["mara"],
        "detected_performers": ["mara"],
        "unidentified_faces": 0,
        "time": "2026-11-20T12:00:00Z",
    }


def grant(grant_id: str, performer_id: str, **over: Any) -> dict[str, Any]:
    """A separately signed, performer-signed, California-law grant for harbor-lights; ``over`` changes fields."""
    g: dict[str, Any] = {
        "grant_id": grant_id,
        "performer_id": performer_id,
        "project": "harbor-lights",
        "category": "digital_alteration",
        "edit_kinds": ["eyeline", "relight"],
        "purposes": ["performance_change"],
        "shots": ["12A", "12B"],
        "scenes": "all",
        "use_description": (
            "Adjust the eyeline and key light of the performer in scene 12 to change the beat of the reaction."
        ),
        "separately_signed": True,
        "signed_by": "performer",
        "document_sha256": DOC,
        "governing_law": "US-CA",
        "contract_edition": "sag-aftra-tv-theatrical-2023",
        "valid_from": "2025-01-10T00:00:00Z",
        "valid_until": "2027-12-31T00:00:00Z",
        "compensation_ref": "pay-2025-001",
        "languages": None,
        "ledger_index": 7,
        "revoked_at": None,
        "suspensions": [],
    }
    g.update(over)
    return g


def base_consent() -> dict[str, Any]:
    """Performers: mara (principal, union), nia (stunt, no grants), theo (background), ada (deceased, estate),
    kid (minor); grants: g-mara-perf (eyeline/relight performance change in 12A/12B), g-ada-estate."""
    return {
        "performers": [
            {
                "performer_id": "mara",
                "kind": "principal",
                "guild_member": True,
                "guild": "SAG-AFTRA",
                "representation": "union",
            },
            {
                "performer_id": "nia",
                "kind": "stunt",
                "guild_member": True,
                "guild": "SAG-AFTRA",
                "representation": "union",
            },
            {"performer_id": "theo", "kind": "background", "guild_member": True, "representation": "union"},
            {
                "performer_id": "ada",
                "kind": "principal",
                "guild_member": True,
                "deceased": True,
                "representative": {"name": "Estate of Ada Quill", "authority_document_sha256": AUTH},
                "representation": "counsel",
            },
            {
                "performer_id": "kid",
                "kind": "principal",
                "guild_member": True,
                "minor": True,
                "representative": {"name": "Parent of Kid", "authority_document_sha256": AUTH},
                "representation": "union",
            },
        ],
        "grants": [
            grant("g-mara-perf", "mara"),
            grant(
                "g-ada-estate", "ada", edit_kinds=["dialogue"], shots="all", signed_by="representative", ledger_index=9
            ),
        ],
        "suspensions": [],
    }


def build(request: dict[str, Any], consent: dict[str, Any]) -> tuple[EditRequest, ConsentState]:
    """Validate the dicts strictly, as a request file would be, and judge the consent at the request's time with
    the consent clock, as the application does before evaluating (``cutproof.edits.consent_facts``)."""
    ctx = {"strict_keys": True}
    req = EditRequest.model_validate(request, context=ctx)
    return req, judge_snapshot(ConsentState.model_validate(consent, context=ctx), req.time)


def variant(base: dict[str, Any], **dotted: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with dotted keys set, e.g. ``variant(r, **{"edit.purpose": "ratings"})``."""
    out = copy.deepcopy(base)
    for path, value in dotted.items():
        node = out
        *parents, leaf = path.split(".")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return out
