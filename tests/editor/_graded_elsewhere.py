"""A look known exactly and clips graded with it elsewhere: a reference from another scene, and its ungraded original
(``relight --reference-original``); a frame as another production size would frame it; the colour-edge energy a
result is scored by."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from editor.lighting.cdl import LUMA_709
from editor.lighting.metrics import to_lab
from media import probe, read_frame
from tests.editor._media import write_clip


def warm_highlights(rgb: np.ndarray) -> np.ndarray:
    """A split-tone look: chroma turned +7° and saturated 1.2×, red shadows and blue highlights by luma, gammas."""
    a, s = np.deg2rad(7.0), 1.2
    luma = np.outer(np.ones(3), LUMA_709)
    k = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]) / np.sqrt(3)
    m = (luma + s * (np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * (k @ k) - luma)).astype(np.float32)
    x = np.clip(np.asarray(rgb, np.float32) @ m.T, 0, 1) ** np.array([0.92, 1.0, 1.08], np.float32)
    lum = np.clip(np.asarray(rgb, np.float32) @ LUMA_709, 0, 1)[..., None]
    x = x + (1 - lum) ** 2 * np.array([0.04, 0.0, -0.03], np.float32) + lum**2 * np.array([-0.03, 0.01, 0.04])
    return np.clip(x, 0, 1).astype(np.float32)


def at_size(rgb: np.ndarray, w: int, h: int) -> np.ndarray:
    """The frame as shot at ``w``×``h``: its centre cut to that aspect ratio, then scaled (nothing stretched)."""
    fh, fw = rgb.shape[:2]
    cw, ch = min(fw, round(fh * w / h)), min(fh, round(fw * h / w))
    x0, y0 = (fw - cw) // 2, (fh - ch) // 2
    return cv2.resize(rgb[y0 : y0 + ch, x0 : x0 + cw], (w, h), interpolation=cv2.INTER_AREA)


def colour_edge(rgb: np.ndarray) -> float:
    """Mean Sobel gradient magnitude of the a*, b* channels (false colour — bands, blotches — raises it)."""
    lab = to_lab(rgb)
    mags = [cv2.Sobel(lab[..., c], cv2.CV_32F, dx, dy, ksize=3) for c in (1, 2) for dx, dy in ((1, 0), (0, 1))]
    return float(np.mean(np.sqrt(sum(m * m for m in mags))))


def write_graded_elsewhere(footage_dir: Path, d: Path) -> dict[str, Path]:
    """Clips made from the shared footage in ``d``, 160×128: a CREMA-D shot (``shot``, H.264); a GRID take, another
    scene, as shot (``original``, ProRes 422 HQ 10-bit), its export graded with ``warm_highlights`` (``graded``,
    H.264) and that export cut to 4 of its 6 frames (``short``)."""

    def frames(name: str, first: int, n: int) -> list[np.ndarray]:
        info = probe(footage_dir / name)
        return [cv2.resize(read_frame(info, first + k), (160, 128), interpolation=cv2.INTER_AREA) for k in range(n)]

    def u8(rgb: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(rgb * 255), 0, 255).astype(np.uint8)

    grid = frames("grid_pwij3p.mpg", 36, 6)
    shot = [u8(f) for f in frames("crema-d_1001_DFA_SAD_XX.flv", 30, 6)]
    prores = {"codec": "prores_ks", "pix_fmt": "yuv422p10le", "audio": None, "options": {"profile": "3"}}
    return {
        "shot": write_clip(d / "shot.mp4", pictures=shot),
        "original": write_clip(d / "original.mov", pictures=[u8(f) for f in grid], **prores),  # type: ignore[arg-type]
        "graded": write_clip(d / "graded.mp4", pictures=[u8(warm_highlights(f)) for f in grid]),
        "short": write_clip(d / "graded_short.mp4", pictures=[u8(warm_highlights(f)) for f in grid[:4]]),
    }
