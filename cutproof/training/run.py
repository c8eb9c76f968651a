"""Training the project's models — one path for the CLI, the API (as a durable job) and the demo.

A ``TrainingSpec`` says what to train from which dailies. ``prepare`` checks it against the project (clips in the
project's catalogue, frame ranges inside them, performers registered, faces present or tagged) and writes
nothing; ``run`` has the editor train the model; ``record_model`` appends ``model.trained/1`` to the project's
log and then registers the model (ledger first: a registered model always has its entry). ``train_model`` is
the three in a row (CLI, demo); ``cutproof.training.jobs`` runs the same three as resumable job steps (API).

Clip references are catalogue references (content-hash prefix, file name or ``scene/shot/take``), optionally
with a frame range ``REF@START:END``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cutproof.core import recorded
from cutproof.core.errors import CutproofError
from cutproof.core.projects import Project, project_log
from cutproof.core.workspace import Workspace
from cutproof.training.specs import (
    KINDS,
    SPEC,
    AnySpec,
    BackgroundSpec,
    CastSpec,
    DialogueSpec,
    EyelineSpec,
    LightingSpec,
    TrainingSpec,
)
from editor import Catalogue, Clip, ModelRecord, ModelRegistry, TrainingManifest
from editor.dailies import content_hash
from editor.errors import ClipNotFoundError, ModelNotFoundError
from ledger import Log
from records import ModelTrained, TrainingManifestFacts

__all__ = [
    "KINDS",
    "MODEL_TRAINED",
    "SPEC",
    "AnySpec",
    "BackgroundSpec",
    "CastSpec",
    "DialogueSpec",
    "EyelineSpec",
    "LightingSpec",
    "PreparedTraining",
    "TrainedModel",
    "TrainingSetupError",
    "TrainingSpec",
    "prepare",
    "record_model",
    "run",
    "train_model",
]

MODEL_TRAINED = ModelTrained.KIND
Progress = Callable[[int, int, str], None]
"""``(done, total, what)`` — called as training advances."""


class TrainingSetupError(CutproofError):
    """The training request does not fit the project's dailies (nothing was written)."""


@dataclass(frozen=True)
class PreparedTraining:
    """A spec checked against the project: its clips resolved (the spec's refs are now full content hashes)."""

    spec: AnySpec
    project: Project | None
    inputs: tuple[tuple[Clip, int, int | None], ...]


@dataclass(frozen=True)
class TrainedModel:
    """What training produced, not yet recorded: the manifest (its hash is the model id), file and metrics."""

    manifest: TrainingManifest
    model_file: bytes
    metrics: dict[str, Any]

    @property
    def model_id(self) -> str:
        return self.manifest.model_id

    @property
    def file_hash(self) -> str:
        return hashlib.sha256(self.model_file).hexdigest()


# --- prepare ---------------------------------------------------------------------------------------------------
def _split_range(ref: str) -> tuple[str, int, int | None]:
    name, sep, rng = ref.partition("@")
    if not sep:
        return ref.strip(), 0, None
    try:
        a, b = rng.split(":")
        return name.strip(), int(a or 0), (int(b) if b else None)
    except ValueError:
        raise TrainingSetupError(f"frame range in {ref!r} must be START:END (e.g. clip@0:240)") from None


def _resolve(catalogue: Catalogue, ref: str, slug: str | None, *, verify: bool) -> Clip:
    clip = catalogue.get(ref, project=slug)
    if not clip.path.is_file():
        raise ClipNotFoundError(f"{ref!r} is catalogued at {clip.path}, which no longer exists; re-ingest it")
    if verify and content_hash(clip.path) != clip.content_hash:
        raise ClipNotFoundError(f"{clip.path.name} changed since it was catalogued; re-ingest it")
    return clip


