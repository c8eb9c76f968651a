"""The project's eyeline models (one per performer; trained through ``cutproof.training.run``) and the eyeline edit
with the project's cast model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cutproof.cast.project import load_cast, project_cast
from cutproof.core.errors import CutproofError
from cutproof.core.projects import Project
from cutproof.core.workspace import Workspace
from cutproof.edits.references import newest_model, project_model
from editor import Clip, EditResult, ModelRecord, ModelRegistry
from editor.eyeline import KIND, EyelineModel, redirect_gaze

if TYPE_CHECKING:
    from media import Progress, SegmentExecutor


class EyelineSetupError(CutproofError):
    """The project lacks what an eyeline edit needs (a model for the performer)."""


def project_eyeline(
    ws: Workspace, project: Project, performer: str, ref: str | None = None
) -> tuple[ModelRecord, EyelineModel]:
    """``performer``'s eyeline model: ``ref`` if given, else the newest trained for them in the project.

    Raises:
        EyelineSetupError: none was trained for the performer.
    """
    registry = ModelRegistry(ws.engine, ws.blobs)
    if ref is None:
        newest = newest_model(ws, project.slug, KIND, performer)
        if newest is None:
            raise EyelineSetupError(
                f"no eyeline model for performer {performer!r} in project {project.slug!r}; train one with "
                "`cutproof model train eyeline --performer …`"
            )
        ref = newest.model_id
    record, model_file = registry.load(project_model(ws, project.slug, ref, KIND).model_id)
    return record, EyelineModel.from_bytes(model_file.payload)


def eyeline_edit(
    ws: Workspace,
    project: Project,
    clip: Clip,
    out: Path,
    *,
    performer: str,
    shift: tuple[float, float],
    start: int | None = None,
    end: int | None = None,
    model: str | None = None,
    cast_model: str | None = None,
    overwrite: bool = False,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    progress: Progress | None = None,
) -> EditResult:
    """Run the eyeline edit on ``clip`` with the project's models (``cast_model``: the cast model the gate used;
    default the project's latest), in segments on ``workers`` processes or ``executor`` (the same output);
    ``progress`` gets the fraction of frames written."""
    record, eyeline = project_eyeline(ws, project, performer, model)
    cast = load_cast(ws, cast_model) if cast_model else project_cast(ws, project)
    return redirect_gaze(
        clip.path,
        out,
        eyeline,
        shift,
        performer=performer,
        cast=cast.model if cast else None,
        model_ref=(record.model_id, record.model_file_hash),
        start=start,
        end=end,
        overwrite=overwrite,
        workers=workers,
        executor=executor,
        progress=progress,
    )
