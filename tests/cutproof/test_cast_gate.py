"""The gate with a trained cast model: tagged performers are detected, an untagged face stays unidentified."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent import ConsentRegistry
from cutproof.cast.presence import who_is_there
from cutproof.cast.project import CastTagError, project_cast, tag_face
from cutproof.cli.main import app
from cutproof.core.projects import ProjectContext, create_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.gate import evaluate
from cutproof.edits.submission import EditSubmission
from cutproof.training.run import CastSpec, train_model
from editor import Catalogue, ingest_folder
from editor.cast import CastTags
from editor.faces import detect_faces
from media import Region, read_frame

TAKE1, TAKE2 = "grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"
STRANGER = "crema-d_1001_DFA_NEU_XX.flv"


@pytest.fixture
def film(workspace: Workspace, footage_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    ctx = ProjectContext(principal_photography_start=date(2026, 9, 1), distribution_territories=("US",))
    project = create_project(workspace, "film", "Film", ctx, identity="test:lead")
    shots = tmp_path / "dailies"
    shots.mkdir()
    for name in (TAKE1, TAKE2, STRANGER):
        (shots / name).symlink_to(footage_dir / name)
    ingest_folder(shots, Catalogue(workspace.engine), project="film")
    registry = ConsentRegistry(workspace.engine, workspace.blobs, project_log(workspace, project))
    performer = registry.register_performer(
        name="Grid Talker", kind="principal", guild="SAG-AFTRA", guild_id="G-1", representation="union"
    )
    clips = {c.path.name: c for c in Catalogue(workspace.engine).list(project="film")}
    return project, performer.performer_id, clips


def _face(clip, frame: int) -> Region:  # type: ignore[no-untyped-def]
    f = detect_faces(read_frame(clip.info, frame, "rgb24"), frame)[0]
    return Region(f.x, f.y, f.width, f.height)


def test_gate_uses_the_cast_model(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    project, pid, clips = film
    sub = EditSubmission(shot=clips[TAKE2].short_id, kind="background", purpose="continuity", end=30)
    before = who_is_there(clips[TAKE2], sub.region, sub.start, sub.end, ws=workspace, project=project)
    assert before.detected == () and before.unidentified_faces == 1 and "no cast model" in before.method

    tag_face(workspace, project, clips[TAKE1], 30, pid, _face(clips[TAKE1], 30))
    record = train_model(workspace, project, CastSpec(kind="cast", samples=8), identity="t")
    assert project_cast(workspace, project).record.model_id == record.model_id  # type: ignore[union-attr]

    presence = who_is_there(clips[TAKE2], sub.region, sub.start, sub.end, ws=workspace, project=project)
    assert presence.detected == (pid,) and presence.unidentified_faces == 0, presence.as_json()
    assert record.model_id[:12] in presence.method

    stranger = EditSubmission(shot=clips[STRANGER].short_id, kind="background", purpose="continuity", end=10)
    unknown = who_is_there(
        clips[STRANGER], stranger.region, stranger.start, stranger.end, ws=workspace, project=project
    )
    assert unknown.detected == () and unknown.unidentified_faces == 1, unknown.as_json()

    result = evaluate(workspace, project, sub, identity="test:editor", presence=presence)
    entry = project_log(workspace, project).entry_json(result.decision_index)
    assert entry["request"]["detected"] == [pid] and entry["request"]["unidentified_faces"] == 0
    assert entry["request"]["detection_method"].startswith("haar-track+hog-lbp-cast/1")


def test_tag_refuses_unregistered_performer(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    project, _pid, clips = film
    with pytest.raises(CastTagError, match="not registered"):
        tag_face(workspace, project, clips[TAKE1], 3, "prf_nobody", Region(100, 50, 120, 120))
    assert CastTags(workspace.engine).list("film") == []


def test_cli_tag_train_who(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    project, pid, clips = film
    home = str(workspace.home)
    runner = CliRunner()
    box = _face(clips[TAKE1], 30)
    shot = f"{clips[TAKE1].short_id}@30"
    bad = runner.invoke(app, ["--home", home, "cast", "tag", shot, "--performer", "prf_x", "--box", "1,1,40,40"])
    assert isinstance(bad.exception, CastTagError)
    ok = runner.invoke(
        app,
        ["--home", home, "cast", "tag", shot, "--performer", pid, "--box", f"{box.x},{box.y},{box.width},{box.height}"],
    )
    assert ok.exit_code == 0, ok.output
    tags = json.loads(runner.invoke(app, ["--home", home, "cast", "tags", "--json"]).output)
    assert [t["label"] for t in tags] == [pid]
    trained = runner.invoke(app, ["--home", home, "cast", "train", "--samples", "8"])
    assert trained.exit_code == 0 and "(cast)" in trained.output, trained.output
    log = project_log(workspace, project)
    assert log.entry_json(log.size() - 1)["model_kind"] == "cast"
    who = runner.invoke(app, ["--home", home, "cast", "who", clips[TAKE2].short_id, "--end", "20", "--json"])
    assert who.exit_code == 0, who.output
    report = json.loads(who.output)
    assert [p["label"] for p in report["performers"]] == [pid] and report["unidentified_faces"] == 0
    bad_ref = runner.invoke(app, ["--home", home, "cast", "tag", "nonsense", "--performer", pid, "--box", "1,1,40,40"])
    assert bad_ref.exit_code != 0


@pytest.mark.parametrize(
    "params",
    [{}, {"performer": "prf_1"}, {"performer": "prf_1", "shift": [1]}, {"performer": "prf_1", "shift": ["a", 0]}],
)
def test_eyeline_renderer_needs_performer_and_shift(workspace: Workspace, film, tmp_path: Path, params) -> None:  # type: ignore[no-untyped-def]
    from cutproof.edits.render import RenderParameterError, render_edit, supported_kinds

    project, _pid, clips = film
    assert "eyeline" in supported_kinds()
    sub = EditSubmission(shot=clips[TAKE2].short_id, kind="eyeline", purpose="continuity", params=params)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(RenderParameterError):
        render_edit(workspace, project, clips[TAKE2], sub, work, lambda _p: None)
    assert list(work.iterdir()) == []


def test_eyeline_without_model_is_refused(workspace: Workspace, film, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cutproof.edits.eyeline import EyelineSetupError
    from cutproof.edits.render import render_edit

    project, pid, clips = film
    sub = EditSubmission(
        shot=clips[TAKE2].short_id, kind="eyeline", purpose="continuity", params={"performer": pid, "shift": [2, 0]}
    )
    with pytest.raises(EyelineSetupError, match="no eyeline model"):
        render_edit(workspace, project, clips[TAKE2], sub, tmp_path / "work", lambda _p: None)
