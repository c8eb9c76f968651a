"""Held-out material for "who is in the shot", made from the shared footage: transformed takes, faces pasted at a
given size into a 1080p canvas, joined takes, side-by-side composites, and procedurally drawn cartoon faces.

Used by the cast tests and by ``bench/cast.py``; nothing here is tuned to a clip: every transform is geometric or
photometric and applies to any take.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from media import iter_frames, probe, reproducible_options

Frames = list[np.ndarray]
Box = tuple[float, float, float, float]


def read_take(path: Path, frames: int | None = None) -> tuple[Frames, Fraction]:
    """The first ``frames`` frames (all when None) of a take as RGB uint8, and its frame rate."""
    info = probe(path)
    end = info.frame_count if frames is None else min(frames, info.frame_count)
    out = [np.asarray(f, np.uint8) for _i, f in iter_frames(info, start=0, end=end, fmt="rgb24")]
    return out, info.frame_rate


def write_clip(path: Path, frames: Frames, rate: Fraction, *, codec: str = "libx264", pix_fmt: str = "yuv420p") -> Path:
    """Encode RGB frames (even sizes) into ``path`` (MP4, or MOV for ProRes)."""
    h, w = frames[0].shape[:2]
    fmt = "mov" if path.suffix == ".mov" else "mp4"
    with av.open(str(path), "w", format=fmt) as out:
        options = {"profile": "3"} if codec == "prores_ks" else {"crf": "20", "preset": "veryfast"}
        stream = out.add_stream(codec, rate=rate, options=reproducible_options(codec, options))
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        for i, rgb in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24").reformat(format=pix_fmt)
            vf.pts = i
            for p in stream.encode(vf):
                out.mux(p)
        for p in stream.encode():
            out.mux(p)
    return path


def even(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return np.ascontiguousarray(rgb[: h - h % 2, : w - w % 2])


def mirror(frames: Frames) -> Frames:
    return [np.ascontiguousarray(f[:, ::-1]) for f in frames]


def recrop(frames: Frames, box: Box, *, keep: float = 2.2) -> Frames:
    """A tighter framing: a window ``keep`` face widths wide around the face, scaled back to the source size."""
    h, w = frames[0].shape[:2]
    x, y, bw, bh = box
    side = min(w, h, keep * bw)
    cx, cy = x + bw / 2, y + bh / 2
    x0, y0 = int(np.clip(cx - side * w / h / 2, 0, w - side * w / h)), int(np.clip(cy - side / 2, 0, h - side))
    x1, y1 = int(x0 + side * w / h), int(y0 + side)
    return [even(cv2.resize(f[y0:y1, x0:x1], (w, h), interpolation=cv2.INTER_CUBIC)) for f in frames]


def letterbox(frames: Frames, *, aspect: float = 2.39, out: tuple[int, int] = (1280, 720)) -> Frames:
    """The frame fitted into a 2.39:1 picture area (cropped top and bottom) inside ``out``, black bars around."""
    w, h = out
    res = []
    for f in frames:
        fh, fw = f.shape[:2]
        keep = round(fw / aspect)
        top = max(0, (fh - keep) // 2)
        band = f[top : top + keep]
        scale = min(w / fw, h / band.shape[0])
        band = cv2.resize(band, (int(fw * scale), int(band.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        canvas = np.zeros((h, w, 3), np.uint8)
        y0, x0 = (h - band.shape[0]) // 2, (w - band.shape[1]) // 2
        canvas[y0 : y0 + band.shape[0], x0 : x0 + band.shape[1]] = band
        res.append(canvas)
    return res


def grade(frames: Frames, *, gamma: float = 1.35, cast: tuple[float, float, float] = (0.9, 1.0, 1.15)) -> Frames:
    lut = np.clip(255 * (np.arange(256) / 255.0) ** gamma, 0, 255)
    return [np.clip(lut[f] * np.array(cast), 0, 255).astype(np.uint8) for f in frames]


def retime(frames: Frames, rate: Fraction, new_rate: Fraction) -> Frames:
    """Frames resampled (nearest) from ``rate`` to ``new_rate`` over the same duration."""
    n = int(len(frames) * new_rate / rate)
    return [frames[min(len(frames) - 1, int(k * rate / new_rate))] for k in range(n)]


def on_canvas(
    frames: Frames, box: Box, side: int, *, size: tuple[int, int] = (1920, 1080), at: tuple[float, float] = (0.3, 0.4)
) -> tuple[Frames, Box]:
    """The take scaled so its face box is ``side`` px wide, pasted into a grey ``size`` canvas with the face's
    centre at fractions ``at`` of the canvas; returns the frames and the face's box in them."""
    w, h = size
    s = side / box[2]
    out = []
    cx, cy = at[0] * w, at[1] * h
    fx, fy = (box[0] + box[2] / 2) * s, (box[1] + box[3] / 2) * s
    ox, oy = int(cx - fx), int(cy - fy)
    for f in frames:
        small = cv2.resize(f, None, fx=s, fy=s, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
        canvas = np.full((h, w, 3), 96, np.uint8)
        paste(canvas, small, ox, oy)
        out.append(canvas)
    return out, (box[0] * s + ox, box[1] * s + oy, box[2] * s, box[3] * s)


def paste(canvas: np.ndarray, img: np.ndarray, x: int, y: int) -> None:
    """Paste ``img`` at (x, y) into ``canvas``, clipped to it."""
    h, w = canvas.shape[:2]
    ih, iw = img.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + iw), min(h, y + ih)
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = img[y0 - y : y1 - y, x0 - x : x1 - x]


