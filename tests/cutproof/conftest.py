"""Fixtures of the application tests: a project with real dailies, a performer and a consent grant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from consent import ConsentRegistry
from cutproof.projects import ProjectContext, create_project, project_log
from cutproof.workspace import Workspace
from editor import Catalogue, ingest_folder
from tests._support.footage import CLIP, PLATE


@pytest.fixture
def film(workspace: Workspace, footage_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    ctx = ProjectContext(principal_photography_start=date(2026, 9, 1), distribution_territories=("US", "EU"))
    project = create_project(workspace, "film", "Film", ctx, identity="test:lead")
    shots = tmp_path / "dailies"
    shots.mkdir()
    for name in (CLIP, PLATE):
        (shots / name).symlink_to(footage_dir / name)
    report = ingest_folder(shots, Catalogue(workspace.engine), project="film")
    assert len(report.added) == 2, report
    registry = ConsentRegistry(workspace.engine, workspace.blobs, project_log(workspace, project))
    performer = registry.register_performer(
        name="Grid Talker", kind="principal", guild="SAG-AFTRA", guild_id="G-1", representation="union"
    )
    doc = tmp_path / "consent.pdf"
    doc.write_bytes(b"%PDF-1.4 signed consent to background replacement for the grid shot")
    registry.grant(
        performer.performer_id,
        category="digital_alteration",
        edit_kinds=["background"],
        purposes=["continuity"],
        use_description="Replace the background of the talking shot with the other set-up's plate for continuity",
        document=doc,
        signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=datetime.now(UTC) - timedelta(days=1),
    )
    clips = {c.path.name: c for c in Catalogue(workspace.engine).list(project="film")}
    return project, performer, clips
