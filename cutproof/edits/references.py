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


class ModelMissingError(SubmissionError):
    """The edit needs a trained model the project does not have yet (nothing was recorded)."""


PERFORMER_MODELS = frozenset({"eyeline", "dialogue"})
"""Model kinds trained per performer: an edit's default is the newest trained for its ``params.performer``."""


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


def newest_model(ws: Workspace, project: str, kind: str, performer: str | None = None) -> ModelRecord | None:
    """The project's newest model of ``kind`` — for a performer's kinds (``PERFORMER_MODELS``), the newest trained
    for ``performer`` — or None: the model an edit without ``params.model`` is rendered with."""
    records = ModelRegistry(ws.engine, ws.blobs).list(kind=kind, project=project)
    if kind in PERFORMER_MODELS:
        records = [r for r in records if r.manifest.hyperparameters.get("performer") == performer]
    return records[0] if records else None


def check_model_available(ws: Workspace, project: str, kind: str, params: dict[str, Any]) -> None:
    """An edit that needs a trained model and names none must find one in the project (``newest_model``), so a
    request is not decided, recorded and reviewed only for its render to fail at once: a relight needs the
    project's lighting model, an eyeline edit the performer's eyeline model, a dialogue edit (unless re-time only)
    the performer's dialogue model. A named model is resolved by ``check_references``.

    Raises:
        ModelMissingError: none trained yet; the message says how to train one.
    """
    model_kind = MODEL_KIND.get(kind)
    if model_kind is None or kind == "background" or params.get("model") is not None:
        return
    if kind == "dialogue" and params.get("retime_only") is True:
        return
    performer = str(params.get("performer")) if model_kind in PERFORMER_MODELS else None
    if newest_model(ws, project, model_kind, performer) is not None:
        return
    whose = f" for performer {performer!r}" if performer is not None else ""
    train = f"cutproof model train {model_kind}" + (f" --performer {performer}" if performer is not None else "")
    also = ", or ask for retime_only (no model needed)" if kind == "dialogue" else ""
    raise ModelMissingError(
        f"no {model_kind} model{whose} in project {project!r} yet: train one from the project's dailies (`{train} "
        f"--clips …`, or POST /trainings with kind {model_kind!r}) and submit again{also}; nothing was recorded"
    )


def project_clip(ws: Workspace, project: str, ref: str) -> Clip:
    """The catalogue clip ``ref`` of ``project`` (hash, file name or scene/shot/take, looked up in the project only).

    Raises:
        ReferenceNotFoundError: no clip of this project matches, or several do.
    """
    try:
        return Catalogue(ws.engine).get(str(ref), project=project)
    except ClipNotFoundError as exc:
        raise ReferenceNotFoundError(str(exc)) from None


def project_clips(ws: Workspace, project: str | None) -> list[Clip]:
    """Every catalogue clip of ``project`` (None: those catalogued without a project), never another project's:
    the dailies a relight searches for its reference's original."""
    return [c for c in Catalogue(ws.engine).list(project) if c.project == project]


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