def fit(frames: Frames, size: tuple[int, int]) -> Frames:
    return [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]


def join(a: Frames, b: Frames) -> Frames:
    """Two takes cut together at the size of the first."""
    h, w = a[0].shape[:2]
    return a + fit(b, (w, h))


def side_by_side(a: Frames, b: Frames, *, height: int = 360) -> Frames:
    """Two takes next to each other in one frame (a two-shot), each scaled to ``height``."""
    n = min(len(a), len(b))
    out = []
    for k in range(n):
        fa = cv2.resize(a[k], (int(a[k].shape[1] * height / a[k].shape[0]), height), interpolation=cv2.INTER_AREA)
        fb = cv2.resize(b[k], (int(b[k].shape[1] * height / b[k].shape[0]), height), interpolation=cv2.INTER_AREA)
        out.append(even(np.concatenate([fa, fb], axis=1)))
    return out


def cartoon_face(size: int, seed: int, t: int = 0) -> np.ndarray:
    """A procedurally drawn animated face (head, eyes with pupils, brows, nose, mouth opening with ``t``) on a
    ``size``×``size`` background; ``seed`` varies colours and proportions."""
    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), rng.integers(40, 220, 3), np.uint8)
    c = size / 2
    skin = tuple(int(v) for v in rng.integers(60, 255, 3))
    ax, ay = size * rng.uniform(0.3, 0.38), size * rng.uniform(0.38, 0.45)
    cv2.ellipse(img, (int(c), int(c)), (int(ax), int(ay)), 0, 0, 360, skin, -1, cv2.LINE_AA)
    ey, ex = c - ay * rng.uniform(0.15, 0.3), ax * rng.uniform(0.35, 0.5)
    er = max(2, int(size * rng.uniform(0.05, 0.08)))
    look = int(er * 0.4 * np.sin(t / 5))
    for sx in (-1, 1):
        centre = (int(c + sx * ex), int(ey))
        cv2.circle(img, centre, er, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.circle(img, (centre[0] + look, centre[1]), max(1, er // 2), (20, 20, 20), -1, cv2.LINE_AA)
        brow = (centre[0] - er, centre[1] - int(1.6 * er)), (centre[0] + er, centre[1] - int(1.8 * er))
        cv2.line(img, brow[0], brow[1], (30, 20, 10), max(1, size // 60), cv2.LINE_AA)
    cv2.line(img, (int(c), int(ey + er)), (int(c - er / 2), int(c + ay * 0.15)), (90, 50, 40), max(1, size // 80))
    open_ = abs(np.sin(t / 3))
    mouth_y = int(c + ay * rng.uniform(0.35, 0.5))
    cv2.ellipse(img, (int(c), mouth_y), (int(ax * 0.4), int(2 + ay * 0.15 * open_)), 0, 0, 360, (40, 0, 0), -1)
    return img


def cartoon_clip(frames: int, size: tuple[int, int], seed: int, *, faces: int = 1, side: int = 200) -> Frames:
    """An animated clip of ``faces`` cartoon faces of ``side`` px on a plain background."""
    w, h = size
    rng = np.random.default_rng(1000 + seed)
    spots = [(int(rng.uniform(0, w - side)), int(rng.uniform(0, h - side))) for _ in range(faces)]
    out = []
    for t in range(frames):
        canvas = np.full((h, w, 3), 110, np.uint8)
        for k, (x, y) in enumerate(spots):
            paste(canvas, cartoon_face(side, seed * 31 + k, t), x + int(3 * np.sin(t / 4 + k)), y)
        out.append(canvas)
    return out


Transform = Callable[[Frames, Fraction, Box], tuple[Frames, Fraction]]


def gathering(
    people: list[tuple[Frames, Box]], sides: list[int], *, size: tuple[int, int] = (1920, 1080), seed: int = 0
) -> Frames:
    """A crowd of real faces: each (take, face box) cropped to a window ``keep`` face widths around the face,
    scaled so the face is ``sides[k]`` px wide, and pasted at its own place on a grey ``size`` canvas (a grid
    cell chosen by ``seed``), as many frames as the shortest take."""
    w, h = size
    cols = int(np.ceil(np.sqrt(len(people) * w / h)))
    rows = int(np.ceil(len(people) / cols))
    cells = np.random.default_rng(seed).permutation(rows * cols)[: len(people)]
    n = min(len(f) for f, _b in people)
    out = []
    for t in range(n):
        canvas = np.full((h, w, 3), 96, np.uint8)
        for k, ((frames, box), side) in enumerate(zip(people, sides, strict=True)):
            x, y, bw, bh = box
            s = side / bw
            pad = 0.6 * bw
            fh, fw = frames[t].shape[:2]
            x0, y0 = int(max(0, x - pad)), int(max(0, y - pad))
            x1, y1 = int(min(fw, x + bw + pad)), int(min(fh, y + bh + pad))
            crop = cv2.resize(frames[t][y0:y1, x0:x1], None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            r, c = divmod(int(cells[k]), cols)
            cx, cy = (c + 0.5) * w / cols, (r + 0.5) * h / rows
            paste(canvas, crop, int(cx - crop.shape[1] / 2), int(cy - crop.shape[0] / 2))
        out.append(canvas)
    return out
