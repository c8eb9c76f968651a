"""A project with one clip of the shared footage catalogued (a copy under the test's scratch folder): the set-up of
the renderer tests, which call the editor behind a gated edit directly."""

from __future__ import annotations

from pathlib import Path

from cutproof.core.projects import Project, create_project
from cutproof.core.workspace import Workspace
from editor import Catalogue, Clip, ingest_folder


def project_with_clip(
    ws: Workspace, footage: Path, scratch: Path, name: str, slug: str = "film"
) -> tuple[Project, Clip]:
    """Create project ``slug`` and catalogue ``footage/name`` into it (copied to ``scratch/card``)."""
    project = create_project(ws, slug, identity="test")
    card = scratch / "card"
    card.mkdir()
    (card / name).write_bytes((footage / name).read_bytes())
    ingest_folder(card, Catalogue(ws.engine), project=project.slug)
    return project, Catalogue(ws.engine).get(name, project=project.slug)
