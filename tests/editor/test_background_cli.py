"""The background CLI: `cutproof model train background` and `cutproof edit background`, on a real workspace with
catalogued footage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.workspace import Workspace
from editor.models import ModelRegistry

GRID = "grid_pwij3p.mpg"
PLATE = "crema-d_1001_DFA_ANG_XX.flv"


@pytest.fixture
def dailies(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> Path:
    """Two footage clips ingested into the workspace's catalogue (linked, not copied)."""
    d = tmp_path / "dailies"
    d.mkdir()
    for name in (GRID, PLATE):
        (d / name).symlink_to(footage_dir / name)
    res = CliRunner().invoke(app, ["--home", str(workspace.home), "dailies", "ingest", str(d)])
    assert res.exit_code == 0, res.output
    return d


def test_train_then_edit_with_the_model(workspace: Workspace, dailies: Path, tmp_path: Path) -> None:
    train = ["model", "train", "background", "--clips", f"{GRID}@0:10", "--steps", "5", "--sample-frames", "2"]
    trained = CliRunner().invoke(app, ["--home", str(workspace.home), *train, "--quiet"])
    assert trained.exit_code == 0, trained.output
    (record,) = ModelRegistry(workspace.engine, workspace.blobs).list(kind="background")
    assert (record.manifest.inputs[0].start, record.manifest.inputs[0].end) == (0, 10)
    assert record.manifest.hyperparameters["refiner.steps"] == 5
    out = tmp_path / "out.mp4"
    edit = ["edit", "background", GRID, "--plate", PLATE, "--plate-frame", "3", "--out", str(out), "--end", "6"]
    edit += ["--despill"]
    edited = CliRunner().invoke(app, ["--home", str(workspace.home), *edit, "--model", record.model_id[:12], "--json"])
    assert edited.exit_code == 0, edited.output
    result = json.loads(edited.output)
    assert result["kind"] == "background" and result["model_id"] == record.model_id
    assert result["parameters"]["despill"] is True
    assert result["parameters"]["foreground_method"].endswith("(despill against the clean plate)")
    assert result["model_file_hash"] == record.model_file_hash
    assert result["parameters"]["plate"]["frame"] == 3
    assert result["frames"]["frames"] == [0, 6] and out.is_file()


def test_edit_refuses_a_bad_plate_and_writes_nothing(workspace: Workspace, dailies: Path, tmp_path: Path) -> None:
    bad = tmp_path / "plate.png"
    bad.write_text("not an image")
    out = tmp_path / "out.mp4"
    cmd = ["--home", str(workspace.home), "edit", "background", GRID, "--plate", str(bad), "--out", str(out)]
    res = CliRunner().invoke(app, cmd)
    assert res.exit_code != 0
    assert "not a readable image" in str(res.exception)
    res = CliRunner().invoke(app, [*cmd[:-3], "no-such-plate", "--out", str(out)])
    assert res.exit_code != 0 and "no catalogued clip matches" in str(res.exception)
    assert not out.exists()


@pytest.mark.parametrize("ref", ["0123456789ab", "no-such-shot"])
def test_unknown_shot_is_a_clear_error(workspace: Workspace, tmp_path: Path, ref: str) -> None:
    cmd = [
        "--home",
        str(workspace.home),
        "edit",
        "background",
        ref,
        "--plate",
        "x.png",
        "--out",
        str(tmp_path / "o.mp4"),
    ]
    res = CliRunner().invoke(app, cmd)
    assert res.exit_code != 0 and "no catalogued clip matches" in str(res.exception)
