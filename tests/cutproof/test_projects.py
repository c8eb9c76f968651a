from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.project_logs import ProjectRef, find_project, open_project_log, project_of_log
from cutproof.core.projects import ProjectContext, ProjectError, create_project, get_project, list_projects, project_log
from cutproof.core.workspace import Workspace


def test_create_project_writes_ledger_entry(workspace: Workspace) -> None:
    ctx = ProjectContext(principal_photography_start=date(2027, 9, 1), distribution_territories=("eu", "US"))
    p = create_project(workspace, "film-a", "Film A", ctx, identity="test:lead")
    assert p.origin == "cutproof.local/film-a"
    assert p.context.distribution_territories == ("EU", "US")
    log = project_log(workspace, p)
    entry = log.entry_json(p.ledger_index)
    assert entry["kind"] == "project.created/1"
    assert entry["context"]["principal_photography_start"] == "2027-09-01"
    assert entry["ledger"]["identity"] == "test:lead"
    assert get_project(workspace, None) == p  # the only project is the default
    assert [x.slug for x in list_projects(workspace)] == ["film-a"]


def test_project_errors_write_nothing(workspace: Workspace) -> None:
    with pytest.raises(ProjectError, match="invalid project slug"):
        create_project(workspace, "Bad Slug", identity="t")
    with pytest.raises(ProjectError, match="no project yet"):
        get_project(workspace, None)
    create_project(workspace, "a", identity="t")
    with pytest.raises(ProjectError, match="already exists"):
        create_project(workspace, "a", identity="t")
    create_project(workspace, "b", identity="t")
    with pytest.raises(ProjectError, match="several projects"):
        get_project(workspace, None)
    with pytest.raises(ProjectError, match="unknown project"):
        get_project(workspace, "zzz")
    log = project_log(workspace, get_project(workspace, "a"))
    assert log.size() == 1


def test_the_plain_lookup_agrees_with_the_project_table(workspace: Workspace) -> None:
    """``core.project_logs`` reads ``app_projects`` as plain SQL (for commands that load no SQLAlchemy): it finds
    what ``get_project`` finds and refuses what it refuses."""
    with pytest.raises(ProjectError, match="no project yet"):
        find_project(workspace, None)
    a = create_project(workspace, "film-a", identity="t")
    assert find_project(workspace, None) == find_project(workspace, "film-a") == ProjectRef(a.slug, a.origin)
    assert (
        open_project_log(workspace, find_project(workspace, None)).checkpoint()
        == project_log(workspace, a).checkpoint()
    )
    assert project_of_log(workspace, a.origin) == "film-a" and project_of_log(workspace, "cutproof.local/x") is None
    create_project(workspace, "film-b", identity="t")
    for slug, message in (
        (None, "several projects exist \\(film-a, film-b\\)"),
        ("film-c", "unknown project 'film-c'"),
    ):
        with pytest.raises(ProjectError, match=message):
            find_project(workspace, slug)
        with pytest.raises(ProjectError, match=message):
            get_project(workspace, slug)


def test_project_cli(tmp_path: Path) -> None:
    home = str(tmp_path / "h")
    runner = CliRunner()
    assert runner.invoke(app, ["--home", home, "init"]).exit_code == 0
    r = runner.invoke(
        app,
        [
            "--home",
            home,
            "project",
            "create",
            "film-b",
            "--principal-photography",
            "2027-07-02",
            "--territory",
            "EU",
            "--not-artistic",
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--home", home, "project", "list", "--json"])
    data = json.loads(r.output.strip())
    assert data["context"]["evidently_artistic"] is False
    assert data["context"]["distribution_territories"] == ["EU"]
