"""Training the per-shot background refiner from catalogued clips, recorded in a training manifest.

For each input clip (and frame range): estimate the clean plate from those frames, matte a few evenly spaced
frames twice — with the edit's settings (the refiner's input) and with the heavier pseudo-label settings (its
target) — and train the tiny CNN of :mod:`editor.background.refiner` on all of them. The manifest lists every
clip's content hash and frame range, the code version, every hyper-parameter and the seed; its hash is the model
id, and the model file is the refiner's weights in the registry's envelope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from editor.background.errors import BackgroundError
from editor.background.matte import matte_frame
from editor.background.pipeline import BackgroundParams
from editor.background.plate import estimate_plate
from editor.background.refiner import FORMAT, RefinerConfig, RefinerNet, dump_refiner, load_refiner, train_refiner
from editor.dailies import content_hash
from editor.errors import ModelMismatchError, TrainingError
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import ModelRegistry, pack_model
from media import iter_frames, probe, sample_indices

KIND = "background"


@dataclass(frozen=True)
class TrainingClip:
    """One input: a clip file, the content hash it must have, and the frames ``start`` ≤ i < ``end`` to use."""

    path: Path
    content_hash: str
    start: int = 0
    end: int | None = None


def _flat(prefix: str, d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(f"{prefix}{k}.", v))
        else:
            out[f"{prefix}{k}"] = v
    return out


def train_background(
    clips: Sequence[TrainingClip],
    *,
    params: BackgroundParams | None = None,
    config: RefinerConfig | None = None,
    frames_per_clip: int = 8,
    progress: Callable[[int, int, float], None] | None = None,
) -> tuple[TrainingManifest, bytes, dict[str, float]]:
    """Train a background refiner on ``clips``.

    Returns:
        The training manifest (its ``model_id`` names the model), the model file bytes, and training metrics.

    Raises:
        TrainingError: No clips, a clip's bytes do not match its content hash, or a frame range is bad.
        MediaError: A clip cannot be read.
    """
    if not clips:
        raise TrainingError("background training needs at least one clip (--clips)")
    if not 1 <= frames_per_clip <= 64:
        raise TrainingError(f"frames per clip must be 1–64, got {frames_per_clip}")
    params = params or BackgroundParams()
    config = config or RefinerConfig()
    inputs, frames, p_in, targets, bands, keyer_err = [], [], [], [], [], []
    for clip in clips:
        if content_hash(clip.path) != clip.content_hash:
            raise TrainingError(
                f"{clip.path.name} changed since it was catalogued (content hash differs); re-ingest it"
            )
        info = probe(clip.path)
        end = info.frame_count if clip.end is None else clip.end
        if not 0 <= clip.start < end <= info.frame_count:
            raise TrainingError(f"frames {clip.start}–{end} are outside {clip.path.name} (0–{info.frame_count})")
        plate_idx = sample_indices(info.frame_count, params.plate_samples, start=clip.start, end=end)
        plate_frames = [a for _, a in iter_frames(info, indices=plate_idx, fmt="rgb24")]
        plate = estimate_plate(plate_frames, max_samples=params.plate_samples)  # type: ignore[arg-type]
        resolved = params.resolved(plate)
        idx = sample_indices(info.frame_count, frames_per_clip, start=clip.start, end=end)
        for _, arr in iter_frames(info, indices=idx, fmt="float"):
            f = np.asarray(arr, np.float32)
            light = matte_frame(f, plate, resolved.matte)
            heavy = matte_frame(f, plate, resolved.pseudo_label_matte())
            frames.append(f)
            p_in.append(light.p)
            targets.append(heavy.alpha)
            bands.append(light.unknown)
            if light.unknown.any():
                keyer_err.append(float(np.abs(light.alpha - heavy.alpha)[light.unknown].mean()))
        inputs.append(TrainingInput(clip.content_hash, clip.start, end, info.frame_rate))
    hyper = {
        **_flat("params.", params.as_dict()),
        **_flat("refiner.", {k: v for k, v in config.as_dict().items() if k != "seed"}),
        "frames_per_clip": frames_per_clip,
        "format": FORMAT,
    }
    manifest = TrainingManifest(KIND, tuple(inputs), code_version(), hyper, {"refiner": config.seed})
    try:
        net, metrics = train_refiner(frames, p_in, targets, bands, config, progress=progress)
    except BackgroundError as exc:
        raise TrainingError(str(exc)) from None
    # What the edit would use without the refiner, against the same pseudo-labels.
    metrics["band_mad_keyer_x1e3"] = round(float(np.mean(keyer_err)) * 1e3, 3) if keyer_err else 0.0
    model_file = pack_model(manifest.model_id, KIND, FORMAT, dump_refiner(net))
    return manifest, model_file, metrics


def load_background_model(registry: ModelRegistry, ref: str) -> tuple[str, str, RefinerNet]:
    """Load a registered background model as ``(model id, model file hash, network)``.

    Raises:
        ModelNotFoundError: No such model.
        ModelMismatchError: The model is not a background model, or its file does not match its manifest.
    """
    record, model_file = registry.load(ref)
    if record.kind != KIND or model_file.format != FORMAT:
        raise ModelMismatchError(
            f"model {record.model_id[:12]} is a {record.kind} model ({model_file.format}); "
            "background replacement needs one trained with `cutproof model train background`"
        )
    try:
        net = load_refiner(model_file.payload)
    except BackgroundError as exc:
        raise ModelMismatchError(str(exc)) from None
    return record.model_id, record.model_file_hash, net
