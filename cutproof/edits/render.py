"""From an approved edit submission to the editor call that renders it.

Each edit kind maps to one editor entry point. The parameters a submission may carry per kind, and what each
means, are ``cutproof.edits.params``' (checked by the gate before anything is recorded, and read here typed):
``background`` (the new plate, a clean plate, a refiner model, despill), ``eyeline`` (performer, shift, model),
``relight`` (a reference shot and its ungraded original, a reference patch, the adjustments, feather, model; the
submission's ``region`` limits the change) and ``dialogue`` (performer, the new line's audio, re-time only, replace
pauses, model). A model left out is the project's newest of the kind (for eyeline and dialogue: the performer's).
A relight toward a reference with neither its original nor a patch is offered the project's catalogue, to search
for the reference's ungraded original where the shot's own frames do not correspond to it (``editor.lighting.search``).

Kinds whose engine is not part of this build are refused at submission time (nothing is recorded).

A render runs in one piece in the job's own process, or in segments (``Segmented``: ``workers`` local processes,
or an ``executor`` such as the Ray engine's): the editor cuts the video where its codec allows, renders the
segments on those workers and joins them without re-encoding, with the output of one pass (``editor.segmented``).
Either way the render reports its progress — the fraction of the clip's frames written, as the frames are written
or as segments complete — to the job's ``progress`` (``media.Progress``; called in the job's process only).

A render is told what the gate decided on (``GateFacts``: the performers and the cast model it identified them
with). The eyeline and dialogue edits find their performer's face with that same cast model, refuse a performer
the gate did not decide on, and every result lists exactly the gate's performers (``EditResult.performers``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cutproof.core.errors import CutproofError
from cutproof.core.projects import Project
from cutproof.core.workspace import Workspace
from cutproof.edits.params import BackgroundParams, DialogueParams, EyelineParams, RelightParams
from cutproof.edits.references import (
    newest_model,
    project_clip,
    project_clips,
    project_media,
    project_model,
    project_upload,
)
from cutproof.edits.segmented import ONE_PIECE, Segmented
from editor import Clip, EditResult, ModelRegistry
from media import plan_encode

Progress = Callable[[float], None]


class RenderParameterError(CutproofError):
    """An edit's parameters are missing or wrong for its kind."""


@dataclass(frozen=True)
class GateFacts:
    """What the gate decided an edit on: every performer it decided on (declared and detected) and the cast model
    that identified the detected ones (None when the project had none)."""

    performers: tuple[str, ...]
    cast_model: str | None

    @classmethod
    def from_entry(cls, request: dict[str, Any]) -> GateFacts:
        """From the ``request`` of a ``policy.decided/1`` ledger entry."""
        people = set(request.get("declared") or []) | set(request.get("detected") or [])
        return cls(tuple(sorted(people)), request.get("cast_model"))

    def check_performer(self, performer: str) -> None:
        """Raise ``RenderParameterError`` unless the gate decided on ``performer``."""
        if performer not in self.performers:
            decided = ", ".join(self.performers) or "nobody"
            raise RenderParameterError(
                f"the gate decided this edit on {decided}, not on performer {performer!r}; submit the edit again "
                "naming them, so their consent is checked"
            )

    def cast(self, ws: Workspace, project: Project) -> Any:
        """The cast model the gate used (the project's latest when the gate used none)."""
        from cutproof.cast.project import load_cast, project_cast

        found = load_cast(ws, self.cast_model) if self.cast_model else project_cast(ws, project)
        return found.model if found is not None else None


Renderer = Callable[[Workspace, Project, Clip, Any, Path, Progress, GateFacts | None, Segmented], EditResult]


def _source_suffix(clip: Clip) -> str:
    """The render's container: the encode policy's first choice for the source (MOV for ProRes, DNxHR and MOV
    sources, MP4 otherwise)."""
    return plan_encode(clip.info).default_suffix


def _resolve_media(ws: Workspace, project: Project, ref: str) -> Path:
    """A catalogue clip ref of the project, or ``blob:<sha256>`` of an upload to it."""
    return project_media(ws, project.slug, ref)


def _background(
    ws: Workspace,
    project: Project,
    clip: Clip,
    submission: Any,
    work: Path,
    progress: Progress,
    gate: GateFacts | None,
    segmented: Segmented = ONE_PIECE,
) -> EditResult:
    from editor.background import BackgroundParams as EditorBackgroundParams
    from editor.background import load_background_model
    from editor.background.edit import load_plate, replace_background

    p = BackgroundParams.parse(submission.params)
    plate = load_plate(_resolve_media(ws, project, p.plate), frame=p.plate_frame)
    clean = _resolve_media(ws, project, p.clean_plate) if p.clean_plate else None
    refiner = None
    if p.model:
        record = project_model(ws, project.slug, p.model, "background")
        refiner = load_background_model(ModelRegistry(ws.engine, ws.blobs), record.model_id)
    progress(0.0)
    result = replace_background(
        clip.path,
        plate,
        work / f"render{_source_suffix(clip)}",
        params=EditorBackgroundParams(despill=p.despill),
        clean_plate=clean,
        refiner=refiner,
        start=submission.start,
        end=submission.end,
        **segmented.kwargs(),
        progress=progress,
    )
    return result


