"""SyncNet-style audio/mouth embeddings trained on the project's own sync takes, and sync scoring.

Two small encoders map (a) five consecutive grey mouth crops and (b) 200 ms of MFCC + energy to L2-normalised
64-d embeddings. Training is contrastive over time offsets (multi-way, as in Chung & Zisserman's "Perfect
Match"): for a video window at frame t, the audio window at t is the positive and the windows shifted by
±1..±``max_shift`` frames of the same take are the negatives (softmax over negative distances).

Scoring a clip: for each offset o in ±``search`` frames, the mean distance between the video window at t and the
audio window at t + o. The minimising o is the AV offset (positive = the audio is late by o frames); LSE-D is the
mean distance at that offset and LSE-C the median over offsets minus it (as SyncNet's evaluation reports them).

The project's scorer is ``NETS`` such networks trained alike from different seeds (``train_scorer``), their distance
curves averaged (``score``). Why: one net trained on a few takes reads a short line 5 frames or more off on a
quarter to a third of the lines, and which lines depends on its seed. On takes the scorers never saw, whole and cut
into lines of 20–72 frames (``bench/dialogue_sync.py``: every shared take held out in turn, three seeds, one net in
the same run), three nets averaged put 20 % of the readings 5 frames or more off against 26 % for one net, and 69 %
within 1 frame against 61 % (higher for every performer on halves and thirds, the same on whole takes); a reach of
±15 frames for the negatives instead of ±6 did not help (``docs/benchmarks.md``, "The sync reading on a line").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import cv2
import numpy as np
import torch
from torch import nn

from editor.dialogue.features import DIM, FEATURE_RATE, SYNC_OFFSETS, frame_centre, windows

VIDEO_FRAMES = 5
GREY_W, GREY_H = 48, 32
SCORER_VIEW = (64, 40)  # the mouth view the scorer was designed for (width, height)
EMBED = 64
NETS = 3  # networks in the project's scorer, their distance curves averaged (module docstring)


class SyncNet(nn.Module):
    """Mouth (5 grey crops) and audio (14×20 MFCC window) encoders into one 64-d space."""

    def __init__(self) -> None:
        super().__init__()
        self.video = nn.Sequential(
            nn.Conv2d(VIDEO_FRAMES, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d((2, 3)),
            nn.Flatten(),
            nn.Linear(32 * 6, EMBED),
        )
        self.audio = nn.Sequential(
            nn.Conv1d(DIM, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv1d(32, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(32, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(32 * 5, EMBED),
        )

    def embed_video(self, v: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.video(v), dim=-1)

    def embed_audio(self, a: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.audio(a), dim=-1)


def grey_mouths(crops: np.ndarray) -> np.ndarray:
    """RGB mouth crops → standardised grey ``(n, GREY_H, GREY_W)`` float32.

    Crops larger than the scorer's 64×40 view (the 128×80 bank crops) are first area-averaged to it: the scorer
    looks at mouth shape, and the finer texture the bank keeps for blending only makes it learn noise (measured:
    held-out AV-offset residual 7 frames instead of 1 on the weekly-address takes)."""
    out = np.empty((len(crops), GREY_H, GREY_W), np.float32)
    for i, c in enumerate(crops):
        if c.shape[1] > SCORER_VIEW[0]:
            c = cv2.resize(c, SCORER_VIEW, interpolation=cv2.INTER_AREA)
        g = cv2.resize(cv2.cvtColor(c, cv2.COLOR_RGB2GRAY), (GREY_W, GREY_H), interpolation=cv2.INTER_AREA)
        g = g.astype(np.float32)
        out[i] = (g - g.mean()) / (g.std() + 1e-3)
    return out


def video_windows(grey: np.ndarray) -> np.ndarray:
    """Stacks of ``VIDEO_FRAMES`` consecutive grey crops centred on each frame (edge-padded)."""
    half = VIDEO_FRAMES // 2
    idx = np.clip(np.arange(len(grey))[:, None] + np.arange(-half, half + 1)[None, :], 0, len(grey) - 1)
    return grey[idx]


def audio_windows(feats: np.ndarray, fps: Fraction, frames: np.ndarray) -> np.ndarray:
    """The 200 ms feature window centred on each (possibly shifted) video frame index: ``(n, DIM, 20)``."""
    centres = np.array([frame_centre(int(f), fps) for f in frames])
    return np.ascontiguousarray(windows(feats, centres, SYNC_OFFSETS).transpose(0, 2, 1))


@dataclass(frozen=True)
class SyncTake:
    """One take for training or scoring: grey mouth crops per frame and the take's 100 Hz features."""

    grey: np.ndarray
    feats: np.ndarray
    fps: Fraction


@dataclass(frozen=True)
class SyncScore:
    """AV offset (frames; positive = audio late), LSE-D (distance at the best offset), LSE-C (confidence)."""

    offset_frames: int
    lse_d: float
    lse_c: float
    curve: tuple[float, ...]

    def as_metrics(self, prefix: str) -> dict[str, float]:
        return {
            f"{prefix}av_offset_frames": float(self.offset_frames),
            f"{prefix}lse_d": round(self.lse_d, 4),
            f"{prefix}lse_c": round(self.lse_c, 4),
        }


Scorer = tuple[SyncNet, ...]
"""The project's sync scorer: networks whose distance curves are averaged."""


