"""Synthetic dailies for the demo when the shared footage is absent: textured moving scenes with a tone track.

They carry no real faces, so the gate sees no performer in them; the demo says it used generated footage.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from media import reproducible_options

RATE = Fraction(25)
SIZE = (640, 360)


def _texture(seed: int) -> np.ndarray:
    """Photo-like detail: noise summed over several scales (what a real set has; a flat set carries no mark)."""
    import cv2

    h, w = SIZE[1], SIZE[0]
    rng = np.random.default_rng(seed)
    out = np.zeros((h, w), np.float32)
    for sigma, weight in ((1.0, 0.35), (3.0, 0.35), (9.0, 0.3)):
        n = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigma)
        out += weight * n / (n.std() + 1e-6)
    return out * 0.5


def _frame(t: int, seed: int) -> np.ndarray:
    """A locked-off set (static texture) with one moving figure (a disc standing in for a performer)."""
    h, w = SIZE[1], SIZE[0]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    texture = _texture(seed)
    r = 0.45 + 0.25 * np.sin(x / (17 + seed)) + 0.2 * texture
    g = 0.45 + 0.25 * np.cos(y / (23 + seed)) + 0.15 * texture
    b = 0.4 + 0.2 * np.sin((x + y) / 29) + 0.15 * texture
    cx, cy = int(w / 2 + 0.15 * w * np.sin(t / 12)), int(0.6 * h)
    figure = ((x - cx) / (0.12 * w)) ** 2 + ((y - cy) / (0.3 * h)) ** 2 < 1
    rgb = np.stack([r, g, b], -1)
    rgb[figure] = (0.85, 0.62, 0.52)
    return (np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def generate_footage(folder: Path, *, seconds: int = 2) -> list[Path]:
    """Write three short H.264 MP4 takes with AAC audio into ``folder``; returns their paths."""
    out = []
    for seed, name in enumerate(("001A_T01.mp4", "001A_T02.mp4", "002B_T01.mp4")):
        path = folder / name
        with av.open(str(path), "w") as c:
            vs = c.add_stream("libx264", rate=RATE)
            vs.width, vs.height, vs.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
            vs.options = reproducible_options("libx264", {"crf": "18", "preset": "veryfast"})
            a = c.add_stream("aac", rate=48000)
            for t in range(int(RATE * seconds)):
                f = av.VideoFrame.from_ndarray(_frame(t, seed), format="rgb24")
                f.pts = t
                for p in vs.encode(f):
                    c.mux(p)
            n = 48000 * seconds
            tone = (0.2 * np.sin(2 * np.pi * (220 + 110 * seed) * np.arange(n) / 48000)).astype(np.float32)
            for i in range(0, n, 1024):
                af = av.AudioFrame.from_ndarray(tone[None, i : i + 1024], format="flt", layout="mono")
                af.sample_rate = 48000
                for p in a.encode(af):
                    c.mux(p)
            for s in (vs, a):
                for p in s.encode():
                    c.mux(p)
        out.append(path)
    return out
