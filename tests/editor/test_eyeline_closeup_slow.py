"""Slow: the eyeline edit on a close-up is as steady as the source (issue 18, stop 51).

Stops 48-50 split the catchlight off the eye and warped the two apart. On a close-up of Obama's held-out take (the
centre 60 % of the picture, scaled back up: eyes 1.67x larger; here its first 48 frames, H.264 CRF 16) the eye
region's warping error is 1.42 of the source's with that split, 0.99 with one warp: which of his two catchlights
was split changed from frame to frame (docs/benchmarks.md, "The catchlight moved in one warp"). Read where the look is
held (stop 52: the ease's pairs left out), 1.38 with the split and 0.99 with one warp."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from editor.eyeline import EyelineConfig, redirect_gaze, train_eyeline
from media import iter_frames, probe, reproducible_options

TRAIN = "obama-weekly-address_a-bad-situation.mp4"
TEST = "obama-weekly-address_very-real-challenges.mp4"
FRAMES = 48


def _closeup(src: Path, dst: Path) -> Path:
    """``src``'s first ``FRAMES`` frames cropped to the centre 60 % (centred at 40 % of the height), scaled back to
    the full size, as H.264 (CRF 16)."""
    info = probe(src)
    with av.open(str(dst), "w") as out:
        rate = Fraction(info.frame_rate).limit_denominator(1001)
        vs = out.add_stream("libx264", rate=rate, options=reproducible_options("libx264", {"crf": "16"}))
        vs.width, vs.height, vs.pix_fmt = info.width, info.height, "yuv420p"
        for n, (_, rgb) in enumerate(iter_frames(info, end=FRAMES, fmt="rgb24")):
            h, w = rgb.shape[:2]
            ch, cw = int(h * 0.6) // 2 * 2, int(w * 0.6) // 2 * 2
            y0, x0 = min(h - ch, max(0, round(h * 0.4 - ch / 2))), (w - cw) // 2
            big = cv2.resize(np.asarray(rgb)[y0 : y0 + ch, x0 : x0 + cw], (w, h), interpolation=cv2.INTER_CUBIC)
            frame = av.VideoFrame.from_ndarray(big, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = n, 1 / rate
            out.mux(vs.encode(frame))
        out.mux(vs.encode())
    return dst


@pytest.mark.slow
def test_a_close_up_eye_is_as_steady_as_the_source(footage_dir: Path, tmp_path: Path) -> None:
    model = train_eyeline([probe(footage_dir / TRAIN)], "obama", config=EyelineConfig(samples=32)).model
    shot = _closeup(footage_dir / TEST, tmp_path / "closeup.mp4")
    result = redirect_gaze(shot, tmp_path / "out.mp4", model, (4.0, 0.0), performer="obama", end=FRAMES)
    assert result.metrics["eye_warping_error_ratio"] < 1.1
    assert result.metrics["gaze_shift_achieved_x_deg"] > 3.0  # 4° asked and held; 3.56 read (stop 52)
