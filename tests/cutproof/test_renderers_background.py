"""The ``background`` renderer of gated edits checks its parameters before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutproof.core.workspace import Workspace
from cutproof.edits.params import InvalidParametersError
from cutproof.edits.render import render_edit
from cutproof.edits.submission import EditSubmission
from tests._support.one_clip import project_with_clip

GRID = "grid_pwij3p.mpg"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.plate is required"),
        ({"plate": GRID, "despill": "yes"}, "params.despill: input should be a valid boolean, got 'yes'"),
        ({"plate": GRID, "despill": 1}, "params.despill: input should be a valid boolean, got 1"),
        ({"plate": GRID, "despil": True}, "params.despil is not a parameter of this kind"),
        ({"plate": GRID, "plate_frame": "3"}, "params.plate_frame: input should be a valid integer, got '3'"),
    ],
)
def test_background_params_are_checked_before_any_work(
    workspace: Workspace, footage_dir: Path, tmp_path: Path, params: dict, message: str
) -> None:
    project, clip = project_with_clip(workspace, footage_dir, tmp_path, GRID)
    work = tmp_path / "work"
    work.mkdir()
    sub = EditSubmission(shot=GRID, kind="background", purpose="story_change", params=params)
    with pytest.raises(InvalidParametersError, match=message):
        render_edit(workspace, project, clip, sub, work, lambda _p: None)
    assert list(work.iterdir()) == []
