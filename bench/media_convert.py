"""Bench: the 8-bit YUV<->RGB conversions every edit's pixels pass through (issue 18, stop 52), one JSON line per
metric.

An edit reads a frame as RGB (``media._read.frame_to_rgb``), hands back the pixels it changed, and the render converts
those back to the clip's YUV (``media._write._composite``); the pixels it did not change are copied as they were.
Here the frame is handed back unchanged, with every pixel marked changed, and read again: what is left is the
conversions' own error. ``method: new`` is this code (``media._read.EXACT_RGB``: accurate rounding and full chroma
interpolation); ``method: default`` is swscale's default flags, the code before, in the same run.

- ``media_convert_round_trip``: per clip (the shared footage and held-out versions, ``bench/_heldout.py``), over its
  first ``--frames`` frames: the mean change of grey (0.299 R + 0.587 G + 0.114 B, 0-255 levels) and its mean
  absolute value; the same for the luma samples (Y) after the round trip.
- ``media_convert_speed``: milliseconds per frame to read one frame as RGB, median of ``--repeats``.

Run: ``PYTHONPATH=. python bench/media_convert.py [--variants crop,crf28,prores10,mirror] [--frames 10]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "bench"))

from _heldout import FOOTAGE, make_variant  # noqa: E402

from media import probe  # noqa: E402
from media._read import EXACT_RGB, conversion_matrix, conversion_range, frame_planes  # noqa: E402

GREY = np.array([0.299, 0.587, 0.114])
FLAGS = {"new": EXACT_RGB, "default": None}


def emit(**kv: object) -> None:
    print(json.dumps(kv, sort_keys=True), flush=True)


def _to_rgb(frame: av.VideoFrame, matrix: str, crange: str, flags: int | None) -> np.ndarray:
    kw = {} if flags is None else {"interpolation": flags}
    return frame.to_ndarray(format="rgb24", src_colorspace=matrix, src_color_range=crange, **kw)


def _to_yuv(rgb: np.ndarray, pix_fmt: str, matrix: str, crange: str, flags: int | None) -> av.VideoFrame:
    kw = {} if flags is None else {"interpolation": flags}
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
        format=pix_fmt, dst_colorspace=matrix, dst_color_range=crange, src_colorspace=matrix, **kw
    )


def round_trip(path: Path, variant: str, frames: int, repeats: int) -> None:
    info = probe(path)
    if info.bit_depth > 8:
        emit(metric="media_convert_round_trip", clip=path.name, variant=variant, skipped="not 8-bit")
        return
    matrix, crange = conversion_matrix(info), conversion_range(info)
    with av.open(str(path)) as container:
        decoded = [f for _, f in zip(range(frames), container.decode(video=0), strict=False)]
    for method, flags in FLAGS.items():
        grey, grey_abs, luma, luma_abs = [], [], [], []
        for frame in decoded:
            rgb = _to_rgb(frame, matrix, crange, flags)
            again = _to_yuv(rgb, frame.format.name, matrix, crange, flags)
            back = _to_rgb(again, matrix, crange, flags)
            d = (back.astype(np.float64) - rgb) @ GREY
            y = frame_planes(again)[0].astype(np.float64) - frame_planes(frame)[0]
            grey.append(d.mean())
            grey_abs.append(np.abs(d).mean())
            luma.append(y.mean())
            luma_abs.append(np.abs(y).mean())
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            _to_rgb(decoded[0], matrix, crange, flags)
            times.append((time.perf_counter() - t0) * 1000)
        emit(metric="media_convert_round_trip", clip=path.name, variant=variant, method=method, frames=len(decoded),
             size=[info.width, info.height], matrix=matrix, range=crange,
             grey_change_mean=round(float(np.mean(grey)), 4), grey_change_abs=round(float(np.mean(grey_abs)), 4),
             luma_change_mean=round(float(np.mean(luma)), 4),
             luma_change_abs=round(float(np.mean(luma_abs)), 4))  # fmt: skip
        emit(metric="media_convert_speed", clip=path.name, variant=variant, method=method,
             ms_per_frame_median=round(float(np.median(times)), 3), size=[info.width, info.height])  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--footage", type=Path, default=FOOTAGE)
    ap.add_argument("--variants", default="crop,crf28,prores10,mirror")
    ap.add_argument("--frames", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    for clip in sorted(p for p in Path(args.footage).iterdir() if p.suffix in (".mp4", ".flv", ".mpg")):
        round_trip(clip, "shared", args.frames, args.repeats)
        for variant in [v for v in args.variants.split(",") if v]:
            round_trip(make_variant(clip, variant), variant, args.frames, args.repeats)


if __name__ == "__main__":
    main()
