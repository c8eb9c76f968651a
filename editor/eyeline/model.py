"""Training a performer's eyeline model from the dailies, and its model file.

Pairs: two sampled frames of the same clip (same set-up and light), same eye; the target shift is the difference
of their gazes, each gaze the mean of both eyes' estimates under the stated eye model (``_eyes``). A further 15 %
of each batch are identity pairs (shift 0 → the patch itself), which keeps a zero request a no-op. Loss: L1
between the warped source patch and the real target patch, plus a small total-variation term on the flow.
Held-out: the last 20 % of each clip's sampled frames never train; their pairs give the reported error.
The shift range a model accepts is the 80th percentile of the training pairs' gaze differences per axis, clipped
to 2°–10° (iris estimates on small eyes are noisy, so larger spreads are not trusted).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from editor.cast import CastModel
from editor.dailies import content_hash
from editor.eyeline._data import EyeSample, eye_samples, observe
from editor.eyeline._eyes import PATCH_H, PATCH_W, EyeGeometry, learn_geometry
from editor.eyeline._net import WarpNet, landmark_channels, warp
from editor.eyeline.errors import EyelineModelError
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import pack_model
from media import MediaInfo

KIND = "eyeline"
FORMAT = "eyeline-torch/1"
MAX_SHIFT_DEG = 10.0
MIN_RANGE_DEG = 2.0


@dataclass(frozen=True)
class EyelineConfig:
    """Training settings (all recorded in the manifest)."""

    samples: int = 40
    steps: int = 400
    batch: int = 16
    lr: float = 2e-3
    seed: int = 0
    tv_weight: float = 0.02


@dataclass
class EyelineModel:
    """A performer's eye geometry, gaze range seen in training and warp network."""

    performer: str
    geometry: EyeGeometry
    shift_range: tuple[float, float]
    net: WarpNet

    def to_bytes(self) -> bytes:
        meta = {"performer": self.performer, "geometry": self.geometry.as_json(), "shift_range": list(self.shift_range)}
        buf = io.BytesIO()
        state = {k: v for k, v in self.net.state_dict().items()}
        state["__meta__"] = torch.frombuffer(bytearray(json.dumps(meta, sort_keys=True).encode()), dtype=torch.uint8)
        torch.save(state, buf)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> EyelineModel:
        """Parse a model payload.

        Raises:
            EyelineModelError: not an eyeline model payload.
        """
        try:
            state = torch.load(io.BytesIO(payload), weights_only=True)
            meta = json.loads(bytes(state.pop("__meta__").numpy()).decode())
            net = WarpNet()
            net.load_state_dict(state)
            g = meta["geometry"]
            geom = EyeGeometry((tuple(g["centres"][0]), tuple(g["centres"][1])), tuple(g["size"]), int(g["detections"]))  # type: ignore[arg-type]
            rng = meta["shift_range"]
            return cls(str(meta["performer"]), geom, (float(rng[0]), float(rng[1])), net.eval())
        except Exception as exc:  # torch's unpickler raises many kinds on foreign bytes
            raise EyelineModelError(f"not an eyeline model payload: {exc}") from None


@dataclass(frozen=True)
class TrainedEyeline:
    model: EyelineModel
    manifest: TrainingManifest
    model_file: bytes
    metrics: dict[str, Any]


def _tensors(samples: list[EyeSample]) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    patches = torch.from_numpy(np.stack([s.patches for s in samples])).permute(0, 1, 4, 2, 3)  # N,2,3,H,W
    iris = torch.from_numpy(np.stack([s.iris for s in samples]))  # N,2,2
    g = np.stack([s.gaze for s in samples])  # N,2(eye),2(yaw,pitch) in patch frames
    phys = np.stack([(g[:, 0, 0] - g[:, 1, 0]) / 2, (g[:, 0, 1] + g[:, 1, 1]) / 2], 1)  # right eye mirrored back
    return patches, iris, phys


def _pairs(samples: list[EyeSample], idx: list[int]) -> np.ndarray:
    by_clip: dict[str, list[int]] = {}
    for i in idx:
        by_clip.setdefault(samples[i].clip, []).append(i)
    return np.array([(a, b) for ids in by_clip.values() for a in ids for b in ids if a != b], np.int64).reshape(-1, 2)


