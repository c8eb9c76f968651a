"""Ingesting dailies into a project — one path for the CLI, the API and the demo.

The editor verifies, hashes and catalogues the camera files; every newly catalogued clip of a project is recorded
as ``dailies.ingested/1`` (content hash, file name, media facts, slate) in the project's log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from cutproof.core.projects import get_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.dailies.labels import ale_files, apply_ale
from editor import Catalogue, IngestReport, ingest_folder

DAILIES_INGESTED = "dailies.ingested/1"


def ingested_entries(report: IngestReport) -> list[dict[str, Any]]:
    """The ``dailies.ingested/1`` entries of the clips an ingest added."""
    return [
        {
            "kind": DAILIES_INGESTED,
            "content_hash": c.content_hash,
            "file_name": c.path.name,
            "media": c.info.as_dict(),
            "slate": {"scene": c.slate.scene, "shot": c.slate.shot, "take": c.slate.take},
        }
        for c in report.added
    ]


def ingest_dailies(
    ws: Workspace, project: str | None, folder: Path, *, identity: str, files: Sequence[Path] | None = None
) -> IngestReport:
    """Ingest ``folder`` (or just ``files`` in it) into the catalogue; record the added clips in the project's log.

    Bad files are rejected one by one (the report says why) and stay out of the catalogue and the ledger.

    Raises:
        ProjectError: ``project`` does not exist.
    """
    proj = get_project(ws, project) if project is not None else None
    report = ingest_folder(folder, Catalogue(ws.engine), project=project, files=list(files) if files else None)
    if project is not None and files is None:
        for ale in ale_files(folder):  # the lab's log labels the clips before they are recorded
            apply_ale(ws.engine, project, ale.read_text(encoding="utf-8", errors="replace"))
        report = _relabelled(ws, report)
    if report.added and proj is not None:
        project_log(ws, proj).append(ingested_entries(report), identity=identity)
    return report


def _relabelled(ws: Workspace, report: IngestReport) -> IngestReport:
    """The report with each added clip as the catalogue now has it (labels applied from the folder's ALE)."""
    catalogue = Catalogue(ws.engine)
    outcomes = tuple(
        replace(o, clip=catalogue.find(o.clip.content_hash) or o.clip) if o.clip is not None else o
        for o in report.files
    )
    return replace(report, files=outcomes)
