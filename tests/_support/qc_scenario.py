"""A real project history for QC tests: consent, decision, edit, label — through the real ledger and labeller."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from cutproof.core.projects import create_project, get_project, list_projects, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.label import EditFacts, LabelResult, Obligations, label_output
from labeler.manifest import EditAction, IngredientRef, TimeRange
from ledger import Log
from media import Region
from store.blobs import sha256_file

PERFORMER_NAME = "Dana Quill"
ORIGIN = "cutproof.local/the-film"


@dataclass
class Scenario:
    ws: Workspace
    log: Log
    result: LabelResult
    edit_index: int
    decision_index: int
    grant_index: int


def obligations(disclosure: tuple[str, ...] = ("on_screen_icon", "sidecar")) -> dict[str, Any]:
    return {
        "marking": ["c2pa_metadata", "watermark"],
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
) -> Scenario:
    slug = origin.rsplit("/", 1)[1]
    if slug not in {p.slug for p in list_projects(ws)}:
        create_project(ws, slug, identity="cli:admin")
    log = project_log(ws, get_project(ws, slug))
    grant = log.append(
        [
            {
                "kind": "consent.granted/1",
                "performer_id": "perf-1",
                "grant_id": "g-1",
                "category": "digital_alteration",
                "edit_kinds": ["relight"],
            }
        ],
        identity="cli:legal",
    )[0]
    decision = log.append(
        [
            {
                "kind": "policy.decided/1",
                "outcome": outcome,
                "relied_on": [
                    {
                        "kind": "consent",
                        "rule_id": "sag-2023",
                        "performer_id": "perf-1",
                        "grant_id": "g-1",
                        "ledger_index": grant.index,
                    }
                ],
                "obligations": obligations(disclosure),
            }
        ],
        identity="gate",
    )[0]
    if review is not None:
        log.append(
            [{"kind": "review.signed/1", "decision_index": decision.index, "outcome": review}], identity="cli:legal"
        )
    source_sha = sha256_file(render)
    edit = log.append(
        [
            {
                "kind": "edit.applied/1",
                "decision_index": decision.index,
                "source_sha256": source_sha,
                "model_id": "relight-m7",
                "operation": "relight",
            }
        ],
        identity="editor",
    )[0]
    facts = EditFacts(
        shot="shot 12",
        source=IngredientRef("A003C012.mov", "video/quicktime", source_sha),
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
        obligations=Obligations.from_mapping(obligations(disclosure)),
        redact_terms=[PERFORMER_NAME],
        credit_seconds=credit_seconds,
    )
    log.append([result.ledger_entry()], identity="labeler")
    return Scenario(ws, log, result, edit.index, decision.index, grant.index)
