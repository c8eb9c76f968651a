"""Shot labels: scene, shot, take and camera roll of a catalogued clip, by hand or from the lab's ALE file.

Editors and legal both fix labels ("Scene ? · shot ?" in an audit helps nobody); the ALE is an upload
(``blob:<sha256>``), read by ``cutproof.dailies.labels``. Labels are catalogue metadata, not ledger entries.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from cutproof.api.deps import ProjectAccess, WorkspaceDep, project_access
from cutproof.api.public import public_clip
from cutproof.core.auth import Role
from cutproof.core.inputs import exported_text
from cutproof.core.uploads import resolve_upload
from cutproof.dailies.labels import apply_ale, set_labels

router = APIRouter(tags=["dailies"])

LABEL_ROLES = (Role.EDITOR, Role.LEGAL)
LabellerOf = Annotated[ProjectAccess, project_access(*LABEL_ROLES)]


class LabelsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scene: str | None = Field(default=None, max_length=32)
    shot: str | None = Field(default=None, max_length=32)
    take: int | None = Field(default=None, ge=0, lt=10_000)
    camera_roll: str | None = Field(default=None, max_length=16)


class AleApply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str = Field(description="blob:<sha256> of an uploaded .ale file")


@router.post("/projects/{project}/dailies/{clip}/labels")
def post_labels(
    ws: WorkspaceDep, access: LabellerOf, clip: Annotated[str, Path(max_length=200)], body: LabelsUpdate
) -> dict[str, Any]:
    """Set a clip's scene/shot/take/camera roll (values left out are kept); 422 for an invalid value."""
    return public_clip(set_labels(ws.engine, access.project.slug, clip, **body.model_dump()))


@router.post("/projects/{project}/dailies/ale")
def post_ale(ws: WorkspaceDep, access: LabellerOf, body: AleApply) -> dict[str, Any]:
    """Label the project's clips from an Avid Log Exchange file: which clips were labelled, which rows matched none."""
    path = resolve_upload(ws, access.project.slug, body.file)
    report = apply_ale(ws.engine, access.project.slug, exported_text(path.read_bytes()))
    return {
        "applied": [public_clip(c) for c in report.applied],
        "unmatched": report.unmatched,
        "refused": report.refused,
    }
