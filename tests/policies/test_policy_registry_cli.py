"""``cutproof policy evaluate --project``: the consent state comes from the real registry (read only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import yaml
from policy_builders import base_request
from typer.testing import CliRunner

from consent import ConsentRegistry
from cutproof.cli.main import app
from cutproof.core.projects import create_project, project_log
from cutproof.core.workspace import Workspace


def test_evaluate_against_the_registry(workspace: Workspace, tmp_path: Path) -> None:
    proj = create_project(workspace, "harbor-lights", identity="test")
    log = project_log(workspace, proj)
    registry = ConsentRegistry(workspace.engine, workspace.blobs, log, project=proj.slug)
    mara = registry.register_performer(name="Mara Quill", kind="principal", guild="SAG-AFTRA", representation="union")
    grant = registry.grant(
        mara.performer_id,
        category="digital_alteration",
        edit_kinds=["eyeline"],
        purposes=["performance_change"],
        shots=["12A"],
        use_description="Shift Mara's eyeline in 12A so she looks at the door before answering.",
        document=b"%PDF-1.7 separately signed consent",
        signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2023",
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    size_before = log.size()

    request = base_request()
    request["performers"] = request["detected_performers"] = [mara.performer_id]
    request["edit"] = {"kind": "eyeline", "purpose": "performance_change"}
    path = tmp_path / "req.yaml"
    path.write_text(yaml.safe_dump({"request": request}))
    runner = CliRunner()
    home = ["--home", str(workspace.home)]

    result = runner.invoke(app, [*home, "policy", "evaluate", str(path), "--json", "--project", "harbor-lights"])
    assert result.exit_code == 0, (result.output, result.exception)
    body = json.loads(result.output)
    assert body["outcome"] == "allow"
    assert [r["grant_id"] for r in body["relied_on"]] == [grant.grant_id]
    assert body["relied_on"][0]["ledger_index"] == grant.ledger_index

    registry.revoke(grant.grant_id, reason="withdrawn", effective_at=datetime(2026, 6, 1, tzinfo=UTC))
    result = runner.invoke(app, [*home, "policy", "evaluate", str(path), "--json", "--project", "harbor-lights"])
    assert result.exit_code == 3
    denied = [r for r in json.loads(result.output)["reasons"] if r["rule_id"] == "sag2023.alteration.consent-required"]
    assert "was revoked" in denied[0]["explanation"]
    assert log.size() == size_before + 1  # the revocation; evaluating wrote nothing

    request["project"]["name"] = "other-film"
    path.write_text(yaml.safe_dump({"request": request}))
    result = runner.invoke(app, [*home, "policy", "evaluate", str(path), "--project", "harbor-lights"])
    assert result.exit_code != 0 and "request.project.name" in str(result.exception)
