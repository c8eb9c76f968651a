"""Face tracks through a take: detections on sampled frames, linked by place, size and identity.

Detection (``editor.cast.detect``) runs on ``samples`` frames spread over the range (or on every ``every``-th
frame of frames already in memory, for the edits). Detections of consecutive samples are linked greedily, best
overlap first: a detection joins a live track when their boxes overlap with IoU ≥ 0.3, or their centres lie within
half a face width at a similar size — *and*, when both carry identity vectors, those lie within ``LINK_DISTANCE``
of each other, so a cut between two people framed alike (two takes joined) starts a new track instead of
carrying one person's identity into the other's face. A track not seen for ``MAX_GAP`` samples ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from editor.cast.detect import F32, FaceBox, detect_faces, iou
from editor.errors import EditParameterError
from media import MediaInfo, Region, iter_frames, sample_indices

DEFAULT_SAMPLES = 16
IOU_LINK = 0.3
MAX_GAP = 2
LINK_DISTANCE = 0.55


def _linked(a: FaceBox, b: FaceBox) -> float:
    """Link score of two detections (0 = not linkable): IoU, or a small score when only the centres are close."""
    if (
        a.embedding is not None
        and b.embedding is not None
        and float(np.linalg.norm(a.embedding - b.embedding)) > LINK_DISTANCE
    ):
        return 0.0
    score = iou(a.box, b.box)
    if score >= IOU_LINK:
        return score
    ca = np.array([a.x + a.width / 2, a.y + a.height / 2])
    cb = np.array([b.x + b.width / 2, b.y + b.height / 2])
    close = np.linalg.norm(ca - cb) <= 0.5 * max(a.width, b.width) and 0.6 <= a.width / max(b.width, 1) <= 1.67
    return 0.01 if close else 0.0


@dataclass
class Track:
    """One face followed through sampled frames: ``faces[i]`` (box, landmarks, identity) at ``frames[i]``."""

    track_id: int
    faces: list[FaceBox] = field(default_factory=list)

    @property
    def frames(self) -> list[int]:
        return [f.frame for f in self.faces]

    @property
    def boxes(self) -> list[tuple[int, int, int, int]]:
        return [f.box for f in self.faces]

    @property
    def features(self) -> F32:
        """(N, 128) identity vectors of the observations that have one."""
        vecs = [f.embedding for f in self.faces if f.embedding is not None]
        return np.stack(vecs) if vecs else np.zeros((0, 128), np.float32)

    def box_at(self, frame: int) -> tuple[int, int, int, int]:
        """The detector box observed nearest to ``frame``."""
        return self.face_at(frame).box

    def face_at(self, frame: int) -> FaceBox:
        """The observation nearest to ``frame``."""
        return self.faces[int(np.argmin([abs(f - frame) for f in self.frames]))]

    def canonical_boxes(self, frames: Iterable[int]) -> np.ndarray:
        """Landmark-derived face boxes (``FaceBox.canonical_box``) interpolated to ``frames`` → (n, 4) float."""
        known = np.array([f.canonical_box() for f in self.faces], np.float64)
        idx = np.asarray(list(frames), np.float64)
        return np.stack([np.interp(idx, self.frames, known[:, k]) for k in range(4)], axis=1)

    def summary(self) -> dict[str, Any]:
        x, y, w, h = (int(v) for v in np.median(np.array(self.boxes), axis=0))
        return {
            "track": self.track_id,
            "frames": [self.frames[0], self.frames[-1] + 1],
            "observations": len(self.frames),
            "box": {"x": x, "y": y, "width": w, "height": h},
        }


def link(
    frames: Iterable[tuple[int, np.ndarray]], *, region: Region | None = None, embed: bool = True
) -> tuple[list[Track], list[int]]:
    """Detect faces on each (index, RGB frame) and link them into tracks; returns the tracks and the indices."""
    live: list[tuple[Track, int]] = []  # (track, samples since last seen)
    done: list[Track] = []
    seen: list[int] = []
    next_id = 0
    for index, rgb in frames:
        seen.append(index)
        faces = [f for f in detect_faces(rgb, index, embed=embed) if region is None or f.overlaps(region)]
        pairs = sorted(
            ((_linked(t.faces[-1], f), ti, fi) for ti, (t, _) in enumerate(live) for fi, f in enumerate(faces)),
            reverse=True,
        )
        used_t: set[int] = set()
        used_f: set[int] = set()
        assign: dict[int, Track] = {}
        for score, ti, fi in pairs:
            if score > 0 and ti not in used_t and fi not in used_f:
                used_t.add(ti)
                used_f.add(fi)
                assign[fi] = live[ti][0]
        aged: list[tuple[Track, int]] = []
        for ti, (t, gap) in enumerate(live):
            if ti in used_t:
                aged.append((t, 0))
            elif gap + 1 > MAX_GAP:
                done.append(t)
            else:
                aged.append((t, gap + 1))
        live = aged
        for fi, f in enumerate(faces):
            if fi in assign:
                track = assign[fi]
            else:
                track = Track(next_id)
                next_id += 1
                live.append((track, 0))
            track.faces.append(f)
    done.extend(t for t, _ in live)
    return sorted(done, key=lambda t: t.track_id), seen


def track_faces(
    info: MediaInfo,
    *,
    start: int = 0,
    end: int | None = None,
    region: Region | None = None,
    samples: int = DEFAULT_SAMPLES,
    extra_frames: tuple[int, ...] = (),
    embed: bool = True,
) -> tuple[list[Track], list[int]]:
    """Detect and track faces on ``samples`` frames of ``start``–``end`` (plus ``extra_frames``).

    Faces are kept when they overlap ``region``. Returns the tracks (with identity vectors unless ``embed`` is
    False) and the frames that were sampled.

    Raises:
        EditParameterError: the range is outside the clip.
        FaceModelError: the face models are missing.
    """
    end = info.frame_count if end is None else end
    if not 0 <= start < end <= info.frame_count:
        raise EditParameterError(
            f"frame range {start}–{end} is outside {info.path.name} (frames 0–{info.frame_count}); "
            "give 0 ≤ start < end ≤ frame count"
        )
    wanted = sorted(set(sample_indices(info.frame_count, samples, start=start, end=end)) | set(extra_frames))
    frames = iter_frames(info, start=start, end=end, fmt="rgb24", indices=wanted)
    return link(((i, np.asarray(f)) for i, f in frames), region=region, embed=embed)


def track_frames(frames: list[np.ndarray], start: int = 0, *, every: int = 4, embed: bool = True) -> list[Track]:
    """Tracks through frames already decoded (``frames[k]`` is frame ``start + k``), detecting on every
    ``every``-th frame and on the last one."""
    picks = sorted({*range(0, len(frames), max(1, every)), len(frames) - 1} - {-1})
    tracks, _ = link(((start + k, frames[k]) for k in picks), embed=embed)
    return tracks
