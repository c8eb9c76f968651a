"""Fixtures of the editor's tests: generated real clips (ProRes/H.264 with audio and timecode) and catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutproof.core.workspace import Workspace
from editor.catalogue import Catalogue
from editor.models import ModelRegistry
from tests.editor._media import write_clip


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of generated dailies: ProRes 422 HQ MOV (PCM audio), H.264 MP4 (AAC) and DNxHR MOV, with timecode."""
    d = tmp_path_factory.mktemp("dailies")
    write_clip(
        d / "012A_T03.mov",
        codec="prores_ks",
        pix_fmt="yuv422p10le",
        audio="pcm_s16le",
        options={"profile": "3"},
        timecode="01:00:10:05",
    )
    write_clip(
        d / "sc12_sh3_tk2.mp4",
        codec="libx264",
        pix_fmt="yuv420p",
        audio="aac",
        timecode="02:00:00:00",
        tint=(1.1, 0.95, 0.85),
    )
    return d


@pytest.fixture
def catalogue(workspace: Workspace) -> Catalogue:
    return Catalogue(workspace.engine)


@pytest.fixture
def registry(workspace: Workspace) -> ModelRegistry:
    return ModelRegistry(workspace.engine, workspace.blobs)
