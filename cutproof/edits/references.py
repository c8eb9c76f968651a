"""Every reference an edit request carries, resolved inside the caller's project.

A submission names things by reference: the shot (``shot``), a trained model (``params.model``), a plate and a
clean plate (``params.plate``, ``params.clean_plate``), a reference shot and its ungraded original
(``params.reference``, ``params.reference_original``), the new line's audio (``params.audio``). Each is resolved
here, in the submitting project only, before anything is recorded:

1. a model is named by its full id (64 hex digits: the SHA-256 of its training manifest), never a prefix — a
   prefix across a trust boundary is a search over every production's models — and it must be a model of this
   project and of the edit's kind;
2. a clip (plate, clean plate, reference shot, its original) is a catalogue reference of this project, or
   ``blob:<sha256>`` of a file uploaded to this project;
3. audio is ``blob:<sha256>`` of a file uploaded to this project.

Anything else — another production's model, clip or upload, a prefix, a model of the wrong kind — is
``ReferenceNotFoundError`` (the API answers 404: a foreign object is indistinguishable from a missing one). The
renderers resolve through the same functions, so a request recorded before this check cannot reach across either.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cutproof.core.uploads import UploadNotFoundError, resolve_upload
from cutproof.core.workspace import Workspace
from cutproof.edits.params import ShotFrame
from cutproof.edits.submission import SubmissionError
from editor import Catalogue, Clip, ModelRecord, ModelRegistry
from editor.errors import ClipNotFoundError, ModelNotFoundError

FULL_ID = re.compile(r"^[0-9a-f]{64}$")

MODEL_KIND = {"background": "background", "dialogue": "dialogue", "eyeline": "eyeline", "relight": "lighting"}
"""The kind of model each edit kind's ``params.model`` names."""

MEDIA_PARAMS = {"background": ("plate", "clean_plate")}
"""Parameters naming a clip of the project or an upload to it."""


class ReferenceNotFoundError(SubmissionError):
    """A reference names nothing of this project (or names it by prefix where a full id is required)."""


def project_model(ws: Workspace, project: str, ref: str, kind: str) -> ModelRecord:
    """The model ``ref`` (a full id) of ``project`` and of ``kind``.

    Raises:
        ReferenceNotFoundError: not a full id, no such model, another project's model, or another kind.
    """
    if not isinstance(ref, str) or not FULL_ID.match(ref):
        raise ReferenceNotFoundError(
            f"model {str(ref)[:80]!r} is not a full model id (64 hex digits); `cutproof model list` or "
            "GET /models shows the ids of this production's models"
        )
    try:
        record = ModelRegistry(ws.engine, ws.blobs).get(ref)
    except ModelNotFoundError:
        record = None
    if record is None or record.project != project:
        raise ReferenceNotFoundError(f"no model {ref} in project {project!r}")
    if record.kind != kind:
        raise ReferenceNotFoundError(f"model {ref[:12]} is a {record.kind} model, not a {kind} model")
    return record


def project_clip(ws: Workspace, project: str, ref: str) -> Clip:
    """The catalogue clip ``ref`` of ``project`` (hash, file name or scene/shot/take, looked up in the project only).

    Raises:
        ReferenceNotFoundError: no clip of this project matches, or several do.
    """
    try:
        return Catalogue(ws.engine).get(str(ref), project=project)
    except ClipNotFoundError as exc:
        raise ReferenceNotFoundError(str(exc)) from None


def project_media(ws: Workspace, project: str, ref: str) -> Path:
    """A catalogue clip of ``project``, or ``blob:<sha256>`` of a file uploaded to it.

    Raises:
        ReferenceNotFoundError: neither.
    """
    ref = str(ref)
    if ref.startswith("blob:"):
        return project_upload(ws, project, ref)
    return project_clip(ws, project, ref).path


def project_upload(ws: Workspace, project: str, ref: str) -> Path:
    """``blob:<sha256>`` uploaded to ``project``.

    Raises:
        ReferenceNotFoundError: not such a reference, or not uploaded to this project.
    """
    try:
        return resolve_upload(ws, project, str(ref))
    except UploadNotFoundError as exc:
        raise ReferenceNotFoundError(str(exc)) from None


def check_references(ws: Workspace, project: str, kind: str, params: dict[str, Any]) -> None:
    """Resolve every reference in an edit's ``params`` inside ``project`` (see the module's docstring).

    Raises:
        ReferenceNotFoundError: one of them names nothing of this project.
    """
    if params.get("model") is not None and kind in MODEL_KIND:
        project_model(ws, project, params["model"], MODEL_KIND[kind])
    for key in MEDIA_PARAMS.get(kind, ()):
        if params.get(key):
            project_media(ws, project, params[key])
    for key in ("reference", "reference_original"):
        if kind == "relight" and params.get(key):
            project_clip(ws, project, ShotFrame.parse(str(params[key]), key.replace("_", " ")).shot)
    if kind == "dialogue" and params.get("audio"):
        project_upload(ws, project, params["audio"])


def local_model_ref(ws: Workspace, project: str, ref: str, kind: str) -> str:
    """For an operator on this machine (the CLI): a unique prefix of a model id *of this project* → its full id
    (among this project's models only, so a prefix never matches another production's model).

    Raises:
        ReferenceNotFoundError: no model of this project and kind starts with ``ref``, or several do.
    """
    low = str(ref).lower()
    found = [r.model_id for r in ModelRegistry(ws.engine, ws.blobs).list(kind=kind, project=project)]
    matches = [m for m in found if m.startswith(low)] if len(low) >= 8 else []
    if len(matches) != 1:
        why = "matches several" if matches else "matches none"
        raise ReferenceNotFoundError(f"model {ref!r} {why} of project {project!r}'s {kind} models")
    return matches[0]
