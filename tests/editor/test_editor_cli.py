"""`cutproof dailies|model|edit` through the real CLI on a real workspace, with ledger entries in the project log."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.projects import get_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.render import render_edit
from cutproof.edits.submission import EditSubmission
from editor import Catalogue
from editor.lighting import Cdl, Lut3D
from media import probe


def run(home: Path, *args: str, project: str | None = "film") -> tuple[int, str]:
    env = {"CUTPROOF_PROJECT": project} if project else {}
    result = CliRunner().invoke(app, ["--home", str(home), *args], env=env)
    return result.exit_code, result.output + (repr(result.exception) if result.exception else "")


def test_dailies_train_relight_export(clip_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "init")[0] == 0
    code, out = run(home, "project", "create", "film")
    assert code == 0, out
    card = tmp_path / "card"
    card.mkdir()
    for p in clip_dir.iterdir():
        (card / p.name).write_bytes(p.read_bytes())
    (card / "broken.mov").write_text("not video")
    code, out = run(home, "dailies", "ingest", str(card), "--json")
    assert code == 1, out  # one file rejected → non-zero exit, the others catalogued
    lines = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
    assert sorted(ln["outcome"] for ln in lines) == ["added", "added", "rejected"]
    code, out = run(home, "dailies", "set", "sc12_sh3_tk2.mp4", "--scene", "12", "--shot", "B", "--take", "4")
    assert code == 0 and "12/B/4" in out, out
    code, out = run(home, "dailies", "list", "--json")
    clips = [json.loads(ln) for ln in out.splitlines()]
    assert {c["file_name"] for c in clips} == {"012A_T03.mov", "sc12_sh3_tk2.mp4"} and clips[0]["project"] == "film"
    code, out = run(home, "model", "train", "lighting", "--clips", "012/A/3,12/B/4@0:10", "--steps", "4", "--quiet")
    assert code == 0, out
    code, out = run(home, "model", "list", "--json")
    (model,) = [json.loads(ln) for ln in out.splitlines()]
    assert model["kind"] == "lighting" and len(model["training_inputs"]) == 2
    assert {tuple(i["frames"]) for i in model["training_inputs"]} == {(0, 12), (0, 10)}
    out_file = tmp_path / "relit.mov"
    cdl, cube = tmp_path / "shot.cdl", tmp_path / "shot.cube"
    code, out = run(
        home,
        "edit",
        "relight",
        "012/A/3",
        "--reference",
        "12/B/4@3",
        "--region",
        "10,10,80,60",
        "--start",
        "2",
        "--end",
        "8",
        "--exposure",
        "0.5",
        "--out",
        str(out_file),
        "--cdl",
        str(cdl),
        "--cube",
        str(cube),
        "--json",
    )
    assert code == 0, out
    result = json.loads(out.splitlines()[-1])
    assert result["kind"] == "lighting.relight" and result["model_id"] == model["model_id"]
    assert result["frames"]["frames"] == [2, 8] and result["region"] == {"x": 10, "y": 10, "width": 80, "height": 60}
    assert probe(out_file).codec == "prores" and Cdl.parse(cdl.read_text()) and Lut3D.parse_cube(cube.read_text())
    code, out = run(home, "edit", "export-grade", "012/A/3", "--saturation", "1.4", "--cube", str(tmp_path / "s.cube"))
    assert code == 0 and (tmp_path / "s.cube").is_file(), out
    ws = Workspace(home)
    log = project_log(ws, get_project(ws, "film"))
    kinds = [log.entry_json(i)["kind"] for i in range(log.size())]
    assert kinds.count("dailies.ingested/1") == 2 and "model.trained/1" in kinds and kinds[-1] == "edit.direct/1"
    assert log.entry_json(log.size() - 1)["result"]["output"]["content_hash"] == result["output"]["content_hash"]


def test_relight_with_bad_region_writes_nothing(clip_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(home, "init", project=None)
    run(home, "dailies", "ingest", str(clip_dir), project=None)
    run(home, "model", "train", "lighting", "--clips", "012A_T03.mov", "--steps", "2", "--quiet", project=None)
    code, out = run(
        home,
        "edit",
        "relight",
        "012/A/3",
        "--exposure",
        "1",
        "--region",
        "150,0,40,40",
        "--out",
        str(tmp_path / "o.mov"),
        project=None,
    )
    assert code != 0 and "does not fit" in out
    assert not (tmp_path / "o.mov").exists()


def _graded_elsewhere_project(footage_dir: Path, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A workspace whose project ``film`` catalogued ``write_graded_elsewhere``'s clips and trained a lighting model
    on the shot; its home and the clips."""
    from tests.editor._graded_elsewhere import write_graded_elsewhere

    card = tmp_path / "card"
    card.mkdir()
    clips = write_graded_elsewhere(footage_dir, card)
    home = tmp_path / "home"
    assert run(home, "init")[0] == 0 and run(home, "project", "create", "film")[0] == 0
    assert run(home, "dailies", "ingest", str(card))[0] == 0
    assert run(home, "model", "train", "lighting", "--clips", "shot.mp4", "--steps", "2", "--quiet")[0] == 0
    return home, clips


