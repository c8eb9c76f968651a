"""Training a performer's eyeline model from the dailies, and its model file.

The model is what the edit's iris warp (``editor.eyeline.iris``) needs to know about the performer, learnt from
their takes:

1. **Eye geometry** (``learn_geometry``): where the eyes sit in the performer's face box and how wide they are,
   the median over the observed frames' landmarks.
2. **Shift range**: how far the performer's gaze was seen to move, per axis: the 80th percentile of the gaze
   differences between pairs of observed frames of the same take (each gaze the mean of both eyes' estimates under
   the stated eye model, ``_eyes``), frames with the eyes shut left out (``blink``, ``_open``), clipped to 2°–10°
   (iris estimates on small eyes are noisy, so larger spreads are not trusted). The edit refuses a request beyond
   it.
3. **Held-out check**: the last 20 % of each take's observed frames are not used for 1–2. For their pairs, the
   first frame's eyes are warped by the pair's measured gaze difference; ``held_out_l1_model`` is their mean
   absolute error against the second frame's real eyes, next to ``held_out_l1_unchanged`` (the first frame as it
   is). Below it: moving the iris as the eye model says brings the eye closer to the real look.

Model file: JSON (``FORMAT``). A model trained before stop 47 (``eyeline-torch/1``: a warp network's weights with
this geometry and range) is still read for its geometry and range; its network is not used (``iris``: it had
learnt too little of the gaze to move it).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from editor.cast import CastModel
from editor.dailies import content_hash
from editor.eyeline._data import EyeSample, eye_samples, observe
from editor.eyeline._eyes import PATCH_H, PATCH_W, EyeGeometry, learn_geometry
from editor.eyeline.blink import hold, reference, sclera_contrast
from editor.eyeline.errors import EyelineModelError
from editor.eyeline.iris import FALLOFF, LIMBUS, iris_field
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import pack_model
from media import MediaInfo

KIND = "eyeline"
FORMAT = "eyeline-geometry/2"
MAX_SHIFT_DEG = 10.0
MIN_RANGE_DEG = 2.0


@dataclass(frozen=True)
class EyelineConfig:
    """Training settings (recorded in the manifest)."""

    samples: int = 40  # frames observed per take


@dataclass(frozen=True)
class EyelineModel:
    """A performer's eye geometry and the gaze range seen in their takes."""

    performer: str
    geometry: EyeGeometry
    shift_range: tuple[float, float]

    def to_bytes(self) -> bytes:
        meta = {
            "format": FORMAT,
            "performer": self.performer,
            "geometry": self.geometry.as_json(),
            "shift_range": list(self.shift_range),
        }
        return json.dumps(meta, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, payload: bytes) -> EyelineModel:
        """Parse a model payload (this format, or ``eyeline-torch/1``'s geometry and range).

        Raises:
            EyelineModelError: not an eyeline model payload.
        """
        try:
            meta = json.loads(payload) if payload[:1] == b"{" else _torch_meta(payload)
            if meta.get("format", "eyeline-torch/1") not in (FORMAT, "eyeline-torch/1"):
                raise ValueError(f"format {meta['format']!r}")
            g = meta["geometry"]
            centres = (tuple(map(float, g["centres"][0])), tuple(map(float, g["centres"][1])))
            geom = EyeGeometry(centres, tuple(map(float, g["size"])), int(g["detections"]))  # type: ignore[arg-type]
            rng = meta["shift_range"]
            return cls(str(meta["performer"]), geom, (float(rng[0]), float(rng[1])))
        except Exception as exc:  # json, torch's unpickler and the fields raise many kinds on foreign bytes
            raise EyelineModelError(
                f"not an eyeline model payload ({type(exc).__name__}); retrain with `cutproof model train eyeline`"
            ) from None


def _torch_meta(payload: bytes) -> dict[str, Any]:
    """The geometry and range of an ``eyeline-torch/1`` payload (a torch state dict; the weights are not used)."""
    import torch

    state = torch.load(io.BytesIO(payload), weights_only=True)
    return dict(json.loads(bytes(state["__meta__"].numpy()).decode()))


@dataclass(frozen=True)
class TrainedEyeline:
    model: EyelineModel
    manifest: TrainingManifest
    model_file: bytes
    metrics: dict[str, Any]


def _open(batch: list[EyeSample]) -> list[EyeSample]:
    """A take's samples whose eyes are open (``blink``: the hold the edit would give the frame is at least half):
    a shut eye has no iris to read a gaze from. Until stop 53 blinks were read too; the iris finder found the lashes'
    line there, and since stop 53 a dark corner of the patch, which put GRID's vertical range at the 10° cap."""
    contrasts = np.array([[sclera_contrast(p) for p in s.patches] for s in batch])
    ref = reference(contrasts)
    if ref is None:  # no white to see: blinks cannot be told
        return batch
    return [s for s, c in zip(batch, contrasts, strict=True) if hold((float(c[0]), float(c[1])), ref) >= 0.5]


