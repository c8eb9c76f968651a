"""Uploads: files streamed into the content-addressed store, remembered per project.

A reference ``blob:<sha256>`` in a request (a consent document, a dialogue WAV, a plate, a file for QC) resolves
only if that digest was uploaded to the same project, so one project cannot reach another's files by hash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from cutproof.core.errors import CutproofError
from cutproof.core.models import UploadRow, table_of
from cutproof.core.workspace import Workspace

uploads_table = table_of(UploadRow)


class UploadNotFoundError(CutproofError):
    """A ``blob:`` reference names nothing uploaded to this project."""


def record_upload(ws: Workspace, project: str, digest: str, *, size: int, filename: str, by: str) -> None:
    """Remember that ``digest`` was uploaded to ``project`` (idempotent)."""
    with ws.engine.begin() as conn:
        exists = conn.execute(
            select(uploads_table.c.sha256).where(uploads_table.c.project == project, uploads_table.c.sha256 == digest)
        ).first()
        if not exists:
            conn.execute(
                insert(uploads_table).values(
                    project=project,
                    sha256=digest,
                    size=size,
                    filename=filename[:255],
                    uploaded_by=by,
                    uploaded_at=datetime.now(UTC),
                )
            )


def resolve_upload(ws: Workspace, project: str, ref: str) -> Path:
    """The stored file for ``blob:<sha256>`` uploaded to ``project``.

    Raises:
        UploadNotFoundError: not a ``blob:`` reference, or not uploaded to this project.
    """
    digest = ref.removeprefix("blob:")
    if not ref.startswith("blob:") or len(digest) != 64:
        raise UploadNotFoundError(f"{ref!r} is not an upload reference; upload the file and pass blob:<sha256>")
    with ws.engine.connect() as conn:
        row = conn.execute(
            select(uploads_table.c.sha256).where(uploads_table.c.project == project, uploads_table.c.sha256 == digest)
        ).first()
    path = ws.blobs.path_for(digest)
    if row is None or not path.is_file():
        raise UploadNotFoundError(f"no upload {digest} in project {project!r}; upload it first")
    return path
