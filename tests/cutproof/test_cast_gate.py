"""The gate with a trained cast model: tagged performers are detected, an untagged face stays unidentified."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
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
from editor.cast import CastTags, detect_faces
from media import Region, read_frame
from tests.editor import _faces_media as fm

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
    sub = EditSubmission(
        shot=clips[TAKE2].short_id,
        kind="background",
        purpose="continuity",
        end=30,
        params={"plate": clips[TAKE1].short_id},
    )
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
    assert entry["request"]["detection_method"].startswith("dlib-face-track+resnet-open-set-cast/2")
    assert entry["request"]["cast_model"] == record.model_id


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
    offered = runner.invoke(app, ["--home", home, "cast", "tag", shot, "--json"])  # no --performer: the faces found
    assert offered.exit_code == 0, offered.output
    faces = json.loads(offered.output)
    assert len(faces) == 1 and faces[0]["face"] == 0 and faces[0]["identified"] is None
    assert abs(faces[0]["box"]["x"] - box.x) <= 2 and abs(faces[0]["box"]["width"] - box.width) <= 2
    ok = runner.invoke(app, ["--home", home, "cast", "tag", shot, "--performer", pid, "--face", "0"])
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
    suggested = runner.invoke(
        app, ["--home", home, "cast", "suggest", clips[TAKE2].short_id, "--samples", "4", "--json"]
    )
    assert suggested.exit_code == 0, suggested.output
    proposals = json.loads(suggested.output)  # one untagged track, which the model already knows
    assert [(p["identified"], p["face"]) for p in proposals] == [(pid, 0)], proposals
    bad_ref = runner.invoke(app, ["--home", home, "cast", "tag", "nonsense", "--performer", pid, "--box", "1,1,40,40"])
    assert bad_ref.exit_code != 0


@pytest.mark.parametrize(
    "params",
    [{}, {"performer": "prf_1"}, {"performer": "prf_1", "shift": [1]}, {"performer": "prf_1", "shift": ["a", 0]}],
)
def test_eyeline_renderer_needs_performer_and_shift(workspace: Workspace, film, tmp_path: Path, params) -> None:  # type: ignore[no-untyped-def]
    from cutproof.edits.params import InvalidParametersError
    from cutproof.edits.render import render_edit, supported_kinds

    project, _pid, clips = film
    assert "eyeline" in supported_kinds()
    sub = EditSubmission(shot=clips[TAKE2].short_id, kind="eyeline", purpose="continuity", params=params)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(InvalidParametersError, match=r"params\.performer|params\.shift"):
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


def test_wrong_actor_in_a_consented_shot_is_not_allowed(
    workspace: Workspace, film, footage_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: an edit of a performer who never consented must not pass on another performer's grant.

    The GRID talker consented to background replacement for a purpose the SAG-AFTRA exemptions do not list (for
    continuity no consent would be needed from anyone); the CREMA-D actor is registered and tagged but gave no
    consent. A two-shot of both (the actor's *other* take, never tagged) must not be allowed; the GRID take alone
    is — so the test can fail."""
    project, pid, clips = film
    registry = ConsentRegistry(workspace.engine, workspace.blobs, project_log(workspace, project))
    doc = tmp_path / "consent.pdf"
    doc.write_bytes(b"%PDF signed: background replacement, continuity")
    registry.grant(
        pid,
        category="digital_alteration",
        edit_kinds=["background"],
        purposes=["performance_change"],
        use_description="Replace the background of the grid takes (a change of the performance's setting)",
        document=doc,
        signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=datetime.now(UTC) - timedelta(days=1),
    )
    actor = registry.register_performer(
        name="Actor 1001", kind="principal", guild="SAG-AFTRA", guild_id="G-2", representation="union"
    ).performer_id
    grid, _ = fm.read_take(footage_dir / TAKE2, 24)
    other_take, rate = fm.read_take(footage_dir / "crema-d_1001_DFA_ANG_XX.flv", 24)
    shots = tmp_path / "more"
    shots.mkdir()
    fm.write_clip(shots / "twoshot.mp4", fm.side_by_side(grid, other_take), rate)
    ingest_folder(shots, Catalogue(workspace.engine), project="film")
    twoshot = next(c for c in Catalogue(workspace.engine).list(project="film") if c.path.name == "twoshot.mp4")

    tag_face(workspace, project, clips[TAKE1], 30, pid, _face(clips[TAKE1], 30))
    tag_face(workspace, project, clips[STRANGER], 20, actor, _face(clips[STRANGER], 20))
    train_model(workspace, project, CastSpec(kind="cast", samples=8), identity="t")

    plate = {"plate": clips[TAKE1].short_id}
    alone = EditSubmission(
        shot=clips[TAKE2].short_id,
        kind="background",
        purpose="performance_change",
        end=24,
        performers=[pid],
        params=plate,
    )
    first = evaluate(workspace, project, alone, identity="t")
    assert first.decision.outcome == "allow", (first.decision.to_json(), first.presence.as_json())
    # Everyone declared, so the only thing between this edit and "allow" is the actor's missing consent.
    both = EditSubmission(
        shot=twoshot.short_id,
        kind="background",
        purpose="performance_change",
        end=24,
        performers=[pid, actor],
        params=plate,
    )
    result = evaluate(workspace, project, both, identity="t")
    assert set(result.presence.detected) == {pid, actor}, result.presence.as_json()
    assert result.decision.outcome == "deny", result.decision.to_json()


def test_render_refuses_a_performer_the_gate_did_not_decide_on(workspace: Workspace, film, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cutproof.edits.render import GateFacts, RenderParameterError, render_edit

    project, pid, clips = film
    gate = GateFacts.from_entry({"declared": ["prf_b"], "detected": ["prf_a", "prf_b"], "cast_model": None})
    assert gate.performers == ("prf_a", "prf_b")
    sub = EditSubmission(
        shot=clips[TAKE2].short_id, kind="eyeline", purpose="continuity", params={"performer": pid, "shift": [2, 0]}
    )
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(RenderParameterError, match="not on performer"):
        render_edit(workspace, project, clips[TAKE2], sub, work, lambda _p: None, gate)
    assert list(work.iterdir()) == []
