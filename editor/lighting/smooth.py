"""The smooth grade: the only kind of colour mapping the lighting edit applies. It cannot invent colour.

    G(x) = T( M · C(x) )        per pixel, RGB in [0, 1], result clipped to [0, 1]

- ``C``: one tone curve per channel (R, G, B), piecewise linear through ``KNOTS`` evenly spaced knots. Every
  segment's slope lies in [``SLOPE_MIN``, ``SLOPE_MAX``] = [0.2, 5]: the curves are strictly increasing (no
  inversions, no flat steps that posterise a gradient into bands, no steep steps that turn codec noise into
  blotches). ``C_c(0)`` (the lift) lies in [−0.25, 0.25].
- ``M``: a 3×3 matrix whose rows sum to 1 (so a neutral grey stays neutral through it: white balance belongs to the
  curves), entries of ``M − I`` bounded by ±0.6 — saturation, hue twists, channel mixing; nothing local. Where the
  channel curves differ enough that a negative mix could make a channel fall as the input greys rise, ``M − I`` is
  scaled down until every mixed channel rises along the grey axis with slope ≥ ``GREY_SLOPE_MIN``.
- ``T``: one tone curve shared by the three channels (contrast, toe, shoulder), same form as ``C``, ``T(0) = 0``
  plus a bounded lift.

So every output channel is a smooth, increasing function of a fixed linear mix of smooth, increasing functions of
the input channels: nearby input colours stay nearby, greys stay ordered, and a dark neutral object can only take a
colour cast that every dark neutral in the shot takes. Fits add a smoothness penalty on the slopes' log (second
differences) so the curves bend gradually. The same mapping exports as a 33³ ``.cube`` and (approximately) as an
ASC CDL.

Parameters live in an unconstrained vector ``θ`` (``N_PARAMS`` values; ``θ = 0`` is the identity) decoded by
``decode``; the torch functions are differentiable for fitting and training, the numpy ones apply a fitted grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
import torch

from editor.errors import EditParameterError
from editor.lighting.lut import Lut3D

KNOTS = 17  # curve values at x = k / 16
SEGMENTS = KNOTS - 1
SLOPE_MIN, SLOPE_MAX = 0.2, 5.0
_LOG_SLOPE = float(np.log(SLOPE_MAX))  # |log slope| ≤ log 5 (and ≥ log 0.2 = −log 5)
LIFT_MAX = 0.25
MIX_MAX = 0.6
GREY_SLOPE_MIN = 0.1  # along the grey axis every mixed channel rises at least this fast (half SLOPE_MIN)
# θ layout: pre-curves (3 × (1 lift + 16 log slopes)), matrix (9), post-curve (1 lift + 16 log slopes).
_PRE = 3 * KNOTS
_MAT = 9
N_PARAMS = _PRE + _MAT + KNOTS
_TABLE = 65536  # 1D lookup resolution for fast application (16-bit indices)
_TAIL = 64  # pixels at a row's end computed again inside a block: more than any OpenCV vector loop's step


def _curve_values(raw: torch.Tensor) -> torch.Tensor:
    """(..., KNOTS) raw → (..., KNOTS) knot values: lift then cumulative bounded-slope segments."""
    lift = LIFT_MAX * torch.tanh(raw[..., :1])
    slopes = torch.exp(_LOG_SLOPE * torch.tanh(raw[..., 1:] / _LOG_SLOPE))
    return torch.cat([lift, lift + torch.cumsum(slopes / SEGMENTS, dim=-1)], dim=-1)


def decode(theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """θ (..., N_PARAMS) → (pre knot values (..., 3, KNOTS), matrix (..., 3, 3), post knot values (..., KNOTS))."""
    pre = _curve_values(theta[..., :_PRE].reshape(*theta.shape[:-1], 3, KNOTS))
    d = MIX_MAX * torch.tanh(theta[..., _PRE : _PRE + _MAT].reshape(*theta.shape[:-1], 3, 3) / MIX_MAX)
    d = d - d.mean(dim=-1, keepdim=True)  # rows of M − I sum to 0: greys stay grey
    d = d * _grey_order_scale(pre, d)
    eye = torch.eye(3, dtype=theta.dtype, device=theta.device)
    post = _curve_values(theta[..., _PRE + _MAT :])
    return pre, eye + d, post


def _grey_order_scale(pre: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """The largest α ≤ 1 such that with ``M = I + α·d`` every channel of ``M · C(v, v, v)`` rises with slope
    ≥ ``GREY_SLOPE_MIN`` on every curve segment (so greys stay ordered). Shape (..., 1, 1)."""
    slopes = torch.diff(pre, dim=-1) * SEGMENTS  # (..., 3, SEGMENTS), each ≥ SLOPE_MIN
    extra = torch.einsum("...ij,...jk->...ik", d, slopes)  # what the mix adds to each channel's slope
    room = (slopes - GREY_SLOPE_MIN) / (-extra).clamp_min(1e-12)
    alpha = torch.where(extra < 0, room, torch.ones_like(room)).amin(dim=-1).amin(dim=-1)
    return alpha.clamp(max=1.0)[..., None, None]


def _interp(x: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear curve through ``values`` at k/16, extended linearly past [0, 1]. x (..., P), values
    broadcastable to (..., KNOTS)."""
    t = x * SEGMENTS
    i = t.floor().clamp(0, SEGMENTS - 1)
    f = t - i
    i = i.long()
    lo = torch.gather(values.expand(*x.shape[:-1], KNOTS), -1, i)
    hi = torch.gather(values.expand(*x.shape[:-1], KNOTS), -1, i + 1)
    return lo + (hi - lo) * f


