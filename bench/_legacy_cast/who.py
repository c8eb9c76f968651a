"""Who is in the shot: face tracks in an edited region and time range, matched to the project's cast model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bench._legacy_cast.model import CastModel
from bench._legacy_cast.tracking import DEFAULT_SAMPLES, track_faces
from editor.errors import EditParameterError
from media import MediaInfo, Region

METHOD = "haar-track+hog-lbp-cast/1"


@dataclass(frozen=True)
class PerformerPresence:
    """A performer seen in the range: the sampled ``frames`` where their face was found, and a confidence.

    ``confidence`` is the relative margin of the best-matching track below the performer's acceptance threshold,
    ``(threshold − distance) / threshold``, in 0–1: 0 is on the threshold, 1 a perfect match.
    """

    label: str
    frames: tuple[int, ...]
    confidence: float

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

    Each face track is matched as a whole (mean distance over its observations), so one blurred frame does not
    turn a performer into a stranger or the reverse.

    Raises:
        EditParameterError: the range is outside the clip or the region outside the frame.
    """
    end = info.frame_count if end is None else end
    if region is not None and not region.fits(info.width, info.height):
        raise EditParameterError(f"region {region.as_json()} does not fit the {info.width}x{info.height} frame")
    tracks, seen = track_faces(info, start=start, end=end, region=region, samples=samples)
    found: dict[str, tuple[set[int], float]] = {}
    unidentified: list[dict[str, Any]] = []
    for track in tracks:
        dist = model.distances(np.concatenate(track.features)).mean(axis=0)
        ok = dist < model.thresholds
        nearest = int(np.argmin(dist / model.thresholds))
        if ok.any():
            k = int(np.argmin(np.where(ok, dist / model.thresholds, np.inf)))
            label = model.labels[k]
            conf = float(round((model.thresholds[k] - dist[k]) / model.thresholds[k], 4))
            frames, best = found.get(label, (set(), 0.0))
            found[label] = (frames | set(track.frames), max(best, conf))
        else:
            unidentified.append(
                {
                    **track.summary(),
                    "frames_seen": list(track.frames),
                    "nearest": model.labels[nearest],
                    "distance": round(float(dist[nearest]), 4),
                    "threshold": round(float(model.thresholds[nearest]), 4),
                }
            )
    performers = tuple(PerformerPresence(lab, tuple(sorted(f)), c) for lab, (f, c) in sorted(found.items()))
    return CastReport(performers, tuple(unidentified), METHOD, model_id, tuple(seen))
