"""Each gated request is decided on the state of that moment: nothing about consent or tokens is cached across
requests, so a revocation changes the very next decision (only the face scan, and projects, which never change, are
reused)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from consent import ConsentRegistry
from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.projects import get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits.requests import RequestStore
from tests._support.gated_project import background_edit, setup_gated_project

SECRET = "fresh-state-" + "s" * 32


def _client(ws: Workspace, footage: Path, tmp: Path) -> tuple[TestClient, dict[str, str]]:
    s = setup_gated_project(ws, footage, tmp, secret=SECRET)
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    return TestClient(app), s


def _grant_performance_change(ws: Workspace, performer_id: str, doc: Path) -> str:
    project = get_project(ws, "film")
    registry = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project))
    return registry.grant(
        performer_id,
        category="digital_alteration",
        edit_kinds=["background"],
        purposes=["performance_change"],
        use_description="Replace the background of the grid take to change how the performance reads",
        document=doc,
        signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=datetime.now(UTC) - timedelta(days=1),
    ).grant_id


def test_a_consent_revocation_changes_the_very_next_decision(
    workspace: Workspace, footage_dir: Path, tmp_path: Path
) -> None:
    client, s = _client(workspace, footage_dir, tmp_path)
    ed = {"Authorization": f"Bearer {s['ed']}"}
    lee = {"Authorization": f"Bearer {s['lee']}"}
    # a purpose no agreement exempts: the decision rests on the performer's grant for it
    doc = tmp_path / "perf-change.pdf"
    doc.write_bytes(b"%PDF signed: background replacement to change the performance")
    body = {**background_edit(s), "purpose": "performance_change"}
    grant = _grant_performance_change(workspace, s["performer"], doc)
    first = client.post("/api/v1/projects/film/edits", json=body, headers=ed)
    assert first.status_code == 201, first.text
    assert first.json()["outcome"] != "deny"
    assert any(r.get("grant_id") == grant for r in first.json()["relied_on"]), first.json()["relied_on"]
    r = client.post(
        f"/api/v1/projects/film/consents/{grant}/revoke", json={"reason": "performer withdrew"}, headers=lee
    )
    assert r.status_code == 201, r.text
    second = client.post("/api/v1/projects/film/edits", json=body, headers=ed)
    assert second.status_code == 201, second.text
    assert second.json()["outcome"] == "deny"
    assert not any(r.get("grant_id") == grant for r in second.json()["relied_on"])
    # both decisions are recorded, each row pointing at its own ledger entry
    rows = {r.request_id: r for r in RequestStore(workspace.engine).list("film")}
    assert rows[first.json()["request_id"]].decision_index != rows[second.json()["request_id"]].decision_index
    assert rows[second.json()["request_id"]].state == "denied"


def test_a_revoked_token_fails_its_very_next_request(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    client, s = _client(workspace, footage_dir, tmp_path)
    ed = {"Authorization": f"Bearer {s['ed']}"}
    assert client.post("/api/v1/projects/film/edits", json=background_edit(s), headers=ed).status_code == 201
    token_id = s["ed"].split("_")[1]
    auth.revoke_token(workspace.engine, token_id)
    assert client.post("/api/v1/projects/film/edits", json=background_edit(s), headers=ed).status_code == 401
