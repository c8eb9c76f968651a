"""Who is in the shot: face tracks in an edited region and time range, matched to the project's cast model.

``who`` answers the gate (through ``cutproof.cast.presence``) and ``cutproof cast who``; ``performer_track`` tells
the eyeline and dialogue edits which track is the performer they edit. Both decide with
``CastModel.identify_track``, so the gate and the render cannot disagree about who a face is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from editor.cast.model import CastModel
from editor.cast.tracking import DEFAULT_SAMPLES, Track, track_faces
from editor.errors import EditParameterError
from media import MediaInfo, Region

METHOD = "dlib-face-track+resnet-open-set-cast/2"


@dataclass(frozen=True)
class PerformerPresence:
    """A performer seen in the range: the sampled ``frames`` where their face was found, and a confidence.

    ``observations`` counts the face observations identified as them (one per face per sampled frame; more than
    ``len(frames)`` when two tracks on one frame were both identified as them). Not part of the JSON answer.

    ``confidence`` is the relative margin of the best-matching track below the performer's threshold,
    ``(threshold − distance) / threshold``, in 0–1: 0 is on the threshold, 1 a perfect match.
    """

    label: str
    frames: tuple[int, ...]
    confidence: float
    observations: int = field(default=0, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "frames": list(self.frames), "confidence": self.confidence}


@dataclass(frozen=True)
class CastReport:
    """Performers found in the edited region and range, faces that match nobody, and how it was decided."""

    performers: tuple[PerformerPresence, ...]
    unidentified: tuple[dict[str, Any], ...]
    method: str
    model_id: str | None
    frames_sampled: tuple[int, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.performers)

    @property
    def unidentified_faces(self) -> int:
        """The most unidentified faces seen together on one sampled frame (a lower bound on unknown people)."""
        counts: dict[int, int] = {}
        for u in self.unidentified:
            for f in u["frames_seen"]:
                counts[f] = counts.get(f, 0) + 1
        return max(counts.values(), default=0)

    def as_json(self) -> dict[str, Any]:
        return {
            "performers": [p.as_json() for p in self.performers],
            "unidentified": list(self.unidentified),
            "unidentified_faces": self.unidentified_faces,
            "method": self.method,
            "model_id": self.model_id,
            "frames_sampled": list(self.frames_sampled),
        }


def who(
    info: MediaInfo,
    model: CastModel,
    *,
    start: int = 0,
    end: int | None = None,
    region: Region | None = None,
    samples: int = DEFAULT_SAMPLES,
    model_id: str | None = None,
) -> CastReport:
    """Which performers appear in ``region`` over frames ``start``–``end``, and which faces there match nobody.

    Each face track is matched as a whole (``CastModel.identify_track``), so one blurred frame does not turn a
    performer into a stranger or the reverse; a track that is not clearly one performer is unidentified.

    Raises:
        EditParameterError: the range is outside the clip or the region outside the frame.
        FaceModelError: the face models are missing.
    """
    end = info.frame_count if end is None else end
    if region is not None and not region.fits(info.width, info.height):
        raise EditParameterError(f"region {region.as_json()} does not fit the {info.width}x{info.height} frame")
    tracks, seen = track_faces(info, start=start, end=end, region=region, samples=samples)
    found: dict[str, tuple[set[int], float]] = {}
    observations: dict[str, int] = {}
    unidentified: list[dict[str, Any]] = []
    for track in tracks:
        match = model.identify_track(track)
        if match.label is not None:
            frames, best = found.get(match.label, (set(), 0.0))
            found[match.label] = (frames | set(track.frames), max(best, match.confidence))
            observations[match.label] = observations.get(match.label, 0) + len(track.frames)
        else:
            unidentified.append(
                {
                    **track.summary(),
                    "frames_seen": list(track.frames),
                    "nearest": match.nearest,
                    "distance": round(match.distance, 4),
                    "threshold": round(match.threshold, 4),
                    "margin": None if match.margin is None else round(match.margin, 4),
                }
            )
    performers = tuple(
        PerformerPresence(lab, tuple(sorted(f)), c, observations[lab]) for lab, (f, c) in sorted(found.items())
    )
    return CastReport(performers, tuple(unidentified), METHOD, model_id, tuple(seen))


def performer_track(tracks: list[Track], performer: str, model: CastModel | None) -> tuple[Track | None, str]:
    """The track an edit of ``performer`` should change, or None and why not.

    With a cast model: the track identified as the performer (the longest, if the face was tracked in pieces).
    Without one: the only face that is on screen for most of the range; several such faces are refused, as there
    is nothing to tell which is the performer.
    """
    if not tracks:
        return None, "no face was found in the range"
    if model is None:
        longest = max(len(t.frames) for t in tracks)
        long = [t for t in tracks if len(t.frames) >= max(2, longest // 2)] or [
            max(tracks, key=lambda t: len(t.frames))
        ]
        if len(long) > 1:
            return None, (
                f"{len(long)} faces are in the range and the project has no cast model to tell which is "
                f"{performer!r}; tag and train the cast first (`cutproof cast tag`, `cutproof cast train`)"
            )
        return long[0], ""
    if performer not in model.labels:
        return None, f"{performer!r} is not in the project's cast model; tag them and retrain it"
    theirs = [t for t in tracks if model.identify_track(t).label == performer]
    if not theirs:
        return None, f"{performer!r} is not identified in this range (faces seen: {len(tracks)})"
    return max(theirs, key=lambda t: len(t.frames)), ""
