"""Catalogued clips as read from ``editor_clips``: the ``Clip`` a row means, and the catalogue's reads as plain SQL.

The table is defined once, in ``editor.catalogue`` (SQLAlchemy Core: the schema, the migrations, the writes); a
test checks the column list here against it. Reads run as plain SQL on a ``store.sql.Database``, so a reader on
the embedded SQLite file (``cutproof audit``) loads no SQLAlchemy; ``Catalogue`` reads through the same
``ClipReader``. A row becomes its ``Clip`` here only (``clip_of_row``), whichever way it was read.
"""

from __future__ import annotations

import builtins
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from editor.slate import Slate
from media import AudioTrack, ColourTags, MediaInfo
from store.sql import Database, Sql, decode_columns

TABLE = "editor_clips"
COLUMNS = (
    "content_hash",
    "project",
    "path",
    "file_name",
    "size_bytes",
    "container",
    "codec",
    "profile",
    "width",
    "height",
    "pix_fmt",
    "bit_depth",
    "rate_num",
    "rate_den",
    "frame_count",
    "timecode",
    "colour_json",
    "audio_json",
    "scene",
    "shot",
    "take",
    "camera_roll",
    "camera_clip",
    "slate_source",
    "ingested_at",
)
"""Every column of ``editor_clips``, in the table's order."""
TIME_COLUMNS = frozenset({"ingested_at"})

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"


@dataclass(frozen=True)
class Clip:
    """A catalogued clip: its content hash, where it was found, what it is, and its slate."""

    content_hash: str
    project: str | None
    path: Path
    size_bytes: int
    info: MediaInfo
    slate: Slate
    ingested_at: datetime

    @property
    def short_id(self) -> str:
        return self.content_hash[:12]

    def as_dict(self) -> dict[str, Any]:
        return {
            "content_hash": self.content_hash,
            "project": self.project,
            "path": str(self.path),
            "file_name": self.path.name,
            "size_bytes": self.size_bytes,
            **self.info.as_dict(),
            "scene": self.slate.scene,
            "shot": self.slate.shot,
            "take": self.slate.take,
            "camera_roll": self.slate.camera_roll,
            "camera_clip": self.slate.camera_clip,
            "slate_source": self.slate.source,
            "ingested_at": self.ingested_at.isoformat(),
        }


def catalogue_order(c: Clip) -> tuple[str, str, int, str]:
    """Catalogue order: scene, shot, take, then file name."""
    return (c.slate.scene or "~", c.slate.shot or "", c.slate.take or 0, c.path.name)


def select_clips(sql: Sql, where: str | None = None, params: tuple[Any, ...] = ()) -> builtins.list[Clip]:
    """The clips of the rows that match ``where`` (SQL with ``?`` placeholders; None: every row), in catalogue
    order."""
    text = _SELECT if where is None else f"{_SELECT} WHERE {where}"
    rows = sql.dicts(text, params)
    return sorted((clip_of_row(decode_columns(sql.dialect, r, times=TIME_COLUMNS)) for r in rows), key=catalogue_order)


class ClipReader:
    """The catalogue's reads on a ``store.sql.Database`` (``Catalogue`` adds the writes and the lookups by name)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self, project: str | None = None) -> builtins.list[Clip]:
        """Every clip (of ``project`` if given), ordered by scene, shot, take, then file name."""
        with self.db.read() as sql:
            return select_clips(sql) if project is None else select_clips(sql, "project = ?", (project,))

    def find(self, content_hash: str) -> Clip | None:
        """The clip with exactly this content hash, or None."""
        with self.db.read() as sql:
            found = select_clips(sql, "content_hash = ?", (content_hash,))
        return found[0] if found else None


def clip_of_row(r: Mapping[str, Any]) -> Clip:
    """The clip of a row (column name → value, times as datetimes); the same row (every column equal) gives the
    same, immutable, object from a small cache: each gate decision reads its shot's row, and building the clip from
    it cost more than the query."""
    values = tuple(r.values())
    try:
        hash(values)
    except TypeError:  # a driver that gives some column as an unhashable value: build it every time
        return _build_clip(r)
    return _cached_clip(tuple(r.keys()), values)


@functools.lru_cache(maxsize=512)
def _cached_clip(names: tuple[str, ...], values: tuple[Any, ...]) -> Clip:
    return _build_clip(dict(zip(names, values, strict=True)))


def _build_clip(r: Mapping[str, Any]) -> Clip:
    colour = ColourTags(**json.loads(r["colour_json"]))
    audio = tuple(AudioTrack(**a) for a in json.loads(r["audio_json"]))
    path = Path(r["path"])
    info = MediaInfo(
        path=path,
        container=r["container"],
        codec=r["codec"],
        profile=r["profile"],
        width=r["width"],
        height=r["height"],
        pix_fmt=r["pix_fmt"],
        bit_depth=r["bit_depth"],
        frame_rate=Fraction(r["rate_num"], r["rate_den"]),
        frame_count=r["frame_count"],
        timecode=r["timecode"],
        colour=colour,
        audio=audio,
    )
    slate = Slate(r["scene"], r["shot"], r["take"], r["camera_roll"], r["camera_clip"], r["slate_source"])
    ingested = r["ingested_at"]
    if ingested.tzinfo is None:
        ingested = ingested.replace(tzinfo=UTC)
    return Clip(r["content_hash"], r["project"], path, r["size_bytes"], info, slate, ingested)