def _batch(patches, iris, phys, pairs, rows, identity: int):  # type: ignore[no-untyped-def]
    """Source/target patches, landmarks and network shifts for pair rows (both eyes), plus identity pairs."""
    a, b = pairs[rows, 0], pairs[rows, 1]
    delta = torch.from_numpy((phys[b] - phys[a]).astype(np.float32))
    src = torch.cat([patches[a, 0], patches[a, 1]])
    dst = torch.cat([patches[b, 0], patches[b, 1]])
    lm = torch.cat([iris[a, 0], iris[a, 1]])
    shift = torch.cat([delta, delta * torch.tensor([-1.0, 1.0])])
    if identity:
        same = torch.from_numpy(a[:identity])
        src = torch.cat([src, patches[same, 0]])
        dst = torch.cat([dst, patches[same, 0]])
        lm = torch.cat([lm, iris[same, 0]])
        shift = torch.cat([shift, torch.zeros(identity, 2)])
    return src, dst, landmark_channels(lm), shift


def apply_net(
    net: WarpNet, src: torch.Tensor, lm: torch.Tensor, shift: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    flow, light = net(src, lm, shift)
    return (warp(src, flow) * light).clamp(0, 1), flow, light


def train_eyeline(
    clips: Sequence[MediaInfo],
    performer: str,
    *,
    cast: CastModel | None = None,
    config: EyelineConfig | None = None,
) -> TrainedEyeline:
    """Train ``performer``'s eyeline model on their faces in ``clips``.

    Raises:
        NoFaceError / PerformerNotInShotError: a clip has no face, or not the performer's.
        EyelineModelError: too few frames to form training pairs.
    """
    cfg = config or EyelineConfig()
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    t0 = time.perf_counter()
    per_clip = [(content_hash(info.path), info, observe(info, performer, cast, samples=cfg.samples)) for info in clips]
    geometry = learn_geometry([(o.face, o.eyes) for _, _, obs in per_clip for o in obs])
    samples: list[EyeSample] = []
    train_idx: list[int] = []
    held_idx: list[int] = []
    for h, _info, obs in per_clip:
        batch = eye_samples(h, obs, geometry)
        cut = max(1, round(len(batch) * 0.8))
        train_idx += list(range(len(samples), len(samples) + cut))
        held_idx += list(range(len(samples) + cut, len(samples) + len(batch)))
        samples += batch
    patches, iris, phys = _tensors(samples)
    pairs, held_pairs = _pairs(samples, train_idx), _pairs(samples, held_idx)
    if len(pairs) < 8:
        raise EyelineModelError(f"only {len(pairs)} training pairs; give longer takes or more of them")
    spread = np.abs(phys[pairs[:, 1]] - phys[pairs[:, 0]])
    shift_range = tuple(float(np.clip(np.percentile(spread[:, k], 80), MIN_RANGE_DEG, MAX_SHIFT_DEG)) for k in (0, 1))
    net = WarpNet()
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    losses = []
    for _step in range(cfg.steps):
        rows = rng.integers(0, len(pairs), cfg.batch)
        src, dst, lm, shift = _batch(patches, iris, phys, pairs, rows, identity=max(1, cfg.batch // 6))
        out, flow, _ = apply_net(net, src, lm, shift)
        tv = (flow[:, :, 1:] - flow[:, :, :-1]).abs().mean() + (flow[:, :, :, 1:] - flow[:, :, :, :-1]).abs().mean()
        loss = (out - dst).abs().mean() + cfg.tv_weight * tv
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    net.eval()
    metrics: dict[str, Any] = {
        "train_pairs": len(pairs),
        "held_out_pairs": len(held_pairs),
        "final_loss": round(float(np.mean(losses[-20:])), 5),
        "shift_range_deg": [round(v, 3) for v in shift_range],
        "eye_detections": geometry.detections,
        "train_seconds": round(time.perf_counter() - t0, 2),
    }
    if len(held_pairs):
        with torch.no_grad():
            src, dst, lm, shift = _batch(patches, iris, phys, held_pairs, np.arange(len(held_pairs)), identity=0)
            out, _, _ = apply_net(net, src, lm, shift)
            metrics["held_out_l1_model"] = round(float((out - dst).abs().mean()), 5)
            metrics["held_out_l1_unchanged"] = round(float((src - dst).abs().mean()), 5)
    model = EyelineModel(performer, geometry, shift_range, net)  # type: ignore[arg-type]
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
            "steps": cfg.steps,
            "batch": cfg.batch,
            "lr": cfg.lr,
            "tv_weight": cfg.tv_weight,
            "patch": f"{PATCH_W}x{PATCH_H}",
            "eye_model": "eyeball 12 mm, fissure 28 mm",
        },
        seeds={"torch": cfg.seed, "pairs": cfg.seed},
    )
    return TrainedEyeline(model, manifest, pack_model(manifest.model_id, KIND, FORMAT, model.to_bytes()), metrics)
