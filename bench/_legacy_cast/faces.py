"""Face detection in a shot's frames (OpenCV Haar cascades from opencv-python-headless 4.x).

This is the first half of "who is in the shot": finding faces in the edited region and time range. Matching them
to the project's performers needs a per-project identity model (``editor.cast``); without one every face found is
reported as unidentified, so the gate cannot be told "nobody is there" by a caller who simply declares nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from editor.errors import EditorError
from media import MediaInfo, Region, iter_frames, sample_indices

DEFAULT_SAMPLES = 12
_WORK_HEIGHT = 480


class FaceModelError(EditorError):
    """The OpenCV face cascade is not available (an OpenCV build without ``cv2.data``)."""


@dataclass(frozen=True)
class FaceBox:
    """A detected face in frame ``frame`` (pixel box in the clip's full resolution)."""

    frame: int
    x: int
    y: int
    width: int
    height: int

    def overlaps(self, region: Region) -> bool:
        return not (
            self.x + self.width <= region.x
            or region.x + region.width <= self.x
            or self.y + self.height <= region.y
            or region.y + region.height <= self.y
        )

    def as_json(self) -> dict[str, int]:
        return {"frame": self.frame, "x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class FaceScan:
    """Faces found on sampled frames of a range, restricted to a region."""

    frames_sampled: tuple[int, ...]
    faces: tuple[FaceBox, ...]

    @property
    def max_faces_per_frame(self) -> int:
        """The most faces seen together on one sampled frame (a lower bound on the people present)."""
        counts: dict[int, int] = {}
        for f in self.faces:
            counts[f.frame] = counts.get(f.frame, 0) + 1
        return max(counts.values(), default=0)

    def as_json(self) -> dict[str, Any]:
        return {
            "frames_sampled": list(self.frames_sampled),
            "faces": [f.as_json() for f in self.faces],
            "max_faces_per_frame": self.max_faces_per_frame,
        }


@lru_cache(maxsize=4)
def _cascade(name: str = "haarcascade_frontalface_default.xml") -> cv2.CascadeClassifier:
    path = getattr(getattr(cv2, "data", None), "haarcascades", "") + name
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise FaceModelError(
            f"OpenCV's Haar cascade {name} is missing; install opencv-python-headless 4.x (5.0 ships none)"
        )
    return cascade


def _has_eye(gray: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
    """A face candidate is kept only if an eye is found in its upper half (rejects shirt/tie false positives)."""
    top = gray[y : y + h // 2 + h // 10, x : x + w]
    side = max(8, w // 10)
    eyes = _cascade("haarcascade_eye.xml").detectMultiScale(top, scaleFactor=1.1, minNeighbors=3, minSize=(side, side))
    return len(eyes) > 0


def detect_faces(rgb: np.ndarray, frame: int = 0) -> list[FaceBox]:
    """Faces in one RGB frame (uint8 or float in 0..1), boxes in the frame's pixel coordinates."""
    img = rgb if rgb.dtype == np.uint8 else np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, _WORK_HEIGHT / gray.shape[0])
    if scale < 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    gray = cv2.equalizeHist(gray)
    min_side = max(24, int(min(gray.shape) * 0.08))
    found = _cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=6, minSize=(min_side, min_side))
    return [
        FaceBox(frame, int(x / scale), int(y / scale), int(w / scale), int(h / scale))
        for (x, y, w, h) in (found if len(found) else [])
        if _has_eye(gray, x, y, w, h)
    ]


def scan_faces(
    info: MediaInfo,
    *,
    start: int = 0,
    end: int | None = None,
    region: Region | None = None,
    samples: int = DEFAULT_SAMPLES,
) -> FaceScan:
    """Detect faces on ``samples`` frames spread over ``start``–``end``, keeping those overlapping ``region``.

    Raises:
        EditParameterError: the range is outside the clip.
        FaceModelError: OpenCV has no face cascade.
    """
    end = info.frame_count if end is None else end
    indices = sample_indices(info.frame_count, samples, start=start, end=end)
    faces: list[FaceBox] = []
    seen: list[int] = []
    for index, rgb in iter_frames(info, start=start, end=end, fmt="rgb24", indices=indices):
        seen.append(index)
        assert isinstance(rgb, np.ndarray)
        faces.extend(f for f in detect_faces(rgb, index) if region is None or f.overlaps(region))
    return FaceScan(tuple(seen), tuple(faces))