def _gazes(samples: list[EyeSample]) -> np.ndarray:
    """Each sample's (yaw, pitch): the mean of both eyes' estimates (the right eye's cut is mirrored)."""
    g = np.stack([s.gaze for s in samples])  # N, eye, (yaw, pitch) in each patch's own frame
    return np.stack([(g[:, 0, 0] - g[:, 1, 0]) / 2, (g[:, 0, 1] + g[:, 1, 1]) / 2], 1)


def _pairs(samples: list[EyeSample], idx: list[int]) -> np.ndarray:
    by_clip: dict[str, list[int]] = {}
    for i in idx:
        by_clip.setdefault(samples[i].clip, []).append(i)
    return np.array([(a, b) for ids in by_clip.values() for a in ids for b in ids if a != b], np.int64).reshape(-1, 2)


def moved(patch: np.ndarray, shift_deg: tuple[float, float]) -> np.ndarray:
    """``patch`` (float RGB, image orientation) with its iris moved by ``shift_deg`` (``iris.iris_field``)."""
    field = iris_field(patch, shift_deg)
    h, w = patch.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(patch, xs + field[..., 0], ys + field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _held_out(samples: list[EyeSample], pairs: np.ndarray, gazes: np.ndarray) -> tuple[float, float]:
    """Step 3: the mean absolute error of the first frames' eyes, moved by each pair's measured gaze difference and
    as they are, against the second frames' eyes."""
    moved_err, as_is_err = [], []
    for a, b in pairs:
        yaw, pitch = gazes[b] - gazes[a]
        for k in (0, 1):  # the right eye's cut is mirrored: its yaw turns the other way in it
            src, dst = samples[a].patches[k], samples[b].patches[k]
            moved_err.append(float(np.abs(moved(src, (yaw if k == 0 else -yaw, pitch)) - dst).mean()))
            as_is_err.append(float(np.abs(src - dst).mean()))
    return float(np.mean(moved_err)), float(np.mean(as_is_err))


def train_eyeline(
    clips: Sequence[MediaInfo],
    performer: str,
    *,
    cast: CastModel | None = None,
    config: EyelineConfig | None = None,
) -> TrainedEyeline:
    """Learn ``performer``'s eye geometry and gaze range from their faces in ``clips``.

    Raises:
        NoFaceError / PerformerNotInShotError: a clip has no face, or not the performer's.
        EyelineModelError: too few frames to form pairs.
    """
    cfg = config or EyelineConfig()
    t0 = time.perf_counter()
    per_clip = [(content_hash(info.path), info, observe(info, performer, cast, samples=cfg.samples)) for info in clips]
    geometry = learn_geometry([(o.face, o.eyes) for _, _, obs in per_clip for o in obs])
    samples: list[EyeSample] = []
    train_idx: list[int] = []
    held_idx: list[int] = []
    for h, _info, obs in per_clip:
        batch = _open(eye_samples(h, obs, geometry))
        cut = max(1, round(len(batch) * 0.8))
        train_idx += list(range(len(samples), len(samples) + cut))
        held_idx += list(range(len(samples) + cut, len(samples) + len(batch)))
        samples += batch
    gazes = _gazes(samples)
    pairs, held_pairs = _pairs(samples, train_idx), _pairs(samples, held_idx)
    if len(pairs) < 8:
        raise EyelineModelError(f"only {len(pairs)} pairs of observed frames; give longer takes or more of them")
    spread = np.abs(gazes[pairs[:, 1]] - gazes[pairs[:, 0]])
    shift_range = tuple(float(np.clip(np.percentile(spread[:, k], 80), MIN_RANGE_DEG, MAX_SHIFT_DEG)) for k in (0, 1))
    metrics: dict[str, Any] = {
        "train_pairs": len(pairs),
        "held_out_pairs": len(held_pairs),
        "shift_range_deg": [round(v, 3) for v in shift_range],
        "eye_detections": geometry.detections,
    }
    if len(held_pairs):
        model_err, as_is_err = _held_out(samples, held_pairs, gazes)
        metrics["held_out_l1_model"] = round(model_err, 5)
        metrics["held_out_l1_unchanged"] = round(as_is_err, 5)
    metrics["train_seconds"] = round(time.perf_counter() - t0, 2)
    model = EyelineModel(performer, geometry, shift_range)  # type: ignore[arg-type]
    inputs = tuple(
        sorted(
            {
                TrainingInput(h, obs[0].frame, obs[-1].frame + 1, info.frame_rate, role="performer")
                for h, info, obs in per_clip
            },
            key=lambda i: (i.content_hash, i.start),
        )
    )
    manifest = TrainingManifest(
        model_kind=KIND,
        inputs=inputs,
        code_version=code_version(),
        hyperparameters={
            "performer": performer,
            "samples": cfg.samples,
            "patch": f"{PATCH_W}x{PATCH_H}",
            "eye_model": "eyeball 12 mm, fissure 28 mm",
            "warp": f"iris slide, radius {LIMBUS:.4f} of the patch, falloff {FALLOFF} radii",
        },
    )
    return TrainedEyeline(model, manifest, pack_model(manifest.model_id, KIND, FORMAT, model.to_bytes()), metrics)
