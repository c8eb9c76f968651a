"""Picture attacks that defeat a watermark, for the fingerprint tests and bench/fingerprint.py: each decodes the
video, transforms every frame (OpenCV) and re-encodes it as H.264 (no audio, no metadata: nothing of the labelled
file survives but the pictures)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from media import reproducible_options

Frame = np.ndarray


def reencode(src: Path, dst: Path, transform: Callable[[Frame], Frame], *, crf: int = 23) -> Path:
    """Decode ``src``, apply ``transform`` to each RGB frame, encode H.264 at ``crf`` into ``dst``."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        rate = vin.average_rate or Fraction(24)
        vs = None
        for i, frame in enumerate(inp.decode(vin)):
            rgb = transform(frame.to_ndarray(format="rgb24"))
            h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
            rgb = np.ascontiguousarray(rgb[:h, :w])
            if vs is None:
                vs = out.add_stream("libx264", rate=rate)
                vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
                vs.options = reproducible_options("libx264", {"crf": str(crf), "preset": "veryfast"})
            f = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            f.pts = i
            f.time_base = 1 / Fraction(rate)
            for p in vs.encode(f):
                out.mux(p)
        if vs is not None:
            for p in vs.encode():
                out.mux(p)
    return dst


def downscale(factor: float) -> Callable[[Frame], Frame]:
    def f(a: Frame) -> Frame:
        h, w = a.shape[:2]
        return cv2.resize(a, (max(16, round(w * factor)), max(16, round(h * factor))), interpolation=cv2.INTER_AREA)

    return f


def crop(keep: float) -> Callable[[Frame], Frame]:
    """Keep the centre ``keep`` of the width and height (``keep=0.6``: a 40 % crop of each side's extent)."""

    def f(a: Frame) -> Frame:
        h, w = a.shape[:2]
        ch, cw = int(h * keep), int(w * keep)
        y0, x0 = (h - ch) // 2, (w - cw) // 2
        return a[y0 : y0 + ch, x0 : x0 + cw]

    return f


def screen_capture(a: Frame) -> Frame:
    """A camera pointed at a screen: a perspective warp (the corners pulled in by up to 8 %) and a blur."""
    h, w = a.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0.06 * w, 0.04 * h], [0.97 * w, 0.0], [0.92 * w, 0.97 * h], [0.02 * w, 0.92 * h]])
    warped = cv2.warpPerspective(a, cv2.getPerspectiveTransform(src, dst), (w, h), borderMode=cv2.BORDER_REPLICATE)
    return cv2.GaussianBlur(warped, (0, 0), sigmaX=max(1.0, w / 320))
