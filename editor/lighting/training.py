"""Training the project's lighting model on its own dailies: deterministic, checkpointed, interruptible, resumable.

Training data, per step, is a batch of triplets (shot frame, reference frame, target):

- **Real pairs** (camera original ↔ graded dailies of the same take, given as ``pairs``): input = original frame f,
  reference = graded frame g ≠ f, target = graded frame f.
- **Built pairs** (no graded dailies, e.g. the shared test footage): two random looks A, B (CDL + tone curve,
  ``grades.random_look``) are applied to the project's own frames: input = A(f), reference = B(g), target = B(f),
  with g another frame of any training clip — "the same scene under different set-ups". A is the identity for a
  third of the samples. Parametric adjustments are mixed into both reference and target, so the model learns to
  follow a target look however it was produced.

The network (``editor.lighting.model.GradeNet``) predicts the parameters of a smooth grade
(``editor.lighting.smooth``); the loss is the Charbonnier distance between the input graded by that prediction and
the target, plus the grade's smoothness regulariser. A prediction can only ever be a smooth, monotone grade.

Frames are sub-sampled: ``frames_per_clip`` key frames spread evenly over each clip's range, decoding only key
frames (every frame of intra codecs like ProRes/DNxHR), shrunk to 64×64 — a grade is a colour mapping,
resolution adds nothing — so 5 minutes of 1080p costs the same steps as 5 seconds, plus a demux pass.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from editor.errors import TrainingError, TrainingInterrupted
from editor.lighting.exemplars import FRAMES_PER_CLIP, Exemplars
from editor.lighting.exemplars import WIDTH as EXEMPLAR_WIDTH
from editor.lighting.grades import Adjustments, random_look
from editor.lighting.model import THUMB, GradeNet, serialise
from editor.lighting.smooth import apply_torch, regulariser
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import pack_model
from media import MediaInfo, sample_keyframes

MODEL_FORMAT = "cutproof.lighting.smooth-grade/2"
IMG = 64


@dataclass(frozen=True)
class TrainingClip:
    """A catalogued clip and the frames of it to learn from."""

    info: MediaInfo
    content_hash: str
    start: int = 0
    end: int | None = None

    @property
    def stop(self) -> int:
        return self.info.frame_count if self.end is None else self.end


@dataclass(frozen=True)
class LightingConfig:
    steps: int = 600
    batch: int = 8
    lr: float = 2e-3
    width: int = 16
    frames_per_clip: int = 16
    seed: int = 0
    checkpoint_every: int = 50
    threads: int = 1  # torch CPU threads; tiny convolutions run fastest on one (and the cores are shared)

    def hyperparameters(self, device: str) -> dict[str, object]:
        return {
            "steps": self.steps,
            "batch": self.batch,
            "lr": self.lr,
            "width": self.width,
            "grade": "T(M·C(x)) smooth/2",
            "exemplars": f"{FRAMES_PER_CLIP} frames per ungraded clip at {EXEMPLAR_WIDTH} px",
            "frames_per_clip": self.frames_per_clip,
            "image_size": IMG,
            "thumb_size": THUMB,
            "loss": "charbonnier+1e-3*smooth",
            "input": "raw thumbnails + channel quantiles",
            "pairing": "built-looks",
            "device": device,
        }


@dataclass(frozen=True)
class TrainedModel:
    manifest: TrainingManifest
    model_file: bytes
    metrics: dict[str, float | int | str]


def pick_device() -> str:
    """``cuda`` when a GPU is visible, else ``cpu``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def build_manifest(
    clips: Sequence[TrainingClip], cfg: LightingConfig, device: str, pairs: Sequence[tuple[int, int]]
) -> TrainingManifest:
    """The manifest this training run will produce (known before training: it names the checkpoint)."""
    paired = {i for p in pairs for i in p}
    roles = {o: "original" for o, _ in pairs} | {g: "graded" for _, g in pairs}
    inputs = tuple(
        TrainingInput(c.content_hash, c.start, c.stop, c.info.frame_rate, roles.get(i, "source"))
        for i, c in enumerate(clips)
    )
    hp = cfg.hyperparameters(device)
    if paired:
        hp["pairing"] = "real-pairs+built-looks"
    return TrainingManifest("lighting", inputs, code_version(), hp, {"torch": cfg.seed, "numpy": cfg.seed})  # type: ignore[arg-type]


def _load_frames(clips: Sequence[TrainingClip], n: int, graded: set[int]) -> tuple[list[np.ndarray], Exemplars]:
    """Per clip, ``n`` evenly spaced frames shrunk to IMG×IMG (float32 RGB); and the exemplars: a few of those
    frames of every clip that is not a graded version of another."""
    out, keep = [], []
    for i, c in enumerate(clips):
        if not 0 <= c.start < c.stop <= c.info.frame_count:
            raise TrainingError(
                f"frames {c.start}–{c.stop} are outside {c.info.path.name} (0–{c.info.frame_count}); fix --frames"
            )
        frames = [a for _, a in sample_keyframes(c.info, n, start=c.start, end=c.stop)]
        out.append(np.stack([cv2.resize(f, (IMG, IMG), interpolation=cv2.INTER_AREA) for f in frames]))
        if i not in graded:
            picks = np.unique(np.linspace(0, len(frames) - 1, min(FRAMES_PER_CLIP, len(frames))).round().astype(int))
            keep += [np.asarray(frames[k], np.float32) for k in picks]
    return out, Exemplars.build(keep)


def _thumbs(x: torch.Tensor) -> torch.Tensor:
    if x.shape[-1] == THUMB and x.shape[-2] == THUMB:
        return x
    return F.interpolate(x, size=(THUMB, THUMB), mode="area")