def test_relight_with_the_references_original(footage_dir: Path, tmp_path: Path) -> None:
    home, clips = _graded_elsewhere_project(footage_dir, tmp_path)
    out_file = tmp_path / "relit.mp4"
    args = ["edit", "relight", "shot.mp4", "--reference", "graded.mp4@2", "--reference-original", "original.mov@2"]
    code, out = run(home, *args, "--out", str(out_file), "--json")
    assert code == 0, out
    result = json.loads(out.splitlines()[-1])
    assert result["metrics"]["grade_method"] == "original" and result["warnings"] == result["notes"] == []
    original_hash = hashlib.sha256(clips["original"].read_bytes()).hexdigest()
    assert result["parameters"]["reference_original_hash"] == original_hash
    assert result["parameters"]["reference_original_frame"] == 2
    ws = Workspace(home)
    log = project_log(ws, get_project(ws, "film"))
    assert log.entry_json(log.size() - 1)["result"]["parameters"]["reference_original_hash"] == original_hash
    cube = tmp_path / "look.cube"
    export = [
        "edit",
        "export-grade",
        "shot.mp4",
        "--reference",
        "graded.mp4@2",
        "--reference-original",
        "original.mov@2",
    ]
    code, out = run(home, *export, "--cube", str(cube))
    assert code == 0 and cube.is_file(), out
    code, out = run(home, *args[:-1], "original.mov@two", "--out", str(tmp_path / "x.mp4"))
    assert code != 0 and "reference original frame 'two' must be a whole frame number" in out
    assert not (tmp_path / "x.mp4").exists()


def test_relight_finds_the_references_original_in_the_dailies(footage_dir: Path, tmp_path: Path) -> None:
    # the same reference, its original not named: the project's dailies hold it, and the relight finds it there
    home, clips = _graded_elsewhere_project(footage_dir, tmp_path)
    code, out = run(
        home, "edit", "relight", "shot.mp4", "--reference", "graded.mp4@2", "--out", str(tmp_path / "r.mp4"), "--json"
    )
    assert code == 0, out
    result = json.loads(out.splitlines()[-1])
    metrics = result["metrics"]
    original_hash = hashlib.sha256(clips["original"].read_bytes()).hexdigest()
    assert metrics["grade_method"] == "dailies" and metrics["reference_original_found_hash"] == original_hash
    assert metrics["dailies_searched"] == 3  # the shot, the original and the short export; not the reference itself
    assert "reference_original_hash" not in result["parameters"]  # found, not named
    assert len(result["notes"]) == 1 and "original.mov" in result["notes"][0]
    ws = Workspace(home)
    log = project_log(ws, get_project(ws, "film"))
    assert log.entry_json(log.size() - 1)["result"]["metrics"]["reference_original_found_hash"] == original_hash
    # the gated path's renderer (the API, the console, the demo) offers the same dailies: the same clip is found
    work = tmp_path / "work"
    work.mkdir()
    sub = EditSubmission(shot="shot.mp4", kind="relight", purpose="continuity", params={"reference": "graded.mp4@2"})
    shot = Catalogue(ws.engine).get("shot.mp4", project="film")
    gated = render_edit(ws, get_project(ws, "film"), shot, sub, work, lambda _p: None)
    assert (
        gated.metrics["grade_method"] == "dailies" and gated.metrics["reference_original_found_hash"] == original_hash
    )
    assert gated.metrics["dailies_searched"] == 3
