"""A project ready for gated edits through the API: two GRID dailies, one performer with a consent grant for
background replacement, and users with API tokens. Used by the end-to-end API tests and by ``bench/api.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from consent import ConsentRegistry
from consent.models import Performer
from cutproof.core import auth
from cutproof.core.projects import Project, ProjectContext, create_project, project_log
from cutproof.core.workspace import Workspace
from editor import Catalogue, IngestReport, ingest_folder
from tests._support.footage import CLIP, PLATE

DEFAULT_USERS = (("ed", "editor"), ("lee", "legal"), ("quinn", "qc"))


def setup_gated_project(
    ws: Workspace,
    footage: Path,
    scratch: Path,
    *,
    secret: str,
    slug: str = "film",
    users: tuple[tuple[str, str], ...] = DEFAULT_USERS,
) -> dict[str, str]:
    """Create project ``slug`` in ``ws`` and return each user's token plus ``performer``, ``shot`` and ``plate``.

    ``scratch`` receives the dailies folder (symlinks to ``footage``) and the consent document.
    """
    project = create_project(
        ws, slug, slug.title(), ProjectContext(principal_photography_start=date(2026, 9, 1)), identity="test:lead"
    )
    _report, p = add_grid_dailies_and_consent(ws, project, footage, scratch)
    tokens = {}
    for user, role in users:
        auth.add_user(ws.engine, user)
        auth.grant_role(ws.engine, user, slug, role)
        tokens[user] = auth.issue_token(ws.engine, user, pepper=secret.encode()).token
    clips = {c.path.name: c.short_id for c in Catalogue(ws.engine).list(project=slug)}
    return {**tokens, "performer": p.performer_id, "shot": clips[CLIP], "plate": clips[PLATE]}


def gated_workspace(scratch: Path, footage: Path, *, secret: str, **kwargs: Any) -> tuple[Workspace, dict[str, str]]:
    """A new workspace at ``scratch/home`` with ``setup_gated_project``'s project in it (``kwargs`` passed on): the
    workspace and the project's tokens, performer, shot and plate."""
    ws = Workspace(scratch / "home")
    ws.init()
    return ws, setup_gated_project(ws, footage, scratch, secret=secret, **kwargs)


def add_grid_dailies_and_consent(
    ws: Workspace, project: Project, footage: Path, scratch: Path, **performer: Any
) -> tuple[IngestReport, Performer]:
    """Ingest the two GRID clips as ``project``'s dailies (symlinked under ``scratch/dailies``) and register the
    GRID talker with a signed grant for background replacement for continuity (``performer``: extra
    registration fields, e.g. ``representation``). Returns the ingest report and the performer."""
    dailies = scratch / "dailies"
    dailies.mkdir()
    for name in (CLIP, PLATE):
        (dailies / name).symlink_to(footage / name)
    report = ingest_folder(dailies, Catalogue(ws.engine), project=project.slug)
    reg = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project))
    p = reg.register_performer(name="Grid Talker", kind="principal", guild="SAG-AFTRA", guild_id="G-1", **performer)
    doc = scratch / "consent.pdf"
    doc.write_bytes(b"%PDF signed: background replacement, continuity")
    reg.grant(
        p.performer_id,
        category="digital_alteration",
        edit_kinds=["background"],
        purposes=["continuity"],
        use_description="Replace the background of the grid take for continuity",
        document=doc,
        signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=datetime.now(UTC) - timedelta(days=1),
    )
    return report, p


def background_edit(s: dict[str, str], *, end: int = 12) -> dict[str, Any]:
    """The JSON body of a background-replacement submission on the shot for the set-up's performer."""
    return {
        "shot": s["shot"],
        "kind": "background",
        "purpose": "continuity",
        "performers": [s["performer"]],
        "params": {"plate": s["plate"]},
        "end": end,
    }
