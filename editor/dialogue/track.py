"""Face tracks and stabilised mouth crops.

The face is found with the engine's Haar detector (with eye verification) on the first usable frame, then
re-detected every few frames inside a window around the last box (a fixed size band, which is fast and cannot
jump to another face); the boxes are interpolated between detections and smoothed (centre: moving average over
5 frames; size: median over the track), which stabilises the mouth region against detector jitter. The mouth box
is a fixed fraction of the face box (lower third, centred), so a crop is the same part of the face in every frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from editor.dialogue.errors import NoFaceError
from editor.faces import _cascade, detect_faces
from media import MediaInfo, iter_frames

CROP_W, CROP_H = 64, 40  # stored mouth crops (RGB)
MOUTH = (0.5, 0.79, 0.58, 0.36)  # centre x, centre y, width, height as fractions of the face box
DETECT_EVERY = 4
SIG_SIZE = 64


@dataclass(frozen=True)
class FaceTrack:
    """Smoothed face boxes ``(x, y, w, h)`` (float) for frames ``start``..``start + len(boxes)``."""

    start: int
    boxes: np.ndarray
    detections: int

    def mouth_box(self, frame: int) -> np.ndarray:
        """The mouth box ``(x, y, w, h)`` in frame ``frame``."""
        x, y, w, h = self.boxes[frame - self.start]
        cx, cy, mw, mh = MOUTH
        return np.array([x + cx * w - mw * w / 2, y + cy * h - mh * h / 2, mw * w, mh * h], np.float64)


def _detect_near(gray: np.ndarray, box: np.ndarray) -> np.ndarray | None:
    """Re-detect the face within a window around ``box`` at a similar size; None if not found."""
    x, y, w, h = box
    H, W = gray.shape
    x0, y0 = max(0, int(x - 0.4 * w)), max(0, int(y - 0.4 * h))
    x1, y1 = min(W, int(x + 1.4 * w)), min(H, int(y + 1.4 * h))
    roi = gray[y0:y1, x0:x1]
    if roi.size == 0:
        return None
    scale = min(1.0, 160.0 / max(w, 1))
    small = cv2.resize(roi, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else roi
    small = cv2.equalizeHist(small)
    lo, hi = int(0.75 * w * scale), int(1.3 * w * scale) + 1
    found = _cascade().detectMultiScale(small, scaleFactor=1.05, minNeighbors=4, minSize=(lo, lo), maxSize=(hi, hi))
    if not len(found):
        return None
    centre = np.array([x + w / 2, y + h / 2])
    cands = [np.array([x0 + fx / scale, y0 + fy / scale, fw / scale, fh / scale]) for fx, fy, fw, fh in found]
    return min(cands, key=lambda b: float(np.linalg.norm(b[:2] + b[2:] / 2 - centre)))


def track_face(frames: list[np.ndarray], start: int = 0, *, every: int = DETECT_EVERY) -> FaceTrack:
    """Track the (largest) face through consecutive RGB uint8 frames.

    Raises:
        NoFaceError: no face was found on any frame.
    """
    n = len(frames)
    found: dict[int, np.ndarray] = {}
    last: np.ndarray | None = None
    for k in range(n):
        if last is not None and k % every and k != n - 1:
            continue
        if last is None:
            if k % every and k != n - 1:
                continue
            faces = detect_faces(frames[k], start + k)
            if faces:
                f = max(faces, key=lambda b: b.width * b.height)
                last = np.array([f.x, f.y, f.width, f.height], np.float64)
                found[k] = last
            continue
        gray = cv2.cvtColor(frames[k], cv2.COLOR_RGB2GRAY)
        box = _detect_near(gray, last)
        if box is not None:
            found[k] = last = box
    if not found:
        raise NoFaceError(
            f"no face found in frames {start}–{start + n}; the dialogue edit needs the performer's face on screen"
        )
    keys = np.array(sorted(found))
    vals = np.stack([found[k] for k in keys])
    boxes = np.stack([np.interp(np.arange(n), keys, vals[:, j]) for j in range(4)], axis=1)
    size = np.median(boxes[:, 2:], axis=0)
    centre = boxes[:, :2] + boxes[:, 2:] / 2
    if n >= 5:
        kernel = np.ones(5) / 5
        padded = np.pad(centre, ((2, 2), (0, 0)), mode="edge")
        centre = np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(2)], axis=1)
    boxes = np.concatenate([centre - size / 2, np.broadcast_to(size, centre.shape)], axis=1)
    return FaceTrack(start, boxes, len(found))


def box_transform(box: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The 2×3 similarity (scale + translation) mapping box ``(x, y, w, h)`` onto a ``size`` = (w, h) crop."""
    x, y, w, h = box
    sx, sy = size[0] / w, size[1] / h
    return np.array([[sx, 0.0, -x * sx], [0.0, sy, -y * sy]], np.float64)


def crop(rgb: np.ndarray, box: np.ndarray, size: tuple[int, int] = (CROP_W, CROP_H)) -> np.ndarray:
    """The box's pixels resampled to ``size`` (bilinear, border replicated)."""
    m = box_transform(box, size)
    return cv2.warpAffine(rgb, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def read_range(info: MediaInfo, start: int, end: int) -> list[np.ndarray]:
    """Frames ``start``..``end`` as RGB uint8."""
    out = []
    for _i, arr in iter_frames(info, start=start, end=end, fmt="rgb24"):
        assert isinstance(arr, np.ndarray)
        out.append(arr)
    return out


def mouth_crops(frames: list[np.ndarray], track: FaceTrack) -> np.ndarray:
    """Stabilised mouth crops ``(n, CROP_H, CROP_W, 3)`` uint8 of every frame of the track."""
    return np.stack([crop(f, track.mouth_box(track.start + k)) for k, f in enumerate(frames)])


def face_signature(frames: list[np.ndarray], track: FaceTrack, samples: int = 8) -> np.ndarray:
    """A face-appearance descriptor of the tracked face: HOG of the equalised grey face, averaged over frames and
    L2-normalised. Used to check that a shot shows the performer a dialogue model was trained on."""
    hog = cv2.HOGDescriptor((SIG_SIZE, SIG_SIZE), (16, 16), (8, 8), (8, 8), 9)
    picks = np.unique(np.linspace(0, len(frames) - 1, min(samples, len(frames))).astype(int))
    acc = []
    for k in picks:
        face = crop(frames[k], track.boxes[k], (SIG_SIZE, SIG_SIZE))
        gray = cv2.equalizeHist(cv2.cvtColor(face, cv2.COLOR_RGB2GRAY))
        acc.append(np.asarray(hog.compute(gray), np.float32).ravel())
    v = np.mean(acc, axis=0)
    return (v / (np.linalg.norm(v) + 1e-9)).astype(np.float32)
