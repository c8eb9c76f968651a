"""Face tracks through a take: Haar detections on sampled frames, linked by overlap and centroid distance.

Detection (``editor.faces.detect_faces``) runs on ``samples`` frames spread over the range; consecutive
detections are linked greedily, best overlap first: a detection joins a live track when their boxes overlap
with IoU ≥ 0.3 or their centres lie within half a face width (a talking head moves little between samples).
A track not seen for ``max_gap`` samples ends. Every observation keeps its identity descriptor, computed from
the decoded frame while it is in memory, so matching never decodes twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench._legacy_cast._features import F32, descriptors
from bench._legacy_cast.faces import FaceBox, detect_faces
from editor.errors import EditParameterError
from media import MediaInfo, Region, iter_frames, sample_indices

DEFAULT_SAMPLES = 16
IOU_LINK = 0.3
MAX_GAP = 2


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two ``x, y, w, h`` boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def _linked(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Link score of two boxes (0 = not linkable): IoU, or a small score when only the centres are close."""
    score = iou(a, b)
    if score >= IOU_LINK:
        return score
    ca = np.array([a[0] + a[2] / 2, a[1] + a[3] / 2])
    cb = np.array([b[0] + b[2] / 2, b[1] + b[3] / 2])
    close = np.linalg.norm(ca - cb) <= 0.5 * max(a[2], b[2]) and 0.6 <= a[2] / max(b[2], 1) <= 1.67
    return 0.01 if close else 0.0


@dataclass
class Track:
    """One face followed through sampled frames: ``boxes[i]`` at ``frames[i]``, with descriptors."""

    track_id: int
    frames: list[int] = field(default_factory=list)
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    features: list[F32] = field(default_factory=list)

    @property
    def last_box(self) -> tuple[int, int, int, int]:
        return self.boxes[-1]

    def box_at(self, frame: int) -> tuple[int, int, int, int]:
        """The box observed nearest to ``frame``."""
        k = int(np.argmin([abs(f - frame) for f in self.frames]))
        return self.boxes[k]

    def summary(self) -> dict[str, Any]:
        x, y, w, h = (int(v) for v in np.median(np.array(self.boxes), axis=0))
        return {
            "track": self.track_id,
            "frames": [self.frames[0], self.frames[-1] + 1],
            "observations": len(self.frames),
            "box": {"x": x, "y": y, "width": w, "height": h},
        }


def _box(f: FaceBox) -> tuple[int, int, int, int]:
    return (f.x, f.y, f.width, f.height)


def track_faces(
    info: MediaInfo,
    *,
    start: int = 0,
    end: int | None = None,
    region: Region | None = None,
    samples: int = DEFAULT_SAMPLES,
    extra_frames: tuple[int, ...] = (),
    mirror: bool = False,
) -> tuple[list[Track], list[int]]:
    """Detect and track faces on ``samples`` frames of ``start``–``end`` (plus ``extra_frames``).

    Faces are kept when they overlap ``region``. Returns the tracks (each with per-observation descriptors; two
    per observation when ``mirror``) and the frames that were sampled.

    Raises:
        EditParameterError: the range is outside the clip.
    """
    end = info.frame_count if end is None else end
    if not 0 <= start < end <= info.frame_count:
        raise EditParameterError(
            f"frame range {start}–{end} is outside {info.path.name} (frames 0–{info.frame_count}); "
            "give 0 ≤ start < end ≤ frame count"
        )
    wanted = sorted(set(sample_indices(info.frame_count, samples, start=start, end=end)) | set(extra_frames))
    live: list[tuple[Track, int]] = []  # (track, samples since last seen)
    done: list[Track] = []
    seen: list[int] = []
    next_id = 0
    for index, rgb in iter_frames(info, start=start, end=end, fmt="rgb24", indices=wanted):
        assert isinstance(rgb, np.ndarray)
        seen.append(index)
        faces = [f for f in detect_faces(rgb, index) if region is None or f.overlaps(region)]
        pairs = sorted(
            ((_linked(t.last_box, _box(f)), ti, fi) for ti, (t, _) in enumerate(live) for fi, f in enumerate(faces)),
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
            track.frames.append(index)
            track.boxes.append(_box(f))
            track.features.append(np.stack(descriptors(rgb, _box(f), mirror=mirror)))
    done.extend(t for t, _ in live)
    return sorted(done, key=lambda t: t.track_id), seen
