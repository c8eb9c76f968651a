"""One face path: the eyeline and dialogue edits find faces, eyes and mouths only through ``editor.cast``.

Issue 15 found two trackers (the dialogue edit had its own Haar re-detection and HOG identity check), so the gate
and the render could disagree about who is there. These tests fail if either edit runs a detector of its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import editor.cast._dlib as face_models
from editor.dialogue.track import read_range, track_face
from editor.eyeline._data import observe
from media import probe

CLIP = "grid_pwij3p.mpg"
OWN_DETECTORS = ("CascadeClassifier", "haarcascade", "HOGDescriptor", "detectMultiScale", "_cascade", "dlib")


@pytest.mark.parametrize("package", ["eyeline", "dialogue"])
def test_no_detector_of_their_own(package: str) -> None:
    root = Path(__file__).resolve().parents[2] / "editor" / package
    for path in sorted(root.glob("*.py")):
        text = path.read_text()
        used = [name for name in OWN_DETECTORS if name in text]
        assert not used, f"{path.name} runs its own face finding ({', '.join(used)}); use editor.cast"


@pytest.fixture
def landmark_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, ...]]:
    calls: list[tuple[float, ...]] = []
    real = face_models.five_points

    def counted(rgb: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
        calls.append(tuple(box))
        return real(rgb, box)

    monkeypatch.setattr(face_models, "five_points", counted)
    return calls


def test_dialogue_mouth_boxes_come_from_the_shared_landmarks(footage_dir: Path, landmark_calls) -> None:  # type: ignore[no-untyped-def]
    frames = read_range(probe(footage_dir / CLIP), 0, 9)
    track = track_face(frames, 0, every=4)
    assert len(landmark_calls) == 3  # frames 0, 4, 8: the engine's detector with its landmarks, nothing else
    x, y, w, h = track.boxes[4]
    assert w == h and 60 < w < 300  # the landmark-derived (square) face box, not a detector box
    mx, my, mw, mh = track.mouth_box(4)
    assert x < mx and mx + mw < x + w and y + h / 2 < my + mh / 2 < y + h  # the mouth: lower half, inside the face


def test_eyeline_eyes_come_from_the_shared_landmarks(footage_dir: Path, landmark_calls) -> None:  # type: ignore[no-untyped-def]
    obs = observe(probe(footage_dir / CLIP), "grid", None, samples=3, end=12)
    assert len(obs) == 3 and len(landmark_calls) == 3
    for ob in obs:
        left, right = ob.eyes
        x, y, w, h = ob.face
        assert left[:, 0].mean() < right[:, 0].mean()  # image-left eye first
        for eye in (left, right):
            assert x < eye[:, 0].mean() < x + w and y < eye[:, 1].mean() < y + h / 2  # in the face's upper half
