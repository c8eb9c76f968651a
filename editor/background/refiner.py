"""The optional per-shot matte refiner: a tiny CNN trained on the shot's own pseudo-labels.

Input: the frame (RGB) and the guided filter's input ``p`` (1 in definite foreground, 0 in definite background,
the soft difference key in the unknown band). Target: the matte the full pipeline produces with *heavier*
settings (exact guided filter, no sub-sampling) — the pseudo-labels. The network predicts a residual on ``p``'s
logit and is applied only inside the trimap's unknown band, so definite regions are never touched. ~5 k
parameters, a few hundred Adam steps on random crops along the band; CPU, single thread, seeded, so the same
inputs give the same weights bit for bit (the model registry relies on that).

Weights are serialised as a JSON header line (names, shapes) followed by little-endian float32 arrays, which is
byte-reproducible and needs no pickle.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from editor.background.errors import BackgroundError

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
Bool = np.ndarray  # bool
FORMAT = "background-refiner/1"


class RefinerNet(nn.Module):
    """Four 3×3 convolutions with growing dilation (receptive field 31 px), residual on the input logit."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(4, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=2, dilation=2),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=4, dilation=4),
            nn.ReLU(),
            nn.Conv2d(width, 1, 3, padding=8, dilation=8),
        )

    def forward(self, rgb: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        logit = torch.logit(p.clamp(1e-3, 1 - 1e-3))
        return torch.sigmoid(logit + self.body(torch.cat([rgb, p], dim=1)))


@dataclass(frozen=True)
class RefinerConfig:
    """Training hyper-parameters (all recorded in the training manifest)."""

    steps: int = 300
    batch: int = 8
    crop: int = 64
    lr: float = 3e-3
    width: int = 16
    seed: int = 0

    def __post_init__(self) -> None:
        if not (1 <= self.steps <= 100_000 and 1 <= self.batch <= 256 and 16 <= self.crop <= 512):
            raise BackgroundError("refiner steps must be 1–100000, batch 1–256 and crop 16–512 px")
        if not (0 < self.lr < 1 and 4 <= self.width <= 64 and self.seed >= 0):
            raise BackgroundError("refiner lr must be in (0, 1), width 4–64 and seed >= 0")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _crop_centres(unknown: Sequence[Bool], rng: np.random.Generator, n: int) -> list[tuple[int, int, int]]:
    pools = [np.argwhere(u) for u in unknown]
    usable = [i for i, pool in enumerate(pools) if len(pool)]
    if not usable:
        raise BackgroundError("the pseudo-labels have no unknown band to learn from; the shot has no edges to matte")
    out = []
    for _ in range(n):
        i = usable[int(rng.integers(len(usable)))]
        y, x = pools[i][int(rng.integers(len(pools[i])))]
        out.append((i, int(y), int(x)))
    return out


def _crop(arr: np.ndarray, y: int, x: int, size: int) -> np.ndarray:
    h, w = arr.shape[:2]
    y0 = min(max(0, y - size // 2), max(0, h - size))
    x0 = min(max(0, x - size // 2), max(0, w - size))
    out = arr[y0 : y0 + size, x0 : x0 + size]
    pad = [(0, size - out.shape[0]), (0, size - out.shape[1])] + [(0, 0)] * (arr.ndim - 2)
    return np.pad(out, pad, mode="edge") if out.shape[:2] != (size, size) else out


def train_refiner(
    frames: Sequence[F32],
    inputs: Sequence[F32],
    targets: Sequence[F32],
    unknown: Sequence[Bool],
    config: RefinerConfig,
    *,
    progress: Callable[[int, int, float], None] | None = None,
) -> tuple[RefinerNet, dict[str, float]]:
    """Train a refiner on pseudo-labels.

    Args:
        frames: RGB float32 frames.
        inputs: The guided filter's input ``p`` for each frame.
        targets: The pseudo-label alpha for each frame.
        unknown: The unknown band of each frame (loss is weighted 10× there).
        config: Hyper-parameters and seed.
        progress: Called as ``progress(step, steps, loss)`` after every step.

    Returns:
        The trained network and metrics (first and final loss, band MAD of input and output ×1e3).

    Raises:
        BackgroundError: If the lists disagree in length or there is no unknown band to learn from.
    """
    if not (len(frames) == len(inputs) == len(targets) == len(unknown)) or not frames:
        raise BackgroundError("refiner training needs equally many frames, inputs, targets and bands (at least one)")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    net = RefinerNet(config.width)
    opt = torch.optim.Adam(net.parameters(), lr=config.lr)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # bit-reproducible weights
    first = last = 0.0
    try:
        for step in range(config.steps):
            picks = _crop_centres(unknown, rng, config.batch)
            c = config.crop
            rgb = np.stack([_crop(frames[i], y, x, c) for i, y, x in picks]).transpose(0, 3, 1, 2)
            p = np.stack([_crop(inputs[i], y, x, c) for i, y, x in picks])[:, None]
            t = np.stack([_crop(targets[i], y, x, c) for i, y, x in picks])[:, None]
            band = np.stack([_crop(unknown[i], y, x, c) for i, y, x in picks])[:, None]
            weight = torch.from_numpy(1.0 + 9.0 * band.astype(np.float32))
            pred = net(torch.from_numpy(np.ascontiguousarray(rgb)), torch.from_numpy(p))
            loss = (weight * (pred - torch.from_numpy(t)).abs()).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            last = float(loss.detach())
            first = last if step == 0 else first
            if progress is not None:
                progress(step + 1, config.steps, last)
    finally:
        torch.set_num_threads(threads)
    net.eval()
    before = float(
        np.mean([np.abs(i - t)[u].mean() for i, t, u in zip(inputs, targets, unknown, strict=True) if u.any()])
    )
    after_vals = []
    for f, i, t, u in zip(frames, inputs, targets, unknown, strict=True):
        if u.any():
            after_vals.append(float(np.abs(refine(net, f, i, u) - t)[u].mean()))
    return net, {
        "loss_first": round(first, 6),
        "loss_final": round(last, 6),
        "band_mad_input_x1e3": round(before * 1e3, 3),
        "band_mad_refined_x1e3": round(float(np.mean(after_vals)) * 1e3, 3),
    }


@torch.no_grad()
def refine(net: RefinerNet, frame: F32, p: F32, unknown: Bool) -> F32:
    """The refined alpha: the network's output inside ``unknown``, ``p`` elsewhere."""
    if not unknown.any():
        return p
    ys, xs = np.nonzero(unknown)
    pad = 16
    y0, y1 = max(0, ys.min() - pad), min(p.shape[0], ys.max() + pad + 1)
    x0, x1 = max(0, xs.min() - pad), min(p.shape[1], xs.max() + pad + 1)
    rgb = torch.from_numpy(np.ascontiguousarray(frame[y0:y1, x0:x1].transpose(2, 0, 1)))[None]
    pp = torch.from_numpy(np.ascontiguousarray(p[y0:y1, x0:x1]))[None, None]
    out = net(rgb, pp)[0, 0].numpy()
    alpha = p.copy()
    win = unknown[y0:y1, x0:x1]
    alpha[y0:y1, x0:x1][win] = out[win]
    return alpha.astype(np.float32)


def dump_refiner(net: RefinerNet) -> bytes:
    """Serialise weights reproducibly: a JSON header line, then little-endian float32 tensors in order."""
    state = net.state_dict()
    width = int(state["body.0.weight"].shape[0])
    header = {"format": FORMAT, "width": width, "tensors": [[k, list(v.shape)] for k, v in state.items()]}
    body = b"".join(v.detach().numpy().astype("<f4").tobytes() for v in state.values())
    return json.dumps(header, sort_keys=True).encode() + b"\n" + body


def load_refiner(data: bytes) -> RefinerNet:
    """Inverse of :func:`dump_refiner`.

    Raises:
        BackgroundError: If the bytes are not a refiner of this format.
    """
    nl = data.find(b"\n")
    try:
        header = json.loads(data[:nl])
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}")
        net = RefinerNet(int(header["width"]))
        offset, state = nl + 1, {}
        for name, shape in header["tensors"]:
            n = int(np.prod(shape))
            arr = np.frombuffer(data, "<f4", count=n, offset=offset).reshape(shape)
            state[name] = torch.from_numpy(arr.copy())
            offset += 4 * n
        if offset != len(data):
            raise ValueError("trailing bytes")
        net.load_state_dict(state)
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise BackgroundError(f"not a background refiner model ({exc}); retrain with `cutproof model train`") from None
    net.eval()
    return net
