"""What every edit returns: a typed, serialisable, *true* account of what changed.

``EditResult`` carries the source and output content hashes, the model (id = training-manifest hash, plus the
model file's hash), the exact parameters, the temporal range (frames and exact rational seconds) and the spatial
region that changed, quality metrics, and the output's codec/audio/timecode. The region is a promise the labeler
writes into C2PA ``changes``: outside it (and outside the frame range) output pixels equal the source's up to codec
noise. Schema label: ``editor.edit-result/1``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rfc8785

from editor.errors import EditParameterError
from media import Region

if TYPE_CHECKING:
    from media import RenderReport

SCHEMA = "editor.edit-result/1"


def _rational(f: Fraction) -> str:
    return f"{f.numerator}/{f.denominator}"


@dataclass(frozen=True)
class FrameRange:
    """Frames ``start`` ≤ i < ``end`` at an exact rational ``frame_rate``."""

    start: int
    end: int
    frame_rate: Fraction

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise EditParameterError(f"frame range {self.start}–{self.end} is empty; give 0 ≤ start < end")
        if self.frame_rate <= 0:
            raise EditParameterError(f"frame rate {self.frame_rate} must be positive")

    @property
    def start_time(self) -> Fraction:
        return self.start / self.frame_rate

    @property
    def end_time(self) -> Fraction:
        return self.end / self.frame_rate

    def as_range(self) -> range:
        return range(self.start, self.end)

    def as_json(self) -> dict[str, Any]:
        return {
            "frames": [self.start, self.end],
            "frame_rate": _rational(self.frame_rate),
            "seconds": [_rational(self.start_time), _rational(self.end_time)],
        }


@dataclass(frozen=True)
class OutputMedia:
    """The written clip: path, content hash, codec, container, timecode and how each audio track was carried."""

    path: Path
    content_hash: str
    codec: str
    container: str
    timecode: str | None
    audio: tuple[str, ...]

    @classmethod
    def written(cls, report: RenderReport, content_hash: str) -> OutputMedia:
        """The clip a render wrote (``media.RenderReport``), with its content hash."""
        return cls(report.path, content_hash, report.codec, report.container, report.timecode, report.audio)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "content_hash": self.content_hash,
            "codec": self.codec,
            "container": self.container,
            "timecode": self.timecode,
            "audio": list(self.audio),
        }


@dataclass(frozen=True)
class EditResult:
    """The complete, reproducible record of one edit."""

    kind: str
    source_hash: str
    output: OutputMedia
    model_id: str | None
    model_file_hash: str | None
    parameters: Mapping[str, Any]
    frames: FrameRange
    region: Region
    frame_size: tuple[int, int]
    metrics: Mapping[str, float | int | str] = field(default_factory=dict)
    performers: tuple[str, ...] = ()  # the performer labels the edit was decided on (set by the application)

    def __post_init__(self) -> None:
        if (self.model_id is None) != (self.model_file_hash is None) or self.model_id == "" or self.model_id == "none":
            raise EditParameterError("an edit result names a model by id and file hash together, or no model at all")
        if not self.region.fits(*self.frame_size):
            raise EditParameterError(f"region {self.region.as_json()} lies outside the {self.frame_size} frame")
        object.__setattr__(self, "parameters", dict(self.parameters))
        object.__setattr__(self, "metrics", dict(self.metrics))

    @property
    def output_hash(self) -> str:
        return self.output.content_hash

    @property
    def training_manifest_hash(self) -> str | None:
        """The training manifest's SHA-256 — by construction the model id."""
        return self.model_id

    def as_json(self) -> dict[str, Any]:
        """The record; ``model_id``, ``training_manifest_hash`` and ``model_file_hash`` appear only when a trained
        model made the edit (absent, never a placeholder, when none did: ``trained_model`` says which)."""
        model = (
            {
                "model_id": self.model_id,
                "training_manifest_hash": self.training_manifest_hash,
                "model_file_hash": self.model_file_hash,
            }
            if self.model_id is not None
            else {}
        )
        return {
            "schema": SCHEMA,
            "kind": self.kind,
            "source_hash": self.source_hash,
            "output": self.output.as_json(),
            "trained_model": self.model_id is not None,
            **model,
            "parameters": dict(self.parameters),
            "frames": self.frames.as_json(),
            "region": self.region.as_json(),
            "frame_size": {"width": self.frame_size[0], "height": self.frame_size[1]},
            "metrics": dict(self.metrics),
            "performers": list(self.performers),
        }

    def canonical_bytes(self) -> bytes:
        """RFC 8785 canonical JSON of ``as_json()`` (the output path included)."""
        return rfc8785.dumps(self.as_json())

    @property
    def recipe_hash(self) -> str:
        """SHA-256 of what determines the output — source, model, parameters, range, region — and nothing else:
        re-running an edit with the same recipe, rendered in the same segments (one piece unless a worker count
        says otherwise), reproduces the same output hash on any machine with the same encoder build and, for
        H.264, AVX2 (``media._policy``, "Reproducible")."""
        recipe = {
            "kind": self.kind,
            "source_hash": self.source_hash,
            "model_id": self.model_id,
            "parameters": dict(self.parameters),
            "frames": self.frames.as_json(),
            "region": self.region.as_json(),
        }
        return hashlib.sha256(rfc8785.dumps(recipe)).hexdigest()


def region_of_mask(support: Any) -> Region | None:
    """The bounding rectangle of a boolean mask's true pixels (None if empty), widened to even coordinates so it
    also covers every 4:2:0/4:2:2 chroma sample the pixels touch."""
    import numpy as np

    ys, xs = np.nonzero(support)
    if len(xs) == 0:
        return None
    h, w = support.shape
    x0, y0 = int(xs.min()) & ~1, int(ys.min()) & ~1
    x1, y1 = min(w, (int(xs.max()) + 2) & ~1), min(h, (int(ys.max()) + 2) & ~1)
    return Region(x0, y0, x1 - x0, y1 - y0)


def parameters_digest(parameters: Mapping[str, Any]) -> str:
    """SHA-256 of the parameters' canonical JSON."""
    return hashlib.sha256(rfc8785.dumps(dict(parameters))).hexdigest()


def rational(f: Fraction) -> str:
    """``num/den`` text of a fraction (the form used in every JSON record)."""
    return _rational(f)
