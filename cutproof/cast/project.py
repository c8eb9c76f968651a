"""The project's cast: tags by consent performer id, the latest cast model, and "who is in this range".

The editor's cast model knows performers only as opaque labels; here the labels are the project's consent
performer ids, so a tag naming someone who is not registered in the project is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class FaceSuggestion:
    """A face the engine found, offered for tagging: where it is and, with a cast model, who it looks like."""

    clip: str
    frame: int
    box: Region
    face: int  # index among the faces of that frame (left to right), for ``cast tag --face``
    identified: str | None  # the performer the current cast model identifies it as, if any
    nearest: str | None
    distance: float | None
    observations: int = 1  # faces of the same track (``suggest_tags``)

    def as_json(self) -> dict[str, Any]:
        return {
            "clip": self.clip,
            "frame": self.frame,
            "face": self.face,
            "box": self.box.as_json(),
            "identified": self.identified,
            "nearest": self.nearest,
            "distance": self.distance,
            "observations": self.observations,
        }


def tag_face(
    ws: Workspace,
    project: Project,
    clip: Clip,
    frame: int,
    performer_id: str,
    box: Region | None = None,
    *,
    face: int | None = None,
) -> CastTag:
    """Record that ``performer_id`` (a consent performer of the project) is the face in ``box`` at ``frame``
    (without ``box``: face number ``face`` of those ``suggest_faces`` finds there, or the only one).

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
    tag = CastTag(clip.content_hash, frame, performer_id, box or face_in_frame(clip, frame, face))
    return CastTags(ws.engine).add(
        tag, frame_size=(clip.info.width, clip.info.height), frame_count=clip.info.frame_count, project=project.slug
    )


def _frame_faces(clip: Clip, frame: int) -> list[Any]:
    from editor.cast import detect_faces
    from media import read_frame

    if not 0 <= frame < clip.info.frame_count:
        raise CastTagError(f"frame {frame} is outside {clip.path.name} (frames 0–{clip.info.frame_count - 1})")
    faces = detect_faces(read_frame(clip.info, frame, "rgb24"), frame, embed=True)
    return sorted(faces, key=lambda f: (f.x, f.y))


def suggest_faces(ws: Workspace, project: Project, clip: Clip, frame: int) -> list[FaceSuggestion]:
    """The faces found on ``frame`` (left to right), each with the performer the project's cast model identifies
    it as (or its nearest performer) — what ``cutproof cast tag`` offers.

    Raises:
        CastTagError: the frame is outside the clip.
    """
    cast = project_cast(ws, project)
    out = []
    for k, f in enumerate(_frame_faces(clip, frame)):
        match = cast.model.identify(f.embedding) if cast is not None and f.embedding is not None else None
        out.append(
            FaceSuggestion(
                clip.content_hash,
                frame,
                Region(f.x, f.y, f.width, f.height),
                k,
                match.label if match else None,
                match.nearest if match else None,
                round(match.distance, 4) if match else None,
            )
        )
    return out


def face_in_frame(clip: Clip, frame: int, face: int | None = None) -> Region:
    """Face number ``face`` (left to right) of those detected on ``frame``, or the only one when ``face`` is None.

    Raises:
        CastTagError: no face, several and no ``face`` number, or no face of that number.
    """
    faces = _frame_faces(clip, frame)
    if (face is None and len(faces) != 1) or (face is not None and not 0 <= face < len(faces)):
        found = "no face" if not faces else f"{len(faces)} faces"
        raise CastTagError(
            f"{found} found on frame {frame} of {clip.path.name}; `cutproof cast tag {clip.short_id}@{frame}` "
            "without --performer lists them: give --face N (or the face's --box x,y,w,h), or pick a frame that "
            "shows the performer"
        )
    f = faces[face or 0]
    return Region(f.x, f.y, f.width, f.height)


def suggest_tags(
    ws: Workspace, project: Project, clip: Clip, *, samples: int = 16, start: int = 0, end: int | None = None
) -> list[FaceSuggestion]:
    """One proposed tag per face track of the clip: the track's middle observation, with the performer the cast
    model identifies the whole track as (or its nearest). Tracks that already hold a tag are left out.

    Raises:
        EditParameterError: the range is outside the clip.
    """
    from editor.cast import iou, track_faces

    cast = project_cast(ws, project)
    tags = [t for t in CastTags(ws.engine).list(project.slug) if t.clip_hash == clip.content_hash]
    tracks, _ = track_faces(clip.info, start=start, end=end, samples=samples)
    out = []
    for track in tracks:
        if any(
            min(abs(f - t.frame) for f in track.frames) <= 1
            and iou(track.box_at(t.frame), (t.box.x, t.box.y, t.box.width, t.box.height)) >= 0.3
            for t in tags
        ):
            continue
        mid = track.faces[len(track.faces) // 2]
        same_frame = sorted((t.face_at(mid.frame) for t in tracks if mid.frame in t.frames), key=lambda f: (f.x, f.y))
        match = cast.model.identify_track(track) if cast is not None else None
        out.append(
            FaceSuggestion(
                clip.content_hash,
                mid.frame,
                Region(mid.x, mid.y, mid.width, mid.height),
                next(k for k, f in enumerate(same_frame) if f.box == mid.box),
                match.label if match else None,
                match.nearest if match else None,
                round(match.distance, 4) if match and match.distance != float("inf") else None,
                len(track.faces),
            )
        )
    return out


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
