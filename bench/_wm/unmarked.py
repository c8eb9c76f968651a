"""False-key test for ``bench/watermark.py``: many unmarked segments, none may decode to a key.

Segments are built from the 8 unmarked clips: a 2-s window (every 2nd frame) at several start offsets, each under
one transform: identity, horizontal/vertical flip, rotate 180°, centre and corner crops (5–40 %), rescales
(0.5×, 0.75×, 1.5×), brightness/contrast changes, Gaussian blur, JPEG re-compression (q 30–90), or additive
noise; in the full run, the clips also go through every real-encoder attack of ``_wm.attacks`` (H.264/H.265
re-encodes, crops, scaling, levels, 24→25 fps, re-wraps).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from labeler.watermark import detect_video
from labeler.watermark._detect import detect_frames

from .attacks import ATTACKS, apply

Transform = Callable[[np.ndarray], np.ndarray]


def _crop(frac: float, corner: bool) -> Transform:
    def f(y: np.ndarray) -> np.ndarray:
        h, w = y.shape
        ch, cw = int(h * (1 - frac)), int(w * (1 - frac))
        y0, x0 = (0, 0) if corner else ((h - ch) // 2, (w - cw) // 2)
        return y[y0 : y0 + ch, x0 : x0 + cw]

    return f


def _scale(s: float) -> Transform:
    return lambda y: cv2.resize(y, (int(y.shape[1] * s), int(y.shape[0] * s)), interpolation=cv2.INTER_AREA)


def _jpeg(q: int) -> Transform:
    return lambda y: cv2.imdecode(cv2.imencode(".jpg", y, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_GRAYSCALE)


def _levels(gain: float, offset: float) -> Transform:
    return lambda y: np.clip(y.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8)


_rng = np.random.default_rng(11)
TRANSFORMS: dict[str, Transform] = {
    "identity": lambda y: y,
    "hflip": lambda y: y[:, ::-1],
    "vflip": lambda y: y[::-1],
    "rot180": lambda y: y[::-1, ::-1],
    **{
        f"crop{int(f * 100)}{'_corner' if c else ''}": _crop(f, c)
        for f in (0.05, 0.1, 0.25, 0.4)
        for c in (False, True)
    },
    **{f"scale{s}": _scale(s) for s in (0.5, 0.75, 1.5)},
    "brightness+20": _levels(1.2, 0),
    "brightness-20": _levels(0.8, 0),
    "contrast0.8": _levels(0.8, 25.6),
    "blur": lambda y: cv2.GaussianBlur(y, (0, 0), 1.5),
    **{f"jpeg{q}": _jpeg(q) for q in (30, 50, 70, 90)},
    "noise": lambda y: np.clip(y + _rng.normal(0, 4, y.shape), 0, 255).astype(np.uint8),
}


def _frames(clip: Path) -> tuple[list[np.ndarray], float]:
    with av.open(str(clip)) as c:
        v = c.streams.video[0]
        rate = float(v.average_rate or 25)
        return [f.to_ndarray(format="gray") for f in c.decode(v)], rate


def false_key_run(clips: list[Path], n_segments: int, work: Path, real_attacks: bool | None = None) -> dict[str, Any]:
    """Run ``n_segments`` in-memory unmarked segments (plus real-encoder attacks on every clip in the full run)."""
    decoded = {c: _frames(c) for c in clips}
    combos = list(itertools.product(clips, TRANSFORMS, range(6)))
    _rng.shuffle(combos)
    false, max_z, kinds = 0, 0.0, set()
    done = 0
    for clip, tname, k in itertools.islice(itertools.cycle(combos), n_segments):
        frames, rate = decoded[clip]
        win = int(2 * rate)
        start = (k * max(1, (len(frames) - win) // 5)) % max(1, len(frames) - win + 1)
        seg = [TRANSFORMS[tname](f) for f in frames[start : start + win : 2]]
        r = detect_frames(seg)
        false += r.key is not None
        max_z = max(max_z, r.sync_score)
        kinds.add(tname)
        done += 1
    real = 0
    skipped: list[str] = []
    if real_attacks if real_attacks is not None else n_segments >= 1000:
        for clip in clips:
            for a in ATTACKS:
                if a.fps is not None:
                    continue
                try:
                    out = apply(clip, work / f"unmarked-{clip.stem}-{a.name}.mp4", a)
                except (av.error.FFmpegError, ValueError):  # e.g. VP6/FLV packets cannot be re-wrapped into MOV
                    skipped.append(f"{clip.name}:{a.name}")
                    continue
                r2 = detect_video(out, max_seconds=2)
                false += r2.key is not None
                max_z = max(max_z, r2.sync_score)
                real += 1
    return {
        "segments": done + real,
        "in_memory_segments": done,
        "real_encoder_segments": real,
        "real_encoder_skipped": skipped,
        "false_keys": false,
        "max_hypothesis_score": round(max_z, 2),
        "transforms": sorted(kinds),
        "clips": len(clips),
    }