def _random_adjust(rng: np.random.Generator) -> Adjustments:
    return Adjustments(
        exposure=float(rng.uniform(-0.7, 0.7)),
        temperature=float(rng.uniform(-0.5, 0.5)),
        tint=float(rng.uniform(-0.3, 0.3)),
        contrast=float(rng.uniform(0.8, 1.25)),
        saturation=float(rng.uniform(0.7, 1.3)),
    )


def _batch(
    frames: list[np.ndarray], pairs: Sequence[tuple[int, int]], rng: np.random.Generator, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, refs, ys = [], [], []
    flat = [(c, i) for c, arr in enumerate(frames) for i in range(len(arr))]
    for _ in range(size):
        if pairs and rng.random() < 0.5:
            o, g = pairs[int(rng.integers(len(pairs)))]
            n = min(len(frames[o]), len(frames[g]))
            f, j = int(rng.integers(n)), int(rng.integers(n))
            x, ref, y = frames[o][f], frames[g][j], frames[g][f]
        else:
            c, f = flat[int(rng.integers(len(flat)))]
            c2, g = flat[int(rng.integers(len(flat)))]
            if rng.random() < 0.7:  # mostly another frame of the same clip: the same scene under another grade
                c2, g = c, int(rng.integers(len(frames[c])))
            a = None if rng.random() < 0.34 else random_look(rng, 0.6)
            b = random_look(rng)
            src, other = frames[c][f], frames[c2][g]
            x = src if a is None else a.apply(src)
            ref, y = b.apply(other), b.apply(src)
        if rng.random() < 0.3:
            adj = _random_adjust(rng)
            ref, y = adj.apply(ref), adj.apply(y)
        xs.append(x)
        refs.append(ref)
        ys.append(y)
    return np.stack(xs), np.stack(refs), np.stack(ys)


def train_lighting(
    clips: Sequence[TrainingClip],
    *,
    config: LightingConfig = LightingConfig(),
    pairs: Sequence[tuple[int, int]] = (),
    checkpoint_dir: Path | None = None,
    progress: bool = True,
    on_step: Callable[[int], None] | None = None,
) -> TrainedModel:
    """Train the lighting model; resumes from ``checkpoint_dir/<model id>.ckpt`` if present.

    Raises:
        TrainingError: no clips, bad frame ranges, or a pair of clips with different sizes.
        TrainingInterrupted: Ctrl-C (or ``on_step`` raising KeyboardInterrupt); a checkpoint was written.
    """
    if not clips:
        raise TrainingError("no training clips given; pass catalogued clips with --clips")
    device = pick_device()
    if device == "cpu":
        torch.set_num_threads(max(1, config.threads))
    manifest = build_manifest(clips, config, device, pairs)
    ckpt = None if checkpoint_dir is None else Path(checkpoint_dir) / f"{manifest.model_id}.ckpt"
    t0 = time.perf_counter()
    frames, exemplars = _load_frames(clips, config.frames_per_clip, {g for _, g in pairs})
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = GradeNet(config.width).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    step, losses = 0, []
    if ckpt is not None and ckpt.is_file():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        step, losses = int(state["step"]), list(state["losses"])

    def save() -> None:
        if ckpt is None:
            return
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        tmp = ckpt.with_suffix(".tmp")
        state: dict[str, Any] = {"model": model.state_dict(), "opt": opt.state_dict(), "rng": rng.bit_generator.state}
        state |= {"torch_rng": torch.get_rng_state(), "step": step, "losses": losses}
        torch.save(state, tmp)
        tmp.replace(ckpt)

    bar = _progress(progress)
    task = bar.add_task("training lighting model", total=config.steps, completed=step) if bar else None
    try:
        with bar if bar is not None else contextlib.nullcontext():
            model.train()
            while step < config.steps:
                if on_step is not None:
                    on_step(step)
                x, r, y = (
                    torch.from_numpy(a.transpose(0, 3, 1, 2).copy()).to(device)
                    for a in _batch(frames, pairs, rng, config.batch)
                )
                theta = model(_thumbs(x), _thumbs(r))
                pix = x.flatten(2).transpose(1, 2)
                d = apply_torch(theta, pix) - y.flatten(2).transpose(1, 2)
                charb = torch.sqrt(d.pow(2).sum(-1) + 1e-4) - 1e-2
                loss = charb.mean() + 1e-3 * regulariser(theta).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(float(loss.detach()))
                step += 1
                if bar is not None and task is not None:
                    bar.update(task, completed=step, description=f"training lighting model (loss {losses[-1]:.4f})")
                if step % config.checkpoint_every == 0:
                    save()
    except KeyboardInterrupt:
        save()
        where = f" to {ckpt}" if ckpt else " (no checkpoint directory given: progress lost)"
        raise TrainingInterrupted(
            f"training stopped at step {step}/{config.steps}; checkpoint saved{where}; run the "
            "same command again to resume"
        ) from None
    model = model.cpu()
    model_file = pack_model(manifest.model_id, "lighting", MODEL_FORMAT, serialise(model, exemplars))
    if ckpt is not None:
        ckpt.unlink(missing_ok=True)
    tail = losses[-50:] if losses else [float("nan")]
    metrics: dict[str, float | int | str] = {
        "final_loss": round(float(np.mean(tail)), 6),
        "steps": step,
        "frames_used": int(sum(len(f) for f in frames)),
        "exemplar_frames": len(exemplars),
        "train_seconds": round(time.perf_counter() - t0, 2),
        "device": device,
    }
    return TrainedModel(manifest, model_file, metrics)


def _progress(enabled: bool) -> Any:
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