def _ranged(catalogue: Catalogue, ref: str, slug: str | None, verify: bool) -> tuple[Clip, int, int | None]:
    name, start, end = _split_range(ref)
    clip = _resolve(catalogue, name, slug, verify=verify)
    n = clip.info.frame_count
    if not (0 <= start < (n if end is None else end) <= n):
        raise TrainingSetupError(f"frames {start}–{end if end is not None else n} are outside {clip.path.name} (0–{n})")
    return clip, start, end


def _ref(clip: Clip, start: int, end: int | None) -> str:
    return (
        clip.content_hash if (start, end) == (0, None) else f"{clip.content_hash}@{start}:{'' if end is None else end}"
    )


def _has_face(clip: Clip) -> bool:
    from editor.cast import detect_faces
    from media import read_frame

    n = clip.info.frame_count
    return any(detect_faces(read_frame(clip.info, i, "rgb24"), i) for i in sorted({n // 2, n // 4, (3 * n) // 4}))


def _performer_known(ws: Workspace, project: Project, performer: str) -> None:
    from consent import ConsentRegistry

    registry = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project), project=project.slug)
    if performer not in {p.performer_id for p in registry.performers()}:
        raise TrainingSetupError(
            f"performer {performer!r} is not registered in project {project.slug!r}; register them first "
            "(`cutproof performer add`, or POST /performers)"
        )


def prepare(ws: Workspace, project: Project | None, spec: AnySpec, *, verify_content: bool = False) -> PreparedTraining:
    """Check ``spec`` against the project's dailies and registry; nothing is written.

    Args:
        verify_content: also re-hash every clip (the job does; the API request only checks the files exist).

    Raises:
        TrainingSetupError: a frame range, performer or the dailies do not allow this kind of model.
        ClipNotFoundError: a clip is not in the project's catalogue, or its file is gone or changed.
    """
    slug = project.slug if project else None
    cat = Catalogue(ws.engine)
    if isinstance(spec, CastSpec):
        return PreparedTraining(
            spec, _need(project, "cast"), _cast_inputs(ws, _need(project, "cast"), cat, verify_content)
        )
    if isinstance(spec, LightingSpec | BackgroundSpec):
        inputs = [_ranged(cat, r, slug, verify_content) for r in spec.clips]
        pairs: list[tuple[str, str]] = []
        for orig, graded in spec.pairs if isinstance(spec, LightingSpec) else []:
            o, g = (_resolve(cat, r, slug, verify=verify_content) for r in (orig, graded))
            if o.content_hash == g.content_hash:
                raise TrainingSetupError(f"pair {orig}={graded}: a pair is two different clips (original, graded)")
            if o.info.frame_count != g.info.frame_count:
                raise TrainingSetupError(
                    f"pair {orig}={graded}: the clips have different frame counts; pairs must be the same take"
                )
            inputs += [(o, 0, None), (g, 0, None)]
            pairs.append((o.content_hash, g.content_hash))
        refs = [_ref(*i) for i in inputs[: len(spec.clips)]]
        update: dict[str, Any] = {"clips": refs} | ({"pairs": pairs} if isinstance(spec, LightingSpec) else {})
        return PreparedTraining(spec.model_copy(update=update), project, tuple(inputs))
    # dialogue, eyeline: a performer's own takes
    proj = _need(project, spec.kind)
    _performer_known(ws, proj, spec.performer)
    clips = [_resolve(cat, r, slug, verify=verify_content) for r in spec.clips]
    if len({c.content_hash for c in clips}) != len(clips):
        raise TrainingSetupError("the same take was given twice; give each take once")
    for c in clips:
        if isinstance(spec, DialogueSpec) and not c.info.audio:
            raise TrainingSetupError(f"{c.path.name} has no audio; a dialogue model learns from sync takes")
        if not _has_face(c):
            raise TrainingSetupError(
                f"no face found in {c.path.name}; a {spec.kind} model learns from the performer's face — "
                "give takes where the performer faces the camera"
            )
    spec = spec.model_copy(update={"clips": [c.content_hash for c in clips]})
    return PreparedTraining(spec, proj, tuple((c, 0, None) for c in clips))


def _need(project: Project | None, kind: str) -> Project:
    if project is None:
        raise TrainingSetupError(f"a {kind} model belongs to a project; create one or pass --project")
    return project


def _cast_inputs(ws: Workspace, project: Project, cat: Catalogue, verify: bool) -> tuple[tuple[Clip, int, None], ...]:
    from editor.cast import CastTags

    tags = CastTags(ws.engine).list(project.slug)
    if not tags:
        raise TrainingSetupError(
            f"no faces are tagged in project {project.slug!r}, so there is nothing to learn a cast model from; tag "
            "one frame per performer (`cutproof cast tag`, or POST /cast-tags)"
        )
    out = []
    for h in sorted({t.clip_hash for t in tags}):
        if cat.find(h) is None:
            raise TrainingSetupError(f"tagged clip {h[:12]} is not in the catalogue; ingest it or remove its tags")
        out.append((_resolve(cat, h, project.slug, verify=verify), 0, None))
    return tuple(out)


# --- run -------------------------------------------------------------------------------------------------------
def run(ws: Workspace, prepared: PreparedTraining, *, progress: Progress | None = None) -> TrainedModel:
    """Train the prepared model (nothing is recorded; see ``record_model``).

    Raises:
        EditorError: the engine refused the inputs (e.g. too few training pairs, a take without a face).
        TrainingInterrupted: Ctrl-C during lighting training (a checkpoint was saved; the same spec resumes).
    """
    report = progress or (lambda _d, _t, _w: None)
    spec = prepared.spec
    if isinstance(spec, LightingSpec):
        return _lighting(ws, prepared, spec, report)
    if isinstance(spec, BackgroundSpec):
        return _background(prepared, spec, report)
    if isinstance(spec, DialogueSpec):
        from cutproof.cast.project import project_cast
        from editor.dialogue import train_dialogue

        assert prepared.project is not None
        cast = project_cast(ws, prepared.project)
        report(0, 1, f"dialogue model for {spec.performer}: mouth bank + sync scorer")
        manifest, model_file, model = train_dialogue(
            [c.path for c, _s, _e in prepared.inputs],
            spec.performer,
            steps=spec.steps,
            seed=spec.seed,
            cast=cast.model if cast else None,
        )
        report(1, 1, "dialogue model trained")
        return TrainedModel(manifest, model_file, dict(model.metrics))
    if isinstance(spec, EyelineSpec):
        from cutproof.cast.project import project_cast
        from editor.eyeline import EyelineConfig, train_eyeline

        assert prepared.project is not None
        cast = project_cast(ws, prepared.project)
        report(0, 1, f"eyeline model for {spec.performer}")
        config = EyelineConfig(samples=spec.samples)
        t = train_eyeline(
            [c.info for c, _s, _e in prepared.inputs], spec.performer, cast=cast.model if cast else None, config=config
        )
        report(1, 1, "eyeline model trained")
        return TrainedModel(t.manifest, t.model_file, t.metrics)
    from editor.cast import CastTags, train_cast

    assert prepared.project is not None
    tags = CastTags(ws.engine).list(prepared.project.slug)
    report(0, 1, f"cast model from {len(tags)} face tags")
    trained = train_cast({c.content_hash: c.info for c, _s, _e in prepared.inputs}, tags, samples=spec.samples)
    report(1, 1, "cast model trained")
    return TrainedModel(trained.manifest, trained.model_file, trained.metrics)


def _lighting(ws: Workspace, prepared: PreparedTraining, spec: LightingSpec, report: Progress) -> TrainedModel:
    from editor.lighting import LightingConfig, TrainingClip, train_lighting

    uniq = {(c.content_hash, s, e): c for c, s, e in prepared.inputs}
    keys = list(uniq)
    clips = [TrainingClip(uniq[k].info, k[0], k[1], k[2]) for k in keys]
    first = {h: next(i for i, k in enumerate(keys) if k[0] == h) for h, _s, _e in keys}
    pairs = [(first[o], first[g]) for o, g in spec.pairs]
    trained = train_lighting(
        clips,
        config=LightingConfig(steps=spec.steps, seed=spec.seed),
        pairs=pairs,
        checkpoint_dir=ws.home / "checkpoints",
        progress=False,
        on_step=lambda i: report(i, spec.steps, "training lighting model"),
    )
    report(spec.steps, spec.steps, "lighting model trained")
    return TrainedModel(trained.manifest, trained.model_file, dict(trained.metrics))


def _background(prepared: PreparedTraining, spec: BackgroundSpec, report: Progress) -> TrainedModel:
    from editor.background import RefinerConfig, TrainingClip, train_background

    inputs = [TrainingClip(c.path, c.content_hash, s, e) for c, s, e in prepared.inputs]
    manifest, model_file, metrics = train_background(
        inputs,
        config=RefinerConfig(steps=spec.steps, seed=spec.seed),
        frames_per_clip=spec.sample_frames,
        progress=lambda i, n, loss: report(i, n, f"training background refiner (loss {loss:.4f})"),
    )
    return TrainedModel(manifest, model_file, dict(metrics))


# --- record ----------------------------------------------------------------------------------------------------
def trained_record(trained: TrainedModel) -> ModelTrained:
    """The ``model.trained/1`` record of a model (ids and hashes only; the full training manifest)."""
    return ModelTrained(
        model_id=trained.model_id,
        model_kind=trained.manifest.model_kind,  # type: ignore[arg-type]  # checked by the manifest
        model_file_hash=trained.file_hash,
        training_manifest=TrainingManifestFacts.model_validate(trained.manifest.as_json()),
    )


def append_trained_entry(log: Log, trained: TrainedModel, *, identity: str, search_from: int | None = None) -> int:
    """Append ``model.trained/1``; with ``search_from``, first look for it in entries from there on (a resumed
    job whose earlier attempt got it in) so it is never appended twice. Returns the entry's index."""
    if search_from is not None:
        for found in recorded.scan(log, search_from):
            if isinstance(found.record, ModelTrained) and found.record.model_id == trained.model_id:
                return found.index
    return log.append([trained_record(trained).entry()], identity=identity)[0].index


def register_trained(ws: Workspace, project: Project | None, trained: TrainedModel) -> ModelRecord:
    """Store the model file and register it under the project (idempotent)."""
    return ModelRegistry(ws.engine, ws.blobs).register(
        trained.manifest, trained.model_file, metrics=trained.metrics, project=project.slug if project else None
    )


def registered(ws: Workspace, model_id: str) -> ModelRecord | None:
    """The registered model with this id, or None."""
    try:
        return ModelRegistry(ws.engine, ws.blobs).get(model_id)
    except ModelNotFoundError:
        return None


def record_model(ws: Workspace, project: Project | None, trained: TrainedModel, *, identity: str) -> ModelRecord:
    """Append ``model.trained/1`` to the project's log (when there is a project), then register the model.

    A model already registered (the same manifest trained again) is returned as it is: it was recorded then.
    """
    existing = registered(ws, trained.model_id)
    if existing is not None:
        return existing
    if project is not None:
        append_trained_entry(project_log(ws, project), trained, identity=identity)
    return register_trained(ws, project, trained)


def train_model(
    ws: Workspace, project: Project | None, spec: AnySpec, *, identity: str, progress: Progress | None = None
) -> ModelRecord:
    """Prepare, train and record in one go (the CLI and the demo; the API runs the same as a job).

    Raises:
        TrainingSetupError, ClipNotFoundError: the spec does not fit the project (nothing written).
        EditorError: the engine refused the inputs (nothing written).
    """
    prepared = prepare(ws, project, spec, verify_content=True)
    return record_model(ws, prepared.project, run(ws, prepared, progress=progress), identity=identity)
