"""Faces in a frame: detection down to 40-pixel faces, five landmarks and an identity vector per face.

The one face path of the engine: the cast model, the gate's presence scan, the eyeline and the dialogue edits all
call ``detect_faces`` (models: ``_dlib``).

Detection of frame ``F`` (W×H):
1. Large faces: dlib's HOG detector over the whole frame. Its 80-pixel window finds faces of about 80 px and up;
   a frame of at most ``SMALL_FRAME`` pixels is upscaled ×2 first, which brings that down to 40 px; a larger
   frame is scanned downscaled, for faces of ``FULL_SCAN_MIN`` px and up (the cost of a 1080p scan falls 5×).
   Whole-frame hits scoring below ``HOG_MIN_SCORE`` are dropped: fine noise textures (a set's grain, the demo's
   generated sets) fool the upscaled scan with frame-sized boxes at scores of 0.03–0.33, where every face
   sampled from the shared clips scored 0.85 or more.
2. Smaller faces in a large frame: OpenCV's Haar cascades propose boxes of ``min_face``–``PROPOSE_MAX`` px
   cheaply, each on the frame downscaled until the smallest face it looks for fills the cascade's native window
   (frontal: 24 px, from ``min_face``; profile, both directions: 20 px, from ``PROFILE_MIN``), with pyramid steps
   of ``PROPOSE_STEP``. The cascades' cost grows with the pixels of their first pyramid level and with the
   texture of the picture, so this is the stage that decides the speed of a 1080p frame; scanning each cascade
   at its own native scale instead of all at one finer scale cut it 1.8–2.9× (``bench/cast_detect.py``). Profiles
   smaller than ``PROFILE_MIN`` are left to the frontal cascade, which proposes faces turned up to about 30°.
   Each proposal is verified by the HOG detector on a crop around it scaled so that the face fills the HOG
   window. Haar alone fires on shirts, leaves and lettering; a verified proposal is a face to the same detector
   as a large one.
3. Overlapping detections are merged (non-maximum suppression on IoU ≥ 0.3, highest score kept); faces smaller
   than ``min_face`` are dropped, allowing one step of the HOG pyramid (×5/6) for the size the detector reports
   — its box of one face varies by that much with the scale it was found at.
4. Each face gets dlib's five landmarks (eye corners, nose base). Its *canonical box* is derived from them, not
   from the detector (which jitters and changes size with the pose): a square of side 3 × the eye distance
   centred a quarter of the eye distance below the eyes (forehead to chin, cheek to cheek), with the eye
   distance corrected for head turn by the eye–nose distance.
5. ``embed`` (when asked) aligns each face to a 150×150 chip on its landmarks and computes dlib's 128-D identity
   vector of the chip and of its mirror image; their mean is the face's identity vector, so a mirrored shot gives
   the same vector as the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from editor.cast import _dlib
from editor.cast.errors import FaceModelError
from media import MediaInfo, Region, iter_frames, sample_indices

F32 = NDArray[np.float32]
U8 = NDArray[np.uint8]
Box = tuple[int, int, int, int]
MIN_FACE = 40
SMALL_FRAME = 640 * 480
PROPOSE_MAX = 200
PROPOSE_STEP = 1.2  # Haar pyramid step (OpenCV's scaleFactor)
PROFILE_MIN = 60  # profile proposals from this size (px) up; smaller turned faces come from the frontal cascade
HOG_PYRAMID_STEP = 6 / 5  # dlib's HOG pyramid: each level is 5/6 of the one above
NMS_IOU = 0.3
VERIFY_THRESHOLD = -0.2  # HOG score a Haar proposal must reach (the whole-frame scan uses 0)
VERIFY_FILL = 1.6  # a proposal's crop is scaled so the Haar box is this many HOG windows wide
HOG_MIN_SCORE = 0.5
FULL_SCAN_MIN = 160  # in a large frame, the whole-frame HOG scan looks for faces from this size (px) up
DEFAULT_SAMPLES = 12
EYE_BOX = 3.0  # canonical face box side, in eye distances
EYE_DROP = 0.25  # canonical box centre below the eye midpoint, in eye distances
NOSE_RATIO = 0.73  # eye-midpoint-to-nose distance / eye distance of a frontal face


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two ``x, y, w, h`` boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return float(inter / union) if union > 0 else 0.0


@dataclass(frozen=True)
class FaceBox:
    """A face found on frame ``frame``: the detector's box (frame pixels), landmarks and, if asked, identity.

    ``landmarks`` are dlib's five points in frame pixels: two corners of one eye, two of the other, nose base.
    """

    frame: int
    x: int
    y: int
    width: int
    height: int
    score: float = 0.0
    landmarks: F32 | None = field(default=None, compare=False, repr=False)
    embedding: F32 | None = field(default=None, compare=False, repr=False)

    @property
    def box(self) -> Box:
        return (self.x, self.y, self.width, self.height)

    def overlaps(self, region: Region) -> bool:
        return not (
            self.x + self.width <= region.x
            or region.x + region.width <= self.x
            or self.y + self.height <= region.y
            or region.y + region.height <= self.y
        )

    def eyes(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The two eye centres (mean of each eye's corners), image-left first."""
        pts = self._points()
        a, b = pts[0:2].mean(0), pts[2:4].mean(0)
        left, right = (a, b) if a[0] <= b[0] else (b, a)
        return (float(left[0]), float(left[1])), (float(right[0]), float(right[1]))

    def eye_corners(self) -> tuple[F32, F32]:
        """Each eye's two corners (2×2, image-left eye first)."""
        pts = self._points()
        a, b = pts[0:2], pts[2:4]
        return (a, b) if a[:, 0].mean() <= b[:, 0].mean() else (b, a)

    def canonical_box(self) -> tuple[float, float, float, float]:
        """The landmark-derived face box (x, y, w, h): see the module docstring, step 4."""
        pts = self._points()
        (lx, ly), (rx, ry) = self.eyes()
        mid = np.array([(lx + rx) / 2, (ly + ry) / 2])
        axis = np.array([rx - lx, ry - ly])
        eye_d = float(np.linalg.norm(axis))
        nose_d = float(np.linalg.norm(pts[4] - mid))
        scale = max(eye_d, nose_d / NOSE_RATIO, 1.0)
        down = np.array([-axis[1], axis[0]]) / max(eye_d, 1e-6)  # perpendicular to the eye line, pointing down
        if down[1] < 0:
            down = -down
        centre = mid + EYE_DROP * scale * down
        side = EYE_BOX * scale
        return (float(centre[0] - side / 2), float(centre[1] - side / 2), side, side)

    def _points(self) -> F32:
        if self.landmarks is None:
            raise FaceModelError("this face has no landmarks (it came from a model file, not from a frame)")
        return self.landmarks

    def as_json(self) -> dict[str, Any]:
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
def _cascade(name: str) -> cv2.CascadeClassifier:
    path = getattr(getattr(cv2, "data", None), "haarcascades", "") + name
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise FaceModelError(
            f"OpenCV's Haar cascade {name} is missing; install opencv-python-headless 4.x (5.0 ships none)"
        )
    return cascade


