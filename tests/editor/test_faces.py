from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from editor.cast import detect_faces, scan_faces
from media import Region, probe


def test_finds_the_speaker_in_every_clip(footage_dir: Path) -> None:
    for name in ("crema-d_1001_DFA_NEU_XX.flv", "grid_pwij3p.mpg", "obama-weekly-address_a-bad-situation.mp4"):
        info = probe(footage_dir / name)
        scan = scan_faces(info, samples=4)
        assert scan.max_faces_per_frame == 1, (name, scan.as_json())
        assert len(scan.frames_sampled) == 4


def test_region_excludes_faces_outside(footage_dir: Path) -> None:
    info = probe(footage_dir / "obama-weekly-address_a-bad-situation.mp4")
    face = scan_faces(info, samples=2).faces[0]
    far_corner = (
        Region(0, 0, 40, 40) if face.x > 60 and face.y > 60 else Region(info.width - 40, info.height - 40, 40, 40)
    )
    assert scan_faces(info, samples=2, region=far_corner).faces == ()
    inside = Region(face.x, face.y, face.width, face.height)
    assert scan_faces(info, samples=2, region=inside).max_faces_per_frame == 1


def test_no_face_in_flat_frame() -> None:
    assert detect_faces(np.full((360, 480, 3), 128, np.uint8)) == []


def test_small_faces_on_a_textured_1080p_frame(footage_dir: Path) -> None:
    """Faces of 40 and 60 px pasted on a busy 1080p background (blobs that keep Haar cascades busy and fool them) are
    found, and nothing else is: every proposal is verified by the HOG detector."""
    import cv2

    from editor.cast import iou
    from media import read_frame
    from tests.editor import _faces_media as fm

    rgb = read_frame(probe(footage_dir / "grid_pwij3p.mpg"), 20, "rgb24")
    face = max(detect_faces(rgb), key=lambda f: f.width)
    blobs = np.random.default_rng(7).integers(0, 255, (68, 120, 3)).astype(np.uint8)
    texture = cv2.resize(blobs, (1920, 1080), interpolation=cv2.INTER_CUBIC)
    for side, at in ((40, (0.3, 0.6)), (60, (0.7, 0.3))):
        canvas, box = fm.on_canvas([rgb], face.box, side, at=at)
        frame = canvas[0].copy()
        grey = (frame == 96).all(axis=2)
        frame[grey] = texture[grey]
        found = detect_faces(frame)
        assert len(found) == 1 and iou(found[0].box, box) >= 0.3, (side, [f.box for f in found], box)


def test_identity_vectors_do_not_depend_on_the_batch_or_the_memo(
    footage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chip's vector is the same alone, in a batch, and remembered: the memo returns what the network computes."""
    from editor.cast import _dlib
    from editor.cast.detect import _as_u8
    from media import iter_frames

    info = probe(footage_dir / "grid_pwij3p.mpg")
    frames = [np.asarray(a, np.uint8) for _, a in iter_frames(info, end=12, fmt="rgb24")]
    faces = [detect_faces(frames[k], k)[0] for k in (3, 10)]
    a, b = (_dlib.chips(_as_u8(frames[f.frame]), [f._points()])[0] for f in faces)
    mirrored = np.ascontiguousarray(a[:, ::-1])
    _dlib._memo.clear()
    batch = _dlib.embed_chips([b, a, mirrored])
    assert len(_dlib._memo) == 3
    _dlib._memo.clear()
    alone = np.concatenate([_dlib.embed_chips([c]) for c in (b, a, mirrored)])
    assert np.array_equal(batch, alone)
    monkeypatch.setattr(_dlib, "engine", lambda: pytest.fail("the network ran for a remembered chip"))
    again = _dlib.embed_chips([mirrored, a, b, a])
    assert np.array_equal(again, alone[[2, 1, 0, 1]])
    again[0, 0] += 1.0  # the caller's array is its own
    assert np.array_equal(_dlib.embed_chips([mirrored]), alone[[2]])
