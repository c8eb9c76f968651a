"""The adapter to dlib and the pretrained face models of ``face-recognition-models`` (no download at run time).

The only module that touches ``dlib``; a missing package or model file becomes ``FaceModelError``. Models (their
package, version, licence and SHA-256 are in docs/identification.md and in every cast model's manifest):

- detector: dlib's built-in HOG face detector (``get_frontal_face_detector``: five HOG filters — frontal, looking
  left, looking right, and two rotated — so faces turned up to about 60° are found);
- landmarks: ``shape_predictor_5_face_landmarks.dat`` (two corners of each eye and the base of the nose);
- identity: ``dlib_face_recognition_resnet_model_v1.dat`` (a ResNet that maps an aligned 150×150 face chip to a
  128-D vector; faces of one person lie within 0.6 of each other, as measured on LFW by its author).

The 68-point landmark model in the same package is not used: its training data (iBUG 300-W) excludes commercial
use. dlib's networks are not safe to call from two threads at once, so every call holds the models' lock.

Identity vectors are remembered per process by the chip's content (``MEMO_SIZE`` most recent): the gate, the render's
check and QC look at the same frames of a shot, and the network's output for a chip does not depend on the other chips
in its batch (checked bit for bit by the tests), so a remembered vector is the one the network would compute again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from editor.cast.errors import FaceModelError

LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
IDENTITY_FILE = "dlib_face_recognition_resnet_model_v1.dat"
CHIP = 150
CHIP_PADDING = 0.25
HOG_WINDOW = 80  # dlib's HOG detector scans an 80×80 window: faces smaller than that need an upscaled image
MEMO_SIZE = 16384  # remembered identity vectors (16-byte key + 512-byte vector each: about 9 MB)

_lock = threading.Lock()
_memo: OrderedDict[bytes, NDArray[np.float32]] = OrderedDict()


@dataclass(frozen=True)
class Engine:
    """The loaded models and where they came from (recorded in every cast model's training manifest)."""

    detector: Any
    landmarks: Any
    identity: Any
    provenance: dict[str, str]


def _models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")  # found, not imported: its __init__ needs setuptools
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelError(
            "the face models are not installed; `pip install face-recognition-models==0.3.0` (pinned in pyproject)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=1)
def engine() -> Engine:
    """Load dlib's detector and the two model files once per process.

    Raises:
        FaceModelError: dlib or the model files are missing.
    """
    try:
        import dlib
    except ImportError:
        raise FaceModelError(
            "dlib is not installed; `pip install dlib-bin==20.0.1.post1` (pinned in pyproject)"
        ) from None
    folder = _models_dir()
    paths = {name: folder / name for name in (LANDMARKS_FILE, IDENTITY_FILE)}
    for name, path in paths.items():
        if not path.is_file():
            raise FaceModelError(f"face model {name} is missing from {folder}; reinstall face-recognition-models")
    provenance = {
        "face_engine": "dlib-bin " + importlib.metadata.version("dlib-bin") + " (dlib " + str(dlib.__version__) + ")",
        "face_models": "face-recognition-models " + importlib.metadata.version("face-recognition-models"),
        "face_detector": "dlib HOG frontal_face_detector (built into dlib)",
        "face_landmarks_sha256": _sha256(paths[LANDMARKS_FILE]),
        "face_identity_sha256": _sha256(paths[IDENTITY_FILE]),
    }
    return Engine(
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(str(paths[LANDMARKS_FILE])),
        dlib.face_recognition_model_v1(str(paths[IDENTITY_FILE])),
        provenance,
    )


def hog_faces(gray: NDArray[np.uint8], *, upsample: int = 0, threshold: float = 0.0) -> list[tuple[Any, float, int]]:
    """HOG detections on a grey image: (dlib rectangle, score, sub-detector) — sub-detector 0 is frontal."""
    eng = engine()
    img = np.ascontiguousarray(gray)
    with _lock:
        rects, scores, kinds = eng.detector.run(img, upsample, threshold)
    return list(zip(rects, (float(s) for s in scores), (int(k) for k in kinds), strict=True))


def rectangle(x: float, y: float, w: float, h: float) -> Any:
    import dlib

    return dlib.rectangle(round(x), round(y), round(x + w), round(y + h))


def five_points(rgb: NDArray[np.uint8], box: tuple[float, float, float, float]) -> NDArray[np.float32]:
    """The five landmarks (4 eye corners, nose base) of the face in ``box`` (x, y, w, h), in image pixels."""
    eng = engine()
    with _lock:
        shape = eng.landmarks(np.ascontiguousarray(rgb), rectangle(*box))
    return np.array([[p.x, p.y] for p in shape.parts()], np.float32)


def chips(rgb: NDArray[np.uint8], points: list[NDArray[np.float32]]) -> list[NDArray[np.uint8]]:
    """Aligned 150×150 face chips (eyes and nose at fixed places) for faces given by their five landmarks."""
    import dlib

    engine()  # the models must be present before any chip is cut
    img = np.ascontiguousarray(rgb)
    out = []
    with _lock:
        for pts in points:
            rect = dlib.rectangle(*(int(v) for v in (*pts.min(0), *pts.max(0))))
            shape = dlib.full_object_detection(rect, [dlib.point(round(float(x)), round(float(y))) for x, y in pts])
            out.append(np.asarray(dlib.get_face_chip(img, shape, size=CHIP, padding=CHIP_PADDING), np.uint8))
    return out


def _chip_key(chip: NDArray[np.uint8]) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((chip.shape, chip.dtype.str)).encode())
    h.update(np.ascontiguousarray(chip).tobytes())
    return h.digest()


def embed_chips(face_chips: list[NDArray[np.uint8]]) -> NDArray[np.float32]:
    """(N, 128) identity vectors of aligned chips (``chips``); the network runs only on chips not remembered."""
    if not face_chips:
        return np.zeros((0, 128), np.float32)
    keys = [_chip_key(c) for c in face_chips]
    with _lock:
        known = {k: _memo[k] for k in keys if k in _memo}
    todo = {k: c for k, c in zip(keys, face_chips, strict=True) if k not in known}
    if todo:
        eng = engine()
        with _lock:
            vecs = eng.identity.compute_face_descriptor([np.ascontiguousarray(c) for c in todo.values()])
        known.update((k, np.array(v, np.float32)) for k, v in zip(todo, vecs, strict=True))
    with _lock:
        for k in keys:
            _memo[k] = known[k]
            _memo.move_to_end(k)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return np.stack([known[k] for k in keys])