def train_scorer(takes: list[SyncTake], *, steps: int = 300, seed: int = 0) -> tuple[Scorer, float]:
    """Train the ``NETS`` networks of a scorer (seeds ``seed * NETS`` onwards); returns them and their mean final
    training accuracy."""
    trained = [train_sync(takes, steps=steps, seed=seed * NETS + j) for j in range(NETS)]
    return tuple(net for net, _ in trained), float(np.mean([acc for _, acc in trained]))


def train_sync(takes: list[SyncTake], *, steps: int = 300, max_shift: int = 6, seed: int = 0) -> tuple[SyncNet, float]:
    """Train a SyncNet on the takes; returns the network and the final training accuracy (offset 0 ranked first)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny batches: one thread is fastest, and fair to a shared machine
    try:
        return _train(takes, steps, max_shift, seed)
    finally:
        torch.set_num_threads(threads)


def _train(takes: list[SyncTake], steps: int, max_shift: int, seed: int) -> tuple[SyncNet, float]:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = SyncNet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    vids = [video_windows(t.grey) for t in takes]
    shifts = np.arange(-max_shift, max_shift + 1)
    target = int(np.where(shifts == 0)[0][0])
    acc = 0.0
    batch = 32
    for step in range(steps):
        ti = rng.integers(0, len(takes), batch)
        v_list, a_list = [], []
        for k in ti:
            take = takes[k]
            t = int(rng.integers(0, len(take.grey)))
            v = vids[k][t]
            dx, dy = rng.integers(-2, 3, 2)
            v = np.roll(v, (int(dy), int(dx)), axis=(1, 2)) * rng.uniform(0.85, 1.15)
            v_list.append(v)
            a_list.append(audio_windows(take.feats, take.fps, t + shifts))
        v_t = torch.from_numpy(np.stack(v_list).astype(np.float32))
        a_t = torch.from_numpy(np.stack(a_list).astype(np.float32)).reshape(-1, DIM, len(SYNC_OFFSETS))
        ev = net.embed_video(v_t)
        ea = net.embed_audio(a_t).reshape(batch, len(shifts), EMBED)
        dist = ((ev[:, None, :] - ea) ** 2).sum(-1)
        logits = -dist * 5.0
        loss = nn.functional.cross_entropy(logits, torch.full((batch,), target))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step >= steps - 20:
            acc += float((logits.argmax(1) == target).float().mean()) / 20
    net.eval()
    return net, acc


SCORE_BATCH = 1024  # audio windows embedded per call when scoring (fewer calls for a short line; no huge batch)


@torch.no_grad()
def score(
    scorer: SyncNet | Sequence[SyncNet], take: SyncTake, *, search: int = 15, frames: slice | None = None
) -> SyncScore:
    """Score a take's sync: distance curve over offsets ±``search`` frames (a scorer's networks' curves averaged),
    AV offset, LSE-D and LSE-C."""
    nets = [scorer] if isinstance(scorer, SyncNet) else list(scorer)
    n = len(take.grey)
    idx = np.arange(n)[frames] if frames is not None else np.arange(n)
    video = torch.from_numpy(video_windows(take.grey)[idx])
    offsets = list(range(-search, search + 1))
    # Offsets per call: a short line's all in one batch, a long one's in a few.
    per = max(1, SCORE_BATCH // max(1, len(idx)))
    groups = [offsets[i : i + per] for i in range(0, len(offsets), per)]
    audio = [
        torch.from_numpy(np.concatenate([audio_windows(take.feats, take.fps, idx + o) for o in group]))
        for group in groups
    ]
    curves = []
    for net in nets:
        ev = net.embed_video(video)
        dist = [net.embed_audio(a).reshape(-1, len(idx), ev.shape[-1]) - ev[None] for a in audio]
        curves.append(torch.cat([torch.linalg.vector_norm(d, dim=-1).mean(dim=1) for d in dist]).double().numpy())
    arr = np.mean(np.array(curves), axis=0)
    curve = arr.tolist()
    best = int(arr.argmin())
    return SyncScore(
        best - search, float(arr[best]), float(np.median(arr) - arr[best]), tuple(round(c, 4) for c in curve)
    )


def _prefix(j: int) -> str:
    return "sync/" if j == 0 else f"sync{j}/"  # the first net's name is the one a single-net model (before /4) has


def state_arrays(scorer: Scorer) -> dict[str, np.ndarray]:
    """The networks' weights as named numpy arrays (for the model file)."""
    return {
        f"{_prefix(j)}{k}": v.detach().cpu().numpy()
        for j, net in enumerate(scorer)
        for k, v in net.state_dict().items()
    }


def from_arrays(arrays: Any) -> Scorer:
    """Rebuild a scorer from ``state_arrays`` output (a model with one net gives a scorer of one)."""
    nets = []
    while any(k.startswith(_prefix(len(nets))) for k in arrays):
        p = _prefix(len(nets))
        net = SyncNet()
        net.load_state_dict(
            {k.removeprefix(p): torch.from_numpy(np.array(arrays[k])) for k in arrays if k.startswith(p)}
        )
        net.eval()
        nets.append(net)
    return tuple(nets)


def shift_features(feats: np.ndarray, frames: int, fps: Fraction) -> np.ndarray:
    """The features as if the audio were ``frames`` video frames late (positive) or early (negative), edge-padded."""
    k = round(Fraction(frames) / fps * FEATURE_RATE)
    idx = np.clip(np.arange(len(feats)) - k, 0, len(feats) - 1)
    return feats[idx]
