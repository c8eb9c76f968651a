"""The image-adaptive 3D-LUT model (after Zeng et al., TPAMI 2020), conditioned on a reference.

A few learnable basis LUTs (17³, the first initialised to the identity) and a tiny CNN that looks at the shot
(already CDL-matched to the reference, see ``cdl.fit_match``) and the reference look (both 64×64 thumbnails,
6 channels) and predicts the basis weights: the LUT refines what the CDL cannot express (tone curves, hue
twists). No normalisation layers: they would erase the very colour statistics the weights depend on.
The output LUT is the weighted sum, applied by trilinear interpolation. Training adds the paper's smoothness
and monotonicity regularisers so the learned LUTs stay well-behaved (and exportable).
"""

from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from editor.lighting.lut import Lut3D

THUMB = 64


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


def serialise(model: AdaptiveLutNet) -> bytes:
    """Deterministic bytes of the model's hyper-shape and weights."""
    buf = io.BytesIO()
    state = {k: v.detach().cpu().contiguous() for k, v in sorted(model.state_dict().items())}
    torch.save({"n_basis": model.n_basis, "lut_size": model.lut_size, "state": state}, buf)
    return buf.getvalue()


def deserialise(data: bytes) -> AdaptiveLutNet:
    obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    width = int(obj["state"]["features.0.weight"].shape[0])
    model = AdaptiveLutNet(int(obj["n_basis"]), int(obj["lut_size"]), width)
    model.load_state_dict(obj["state"])
    model.eval()
    return model
