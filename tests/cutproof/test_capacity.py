"""Capacity through the real gate: who may sign for whom (``consent.clock.capacity``), judged on the registry's
records and decided by the shipped policy packs.

A minor consents through a parent or guardian with the authority document on record (and, where the governing
law asks for it, a court-approved contract); a deceased performer through the estate's authorised representative.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from consent import ConsentRegistry, SignerError
from cutproof.cast.presence import Presence
from cutproof.core.projects import Project, ProjectContext, create_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.dailies.ingest import ingest_dailies
from cutproof.edits.gate import GateResult, evaluate
from cutproof.edits.submission import EditSubmission
from editor import Catalogue
from tests._support.video import make_clip

NOW = datetime.now(UTC)
GIVEN = Presence(detected=(), unidentified_faces=0, method="given by the test", evidence={})


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Project, ConsentRegistry, str, Path]:
    d = tmp_path_factory.mktemp("capacity")
    ws = Workspace(d / "home")
    ws.init()
    project = create_project(
        ws,
        "kids-film",
        context=ProjectContext(agreement="sag-aftra-tv-theatrical-2023", principal_photography_start=date(2026, 1, 5)),
        identity="test:lead",
    )
    (d / "dailies").mkdir()
    make_clip(d / "dailies" / "001A_T01.mp4", seconds=1, size=(160, 120))
    ingest_dailies(ws, project.slug, d / "dailies", identity="test:dit")
    [clip] = Catalogue(ws.engine).list(project=project.slug)
    registry = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project))
    return ws, project, registry, clip.short_id, d


def _grant(registry: ConsentRegistry, performer_id: str, **over: Any) -> str:
    args: dict[str, Any] = {
        "category": "digital_alteration",
        "edit_kinds": ["eyeline"],
        "purposes": ["performance_change"],
        "use_description": "Move the performer's eyeline in shot 001A to the door for the new beat of the scene.",
        "document": b"%PDF separately signed consent to the eyeline change",
        "signed_by": "performer",
        "contract_edition": "sag-aftra-tv-theatrical-2023",
        "valid_from": NOW - timedelta(days=30),
    }
    args.update(over)
    return registry.grant(performer_id, **args).grant_id


def _decide(film: tuple[Any, ...], performer_id: str) -> GateResult:
    ws, project, _, shot, _ = film
    submission = EditSubmission(
        shot=shot,
        kind="eyeline",
        purpose="performance_change",
        performers=(performer_id,),
        params={"performer": performer_id, "shift": [2, 0]},
    )
    return evaluate(ws, project, submission, identity="test:editor", presence=GIVEN)


def _rules(result: GateResult, effect: str) -> set[str]:
    return {r.rule_id for r in result.decision.reasons if r.effect == effect}


def test_minor_who_signed_alone_is_not_allowed(film: tuple[Any, ...]) -> None:
    registry = film[2]
    kid = registry.register_performer(
        name="Kit Minor", kind="principal", minor=True, representative_name="Parent of Kit",
        representative_document=b"%PDF letters of guardianship",
    ).performer_id  # fmt: skip
    _grant(registry, kid)
    result = _decide(film, kid)
    assert result.decision.outcome == "deny"
    assert "sag2023.consent.signer-without-capacity" in _rules(result, "deny")
    why = next(r.explanation for r in result.decision.reasons if r.rule_id == "sag2023.consent.signer-without-capacity")
    assert "minor" in why and "parent or guardian" in why
    assert not result.decision.relied_on


def test_minor_whose_guardian_signed_with_the_document_on_record_is_allowed(film: tuple[Any, ...]) -> None:
    registry = film[2]
    kid = registry.register_performer(
        name="Lou Minor", kind="principal", minor=True, representative_name="Guardian of Lou",
        representative_document=b"%PDF court order appointing the guardian",
    ).performer_id  # fmt: skip
    grant_id = _grant(registry, kid, signed_by="representative", governing_law="US-TX")
    result = _decide(film, kid)
    assert result.decision.outcome == "allow", result.decision.reasons
    assert {r.grant_id for r in result.decision.relied_on} == {grant_id}


def test_a_minors_california_contract_needs_the_court_approval_on_record(film: tuple[Any, ...]) -> None:
    registry, scratch = film[2], film[4]
    kid = registry.register_performer(
        name="Max Minor", kind="principal", minor=True, representative_name="Parent of Max",
        representative_document=b"%PDF birth certificate and parent's declaration",
    ).performer_id  # fmt: skip
    grant_id = _grant(registry, kid, signed_by="representative", governing_law="US-CA")
    pending = _decide(film, kid)
    assert pending.decision.outcome == "review"
    assert "sag2023.minor.court-approval-missing" in _rules(pending, "review")
    assert "Cal. Fam. Code" in next(r.citation for r in pending.decision.reasons if r.effect == "review")
    order = scratch / "order.pdf"
    order.write_bytes(b"%PDF order approving the minor's contract")
    registry.approve_by_court(grant_id, document=order, approved_at=NOW - timedelta(days=1), reason="LASC 26-123")
    assert _decide(film, kid).decision.outcome == "allow"


def test_a_deceased_performers_own_signature_is_not_allowed(film: tuple[Any, ...]) -> None:
    registry = film[2]
    with pytest.raises(SignerError, match="no date of death"):  # refused up front when the death is on record
        _grant(registry, registry.register_performer(name="Gone Early", kind="principal", deceased=True).performer_id)
    ada = registry.register_performer(name="Ada Late", kind="principal").performer_id
    _grant(registry, ada, signed_at=NOW - timedelta(days=3))
    # ... and when the death is recorded afterwards, dated before the signature, the grant covers nothing.
    registry.amend_performer(ada, reason="death certificate received", died_at=NOW - timedelta(days=10))
    result = _decide(film, ada)
    assert result.decision.outcome == "deny"
    why = next(r.explanation for r in result.decision.reasons if r.rule_id == "sag2023.consent.signer-without-capacity")
    assert "estate's authorised representative" in why


def test_the_estates_authorised_representative_is_allowed(film: tuple[Any, ...]) -> None:
    registry = film[2]
    ben = registry.register_performer(
        name="Ben Late", kind="principal", died_at=NOW - timedelta(days=400), representative_name="Estate of Ben",
        representative_document=b"%PDF letters testamentary",
    ).performer_id  # fmt: skip
    grant_id = _grant(registry, ben, signed_by="representative")
    result = _decide(film, ben)
    assert result.decision.outcome == "allow", result.decision.reasons
    assert "sag2023.deceased.representative-consent" in _rules(result, "allow")
    assert {r.grant_id for r in result.decision.relied_on} == {grant_id}
