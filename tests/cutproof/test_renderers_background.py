"""The ``background`` renderer of gated edits checks its parameters before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutproof.core.workspace import Workspace
from cutproof.edits.render import RenderParameterError, render_edit
from cutproof.edits.submission import EditSubmission
from tests._support.one_clip import project_with_clip

GRID = "grid_pwij3p.mpg"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "needs params.plate"),
        ({"plate": GRID, "despill": "yes"}, "params.despill must be true or false, got 'yes'"),
        ({"plate": GRID, "despill": 1}, "params.despill must be true or false, got 1"),
    ],
)
def test_background_params_are_checked_before_any_work(
    workspace: Workspace, footage_dir: Path, tmp_path: Path, params: dict, message: str
) -> None:
    project, clip = project_with_clip(workspace, footage_dir, tmp_path, GRID)
    work = tmp_path / "work"
    work.mkdir()
    sub = EditSubmission(shot=GRID, kind="background", purpose="story_change", params=params)
    with pytest.raises(RenderParameterError, match=message):
        render_edit(workspace, project, clip, sub, work, lambda _p: None)
    assert list(work.iterdir()) == []
