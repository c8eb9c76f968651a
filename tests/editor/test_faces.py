from __future__ import annotations

from pathlib import Path

import numpy as np

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
