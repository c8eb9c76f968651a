"""Face tracks and stabilised mouth crops, on the engine's one face path (``editor.cast``).

The face is tracked by ``editor.cast.track_frames`` (detection with landmarks every ``DETECT_EVERY`` frames,
linked by place and identity); the performer's track is the one the project's cast model identifies as them
(``editor.cast.performer_track``; without a cast model, the only face on screen). Its landmark-derived face boxes
(``FaceBox.canonical_box``: forehead to chin, cheek to cheek) are interpolated between detections and smoothed
(centre: moving average over 5 frames; size: median over the track), which stabilises the mouth region against
landmark jitter. The mouth box is a fixed fraction of the face box (lower third, centred), so a crop is the same
part of the face in every frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from editor.cast import CastModel, performer_track, track_frames
from editor.dialogue.errors import NoFaceError, PerformerNotInShotError
from media import MediaInfo, iter_frames

CROP_W, CROP_H = 64, 40  # stored mouth crops (RGB)
MOUTH = (0.5, 0.79, 0.58, 0.36)  # centre x, centre y, width, height as fractions of the face box
DETECT_EVERY = 4


@dataclass(frozen=True)
class FaceTrack:
    """Smoothed face boxes ``(x, y, w, h)`` (float) for frames ``start``..``start + len(boxes)``; ``distance`` is
    the cast model's distance of the face to the performer's template (None without a cast model)."""

    start: int
    boxes: np.ndarray
    detections: int
    distance: float | None = None

    def mouth_box(self, frame: int) -> np.ndarray:
        """The mouth box ``(x, y, w, h)`` in frame ``frame``."""
        x, y, w, h = self.boxes[frame - self.start]
        cx, cy, mw, mh = MOUTH
        return np.array([x + cx * w - mw * w / 2, y + cy * h - mh * h / 2, mw * w, mh * h], np.float64)


def track_face(
    frames: list[np.ndarray],
    start: int = 0,
    *,
    performer: str | None = None,
    cast: CastModel | None = None,
    every: int = DETECT_EVERY,
) -> FaceTrack:
    """Track the performer's face through consecutive RGB uint8 frames (``frames[k]`` is frame ``start + k``).

    Raises:
        NoFaceError: no face was found on any frame.
        PerformerNotInShotError: faces are there but none is the performer's (or several, and no cast model).
    """
    n = len(frames)
    tracks = track_frames(frames, start, every=every, embed=cast is not None)
    if not tracks:
        raise NoFaceError(
            f"no face found in frames {start}–{start + n}; the dialogue edit needs the performer's face on screen"
        )
    track, why = performer_track(tracks, performer or "the performer", cast)
    if track is None:
        raise PerformerNotInShotError(f"frames {start}–{start + n}: {why}")
    distance = None
    if cast is not None and performer in cast.labels:
        distance = float(cast.distances(track.features.mean(0))[0][cast.labels.index(performer)])
    boxes = track.canonical_boxes(range(start, start + n))
    size = np.median(boxes[:, 2:], axis=0)
    centre = boxes[:, :2] + boxes[:, 2:] / 2
    if n >= 5:
        kernel = np.ones(5) / 5
        padded = np.pad(centre, ((2, 2), (0, 0)), mode="edge")
        centre = np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(2)], axis=1)
    boxes = np.concatenate([centre - size / 2, np.broadcast_to(size, centre.shape)], axis=1)
    return FaceTrack(start, boxes, len(track.faces), distance)


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
