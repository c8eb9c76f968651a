"""Ingesting dailies: a folder of camera files → verified, hashed, slated catalogue entries, reported per file.

A file enters the catalogue only if it probes cleanly (see ``media.probe``); everything else is listed in
the report with the reason, and nothing about it is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from editor.catalogue import Catalogue, Clip
from editor.slate import parse_metadata, parse_name
from media import DEFAULT_LIMITS, MediaLimits, probe
from media.errors import MediaError

Outcome = Literal["added", "already-catalogued", "rejected"]
_SKIP_SUFFIXES = {".md", ".txt", ".json", ".xml", ".ale", ".edl", ".cdl", ".cc", ".cube", ".csv", ".log"}
_SKIP_NAMES = {"SHA256SUMS", "MD5SUMS", ".DS_Store", "Thumbs.db"}


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file of an ingest."""

    path: Path
    outcome: Outcome
    clip: Clip | None = None
    reason: str | None = None


@dataclass(frozen=True)
class IngestReport:
    """Per-file outcomes of one ingest, in file-name order."""

    folder: Path
    files: tuple[FileOutcome, ...] = field(default_factory=tuple)

    @property
    def added(self) -> list[Clip]:
        return [f.clip for f in self.files if f.outcome == "added" and f.clip is not None]

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome == "rejected"]

    @property
    def clips(self) -> list[Clip]:
        """Every clip the folder holds that is in the catalogue (new or already there)."""
        return [f.clip for f in self.files if f.clip is not None]


def content_hash(path: Path) -> str:
    """SHA-256 (hex) of the file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def candidate_files(folder: Path) -> list[Path]:
    """Files under ``folder`` (recursively) that could be camera files: everything but sidecars and hidden files."""
    out = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name.startswith(".") or p.name in _SKIP_NAMES:
            continue
        if p.suffix.lower() in _SKIP_SUFFIXES:
            continue
        out.append(p)
    return out


def ingest_file(
    path: Path, catalogue: Catalogue, *, project: str | None = None, limits: MediaLimits = DEFAULT_LIMITS
) -> FileOutcome:
    """Probe, hash, slate and catalogue one file; a file that fails is rejected with the reason."""
    try:
        info = probe(path, limits=limits)
    except MediaError as exc:
        return FileOutcome(Path(path), "rejected", reason=str(exc))
    digest = content_hash(path)
    known = catalogue.find(digest) is not None
    slate = parse_metadata(info.tags, parse_name(Path(path).stem))
    clip = catalogue.add(digest, info, slate, Path(path).stat().st_size, project)
    return FileOutcome(Path(path), "already-catalogued" if known else "added", clip)


def ingest_folder(
    folder: Path,
    catalogue: Catalogue,
    *,
    project: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
    files: Iterable[Path] | None = None,
) -> IngestReport:
    """Ingest every candidate file under ``folder``; never stops at a bad file.

    Raises:
        MediaError: ``folder`` is not a directory.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MediaError(f"{folder} is not a directory; give the folder that holds the camera files")
    paths = list(files) if files is not None else candidate_files(folder)
    outcomes = tuple(ingest_file(p, catalogue, project=project, limits=limits) for p in paths)
    return IngestReport(folder, outcomes)
