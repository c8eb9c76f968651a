"""The ``dialogue`` renderer of gated edits: its parameters are checked before any work, and a re-time-only edit
renders through the engine from an uploaded WAV blob."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutproof.core.uploads import record_upload
from cutproof.core.workspace import Workspace
from cutproof.edits.params import InvalidParametersError
from cutproof.edits.references import ReferenceNotFoundError
from cutproof.edits.render import RenderParameterError, check_supported, render_edit
from cutproof.edits.submission import EditSubmission
from tests._support.one_clip import project_with_clip
from tests.editor._dialogue_media import line_from

NEU = "crema-d_1001_DFA_NEU_XX.flv"


def _setup(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> tuple:
    return project_with_clip(workspace, footage_dir, tmp_path, NEU)


def _upload(workspace: Workspace, wav: Path) -> str:
    digest = workspace.blobs.put_file(wav)
    record_upload(workspace, "film", digest, size=wav.stat().st_size, filename=wav.name, by="test")
    return digest


def test_dialogue_params_are_checked(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    check_supported("dialogue")
    project, clip = _setup(workspace, footage_dir, tmp_path)
    for params, message in [
        ({"audio": "blob:" + "0" * 64}, "params.performer"),
        ({"performer": "p1"}, "params.audio"),
        ({"performer": "p1", "audio": "blob:" + "0" * 64, "retime_only": "false"}, "params.retime_only"),
        ({"performer": "p1", "audio": "blob:" + "0" * 64}, "upload it first"),  # never uploaded
    ]:
        sub = EditSubmission(shot=NEU, kind="dialogue", purpose="adr", params=params)
        with pytest.raises((InvalidParametersError, ReferenceNotFoundError), match=message):
            render_edit(workspace, project, clip, sub, tmp_path, lambda _p: None)
    wav = line_from(footage_dir / NEU, tmp_path / "l.wav", seconds=0.5)
    digest = _upload(workspace, wav)
    sub = EditSubmission(
        shot=NEU, kind="dialogue", purpose="adr", params={"performer": "p1", "audio": f"blob:{digest}"}
    )
    with pytest.raises(RenderParameterError, match="no dialogue model for performer 'p1'"):
        render_edit(workspace, project, clip, sub, tmp_path, lambda _p: None)


def test_retime_only_renders_from_a_blob(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    project, clip = _setup(workspace, footage_dir, tmp_path)
    wav = line_from(footage_dir / NEU, tmp_path / "l.wav", seconds=1.0, delay_s=0.1)
    digest = _upload(workspace, wav)
    sub = EditSubmission(
        shot=NEU,
        kind="dialogue",
        purpose="adr",
        start=5,
        params={"performer": "p1", "audio": f"blob:{digest}", "retime_only": True},
    )
    work = tmp_path / "work"
    work.mkdir()
    result = render_edit(workspace, project, clip, sub, work, lambda _p: None)
    assert result.kind == "dialogue" and result.parameters["retime_only"] is True
    assert (result.frames.start, result.frames.end) == (5, 35) and result.output.path.is_file()
