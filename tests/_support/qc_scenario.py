"""A real project history for QC tests: consent, decision, edit, label — through the real ledger and labeller."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from cutproof.core.projects import create_project, get_project, list_projects, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.label import EditFacts, LabelResult, label_output
from labeler.c2pa_adapter import media_type
from labeler.manifest import EditAction, IngredientRef, TimeRange
from ledger import Log
from media import Region
from records import (
    ConsentGranted,
    DecisionReliance,
    EditApplied,
    EditAsked,
    EditResultFacts,
    GateRequest,
    Obligations,
    PolicyDecided,
    ReviewSigned,
)
from store.blobs import sha256_file

PERFORMER_NAME = "Dana Quill"
SIGNED = datetime(2026, 1, 5, tzinfo=UTC)
ORIGIN = "cutproof.local/the-film"


@dataclass
class Scenario:
    ws: Workspace
    log: Log
    result: LabelResult
    edit_index: int
    decision_index: int
    grant_index: int


def obligations(
    disclosure: tuple[str, ...] = ("on_screen_icon", "sidecar"),
    marking: tuple[str, ...] = ("c2pa_metadata", "watermark"),
) -> dict[str, Any]:
    return {
        "marking": list(marking),
        "disclosure": list(disclosure),
        "icon_variant": "partially_modified",
    }


def build(
    ws: Workspace,
    render: Path,
    out_dir: Path,
    *,
    outcome: str = "allow",
    review: str | None = None,
    disclosure: tuple[str, ...] = ("on_screen_icon", "sidecar"),
    origin: str = ORIGIN,
    name: str = "shot-12.mp4",
    credit_seconds: Fraction = Fraction(1),
    review_obligations: Obligations | None = None,
    marking: tuple[str, ...] = ("c2pa_metadata", "watermark"),
    redact_terms: tuple[str, ...] = (),
) -> Scenario:
    """A history up to ``label.applied``; with ``review_obligations`` the sign-off records recomputed obligations
    (the label still applies ``disclosure``, as a labeller ignoring them would)."""
    slug = origin.rsplit("/", 1)[1]
    if slug not in {p.slug for p in list_projects(ws)}:
        create_project(ws, slug, identity="cli:admin")
    log = project_log(ws, get_project(ws, slug))
    grant = log.append(
        [
            ConsentGranted(
                project=slug, grant_id="g-1", performer_id="perf-1", category="digital_alteration",
                edit_kinds=("relight",), purposes=("performance_change",), shots="all", scenes="all",
                separately_signed=True, signed_by="performer", signed_at=SIGNED, notice_given_at=None,
                document_sha256="d" * 64, governing_law=None, contract_edition="sag-aftra-tv-theatrical-2023",
                valid_from=SIGNED, valid_until=None, languages=None, record_sha256="e" * 64,
            ).entry()
        ],
        identity="cli:legal",
    )[0]  # fmt: skip
    request_id = f"req-{name}"
    reliance = DecisionReliance(
        kind="consent", rule_id="sag-2023", performer_id="perf-1", grant_id="g-1", ledger_index=grant.index,
        exemption=None, justification=None,
    )  # fmt: skip
    decision_id = hashlib.sha256(f"decision of {request_id}".encode()).hexdigest()
    decision = log.append(
        [
            PolicyDecided(
                decision_id=decision_id, outcome=outcome, reasons=(), relied_on=(reliance,),
                obligations=Obligations.model_validate(obligations(disclosure, marking)), inputs_hash="1" * 64,
                policy_set_hash="2" * 64, packs=(),
                request=GateRequest(
                    id=request_id, project=slug, clip="3" * 64, scene="12", shot="12", edit=EditAsked(
                        kind="relight", purpose="performance_change"), region=None, frames=(0, None),
                    declared=("perf-1",), detected=("perf-1",), unidentified_faces=0, detection_method="test",
                ),
            ).entry()
        ],
        identity="gate",
    )[0]  # fmt: skip
    review_index = None
    if review is not None:
        review_index = log.append(
            [
                ReviewSigned(
                    decision_id=decision_id, reviewer="cli:legal", note="for the QC tests",
                    verdict={"approved": "approve", "rejected": "reject"}.get(review, review),  # type: ignore[arg-type]
                    time=datetime.now(UTC), request_id=request_id, decision_index=decision.index,
                    answers={"deep_fake": True} if review_obligations is not None else None,
                    obligations=review_obligations,
                ).entry()
            ],
            identity="cli:legal",
        )[0].index  # fmt: skip
    source_sha = sha256_file(render)
    result = EditResultFacts.model_validate(
        {
            "schema": "editor.edit-result/1", "kind": "lighting.relight", "source_hash": source_sha,
            "output": {"path": str(render), "content_hash": source_sha, "codec": "libx264", "container": "mp4",
                       "timecode": None, "audio": []},
            "model_id": "4" * 64, "training_manifest_hash": "4" * 64, "model_file_hash": "5" * 64,
            "parameters": {}, "frames": {"frames": [12, 36], "frame_rate": "24/1", "seconds": ["1/2", "3/2"]},
            "region": {"x": 40, "y": 30, "width": 120, "height": 90}, "frame_size": {"width": 640, "height": 360},
            "metrics": {},
        }
    )  # fmt: skip
    edit = log.append(
        [
            EditApplied(
                request_id=request_id, decision_index=decision.index, review_index=review_index,
                consent=(reliance,), result=result,
            ).entry()
        ],
        identity="editor",
    )[0]  # fmt: skip
    facts = EditFacts(
        shot="shot 12",
        source=IngredientRef("12 take 1", media_type(render), source_sha),  # the source is the render itself
        action=EditAction.EDITED,
        operation="relight",
        time_range=TimeRange(Fraction(1, 2), Fraction(3, 2)),
        region=Region(40, 30, 120, 90),
        model_id="relight-m7",
        training_manifest_sha256="2" * 64,
    )
    result = label_output(
        ws,
        log,
        render=render,
        output=out_dir / name,
        edit=edit,
        facts=facts,
        obligations=Obligations.model_validate(obligations(disclosure, marking)),
        redact_terms=[PERFORMER_NAME, *redact_terms],
        credit_seconds=credit_seconds,
    )
    log.append([result.ledger_entry()], identity="labeler")
    return Scenario(ws, log, result, edit.index, decision.index, grant.index)
