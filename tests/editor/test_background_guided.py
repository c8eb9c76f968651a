"""The guided filter against a direct per-window least-squares computation (He et al. 2013, Alg. 1 by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.background._guided import box_mean, fast_guided_filter, guided_filter


def _windows(h: int, w: int, r: int) -> list[tuple[slice, slice]]:
    return [
        (slice(max(0, y - r), min(h, y + r + 1)), slice(max(0, x - r), min(w, x + r + 1)))
        for y in range(h)
        for x in range(w)
    ]


def _direct(guide: np.ndarray, p: np.ndarray, r: int, eps: float) -> np.ndarray:
    """q_i = mean over windows k ∋ i of (a_k·I_i + b_k), each (a_k, b_k) the ridge regression of p on I in k."""
    h, w = p.shape
    g = guide.reshape(h, w, -1).astype(np.float64)
    c = g.shape[2]
    a = np.zeros((h, w, c))
    b = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            ys, xs = slice(max(0, y - r), min(h, y + r + 1)), slice(max(0, x - r), min(w, x + r + 1))
            gi = g[ys, xs].reshape(-1, c)
            pi = p[ys, xs].reshape(-1).astype(np.float64)
            mu = gi.mean(axis=0)
            cov = (gi - mu).T @ (gi - mu) / len(pi)
            cross = (gi - mu).T @ (pi - pi.mean()) / len(pi)
            a[y, x] = np.linalg.solve(cov + eps * np.eye(c), cross)
            b[y, x] = pi.mean() - a[y, x] @ mu
    q = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            ys, xs = slice(max(0, y - r), min(h, y + r + 1)), slice(max(0, x - r), min(w, x + r + 1))
            q[y, x] = a[ys, xs].reshape(-1, c).mean(axis=0) @ g[y, x] + b[ys, xs].mean()
    return q


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize(("r", "eps"), [(1, 1e-3), (2, 1e-2), (3, 1e-4)])
def test_guided_filter_matches_direct_reference(channels: int, r: int, eps: float) -> None:
    rng = np.random.default_rng(7 + r + channels)
    h, w = 11, 14
    guide = rng.random((h, w, channels), dtype=np.float32)
    guide = guide[..., 0] if channels == 1 else guide
    p = (rng.random((h, w)) > 0.5).astype(np.float32)
    got = guided_filter(guide, p, r, eps)
    np.testing.assert_allclose(got, _direct(guide, p, r, eps), atol=2e-4)


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), r=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_box_mean_is_the_truncated_window_mean(h: int, w: int, r: int, seed: int) -> None:
    x = np.random.default_rng(seed).random((h, w), dtype=np.float32)
    want = np.array([x[ys, xs].mean() for ys, xs in _windows(h, w, r)]).reshape(h, w)
    np.testing.assert_allclose(box_mean(x, r), want, atol=1e-5)


def test_fast_guided_filter_approximates_the_full_filter() -> None:
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:96, 0:128]
    p = ((yy - 48) ** 2 + (xx - 64) ** 2 < 30**2).astype(np.float32)
    guide = np.clip(p[..., None] * [0.8, 0.6, 0.5] + 0.2 + rng.normal(0, 0.02, (96, 128, 3)), 0, 1).astype(np.float32)
    full = guided_filter(guide, p, 8, 1e-3)
    fast = fast_guided_filter(guide, p, 8, 1e-3, 4)
    assert np.abs(full - fast).mean() < 0.02
    np.testing.assert_array_equal(fast_guided_filter(guide, p, 8, 1e-3, 1), full)


def test_guided_filter_rejects_bad_arguments() -> None:
    p = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match="guide shape"):
        guided_filter(np.zeros((5, 4), np.float32), p, 1, 1e-3)
    with pytest.raises(ValueError, match="radius"):
        guided_filter(p, p, 0, 1e-3)
    with pytest.raises(ValueError, match="eps"):
        guided_filter(p, p, 1, 0.0)
