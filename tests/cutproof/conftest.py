"""Fixtures of the application tests: a project with real dailies, a performer and a consent grant."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cutproof.core.projects import ProjectContext, create_project
from cutproof.core.workspace import Workspace
from editor import Catalogue
from tests._support.gated_project import add_grid_dailies_and_consent


@pytest.fixture
def film(workspace: Workspace, footage_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    ctx = ProjectContext(principal_photography_start=date(2026, 9, 1), distribution_territories=("US", "EU"))
    project = create_project(workspace, "film", "Film", ctx, identity="test:lead")
    report, performer = add_grid_dailies_and_consent(workspace, project, footage_dir, tmp_path, representation="union")
    assert len(report.added) == 2, report
    clips = {c.path.name: c for c in Catalogue(workspace.engine).list(project="film")}
    return project, performer, clips
