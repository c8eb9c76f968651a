"""Today's lighting match (main 9a91bc4): CDL match → per-channel quantile tone curves → the image-adaptive 3D-LUT
model (Zeng et al.), the closest of the three cumulative stages kept. Trained here on the same clips, steps and seed
as the new model. Copied verbatim apart from the training loop's checkpointing (not needed for a bench)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from editor.lighting.cdl import Cdl, fit_match, fit_pairs
from editor.lighting.grades import Adjustments, random_look
from editor.lighting.lut import Lut3D
from editor.lighting.metrics import delta_e76, to_lab
from media import sample_keyframes

THUMB = 64
IMG = 64


class AdaptiveLutNet(nn.Module):
    """Basis LUTs + weight predictor. ``forward(img, src_thumb, ref_thumb)`` → graded ``img``."""

    def __init__(self, n_basis: int = 4, lut_size: int = 17, width: int = 16) -> None:
        super().__init__()
        self.n_basis, self.lut_size = n_basis, lut_size
        g = torch.linspace(0, 1, lut_size)
        b_, g_, r_ = torch.meshgrid(g, g, g, indexing="ij")  # grid_sample order: (D=b, H=g, W=r)
        ident = torch.stack([r_, g_, b_], dim=0)  # (3, b, g, r)
        basis = torch.zeros(n_basis, 3, lut_size, lut_size, lut_size)
        basis[0] = ident
        self.basis = nn.Parameter(basis)
        layers: list[nn.Module] = []
        ch = 6
        for out in (width, width * 2, width * 4, width * 8):
            layers += [
                nn.Conv2d(ch, out, 3, stride=2, padding=1),
                nn.LeakyReLU(0.2),
                nn.InstanceNorm2d(out, affine=True),
            ]
            ch = out
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.1))
        self.head = nn.Linear(ch, n_basis)
        nn.init.normal_(self.head.weight, std=0.01)  # not zero: the zero-initialised bases need non-zero weights
        with torch.no_grad():
            self.head.bias.zero_()
            self.head.bias[0] = 1.0

    def weights(self, src_thumb: torch.Tensor, ref_thumb: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(torch.cat([src_thumb, ref_thumb], dim=1)))

    def fused(self, w: torch.Tensor) -> torch.Tensor:
        """Per-sample LUTs (N, 3, b, g, r) from weights (N, K)."""
        return torch.einsum("nk,kcdhw->ncdhw", w, self.basis)

    @staticmethod
    def apply_lut(lut: torch.Tensor, img: torch.Tensor) -> torch.Tensor:
        """Trilinear lookup of img (N, 3, H, W) in [0, 1] through lut (N, 3, b, g, r)."""
        grid = img.clamp(0, 1).permute(0, 2, 3, 1) * 2 - 1  # (N, H, W, 3) as (x=r, y=g, z=b)
        out = F.grid_sample(lut, grid.unsqueeze(1), mode="bilinear", padding_mode="border", align_corners=True)
        return out.squeeze(2)

    def forward(self, img: torch.Tensor, src_thumb: torch.Tensor, ref_thumb: torch.Tensor) -> torch.Tensor:
        return self.apply_lut(self.fused(self.weights(src_thumb, ref_thumb)), img)

    def regularisers(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(smoothness, monotonicity) of the basis LUTs, as in Zeng et al."""
        b = self.basis
        dr = b[..., 1:] - b[..., :-1]
        dg = b[..., 1:, :] - b[..., :-1, :]
        db = b[..., 1:, :, :] - b[..., :-1, :, :]
        smooth = dr.pow(2).mean() + dg.pow(2).mean() + db.pow(2).mean()
        mono = F.relu(-dr[:, 0]).mean() + F.relu(-dg[:, 1]).mean() + F.relu(-db[:, 2]).mean()
        return smooth, mono

    def lut_for(self, src_thumbs: np.ndarray, ref_thumbs: np.ndarray, size: int = 33) -> tuple[Lut3D, np.ndarray]:
        """The LUT for a shot: weights averaged over its sampled frames (one LUT per shot → temporally stable),
        resampled to ``size``³. Returns (LUT, weights)."""
        self.eval()
        with torch.no_grad():
            s = torch.from_numpy(np.ascontiguousarray(src_thumbs.transpose(0, 3, 1, 2)))
            r = torch.from_numpy(np.ascontiguousarray(ref_thumbs.transpose(0, 3, 1, 2)))
            w = self.weights(s, r).mean(dim=0, keepdim=True)
            lut = self.fused(w)[0]  # (3, b, g, r)
        table = lut.permute(3, 2, 1, 0).numpy()  # (r, g, b, 3)
        small = Lut3D(np.ascontiguousarray(table))
        return (small.resized(size) if size != self.lut_size else small), w[0].numpy()


