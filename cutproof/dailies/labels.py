"""Shot labels — scene, shot, take and camera roll — set by hand or read from the dailies lab's Avid Log Exchange.

An ALE file (Avid Log Exchange, tab-separated: ``Heading`` section, ``Column`` names, ``Data`` rows) is parsed by
OpenTimelineIO's ALE adapter (``otio-ale-adapter``, the only module here that touches ``opentimelineio``); each
row names a clip by ``Source File`` (its file name) or ``Name`` (the file name without extension, as Avid names
clips). From a row: ``Scene`` (``12A`` is scene 12, setup A, unless a ``Shot`` column says otherwise), ``Take``
(``3`` or ``T3``), ``Camroll`` (else ``Tape``) as the camera roll. Rows that match no catalogued clip of the
project are reported, not guessed. The file's bytes are read as the tools that write ALE do
(``cutproof.core.inputs.exported_text``: UTF-8 with or without a byte-order mark, UTF-16 with its mark, else
Windows-1252), so an accented clip name matches.

``ingest_dailies`` applies every ``*.ale`` of the card folder before recording the clips, so the
``dailies.ingested/1`` entries carry the lab's labels. Labels are catalogue metadata, not signed facts: the
decision entry of every edit records the scene and shot it was decided on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import opentimelineio as otio
from sqlalchemy import Engine

from cutproof.core.errors import CutproofError
from editor import Catalogue, Clip
from editor.errors import CatalogueError, ClipNotFoundError

_SCENE_SETUP = re.compile(r"^(?P<scene>\d{1,4}[A-Z]?)(?P<shot>[A-Z]{1,2})$")  # 12A → 12 / A; 12AB → 12 / AB
_TAKE = re.compile(r"^(?:T|TK|TAKE)?\s*(?P<take>\d{1,4})$", re.IGNORECASE)


class LabelError(CutproofError):
    """A label is invalid, or an ALE file cannot be read."""


@dataclass(frozen=True)
class AleRow:
    """What one ALE data row says about a clip."""

    name: str
    source_file: str | None
    scene: str | None
    shot: str | None
    take: int | None
    camera_roll: str | None


@dataclass
class AleReport:
    """What applying an ALE did: clips relabelled, rows that matched nothing, rows whose values were refused."""

    applied: list[Clip] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def set_labels(
    engine: Engine,
    project: str,
    ref: str,
    *,
    scene: str | None = None,
    shot: str | None = None,
    take: int | None = None,
    camera_roll: str | None = None,
) -> Clip:
    """Set a clip's labels by hand (empty values are left as they are).

    Raises:
        ClipNotFoundError: no such clip in the project (the API answers 404, as for any reference).
        LabelError: an invalid value.
    """
    try:
        return Catalogue(engine).set_slate(
            ref,
            scene=(scene or "").strip().upper() or None,
            shot=(shot or "").strip().upper() or None,
            take=take,
            camera_roll=(camera_roll or "").strip().upper() or None,
            project=project,
        )
    except ClipNotFoundError:
        raise
    except CatalogueError as exc:
        raise LabelError(str(exc)) from None


def parse_ale(text: str) -> list[AleRow]:
    """The rows of an ALE file.

    Raises:
        LabelError: not an ALE file OpenTimelineIO's adapter can read.
    """
    try:
        collection = otio.adapters.read_from_string(text, "ale")
    except Exception as exc:  # the adapter raises OTIO, value and index errors alike: all mean "not readable"
        raise LabelError(f"cannot read the ALE file: {exc}; export it again from the lab's tool") from None
    rows = []
    for clip in collection.find_clips() if hasattr(collection, "find_clips") else collection:
        fields = {str(k).strip().lower(): str(v).strip() for k, v in clip.metadata.get("ALE", {}).items()}
        source = None
        url = getattr(clip.media_reference, "target_url", None)
        if url:
            source = Path(url.replace("\\", "/")).name
        rows.append(_row(clip.name or "", source, fields))
    if not rows:
        raise LabelError("the ALE file has no data rows")
    return rows


def _row(name: str, source: str | None, f: dict[str, str]) -> AleRow:
    scene = (f.get("scene") or "").upper() or None
    shot = (f.get("shot") or "").upper() or None
    if scene and not shot and (m := _SCENE_SETUP.match(scene)):
        scene, shot = m["scene"], m["shot"]
    take_text = f.get("take") or ""
    m_take = _TAKE.match(take_text)
    roll = (f.get("camroll") or f.get("tape") or "").upper() or None
    return AleRow(name, source, scene, shot, int(m_take["take"]) if m_take else None, roll)


def apply_ale(engine: Engine, project: str, text: str) -> AleReport:
    """Label the project's catalogued clips from an ALE file's rows.

    Raises:
        LabelError: the file cannot be read.
    """
    catalogue = Catalogue(engine)
    clips = catalogue.list(project=project)
    by_name = {c.path.name: c for c in clips}
    by_stem = {c.path.stem: c for c in clips}
    report = AleReport()
    for row in parse_ale(text):
        clip = by_name.get(row.source_file or "") or by_name.get(row.name) or by_stem.get(row.name)
        if clip is None:
            report.unmatched.append(row.source_file or row.name)
            continue
        try:
            updated = catalogue.set_slate(
                clip.content_hash,
                scene=row.scene,
                shot=row.shot,
                take=row.take,
                camera_roll=row.camera_roll,
                project=project,
                source="ale",
            )
        except CatalogueError as exc:
            report.refused.append(f"{row.name}: {exc}")
            continue
        report.applied.append(updated)
    return report


def ale_files(folder: Path) -> Iterable[Path]:
    """The ALE files of a card folder (recursively; hidden files skipped)."""
    found = (p for p in Path(folder).rglob("*") if p.suffix.lower() == ".ale" and not p.name.startswith("."))
    return sorted(p for p in found if p.is_file())
