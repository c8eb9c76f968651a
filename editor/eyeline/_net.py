"""The warp-field network (DeepWarp-style, Ganin et al. 2016, reduced for a CPU and one production's data).

Input, per eye patch (32×48, right eyes mirrored so one network serves both): the RGB patch, two landmark
channels (each pixel's offset from the iris centre, in patch widths/heights; eye corners are fixed in patch
coordinates) and two channels holding the requested shift (dx°, dy° / 10). Output: a per-pixel flow (≤ 4 px at
patch scale, tanh-bounded) and a multiplicative lightness correction (1 ± 0.3). The source patch is resampled
along the flow (bilinear) and multiplied by the correction.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from editor.eyeline._eyes import PATCH_H, PATCH_W

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
