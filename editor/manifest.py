"""Training manifests: the complete, hashable record of what a model was trained on and how.

A manifest lists every input (clip content hash + frame range at the clip's exact rational rate), the code version
(package version + SHA-256 of the engine's source files), hyper-parameters and seeds. Its canonical JSON
(RFC 8785) is hashed with SHA-256; that hex digest *is* the model id, so the same inputs, code and settings always
name the same model and any change names a different one. Schema label: ``editor.training-manifest/1``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, NewType

import rfc8785

from editor.errors import ManifestError

SCHEMA = "editor.training-manifest/1"
ModelId = NewType("ModelId", str)
"""Lower-case hex SHA-256 of a training manifest's canonical JSON."""

_KINDS = {"lighting", "background", "dialogue", "cast", "eyeline"}
Scalar = str | int | float | bool | None
_MAX_SAFE = 2**53 - 1


def _is_hex64(s: object) -> bool:
    return isinstance(s, str) and len(s) == 64 and all(c in "0123456789abcdef" for c in s)


@dataclass(frozen=True)
class TrainingInput:
    """One clip's frames used in training: ``start`` ≤ frame < ``end`` at ``frame_rate``; ``role`` says how."""

    content_hash: str
    start: int
    end: int
    frame_rate: Fraction
    role: str = "source"

    def __post_init__(self) -> None:
        if not _is_hex64(self.content_hash):
            raise ManifestError(f"input content hash {self.content_hash!r} is not a SHA-256 hex digest")
        if not (0 <= self.start < self.end):
            raise ManifestError(f"input frame range {self.start}–{self.end} is empty or negative")
        if self.frame_rate <= 0:
            raise ManifestError(f"input frame rate {self.frame_rate} must be positive")
        if not self.role or not self.role.replace("-", "").isalnum():
            raise ManifestError(f"input role {self.role!r} must be a word (source, original, graded, ...)")

    @property
    def start_time(self) -> Fraction:
        """Start in seconds, exactly."""
        return self.start / self.frame_rate

    @property
    def end_time(self) -> Fraction:
        return self.end / self.frame_rate

    def as_json(self) -> dict[str, Any]:
        return {
            "content_hash": self.content_hash,
            "frames": [self.start, self.end],
            "frame_rate": f"{self.frame_rate.numerator}/{self.frame_rate.denominator}",
            "role": self.role,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> TrainingInput:
        try:
            start, end = obj["frames"]
            num, den = str(obj["frame_rate"]).split("/")
            return cls(
                obj["content_hash"], int(start), int(end), Fraction(int(num), int(den)), obj.get("role", "source")
            )
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
            raise ManifestError(f"malformed training input {obj!r}: {exc}") from None


@dataclass(frozen=True)
class TrainingManifest:
    """Everything that determines a trained model. ``model_id`` is the SHA-256 of ``canonical_bytes()``."""

    model_kind: str
    inputs: tuple[TrainingInput, ...]
    code_version: str
    hyperparameters: Mapping[str, Scalar] = field(default_factory=dict)
    seeds: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.model_kind not in _KINDS:
            raise ManifestError(f"model kind {self.model_kind!r} is not one of {sorted(_KINDS)}")
        if not self.inputs:
            raise ManifestError("a training manifest needs at least one input clip")
        keys = [(i.content_hash, i.start, i.end, i.role) for i in self.inputs]
        if len(set(keys)) != len(keys):
            raise ManifestError("a training manifest lists the same input twice")
        if not self.code_version:
            raise ManifestError("a training manifest must name the code version")
        for k, v in self.hyperparameters.items():
            if not isinstance(k, str) or not isinstance(v, str | int | float | bool | type(None)):
                raise ManifestError(f"hyper-parameter {k!r}={v!r} must be a JSON scalar under a string key")
            if isinstance(v, int | float) and not isinstance(v, bool) and not (abs(v) <= _MAX_SAFE):
                raise ManifestError(f"hyper-parameter {k!r}={v!r} must be finite and within ±2^53 (RFC 8785)")
        for k, v in self.seeds.items():
            if not isinstance(k, str) or not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= _MAX_SAFE:
                raise ManifestError(f"seed {k!r}={v!r} must be a non-negative integer")
        object.__setattr__(self, "hyperparameters", dict(self.hyperparameters))
        object.__setattr__(self, "seeds", dict(self.seeds))

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "model_kind": self.model_kind,
            "inputs": [i.as_json() for i in self.inputs],
            "code_version": self.code_version,
            "hyperparameters": dict(self.hyperparameters),
            "seeds": dict(self.seeds),
        }

    def canonical_bytes(self) -> bytes:
        """RFC 8785 canonical JSON: the bytes that are hashed into the model id."""
        return rfc8785.dumps(self.as_json())

    @property
    def model_id(self) -> ModelId:
        return ModelId(hashlib.sha256(self.canonical_bytes()).hexdigest())

    @property
    def input_hashes(self) -> list[str]:
        return sorted({i.content_hash for i in self.inputs})

    @classmethod
    def from_json(cls, data: bytes | str | Mapping[str, Any]) -> TrainingManifest:
        """Parse and validate a manifest.

        Raises:
            ManifestError: not JSON, wrong schema label, or any field invalid.
        """
        try:
            obj = json.loads(data) if isinstance(data, bytes | str) else dict(data)
        except (ValueError, TypeError) as exc:
            raise ManifestError(f"training manifest is not JSON: {exc}") from None
        if not isinstance(obj, dict) or obj.get("schema") != SCHEMA:
            raise ManifestError(f"not a training manifest: schema must be {SCHEMA!r}")
        unknown = set(obj) - {"schema", "model_kind", "inputs", "code_version", "hyperparameters", "seeds"}
        if unknown:
            raise ManifestError(f"training manifest has unknown fields {sorted(unknown)}")
        try:
            return cls(
                model_kind=obj["model_kind"],
                inputs=tuple(TrainingInput.from_json(i) for i in obj["inputs"]),
                code_version=obj["code_version"],
                hyperparameters=obj.get("hyperparameters", {}),
                seeds=obj.get("seeds", {}),
            )
        except (KeyError, TypeError) as exc:
            raise ManifestError(f"training manifest is missing or has a malformed field: {exc}") from None


@cache
def code_version() -> str:
    """``editor <version>+src.<sha256 prefix>``: the package version and a hash of every engine source file."""
    from editor import __version__

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return f"editor {__version__}+src.{h.hexdigest()[:16]}"