def apply_torch(theta: torch.Tensor, rgb: torch.Tensor) -> torch.Tensor:
    """G_θ on pixels. theta (B, N_PARAMS), rgb (B, P, 3) → (B, P, 3) clipped to [0, 1]."""
    pre, mat, post = decode(theta)
    x = rgb.clamp(0, 1).transpose(1, 2)  # (B, 3, P)
    c = _interp(x, pre)  # per channel
    m = torch.einsum("bij,bjp->bip", mat, c)
    y = _interp(m, post.unsqueeze(1))
    return y.transpose(1, 2).clamp(0, 1)


def regulariser(theta: torch.Tensor) -> torch.Tensor:
    """Smoothness (second differences of log slopes, pre and post curves), plus a small pull of the channel
    curves towards each other (a look tints every channel alike unless the data insist). Shape (B,)."""
    pre_raw = theta[..., :_PRE].reshape(*theta.shape[:-1], 3, KNOTS)[..., 1:]
    post_raw = theta[..., _PRE + _MAT + 1 :]
    log_pre = _LOG_SLOPE * torch.tanh(pre_raw / _LOG_SLOPE)
    log_post = _LOG_SLOPE * torch.tanh(post_raw / _LOG_SLOPE)
    smooth = (log_pre[..., 2:] - 2 * log_pre[..., 1:-1] + log_pre[..., :-2]).pow(2).sum((-1, -2))
    smooth = smooth + (log_post[..., 2:] - 2 * log_post[..., 1:-1] + log_post[..., :-2]).pow(2).sum(-1)
    spread = (log_pre - log_pre.mean(dim=-2, keepdim=True)).diff(dim=-1).pow(2).sum((-1, -2))
    return smooth + 0.5 * spread


def _uniform_mix_basis() -> np.ndarray:
    """An orthonormal basis (3, 9) of the hue-uniform mixes ``M − I``: saturation about luma (``I − 1·lumaᵀ``) and
    rotation of chroma about the grey axis (``K``, ``K²``; Rodrigues) — what a grading panel's saturation and hue
    controls do, alike for every hue."""
    luma = np.array([0.2126, 0.7152, 0.0722])
    k = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]) / np.sqrt(3)
    basis = np.stack([(np.eye(3) - np.outer(np.ones(3), luma)).ravel(), k.ravel(), (k @ k).ravel()])
    q, _ = np.linalg.qr(basis.T)
    return q.T


_UNIFORM = torch.from_numpy(_uniform_mix_basis())


def hue_bias(theta: torch.Tensor) -> torch.Tensor:
    """Squared Frobenius norm of the part of ``M − I`` that treats hues differently (outside saturation and hue
    rotation about the grey axis): how much the grade's mix favours some hues over others. Shape (B,) for θ (B, N).

    Fits to pairs that cover only part of the colour space (a reference scene without greens, say) add it, so the
    colours the pairs never show are moved as the shown ones are, rather than by whatever mix fits the shown ones
    best (a mix free in six directions extrapolates arbitrarily: a green backdrop turned yellow, a blue one teal).
    """
    _, mat, _ = decode(theta)
    d = (mat - torch.eye(3, dtype=theta.dtype)).flatten(-2)
    b = _UNIFORM.to(theta.dtype)
    inside = (d @ b.T) @ b
    return (d - inside).pow(2).sum(-1)


