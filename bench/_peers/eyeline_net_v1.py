"""The eyeline warp network before stop 47 (main 56c54df: ``editor/eyeline/_net.py`` and its training loop in
``editor/eyeline/model.py``), kept as bench/eyeline.py's peer: a small U-Net conditioned on the requested shift,
trained on pairs of frames of the same take with their measured gaze difference as the shift (L1 + a small total
variation on the flow; 15 % identity pairs). The right eye's patch is mirrored so one network serves both eyes.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from editor.eyeline._eyes import PATCH_H, PATCH_W, iris_centre

MAX_FLOW = 4.0
SHIFT_SCALE = 10.0


class WarpNet(nn.Module):
    """A small U-Net predicting flow (2) and lightness correction (1) for an eye patch."""

    def __init__(self, width: int = 12, inner: int = 16) -> None:
        super().__init__()
        w, c = width, inner
        self.e1 = nn.Sequential(nn.Conv2d(7, w, 3, padding=1), nn.ReLU())
        self.e2 = nn.Sequential(
            nn.Conv2d(w, c, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU()
        )
        self.e3 = nn.Sequential(
            nn.Conv2d(c, c, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU()
        )
        self.d2 = nn.Sequential(nn.Conv2d(2 * c, c, 3, padding=1), nn.ReLU())
        self.d1 = nn.Sequential(nn.Conv2d(c + w, w, 3, padding=1), nn.ReLU(), nn.Conv2d(w, 3, 3, padding=1))
        last = self.d1[-1]
        assert isinstance(last, nn.Conv2d) and last.bias is not None
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def forward(
        self, patch: torch.Tensor, landmarks: torch.Tensor, shift: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``patch`` (N,3,H,W) in 0..1, ``landmarks`` (N,2,H,W), ``shift`` (N,2) degrees → (flow px (N,2,H,W),
        lightness (N,1,H,W))."""
        n, _, h, w = patch.shape
        s = (shift / SHIFT_SCALE)[:, :, None, None].expand(n, 2, h, w)
        x1 = self.e1(torch.cat([patch, landmarks, s], 1))
        x2 = self.e2(x1)
        x3 = self.e3(x2)
        y2 = self.d2(torch.cat([F.interpolate(x3, size=x2.shape[2:], mode="bilinear", align_corners=False), x2], 1))
        out = self.d1(torch.cat([F.interpolate(y2, size=x1.shape[2:], mode="bilinear", align_corners=False), x1], 1))
        return MAX_FLOW * torch.tanh(out[:, :2]), 1.0 + 0.3 * torch.tanh(out[:, 2:3])


def landmark_channels(iris: torch.Tensor, h: int = PATCH_H, w: int = PATCH_W) -> torch.Tensor:
    """(N,2,H,W) offsets of each pixel from the iris centre ``iris`` (N,2 in patch px), in patch widths/heights."""
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    dx = (xx[None] - iris[:, 0, None, None]) / w
    dy = (yy[None] - iris[:, 1, None, None]) / h
    return torch.stack([dx, dy], 1)


def warp(patch: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Resample ``patch`` (N,C,H,W) at ``pixel + flow`` (backward warp, flow in pixels), edges clamped."""
    _n, _, h, w = patch.shape
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    gx = (xx[None] + flow[:, 0]) * 2 / (w - 1) - 1
    gy = (yy[None] + flow[:, 1]) * 2 / (h - 1) - 1
    return F.grid_sample(patch, torch.stack([gx, gy], -1), mode="bilinear", padding_mode="border", align_corners=True)


def train_net(patches: np.ndarray, gazes: np.ndarray, pairs: np.ndarray, *, steps: int = 400, seed: int = 0) -> WarpNet:
    """The old training loop: ``patches`` (N, 2, H, W, 3) float (right eye mirrored), ``gazes`` (N, 2) the
    physical (yaw, pitch), ``pairs`` (M, 2) rows of frames of one take; batch 16, Adam 2e-3, TV weight 0.02."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pt = torch.from_numpy(patches).permute(0, 1, 4, 2, 3)
    iris = torch.tensor([[iris_centre(p) for p in eyes] for eyes in patches], dtype=torch.float32)
    net = WarpNet()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for _ in range(steps):
        rows = rng.integers(0, len(pairs), 16)
        a, b = pairs[rows, 0], pairs[rows, 1]
        delta = torch.from_numpy((gazes[b] - gazes[a]).astype(np.float32))
        same = torch.from_numpy(a[:2])
        src = torch.cat([pt[a, 0], pt[a, 1], pt[same, 0]])
        dst = torch.cat([pt[b, 0], pt[b, 1], pt[same, 0]])
        lm = landmark_channels(torch.cat([iris[a, 0], iris[a, 1], iris[same, 0]]))
        shift = torch.cat([delta, delta * torch.tensor([-1.0, 1.0]), torch.zeros(2, 2)])
        flow, light = net(src, lm, shift)
        out = (warp(src, flow) * light).clamp(0, 1)
        tv = (flow[:, :, 1:] - flow[:, :, :-1]).abs().mean() + (flow[:, :, :, 1:] - flow[:, :, :, :-1]).abs().mean()
        loss = (out - dst).abs().mean() + 0.02 * tv
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net.eval()


def moved(net: WarpNet, patch: np.ndarray, shift_deg: tuple[float, float]) -> np.ndarray:
    """A left-eye ``patch`` (float RGB) as the old network warped it for ``shift_deg``."""
    src = torch.from_numpy(np.ascontiguousarray(patch)).permute(2, 0, 1)[None]
    lm = landmark_channels(torch.tensor([iris_centre(patch)], dtype=torch.float32))
    with torch.no_grad():
        flow, light = net(src, lm, torch.tensor([shift_deg], dtype=torch.float32))
        out = (warp(src, flow) * light).clamp(0, 1)
    return out[0].permute(1, 2, 0).numpy()
