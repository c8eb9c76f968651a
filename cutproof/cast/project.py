"""The project's cast: tags by consent performer id, the latest cast model, and "who is in this range".

The editor's cast model knows performers only as opaque labels; here the labels are the project's consent
performer ids, so a tag naming someone who is not registered in the project is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from consent import ConsentRegistry
from cutproof.core.errors import CutproofError
from cutproof.core.projects import Project, project_log
from cutproof.core.workspace import Workspace
from editor import Clip, ModelRecord, ModelRegistry
from editor.cast import KIND, CastModel, CastReport, CastTag, CastTags, who
from media import Region


class CastTagError(CutproofError):
    """A cast tag names a performer who is not registered in the project."""


@dataclass(frozen=True)
class ProjectCast:
    """A project's latest cast model."""

    record: ModelRecord
    model: CastModel


def tag_face(
    ws: Workspace, project: Project, clip: Clip, frame: int, performer_id: str, box: Region | None = None
) -> CastTag:
    """Record that ``performer_id`` (a consent performer of the project) is the face in ``box`` at ``frame``
    (without ``box``: the one face detected on that frame).

    Raises:
        CastTagError: the performer is not registered in the project, or no single face to tag on the frame.
        TagError: the frame or box do not fit the clip.
    """
    registry = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project), project=project.slug)
    known = {p.performer_id for p in registry.performers()}
    if performer_id not in known:
        raise CastTagError(
            f"performer {performer_id!r} is not registered in project {project.slug!r}; "
            "`cutproof performer list` shows the performers, `cutproof performer add` registers one"
        )
    tag = CastTag(clip.content_hash, frame, performer_id, box or face_in_frame(clip, frame))
    return CastTags(ws.engine).add(
        tag, frame_size=(clip.info.width, clip.info.height), frame_count=clip.info.frame_count, project=project.slug
    )


def face_in_frame(clip: Clip, frame: int) -> Region:
    """The one face detected on ``frame`` of ``clip`` (for tagging a performer's reference footage).

    Raises:
        CastTagError: no face, or several, on that frame.
    """
    from editor.faces import detect_faces
    from media import read_frame

    if not 0 <= frame < clip.info.frame_count:
        raise CastTagError(f"frame {frame} is outside {clip.path.name} (frames 0–{clip.info.frame_count - 1})")
    faces = detect_faces(read_frame(clip.info, frame, "rgb24"), frame)
    if len(faces) != 1:
        found = "no face" if not faces else f"{len(faces)} faces"
        raise CastTagError(
            f"{found} found on frame {frame} of {clip.path.name}; give the face's box (x,y,w,h) or pick a frame "
            "that shows exactly one face"
        )
    f = faces[0]
    return Region(f.x, f.y, f.width, f.height)


def project_cast(ws: Workspace, project: Project) -> ProjectCast | None:
    """The project's latest cast model, or None when none was trained."""
    model_id = ModelRegistry(ws.engine, ws.blobs).latest_id(KIND, project.slug)
    return None if model_id is None else load_cast(ws, model_id)


def load_cast(ws: Workspace, model_id: str) -> ProjectCast:
    """A cast model by id, its file checked against its manifest.

    Raises:
        ModelNotFoundError, ModelMismatchError: as ``ModelRegistry.load``.
    """
    record, model_file = ModelRegistry(ws.engine, ws.blobs).load(model_id)
    return ProjectCast(record, CastModel.from_bytes(model_file.payload))


def who_in_clip(
    ws: Workspace,
    project: Project,
    clip: Clip,
    *,
    start: int = 0,
    end: int | None = None,
    region: Region | None = None,
) -> CastReport:
    """Performers and unidentified faces in a clip's range and region, with the project's latest cast model.

    Raises:
        CutproofError: the project has no cast model yet.
    """
    cast = project_cast(ws, project)
    if cast is None:
        raise CutproofError(
            f"project {project.slug!r} has no cast model; tag faces with `cutproof cast tag` and train one"
        )
    return who(clip.info, cast.model, start=start, end=end, region=region, model_id=cast.record.model_id)
