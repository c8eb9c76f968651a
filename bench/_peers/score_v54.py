"""The sync scorer's ``score`` as stop 54 left it (main 50bae45), kept verbatim but for this paragraph so
``bench/sync_score.py`` times it in the same run as the product's: each of the 31 offsets' audio windows embedded
in its own call. Bench-only: nothing in the product imports this."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from editor.dialogue.sync import SyncNet, SyncScore, SyncTake, audio_windows, video_windows


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
    audio = [torch.from_numpy(audio_windows(take.feats, take.fps, idx + o)) for o in range(-search, search + 1)]
    curves = []
    for net in nets:
        ev = net.embed_video(video)
        curves.append([float(torch.linalg.vector_norm(ev - net.embed_audio(a), dim=-1).mean()) for a in audio])
    arr = np.mean(np.array(curves), axis=0)
    curve = arr.tolist()
    best = int(arr.argmin())
    return SyncScore(
        best - search, float(arr[best]), float(np.median(arr) - arr[best]), tuple(round(c, 4) for c in curve)
    )