def tone_curves(src: np.ndarray, ref: np.ndarray, n: int = 65) -> Callable[[np.ndarray], np.ndarray]:
    """Per-channel monotone tone curves taking ``src``'s channel distributions onto ``ref``'s (quantile mapping):
    what a CDL cannot express — toe, shoulder, S-curves."""
    qs = np.linspace(0.002, 0.998, n)
    qsrc = np.quantile(np.reshape(src, (-1, 3)), qs, axis=0)
    qref = np.maximum.accumulate(np.quantile(np.reshape(ref, (-1, 3)), qs, axis=0), axis=0)
    qsrc = np.maximum.accumulate(qsrc, axis=0) + np.arange(n)[:, None] * 1e-6  # strictly increasing for interp

    def apply(p: np.ndarray) -> np.ndarray:
        out = np.empty_like(p)
        for c in range(3):
            out[..., c] = np.interp(p[..., c], qsrc[:, c], qref[:, c])
        return out

    return apply


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
        x = fit_match(x, ref, quantiles=17).apply(x)  # the model refines CDL + tone-curve match, as at apply
        x = tone_curves(x, ref)(x)
        xs.append(x)
        refs.append(ref)
        ys.append(y)
    return np.stack(xs), np.stack(refs), np.stack(ys)


def train_v1(infos: Sequence[object], *, steps: int, seed: int = 0, frames_per_clip: int = 16) -> AdaptiveLutNet:
    """Today's training loop (built looks only; batch 8, lr 2e-3, 4 basis LUTs of 17³, width 16)."""
    torch.set_num_threads(1)
    frames = []
    for info in infos:
        fr = [a for _, a in sample_keyframes(info, frames_per_clip)]  # type: ignore[arg-type]
        frames.append(np.stack([cv2.resize(f, (IMG, IMG), interpolation=cv2.INTER_AREA) for f in fr]))
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = AdaptiveLutNet(4, 17, 16)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for _ in range(steps):
        x, r, y = (torch.from_numpy(a.transpose(0, 3, 1, 2).copy()) for a in _batch(frames, (), rng, 8))
        out = model(x, x, r)
        smooth, mono = model.regularisers()
        loss = F.mse_loss(out, y) + 1e-4 * smooth + 10.0 * mono
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between two pixel sets' colour distributions: mean |ΔLab| over 17 quantiles per channel."""
    qs = np.linspace(0.02, 0.98, 17)
    return float(np.abs(np.quantile(to_lab(a), qs, axis=0) - np.quantile(to_lab(b), qs, axis=0)).mean())


def _thumb(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(rgb, (THUMB, THUMB), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class Grade:
    lut: Lut3D
    cdl: Cdl
    stage: str
    basis_weights: tuple[float, ...]
    cdl_residual_delta_e: float


def match_grade(net: AdaptiveLutNet, src_frames: list[np.ndarray], target_frames: list[np.ndarray]) -> Grade:
    """Grade taking ``src_frames`` (float RGB) to the look of ``target_frames`` (reference, adjusted).

    Stage 1 fits a CDL matching the distributions, stage 2 per-channel tone curves (quantile mapping), stage 3
    the learned model's LUT (cross-channel corrections: saturation, hue twists); of the three cumulative
    results, the one bringing the shot closest to the target look's distribution is kept. One LUT per shot.
    """
    src_thumbs = np.stack([_thumb(f) for f in src_frames])
    ref_thumbs = np.stack([_thumb(f) for f in target_frames])
    pixels = np.concatenate([f.reshape(-1, 3) for f in src_frames])
    pixels = pixels[np.random.default_rng(0).choice(len(pixels), min(len(pixels), 20000), replace=False)]
    ref_pixels = np.concatenate([f.reshape(-1, 3) for f in target_frames])
    ref_pixels = ref_pixels[np.random.default_rng(1).choice(len(ref_pixels), min(len(ref_pixels), 20000))]
    match = fit_match(pixels, ref_pixels)
    n = max(len(src_thumbs), len(ref_thumbs))
    src_t = np.resize(match.apply(src_thumbs), (n, THUMB, THUMB, 3)).astype(np.float32)
    ref_t = np.resize(ref_thumbs, (n, THUMB, THUMB, 3)).astype(np.float32)
    curves = tone_curves(match.apply(pixels), ref_pixels)
    src_t = np.stack([curves(t) for t in src_t]).astype(np.float32)
    refine, w = net.lut_for(src_t, ref_t, 33)
    candidates = {
        "cdl": Lut3D.from_function(match.apply, 33),
        "cdl+curves": Lut3D.from_function(lambda p: curves(match.apply(p)), 33),
        "cdl+curves+lut": Lut3D.from_function(lambda p: refine.apply(curves(match.apply(p))), 33),
    }
    scores = {k: _distance(v.apply(pixels), ref_pixels) for k, v in candidates.items()}
    stage = min(scores, key=lambda k: (scores[k], k))
    lut = candidates[stage]
    graded = lut.apply(pixels)
    cdl = match if stage == "cdl" else fit_pairs(pixels, graded)
    residual = round(delta_e76(cdl.apply(pixels), graded), 4)
    return Grade(lut, cdl, stage, tuple(float(round(v, 6)) for v in w), residual)
