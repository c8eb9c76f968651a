"""Eye patches of one performer from a clip: find their face track, learn their eye geometry, cut patches."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from editor.cast import CastModel, Track, track_faces
from editor.eyeline._eyes import F32, EyeGeometry, cut_patch, iris_centre
from editor.eyeline.errors import NoFaceError, PerformerNotInShotError
from media import MediaInfo, iter_frames

U8 = NDArray[np.uint8]


@dataclass(frozen=True)
class Observation:
    """One sampled frame of the performer: face box and the RGB frame (8-bit)."""

    frame: int
    face: tuple[int, int, int, int]
    rgb: U8


@dataclass(frozen=True)
class EyeSample:
    """Both eye patches of one observation (right eye mirrored), their iris centres and network-frame gazes."""

    clip: str
    frame: int
    patches: F32  # (2, H, W, 3)
    iris: F32  # (2, 2) patch px
    gaze: F32  # (2, 2) degrees in each patch's own (mirrored) frame


def performer_track(tracks: list[Track], performer: str, cast: CastModel | None, name: str) -> Track:
    """The performer's face track: the one the cast model identifies as them, else the only face in the shot.

    Raises:
        NoFaceError: no face was found.
        PerformerNotInShotError: the cast model identifies nobody as the performer, or there are several faces
            and no cast model to tell which is the performer.
    """
    if not tracks:
        raise NoFaceError(f"{name}: no face was found in the range; eyeline needs a visible frontal face")
    if cast is None:
        long = [t for t in tracks if len(t.frames) >= max(2, max(len(u.frames) for u in tracks) // 2)]
        if len(long) > 1:
            raise PerformerNotInShotError(
                f"{name}: {len(long)} faces are in the range and the project has no cast model to tell which is "
                f"{performer!r}; tag and train the cast first (`cutproof cast tag`, `cutproof cast train`)"
            )
        return long[0]
    if performer not in cast.labels:
        raise PerformerNotInShotError(f"{performer!r} is not in the project's cast model; tag them and retrain it")
    k = cast.labels.index(performer)
    best: tuple[float, Track] | None = None
    for t in tracks:
        dist = cast.distances(np.concatenate(t.features)).mean(axis=0)
        rel = dist / cast.thresholds
        if dist[k] < cast.thresholds[k] and int(np.argmin(rel)) == k and (best is None or rel[k] < best[0]):
            best = (float(rel[k]), t)
    if best is None:
        raise PerformerNotInShotError(
            f"{name}: {performer!r} is not identified in this range (faces seen: {len(tracks)})"
        )
    return best[1]


def observe(
    info: MediaInfo, performer: str, cast: CastModel | None, *, samples: int, start: int = 0, end: int | None = None
) -> list[Observation]:
    """The performer's face on ``samples`` frames of the range, with the decoded frames."""
    tracks, _ = track_faces(info, start=start, end=end, samples=samples)
    track = performer_track(tracks, performer, cast, info.path.name)
    boxes = dict(zip(track.frames, track.boxes, strict=True))
    out = []
    for index, rgb in iter_frames(info, start=start, end=end, fmt="rgb24", indices=track.frames):
        assert isinstance(rgb, np.ndarray)
        out.append(Observation(index, boxes[index], rgb))
    return out


def eye_samples(clip: str, observations: list[Observation], geometry: EyeGeometry) -> list[EyeSample]:
    """Cut both eye patches of every observation at the learnt geometry (right eye mirrored)."""
    from editor.eyeline._eyes import gaze_of

    out = []
    for ob in observations:
        rgb = ob.rgb.astype(np.float32) / 255.0
        patches, iris, gaze = [], [], []
        for k, box in enumerate(geometry.patch_boxes(tuple(float(v) for v in ob.face))):  # type: ignore[arg-type]
            p = cut_patch(rgb, box)
            if k == 1:
                p = np.ascontiguousarray(p[:, ::-1])
            patches.append(p)
            iris.append(iris_centre(p))
            gaze.append(gaze_of(p))
        out.append(EyeSample(clip, ob.frame, np.stack(patches), np.array(iris, np.float32), np.array(gaze, np.float32)))
    return out


def grey(rgb: U8) -> U8:
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), np.uint8)
