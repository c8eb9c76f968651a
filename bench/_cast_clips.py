"""The material of ``bench/cast.py``: the three people's takes (``TAKES``), the clips made from them (``Clip``:
the untransformed other takes, their held-out transforms and canvas pastes, crowds, joins, two-shots and animated
faces) and ``build``, which writes them (through ``tests/editor/_faces_media.py``) for a run or a leave-one-out run."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from editor.cast import detect_faces
from tests.editor import _faces_media as fm

TAKES = {
    "actor1001": ["crema-d_1001_DFA_NEU_XX.flv", "crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv"],
    "grid": ["grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"],
    "obama": [
        "obama-weekly-address_but-heres-the-thing.mp4",
        "obama-weekly-address_a-bad-situation.mp4",
        "obama-weekly-address_very-real-challenges.mp4",
    ],
}
SIZES = (40, 60, 100, 200)


@dataclass
class Clip:
    """One clip of the bench: who is in it, and (canvas clips) where the face was pasted."""

    path: Path
    set: str  # shared | held-out
    people: tuple[str, ...]
    kind: str
    face_box: tuple[float, ...] | None = None
    side: int | None = None
    strangers_only: bool = False  # scored only under models that do not know its people (leave one out)


def _face_box(frames: fm.Frames) -> tuple[float, float, float, float]:
    """The largest face on the middle frame (new detector), as the reference for transforms."""
    mid = frames[len(frames) // 2]
    f = max(detect_faces(mid), key=lambda b: b.width)
    return (f.x, f.y, f.width, f.height)


def build(footage: Path, out: Path, n_frames: int, only: str | None = None) -> list[Clip]:
    """The bench's clips (``only``: just those showing that person, for a leave-one-out run)."""
    clips: list[Clip] = []
    takes = {p: [fm.read_take(footage / t, n_frames) for t in names[1:]] for p, names in TAKES.items()}
    for person, names in TAKES.items():
        if only is not None and person != only:
            continue
        for k, (frames, rate) in enumerate(takes[person]):
            name = Path(names[k + 1]).stem
            clips.append(Clip(footage / names[k + 1], "shared", (person,), "untransformed"))
            box = _face_box(frames)

            def add(
                kind: str, fr: fm.Frames, r: Fraction = rate, name: str = name, person: str = person, **kw: Any
            ) -> None:
                suffix = ".mov" if kw.get("codec") == "prores_ks" else ".mp4"
                path = fm.write_clip(out / f"{name}-{kind}{suffix}", [fm.even(f) for f in fr], r, **kw)
                clips.append(Clip(path, "held-out", (person,), kind))

            add("mirrored", fm.mirror(frames))
            add("recropped", fm.recrop(frames, box))
            add("letterboxed", fm.letterbox(frames))
            add("graded", fm.grade(frames))
            add("prores10", frames, codec="prores_ks", pix_fmt="yuv422p10le")
            add("24fps", fm.retime(frames, rate, Fraction(24000, 1001)), Fraction(24000, 1001))
            add("50fps", fm.retime(frames, rate, Fraction(50)), Fraction(50))
            for side in SIZES:
                canvas, gt = fm.on_canvas(frames, box, side, at=(0.25 + 0.5 * (side % 3) / 2, 0.45))
                path = fm.write_clip(out / f"{name}-canvas{side}.mp4", canvas, rate)
                clips.append(Clip(path, "held-out", (person,), f"canvas{side}px", gt, side))
    for person in TAKES:
        if only is not None and person != only:
            continue
        faces = []
        for k in range(6):  # the person's other takes in turn: as shot, mirrored, re-graded
            frames, _rate = takes[person][k % len(takes[person])]
            x, y, w, h = _face_box(frames)
            if k % 3 == 1:
                faces.append((fm.mirror(frames), (frames[0].shape[1] - x - w, y, w, h)))
            else:
                faces.append((fm.grade(frames) if k % 3 == 2 else frames, (x, y, w, h)))
        crowd = fm.gathering(faces, [60, 80, 100, 120, 140, 160], seed=len(clips))
        path = fm.write_clip(out / f"crowd-{person}.mp4", crowd, Fraction(25))
        clips.append(Clip(path, "held-out", (person,) * 6, "crowd-real", strangers_only=True))
    people = list(TAKES)
    for i, a in enumerate(people):
        b = people[(i + 1) % len(people)]
        if only is not None and only not in (a, b):
            continue
        fa, ra = takes[a][0]
        fb, _ = takes[b][-1]
        path = fm.write_clip(out / f"join-{a}-{b}.mp4", fm.join(fa[: n_frames // 2], fb[: n_frames // 2]), ra)
        clips.append(Clip(path, "held-out", (a, b), "joined"))
        path = fm.write_clip(out / f"twoshot-{a}-{b}.mp4", fm.side_by_side(fa, fb), ra)
        clips.append(Clip(path, "held-out", (a, b), "two-shot"))
    if only is not None:
        return clips
    for seed in range(6):
        size = (1280, 720) if seed % 2 else (640, 480)
        frames = fm.cartoon_clip(n_frames, size, seed, side=(120, 200, 80)[seed % 3])
        clips.append(Clip(fm.write_clip(out / f"cartoon{seed}.mp4", frames, Fraction(25)), "held-out", (), "cartoon"))
    for seed, faces, side in ((99, 8, 110), (98, 12, 70)):
        crowd = fm.cartoon_clip(n_frames, (1920, 1080), seed, faces=faces, side=side)
        path = fm.write_clip(out / f"cartoon-crowd{seed}.mp4", crowd, Fraction(25))
        clips.append(Clip(path, "held-out", ("(animated face)",) * faces, "crowd"))
    return clips
