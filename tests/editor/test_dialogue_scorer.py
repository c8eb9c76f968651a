"""The project's sync scorer: several networks whose distance curves are averaged (``editor.dialogue.sync``), how
it is stored, and that a model stored with one network still loads and reads as before."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch

from editor.dialogue.sync import GREY_H, GREY_W, NETS, SyncNet, SyncTake, from_arrays, score, state_arrays


def _nets(k: int) -> tuple[SyncNet, ...]:
    out = []
    for j in range(k):
        torch.manual_seed(100 + j)
        out.append(SyncNet().eval())
    return tuple(out)


def _take(n: int = 40) -> SyncTake:
    rng = np.random.default_rng(3)
    grey = rng.standard_normal((n, GREY_H, GREY_W)).astype(np.float32)
    feats = rng.standard_normal((n * 4 + 20, 14)).astype(np.float32)
    return SyncTake(grey, feats, Fraction(25))


def test_a_scorer_reads_the_mean_of_its_networks_curves() -> None:
    nets, take = _nets(NETS), _take()
    curves = np.array([score(net, take).curve for net in nets])
    got = score(nets, take)
    np.testing.assert_allclose(got.curve, curves.mean(axis=0), atol=2e-4)  # the curves are stored to 4 places
    assert got.offset_frames == int(np.argmin(curves.mean(axis=0))) - 15


def test_a_scorer_round_trips_through_its_arrays() -> None:
    nets, take = _nets(NETS), _take()
    back = from_arrays(state_arrays(nets))
    assert len(back) == NETS
    assert score(back, take) == score(nets, take)


def test_a_model_stored_with_one_network_loads_as_a_scorer_of_one() -> None:
    """Models before ``dialogue-npz/4`` stored one net under ``sync/``: it loads and reads exactly as it did."""
    (net,), take = _nets(1), _take()
    old = {f"sync/{k}": v.detach().numpy() for k, v in net.state_dict().items()}
    back = from_arrays(old)
    assert len(back) == 1 and score(back, take) == score(net, take)