@dataclass(frozen=True, eq=False)
class SmoothGrade:
    """A fitted grade ``T(M·C(x))`` (see the module docstring); built from θ with :meth:`from_theta`."""

    theta: np.ndarray  # (N_PARAMS,) float64

    def __post_init__(self) -> None:
        t = np.asarray(self.theta, dtype=np.float64).reshape(-1)
        if t.shape != (N_PARAMS,) or not np.isfinite(t).all():
            raise EditParameterError(f"a smooth grade needs {N_PARAMS} finite parameters, got {t.shape}")
        object.__setattr__(self, "theta", t)

    @classmethod
    def identity(cls) -> SmoothGrade:
        return cls(np.zeros(N_PARAMS))

    @classmethod
    def from_theta(cls, theta: np.ndarray | torch.Tensor) -> SmoothGrade:
        if isinstance(theta, torch.Tensor):
            theta = theta.detach().cpu().double().numpy()
        return cls(np.round(np.asarray(theta, np.float64), 8))

    def parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pre knot values (3, KNOTS), matrix (3, 3), post knot values (KNOTS,)) as float64."""
        pre, mat, post = decode(torch.from_numpy(self.theta))
        return pre.numpy(), mat.numpy(), post.numpy()

    @cached_property
    def _tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        pre, mat, post = self.parts()
        grid = np.linspace(0.0, 1.0, _TABLE)
        pre_t = np.stack([np.interp(grid, np.linspace(0, 1, KNOTS), pre[c]) for c in range(3)]).astype(np.float32)
        # The mix may leave [0, 1]; the post table covers [lo, hi] of what the mix can produce.
        lo = float(min(0.0, (np.minimum(mat, 0) * pre.max(axis=1)).sum(axis=1).min() + pre.min()))
        hi = float(max(1.0, (np.maximum(mat, 0) * pre.max(axis=1)).sum(axis=1).max()))
        xs = np.linspace(lo, hi, _TABLE)
        post_t = _np_interp_ext(xs, post).astype(np.float32)
        return pre_t, mat.astype(np.float32), post_t, np.array([lo, hi], np.float32)

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """Apply to float RGB (..., 3) in [0, 1]: three 16-bit table look-ups, one affine 3×3 mix straight to the
        post table's 16-bit index, one more look-up (within 2e-4 of :meth:`apply_exact`, below a 12-bit code).
        Returns float32."""
        shape = np.shape(rgb)
        x = np.ascontiguousarray(np.asarray(rgb, np.float32).reshape(1, -1, 3))  # one row: OpenCV's loops run once
        idx = self._index(x)
        # OpenCV's loops round their scalar tail (the last few pixels of the row) differently from their vector body
        # (one post-table code, seen by a property test): the last pixels are computed again inside a block, so a
        # pixel's result never depends on where it lies in the array (a region's grade is the whole frame's there).
        n = x.shape[1]
        m = min(n, _TAIL)
        block = np.zeros((1, 2 * _TAIL, 3), np.float32)
        block[0, :m] = x[0, n - m :]
        idx[0, n - m :] = self._index(block)[0, :m]
        return np.take(self._fast[2], idx).reshape(shape)

    def _index(self, x: np.ndarray) -> np.ndarray:
        """The post table's 16-bit index of each pixel of one row ``x`` (1, n, 3) float32."""
        pre_q, mix, _ = self._fast
        top = float(_TABLE - 1)
        q = cv2.multiply(x, (top, top, top), dtype=cv2.CV_16U)  # rounds and saturates
        c = cv2.merge([np.take(pre_q[k], plane) for k, plane in enumerate(cv2.split(q))])
        return cv2.transform(c, mix)  # 16-bit in, 16-bit out: rounds and saturates to the post table's range

    @cached_property
    def _fast(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The application tables: the pre curves as 16-bit codes of their own range [plo, phi]; the mix as an
        affine 3×4 matrix from those codes to the post table's index (``k · (M · c − lo)`` with
        ``c = plo + s · code``); the post table clipped to [0, 1]."""
        pre_t, mat, post_t, (lo, hi) = self._tables
        top = float(_TABLE - 1)
        plo, phi = float(pre_t.min()), float(pre_t.max())
        phi = max(phi, plo + 1e-6)
        s = (phi - plo) / top
        pre_q = np.rint((pre_t.astype(np.float64) - plo) / s).astype(np.uint16)
        m = mat.astype(np.float64)
        k = top / (float(hi) - float(lo))
        offset = k * (m.sum(axis=1) * plo - float(lo))
        mix = np.hstack([m * (k * s), offset[:, None]]).astype(np.float32)
        return pre_q, mix, np.clip(post_t, 0.0, 1.0).astype(np.float32)

    def apply_exact(self, rgb: np.ndarray) -> np.ndarray:
        """The same mapping evaluated exactly (float64 interpolation; for LUT export and tests)."""
        pre, mat, post = self.parts()
        x = np.clip(np.asarray(rgb, np.float64).reshape(-1, 3), 0, 1)
        c = np.stack([_np_interp_ext(x[:, k], pre[k]) for k in range(3)], axis=-1)
        m = c @ mat.T
        return np.clip(_np_interp_ext(m, post), 0, 1).astype(np.float32).reshape(np.shape(rgb))

    def lut(self, size: int = 33) -> Lut3D:
        """The grade sampled on a ``size``³ grid (for ``.cube`` export and the 8-bit one-gather path)."""
        return Lut3D.from_function(self.apply_exact, size)

    def as_json(self) -> dict[str, object]:
        pre, mat, post = self.parts()
        return {
            "form": "T(M·C(x))",
            "knots": KNOTS,
            "curves_rgb": [[round(float(v), 5) for v in row] for row in pre],
            "matrix": [[round(float(v), 5) for v in row] for row in mat],
            "tone_curve": [round(float(v), 5) for v in post],
        }


def _np_interp_ext(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """numpy twin of ``_interp`` for one curve (linear extension past the ends)."""
    t = np.asarray(x, np.float64) * SEGMENTS
    i = np.clip(np.floor(t), 0, SEGMENTS - 1).astype(np.int64)
    f = t - i
    return values[i] + (values[i + 1] - values[i]) * f
