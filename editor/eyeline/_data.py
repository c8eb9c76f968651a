"""Eye patches of one performer from a clip: find their face track, learn their eye geometry, cut patches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from editor.cast import CastModel, Track, performer_track, track_faces
from editor.eyeline._eyes import F32, Box, EyeGeometry, cut_patch, iris_centre
from editor.eyeline.errors import NoFaceError, PerformerNotInShotError
from media import MediaInfo, iter_frames

U8 = NDArray[np.uint8]


@dataclass(frozen=True)
class Observation:
    """One sampled frame of the performer: the landmark-derived face box, the eye corners and the RGB frame."""

    frame: int
    face: Box
    eyes: tuple[F32, F32]
    rgb: U8


@dataclass(frozen=True)
class EyeSample:
    """Both eye patches of one observation (right eye mirrored), their iris centres and network-frame gazes."""

    clip: str
    frame: int
    patches: F32  # (2, H, W, 3)
    iris: F32  # (2, 2) patch px
    gaze: F32  # (2, 2) degrees in each patch's own (mirrored) frame


def find_performer(tracks: list[Track], performer: str, cast: CastModel | None, name: str) -> Track:
    """The performer's face track, as the engine's cast path decides it (``editor.cast.performer_track``).

    Raises:
        NoFaceError: no face was found.
        PerformerNotInShotError: the cast model identifies nobody as the performer, or there are several faces
            and no cast model to tell which is the performer.
    """
    if not tracks:
        raise NoFaceError(f"{name}: no face was found in the range; eyeline needs a visible frontal face")
    track, why = performer_track(tracks, performer, cast)
    if track is None:
        raise PerformerNotInShotError(f"{name}: {why}")
    return track


def observe(
    info: MediaInfo, performer: str, cast: CastModel | None, *, samples: int, start: int = 0, end: int | None = None
) -> list[Observation]:
    """The performer's face on ``samples`` frames of the range, with the decoded frames."""
    tracks, _ = track_faces(info, start=start, end=end, samples=samples, embed=cast is not None)
    track = find_performer(tracks, performer, cast, info.path.name)
    faces = {f.frame: f for f in track.faces}
    out = []
    for index, rgb in iter_frames(info, start=start, end=end, fmt="rgb24", indices=track.frames):
        assert isinstance(rgb, np.ndarray)
        face = faces[index]
        out.append(Observation(index, face.canonical_box(), face.eye_corners(), rgb))
    return out


def eye_samples(clip: str, observations: list[Observation], geometry: EyeGeometry) -> list[EyeSample]:
    """Cut both eye patches of every observation at the learnt geometry (right eye mirrored)."""
    from editor.eyeline._eyes import gaze_of

    out = []
    for ob in observations:
        rgb = ob.rgb.astype(np.float32) / 255.0
        patches, iris, gaze = [], [], []
        for k, box in enumerate(geometry.patch_boxes(ob.face)):
            p = cut_patch(rgb, box)
            if k == 1:
                p = np.ascontiguousarray(p[:, ::-1])
            patches.append(p)
            iris.append(iris_centre(p))
            gaze.append(gaze_of(p))
        out.append(EyeSample(clip, ob.frame, np.stack(patches), np.array(iris, np.float32), np.array(gaze, np.float32)))
    return out