def _as_u8(rgb: np.ndarray) -> U8:
    if rgb.dtype == np.uint8:
        return rgb
    if rgb.dtype == np.uint16:
        return (rgb >> 8).astype(np.uint8)
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


# (cascade file, native window (px), OpenCV minNeighbors, also run on the mirrored frame)
_CASCADES = (
    ("haarcascade_frontalface_default.xml", 24, 3, False),
    ("haarcascade_profileface.xml", 20, 4, True),
)


def _proposals(gray: U8, min_face: int) -> list[tuple[float, float, float, float]]:
    """Haar boxes of ``min_face``–``PROPOSE_MAX`` px: frontal, and profiles facing either way from
    ``PROFILE_MIN`` px; each cascade scans the frame downscaled so that its smallest face fills its window."""
    found: list[tuple[float, float, float, float]] = []
    for name, window, neighbours, mirrored in _CASCADES:
        smallest = min_face if not mirrored else max(min_face, PROFILE_MIN)
        s = min(1.0, window / smallest)
        small = cv2.resize(gray, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else gray
        lo, hi = int(window * 0.9), max(window, int(PROPOSE_MAX * 1.2 * s))
        kw = {"scaleFactor": PROPOSE_STEP, "minNeighbors": neighbours, "minSize": (lo, lo), "maxSize": (hi, hi)}
        cascade = _cascade(name)
        boxes = _found(cascade.detectMultiScale(small, **kw))
        if mirrored:
            width = small.shape[1]
            flipped = _found(cascade.detectMultiScale(np.ascontiguousarray(small[:, ::-1]), **kw))
            boxes += [(width - x - w, y, w, h) for x, y, w, h in flipped]
        found += [(x / s, y / s, w / s, h / s) for x, y, w, h in boxes]
    return found


def _found(arr: Any) -> list[tuple[float, float, float, float]]:
    return [tuple(float(v) for v in r) for r in arr] if len(arr) else []  # type: ignore[misc]


def _verify(gray: U8, cand: tuple[float, float, float, float]) -> list[tuple[tuple[float, ...], float]]:
    """HOG detections in a crop around a proposal, upscaled so the face fills the HOG window (frame coords)."""
    x, y, w, h = cand
    pad = 0.7 * w
    x0, y0 = max(0, int(x - pad)), max(0, int(y - pad))
    x1, y1 = min(gray.shape[1], int(x + w + pad)), min(gray.shape[0], int(y + h + pad))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return []
    scale = VERIFY_FILL * _dlib.HOG_WINDOW / max(w, 1.0)
    crop = cv2.resize(gray[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    out = []
    for r, score, _kind in _dlib.hog_faces(crop, threshold=VERIFY_THRESHOLD):
        box = (x0 + r.left() / scale, y0 + r.top() / scale, r.width() / scale, r.height() / scale)
        if iou(box, cand) > 0.1 or _centre_in(box, cand):
            out.append((box, score))
    return out


def _centre_in(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    cx, cy = a[0] + a[2] / 2, a[1] + a[3] / 2
    return b[0] <= cx <= b[0] + b[2] and b[1] <= cy <= b[1] + b[3]


def _nms(found: list[tuple[tuple[float, ...], float]]) -> list[tuple[tuple[float, ...], float]]:
    kept: list[tuple[tuple[float, ...], float]] = []
    for box, score in sorted(found, key=lambda f: -f[1]):
        if all(iou(box, k[0]) < NMS_IOU and not _centre_in(box, k[0]) for k in kept):  # type: ignore[arg-type]
            kept.append((box, score))
    return kept


def find_faces(rgb: np.ndarray, *, min_face: int = MIN_FACE) -> list[tuple[tuple[float, ...], float]]:
    """Face boxes (x, y, w, h) and HOG scores in an RGB frame (steps 1–3 of the module docstring)."""
    img = _as_u8(rgb)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    small = h * w <= SMALL_FRAME
    if small:
        scan, s = gray, 1.0
    else:
        s = min(1.0, _dlib.HOG_WINDOW / FULL_SCAN_MIN)
        scan = cv2.resize(gray, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    found = [
        ((r.left() / s, r.top() / s, r.width() / s, r.height() / s), score)
        for r, score, _k in _dlib.hog_faces(scan, upsample=1 if small else 0)
        if score >= HOG_MIN_SCORE
    ]
    if not small:
        for cand in _proposals(gray, min_face):
            if any(iou(cand, b) > 0.2 or _centre_in(cand, b) for b, _s in found):
                continue
            found.extend(_verify(gray, cand))
    return [(b, s) for b, s in _nms(found) if max(b[2], b[3]) * HOG_PYRAMID_STEP >= min_face]


def detect_faces(rgb: np.ndarray, frame: int = 0, *, min_face: int = MIN_FACE, embed: bool = False) -> list[FaceBox]:
    """Faces in one RGB frame (uint8, uint16 or float in 0..1), with landmarks, and identity vectors if ``embed``.

    Raises:
        FaceModelError: dlib, the face models or OpenCV's cascades are missing.
    """
    img = _as_u8(rgb)
    faces = []
    for (x, y, w, h), score in find_faces(img, min_face=min_face):
        pts = _dlib.five_points(img, (x, y, w, h))
        faces.append(FaceBox(frame, round(x), round(y), round(w), round(h), score, pts))
    return embed_faces(img, faces) if embed else faces


def embed_faces(rgb: np.ndarray, faces: list[FaceBox]) -> list[FaceBox]:
    """The faces with their identity vectors (step 5 of the module docstring)."""
    if not faces:
        return []
    chips = _dlib.chips(_as_u8(rgb), [f._points() for f in faces])
    both = _dlib.embed_chips([*chips, *(np.ascontiguousarray(c[:, ::-1]) for c in chips)])
    vecs = (both[: len(faces)] + both[len(faces) :]) / 2
    return [replace(f, embedding=v.astype(np.float32)) for f, v in zip(faces, vecs, strict=True)]


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
        FaceModelError: the face models are missing.
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
