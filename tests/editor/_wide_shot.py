"""Shots with a matte known exactly, built from real footage: the GRID talker (in front of a flat blue backdrop)
keyed out and composited, several times over, onto plates with nobody in them.

The talker's alpha ``α*`` is a chroma key of the blue backdrop (distance in CbCr from the backdrop's chroma,
smoothstepped), with the blue spill removed from the soft edge. Whatever that key gets wrong about the *real*
hair, ``α*`` is by construction exactly the alpha of the composite ``C = α*·F + (1 − α*)·P`` — the reference a
matte is scored against. Wide shots place several talkers (other takes, mirrored, delayed) small in a wide frame,
standing on the frame's bottom edge; optional soft shadows darken the plate beside each (part of the background:
the truth alpha excludes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

GRID_TAKES = ("grid_pwij3p.mpg", "grid_id2_vcd_swwp2s.mpg")


def decode(path: Path, n: int | None = None, start: int = 0) -> list[np.ndarray]:
    """RGB uint8 frames ``start``…``start + n`` of a clip."""
    out: list[np.ndarray] = []
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i >= start:
                out.append(f.to_ndarray(format="rgb24"))
            if n is not None and len(out) >= n:
                break
    return out


def edit_samples(path: Path, end: int = 50) -> list[np.ndarray]:
    """The frames a background edit of ``path``'s first ``end`` frames estimates its plate from (24 samples, read at
    the recording's own levels), as ``editor.background.edit`` reads them."""
    from editor.background.edit import _frames_u8
    from media import probe, sample_indices

    info = probe(path)
    return _frames_u8(info, sample_indices(info.frame_count, 24, start=0, end=min(end, info.frame_count)))


EDGE_SPILL_PX = 3  # how far into the talker the booth's colour bleeds (MPEG-1 4:2:0: a chroma sample spans 2 px)