def _eyeline(
    ws: Workspace,
    project: Project,
    clip: Clip,
    submission: Any,
    work: Path,
    progress: Progress,
    gate: GateFacts | None,
    segmented: Segmented = ONE_PIECE,
) -> EditResult:
    from cutproof.edits.eyeline import eyeline_edit

    p = EyelineParams.parse(submission.params)
    if gate is not None:
        gate.check_performer(p.performer)
    progress(0.0)
    result = eyeline_edit(
        ws,
        project,
        clip,
        work / f"render{_source_suffix(clip)}",
        performer=p.performer,
        shift=(p.shift[0], p.shift[1]),
        start=submission.start,
        end=submission.end,
        model=p.model,
        cast_model=gate.cast_model if gate is not None else None,
        **segmented.kwargs(),
        progress=progress,
    )
    return result


def _relight(
    ws: Workspace,
    project: Project,
    clip: Clip,
    submission: Any,
    work: Path,
    progress: Progress,
    gate: GateFacts | None,
    segmented: Segmented = ONE_PIECE,
) -> EditResult:
    from editor.layout_prints import LayoutPrints
    from editor.lighting import Adjustments, Shot, load_model, relight
    from editor.lighting.search import Dailies
    from media import Region

    p = RelightParams.parse(submission.params)
    registry = ModelRegistry(ws.engine, ws.blobs)
    ref = p.model
    if ref is None:
        newest = newest_model(ws, project.slug, "lighting")
        if newest is None:
            raise RenderParameterError(
                "no lighting model in this project; train one with `cutproof model train lighting --clips …`"
            )
        ref = newest.model_id
    model = load_model(registry, project_model(ws, project.slug, ref, "lighting").model_id)
    args: dict[str, Any] = {"adjustments": Adjustments(**p.adjustments())}
    for key in ("reference", "reference_original"):
        if (sf := p.shot_frame(key)) is not None:
            r = project_clip(ws, project.slug, sf.shot)
            args[key] = Shot(r.info, r.content_hash)
            if sf.frame is not None:
                args[f"{key}_frame"] = sf.frame
    if p.reference is not None and p.reference_original is None and p.reference_region is None:
        clips = [Shot(c.info, c.content_hash) for c in project_clips(ws, project.slug)]
        args["dailies"] = Dailies(clips, LayoutPrints(ws.engine))
    if submission.region:
        args["region"] = Region.parse(submission.region)
    if p.reference_region:
        args["reference_region"] = Region.parse(p.reference_region)
    if p.feather is not None:
        args["feather"] = p.feather
    progress(0.0)
    result, _plan = relight(
        Shot(clip.info, clip.content_hash),
        model,
        work / f"render{_source_suffix(clip)}",
        start=submission.start or 0,
        end=submission.end,
        **args,
        **segmented.kwargs(),
        progress=progress,
    )
    return result


def _dialogue_model(ws: Workspace, project: Project, ref: str | None, performer: str) -> tuple[Any, Any] | None:
    from editor.dialogue import load_dialogue

    registry = ModelRegistry(ws.engine, ws.blobs)
    if ref is None:
        newest = newest_model(ws, project.slug, "dialogue", performer)
        if newest is None:
            return None
        ref = newest.model_id
    record, model_file = registry.load(project_model(ws, project.slug, ref, "dialogue").model_id)
    return (record.model_id, record.model_file_hash), load_dialogue(model_file)


def _dialogue(
    ws: Workspace,
    project: Project,
    clip: Clip,
    submission: Any,
    work: Path,
    progress: Progress,
    gate: GateFacts | None,
    segmented: Segmented = ONE_PIECE,
) -> EditResult:
    from editor.dialogue import dub, retime

    p = DialogueParams.parse(submission.params)
    performer = p.performer
    audio = project_upload(ws, project.slug, p.audio)
    if gate is not None:
        gate.check_performer(performer)
    cast = (gate or GateFacts((), None)).cast(ws, project)
    loaded = _dialogue_model(ws, project, p.model, performer)
    out = work / f"render{_source_suffix(clip)}"
    progress(0.0)
    if p.retime_only:
        ref, model = loaded if loaded is not None else (None, None)
        result = retime(
            clip.path,
            audio,
            out,
            performer=performer,
            model=model,
            cast=cast,
            model_ref=ref,
            start=submission.start,
            end=submission.end,
            **segmented.kwargs(),
            progress=progress,
        )
    else:
        if loaded is None:
            raise RenderParameterError(
                f"no dialogue model for performer {performer!r} in this project; train one or ask for retime_only"
            )
        ref, model = loaded
        result = dub(
            clip.path,
            model,
            audio,
            out,
            performer=performer,
            cast=cast,
            model_ref=ref,
            start=submission.start,
            end=submission.end,
            keep_pauses=not p.replace_pauses,
            **segmented.kwargs(),
            progress=progress,
        )
    return result


RENDERERS: dict[str, Renderer] = {
    "background": _background,
    "dialogue": _dialogue,
    "eyeline": _eyeline,
    "relight": _relight,
}


def supported_kinds() -> list[str]:
    return sorted(RENDERERS)


def check_supported(kind: str) -> None:
    """Raise if this build cannot render ``kind``."""
    if kind not in RENDERERS:
        raise RenderParameterError(
            f"edit kind {kind!r} cannot be rendered by this build (available: {', '.join(supported_kinds())})"
        )


def render_edit(
    ws: Workspace,
    project: Project,
    clip: Clip,
    submission: Any,
    work: Path,
    progress: Progress,
    gate: GateFacts | None = None,
    segmented: Segmented = ONE_PIECE,
) -> EditResult:
    """Render ``submission`` on ``clip`` into ``work`` with the project's models (in segments as ``segmented``
    says: the same output); with ``gate``, the result lists the performers the gate decided on, and a performer
    edit must be one of them."""
    check_supported(submission.kind)
    result = RENDERERS[submission.kind](ws, project, clip, submission, work, progress, gate, segmented)
    return replace(result, performers=gate.performers) if gate is not None else result
