"""The background CLI: `cutproof model train background` and `cutproof edit background`, on a real workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.workspace import Workspace
from editor.models import ModelRegistry

GRID = "grid_pwij3p.mpg"
PLATE = "crema-d_1001_DFA_ANG_XX.flv"


def test_train_then_edit_with_the_model(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(workspace.home)]
    shot = str(footage_dir / GRID)
    trained = runner.invoke(
        app,
        [
            *home,
            "model",
            "train",
            "background",
            "--clips",
            shot,
            "--frames",
            "0-10",
            "--steps",
            "5",
            "--sample-frames",
            "2",
        ],
    )
    assert trained.exit_code == 0, trained.output
    (record,) = ModelRegistry(workspace.engine, workspace.blobs).list(kind="background")
    assert record.manifest.inputs[0].start == 0 and record.manifest.inputs[0].end == 10
    assert record.manifest.hyperparameters["refiner.steps"] == 5
    out = tmp_path / "out.mp4"
    args = [*home, "edit", "background", shot, "--plate", str(footage_dir / PLATE), "--plate-frame", "3"]
    edited = runner.invoke(app, [*args, "--out", str(out), "--end", "6", "--model", record.model_id[:12], "--json"])
    assert edited.exit_code == 0, edited.output
    result = json.loads(edited.output)
    assert result["kind"] == "background" and result["model_id"] == record.model_id
    assert result["model_file_hash"] == record.model_file_hash
    assert result["frames"]["frames"] == [0, 6] and out.is_file()


def test_edit_refuses_a_bad_plate_and_writes_nothing(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "plate.png"
    bad.write_text("not an image")
    out = tmp_path / "out.mp4"
    res = CliRunner().invoke(
        app,
        [
            "--home",
            str(workspace.home),
            "edit",
            "background",
            str(footage_dir / GRID),
            "--plate",
            str(bad),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code != 0
    assert "not a readable image" in str(res.exception)
    assert not out.exists()


@pytest.mark.parametrize("ref", ["0123456789ab", "no-such-shot"])
def test_unknown_shot_is_a_clear_error(workspace: Workspace, tmp_path: Path, ref: str) -> None:
    res = CliRunner().invoke(
        app,
        [
            "--home",
            str(workspace.home),
            "edit",
            "background",
            ref,
            "--plate",
            "x.png",
            "--out",
            str(tmp_path / "o.mp4"),
        ],
    )
    assert res.exit_code != 0 and "no catalogued clip matches" in str(res.exception)
