"""Dailies are printed for the relight's search as they are ingested (``cutproof.dailies.ingest``,
``editor.lighting.search.keep_prints``): a production's first search would otherwise read every clip it holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from cutproof.core.projects import ProjectContext, create_project
from cutproof.core.workspace import Workspace
from cutproof.dailies.ingest import ingest_dailies
from editor.layout_prints import LayoutPrints
from editor.lighting import search
from editor.lighting.relight import Shot
from editor.lighting.search import SCAN, Dailies
from editor.lighting.smooth import N_PARAMS
from tests._support.footage import CLIP, PLATE

CTX = ProjectContext(principal_photography_start=date(2026, 9, 1))


@pytest.fixture
def card(footage_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    for name in (CLIP, PLATE):
        (folder / name).symlink_to(footage_dir / name)
    return folder


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The clips whose frames are read for prints from now on."""
    seen: list[str] = []
    real = search._read_prints

    def counting(clip: search.Media) -> tuple[list[int], np.ndarray]:
        seen.append(clip.info.path.name)
        return real(clip)

    monkeypatch.setattr(search, "_read_prints", counting)
    return seen


def test_ingested_clips_are_printed_and_the_first_search_reads_none(
    workspace: Workspace, card: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_project(
        workspace, "film", "Film", ProjectContext(principal_photography_start=date(2026, 9, 1)), identity="t"
    )
    search._PRINTS.clear()
    reads = _reads(monkeypatch)
    report = ingest_dailies(workspace, "film", card, identity="test:lead")
    assert sorted(reads) == sorted([CLIP, PLATE])
    kept = LayoutPrints(workspace.engine)
    clips = [Shot(c.info, c.content_hash) for c in report.added]
    for clip in clips:
        frames, prints = kept.get(clip.content_hash, SCAN)  # type: ignore[misc]
        assert len(frames) == SCAN and prints.shape == (SCAN, 384)
        assert np.allclose(np.linalg.norm(prints, axis=1), 1.0, atol=1e-4)  # real prints, not zeros

    search._PRINTS.clear()  # another process (the server's render): nothing in its memory, all in the table
    reads.clear()
    target = np.full((96, 160, 3), 0.5, np.float32)
    search.find_original(
        [target], Dailies(clips, kept), np.zeros(N_PARAMS, np.float32), np.full((10, 3), 0.5, np.float32)
    )
    assert reads == []

    ingest_dailies(workspace, "film", card, identity="test:lead")  # the same card again: printed already
    assert reads == []


def test_keep_prints_passes_over_a_clip_it_cannot_read(workspace: Workspace, card: Path, tmp_path: Path) -> None:
    """A print is a cache: a clip gone offline is left for the search, which counts it unreadable."""
    create_project(
        workspace, "film", "Film", ProjectContext(principal_photography_start=date(2026, 9, 1)), identity="t"
    )
    report = ingest_dailies(workspace, "film", card, identity="test:lead")
    kept = LayoutPrints(workspace.engine)
    gone = tmp_path / "gone.mpg"
    clip = report.added[0]
    offline = Shot(replace(clip.info, path=gone), "f" * 64)
    search._PRINTS.clear()
    assert search.keep_prints([offline], kept) == 0
    assert kept.get("f" * 64, SCAN) is None
