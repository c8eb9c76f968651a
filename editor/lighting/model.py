"""The project's lighting model: a small network that predicts the smooth grade taking a shot to a reference look.

Input: 64×64 thumbnails of the shot and of the reference (6 channels) through four strided convolutions, plus each
thumbnail's per-channel quantiles (5 per channel) — the colour statistics a grade is about. Output: the ``N_PARAMS``
parameters θ of ``editor.lighting.smooth`` (head initialised to zero = the identity grade). Whatever the network
predicts is a grade of the smooth family, so it cannot invent colour either.

What the project learns by training it on its own dailies is a prior over its own scenes: what its sets and skin
tones look like ungraded, so that a reference from *another* scene (where no pixel corresponds) still says
something about the look. Where the reference corresponds to the shot, ``editor.lighting.fit`` refines the
prediction on pixel pairs and the model's part is only the starting point.
"""

from __future__ import annotations

import io

import numpy as np
import torch
from torch import nn

from editor.lighting.exemplars import Exemplars
from editor.lighting.smooth import N_PARAMS

THUMB = 64
_QUANTILES = torch.tensor([0.05, 0.25, 0.5, 0.75, 0.95])


def _stats(x: torch.Tensor) -> torch.Tensor:
    """Per-channel quantiles of (N, 3, H, W) → (N, 15)."""
    return torch.quantile(x.flatten(2), _QUANTILES.to(x.dtype), dim=2).permute(1, 2, 0).flatten(1)


class GradeNet(nn.Module):
    """``forward(src_thumb, ref_thumb)`` (N, 3, 64, 64) each → θ (N, N_PARAMS)."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        ch = 6
        for out in (width, width * 2, width * 4, width * 8):
            layers += [nn.Conv2d(ch, out, 3, stride=2, padding=1), nn.LeakyReLU(0.2)]
            ch = out
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.mlp = nn.Sequential(nn.Linear(ch + 30, 128), nn.LeakyReLU(0.2), nn.Linear(128, N_PARAMS))
        with torch.no_grad():
            self.mlp[-1].weight.mul_(0.01)
            self.mlp[-1].bias.zero_()

    def forward(self, src_thumb: torch.Tensor, ref_thumb: torch.Tensor) -> torch.Tensor:
        f = self.features(torch.cat([src_thumb, ref_thumb], dim=1))
        return self.mlp(torch.cat([f, _stats(src_thumb), _stats(ref_thumb)], dim=1))

    def predict(self, src_thumbs: np.ndarray, ref_thumbs: np.ndarray) -> np.ndarray:
        """θ for a shot: the mean prediction over its thumbnail pairs (N, 64, 64, 3 float RGB each; the shorter
        list is repeated), float64."""
        n = max(len(src_thumbs), len(ref_thumbs))
        s = np.resize(np.asarray(src_thumbs, np.float32), (n, THUMB, THUMB, 3))
        r = np.resize(np.asarray(ref_thumbs, np.float32), (n, THUMB, THUMB, 3))
        self.eval()
        with torch.no_grad():
            theta = self(
                torch.from_numpy(np.ascontiguousarray(s.transpose(0, 3, 1, 2))),
                torch.from_numpy(np.ascontiguousarray(r.transpose(0, 3, 1, 2))),
            )
        return theta.mean(dim=0).double().numpy()


def serialise(model: GradeNet, exemplars: Exemplars) -> bytes:
    """Deterministic bytes of the model's width, weights and exemplar frames."""
    buf = io.BytesIO()
    state = {k: v.detach().cpu().contiguous() for k, v in sorted(model.state_dict().items())}
    width = int(state["features.0.weight"].shape[0])
    frames = [torch.from_numpy(np.ascontiguousarray(f)) for f in exemplars.frames]
    torch.save({"width": width, "n_params": N_PARAMS, "state": state, "exemplars": frames}, buf)
    return buf.getvalue()


def deserialise(data: bytes) -> tuple[GradeNet, Exemplars]:
    """Inverse of :func:`serialise`.

    Raises:
        ValueError: the bytes hold another shape of model.
    """
    obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    if int(obj.get("n_params", -1)) != N_PARAMS:
        raise ValueError(f"model predicts {obj.get('n_params')} grade parameters, this code {N_PARAMS}")
    model = GradeNet(int(obj["width"]))
    model.load_state_dict(obj["state"])
    model.eval()
    frames = [t.numpy() for t in obj.get("exemplars", [])]
    return model, Exemplars.build_small(frames)