def grid_key(frame: np.ndarray, clean_edge: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(alpha float32, despilled foreground float32 RGB) of a GRID frame (its 4 top rows, which hold a line of
    coding noise, dropped). ``clean_edge``: also take the booth's cyan out of the talker's solid edge (``α = 1``
    within ``EDGE_SPILL_PX`` of the key's edge), where the recording bled it at full opacity — by the classic
    blue-green suppression (``min(G, B) − R`` taken off G and B), not by the product's despill."""
    frame = np.ascontiguousarray(frame[4:])
    ycc = cv2.cvtColor(frame, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    border = np.concatenate([ycc[:, :12].reshape(-1, 3), ycc[:, -12:].reshape(-1, 3), ycc[:8].reshape(-1, 3)])
    bg = np.median(border[:, 1:], axis=0)
    d = np.sqrt(((ycc[..., 1:] - bg) ** 2).sum(-1))
    t = np.clip((d - 28.0) / 34.0, 0, 1)
    alpha = (t * t * (3 - 2 * t)).astype(np.float32)
    alpha = cv2.GaussianBlur(alpha, (3, 3), 0)
    alpha[alpha < 0.02] = 0.0
    alpha[alpha > 0.98] = 1.0
    f = frame.astype(np.float32) / 255.0
    excess = np.clip(np.minimum(f[..., 1], f[..., 2]) - f[..., 0], 0, None)  # the booth's cyan over red
    spill = excess * (1.0 - alpha)
    if clean_edge:
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * EDGE_SPILL_PX + 1, 2 * EDGE_SPILL_PX + 1))
        rim = (alpha >= 1.0) & (cv2.dilate((alpha < 1.0).astype(np.uint8), k) > 0)
        spill = np.where(rim, excess, spill)
    fg = f.copy()
    fg[..., 1] -= spill
    fg[..., 2] -= spill
    return alpha, np.clip(fg, 0, 1)


@dataclass(frozen=True)
class Person:
    """One composited talker: which take, where (centre x as a fraction of the width), how tall (fraction of
    the frame height), from which frame of the take, mirrored or not; ``lean``: how far (a fraction of the width)
    they lean off their place for the last ``LEAN_SHARE`` of the frames, easing in over ``LEAN_EASE`` frames — off
    the place where they stand in most of the frames, as a talker who leans toward the camera now and then."""

    take: str
    x: float
    height: float
    start: int = 0
    mirror: bool = False
    lean: float = 0.0


LEAN_SHARE = 0.3  # the share of the frames, at the end, a leaning talker spends off their place
LEAN_EASE = 3  # frames over which they lean


def leaned(t: int, n: int) -> float:
    """How far into their lean (0–1) a leaning talker is at frame ``t`` of ``n``."""
    return float(np.clip((t - (1 - LEAN_SHARE) * n + 1) / LEAN_EASE, 0.0, 1.0))


@dataclass(frozen=True)
class WideShot:
    frames: list[np.ndarray]  # uint8 RGB composites
    alphas: list[np.ndarray]  # float32 truth
    plate: np.ndarray  # uint8 RGB: the plate with nobody (and no shadow) in it
    plate_exact: bool = True  # False: the plate is only known where the set was seen (``as_shot``)


def cover(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``img`` scaled to cover ``size`` = (width, height) and centre-cropped."""
    w, h = size
    s = max(w / img.shape[1], h / img.shape[0])
    r = cv2.resize(img, (max(w, round(img.shape[1] * s)), max(h, round(img.shape[0] * s))), cv2.INTER_CUBIC)
    y0, x0 = (r.shape[0] - h) // 2, (r.shape[1] - w) // 2
    return np.ascontiguousarray(r[y0 : y0 + h, x0 : x0 + w])


def wide_shot(
    footage: Path,
    plate: np.ndarray,
    people: list[Person],
    n: int,
    *,
    shadow: float = 0.0,
    freeze: bool = False,
    clean_edges: bool = False,
) -> WideShot:
    """Composite ``people`` over ``plate`` (uint8 RGB, the output size) for ``n`` frames.

    ``shadow``: darkening (0–1) of a soft shadow each person casts to their right; ``freeze``: every person holds
    their first frame (nobody moves); ``clean_edges``: the talkers keyed with ``grid_key(clean_edge=True)``.
    """
    h, w = plate.shape[:2]
    base = plate.astype(np.float32) / 255.0
    layers = []
    for p in people:
        frames = decode(footage / p.take, 1 if freeze else n, p.start)
        frames = frames * n if freeze else frames
        layers.append((p, frames))
    comps, alphas = [], []
    for t in range(n):
        img = base.copy()
        total = np.zeros((h, w), np.float32)
        placed = []
        for p, frames in layers:
            a, fg = grid_key(frames[t % len(frames)], clean_edges)
            if p.mirror:
                a, fg = a[:, ::-1], fg[:, ::-1]
            ph = round(h * p.height)
            pw = round(a.shape[1] * ph / a.shape[0])
            a = cv2.resize(a, (pw, ph), interpolation=cv2.INTER_AREA)
            fg = cv2.resize(fg, (pw, ph), interpolation=cv2.INTER_AREA)
            x0 = round((p.x + p.lean * leaned(t, n)) * w - pw / 2)
            full_a = np.zeros((h, w), np.float32)
            full_f = np.zeros((h, w, 3), np.float32)
            xs, xe = max(0, x0), min(w, x0 + pw)
            full_a[h - ph :, xs:xe] = a[:, xs - x0 : xe - x0]
            full_f[h - ph :, xs:xe] = fg[:, xs - x0 : xe - x0]
            placed.append((full_a, full_f))
        if shadow > 0:
            for full_a, _ in placed:
                sh = np.roll(full_a, (max(2, h // 60), max(4, w // 40)), axis=(0, 1))
                sh = cv2.GaussianBlur(sh, (0, 0), max(2.0, w / 200))
                img *= 1.0 - shadow * sh[..., None]
        for full_a, full_f in placed:
            img = full_a[..., None] * full_f + (1 - full_a[..., None]) * img
            total = 1 - (1 - total) * (1 - full_a)
        comps.append((np.clip(img, 0, 1) * 255).round().astype(np.uint8))
        alphas.append(total)
    return WideShot(comps, alphas, plate)


def as_shot(path: Path, n: int) -> WideShot:
    """The GRID take itself, before its blue booth as recorded (the booth's vignetting and shading included), with
    its key as the truth: a real set no composite reproduces. Frames lose their 4 top rows, as the key does. The
    plate is the booth's median over the frames where the key says it was seen, inpainted where the talker always
    stood (``plate_exact`` False: good for the old set's colour at the edge, not as a supplied clean plate)."""
    frames, alphas = [], []
    for f in decode(path, n):
        a, _ = grid_key(f)
        frames.append(np.ascontiguousarray(f[4:]))
        alphas.append(a)
    stack = np.stack(frames).astype(np.float32)
    seen = np.stack(alphas) < 0.02
    stack[~seen] = np.nan
    never = ~seen.any(axis=0)
    med = np.nan_to_num(np.nanmedian(np.where(never[None, ..., None], 0.0, stack), axis=0))
    plate = cv2.inpaint(med.round().astype(np.uint8), never.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    return WideShot(frames, alphas, plate, plate_exact=False)


def set_plates(footage: Path, size: tuple[int, int]) -> dict[str, np.ndarray]:
    """Plates with nobody in them, cover-fitted to ``size``: the flag-and-bookshelf left third of one weekly-address
    set-up and the library-with-lamp right 27 % of another (uint8 RGB)."""
    a = decode(footage / "obama-weekly-address_a-bad-situation.mp4", 11)[10]
    b = decode(footage / "obama-weekly-address_very-real-challenges.mp4", 11)[10]
    return {
        "bookshelf": cover(np.ascontiguousarray(a[:, : a.shape[1] // 3]), size),
        "library": cover(np.ascontiguousarray(b[:, int(b.shape[1] * 0.73) :]), size),
    }


def painted_wall(size: tuple[int, int]) -> np.ndarray:
    """A plain set (uint8 RGB, ``size`` = (width, height)): a teal painted wall, lit a little unevenly (a gentle
    gradient), with fine grain. Synthetic; the shared footage has no plain set a person was not filmed in front of."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    tone = np.array([0.16, 0.52, 0.58], np.float32) + (xx / w)[..., None] * np.array([0.04, 0.1, 0.1], np.float32)
    tone = tone - (yy / h)[..., None] * 0.06
    grain = cv2.GaussianBlur(np.random.default_rng(7).normal(0, 0.02, (h, w, 3)).astype(np.float32), (0, 0), 1.5)
    return (np.clip(tone + grain, 0, 1) * 255).round().astype(np.uint8)
