"""The dailies catalogue: one row per ingested clip, keyed by the SHA-256 of the file's bytes.

Table ``editor_clips`` (owned by this package). A clip is referred to by its content hash (or a unique prefix of at
least 8 hex digits), its file name, or its slate label ``scene/shot/take`` (e.g. ``012/A/3``). The table is
defined here; what a row means (``Clip``) and the plain-SQL reads are ``editor.clips``'s.
"""

from __future__ import annotations

import builtins
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    insert,
    select,
    update,
)

from editor.clips import Clip, ClipReader, catalogue_order, clip_of_row
from editor.errors import CatalogueError, ClipNotFoundError
from editor.slate import Slate, SlateSource
from media import MediaInfo
from store.driver_select import DriverSelect
from store.sql import as_database

__all__ = ["Catalogue", "Clip", "clips_table", "metadata"]

metadata = MetaData()

clips_table = Table(
    "editor_clips",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("project", String(128), nullable=True, index=True),
    Column("path", Text, nullable=False),
    Column("file_name", String(512), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("container", String(64), nullable=False),
    Column("codec", String(64), nullable=False),
    Column("profile", String(64), nullable=True),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("pix_fmt", String(32), nullable=False),
    Column("bit_depth", Integer, nullable=False),
    Column("rate_num", Integer, nullable=False),
    Column("rate_den", Integer, nullable=False),
    Column("frame_count", Integer, nullable=False),
    Column("timecode", String(32), nullable=True),
    Column("colour_json", Text, nullable=False),
    Column("audio_json", Text, nullable=False),
    Column("scene", String(32), nullable=True),
    Column("shot", String(32), nullable=True),
    Column("take", Integer, nullable=True),
    Column("camera_roll", String(16), nullable=True),
    Column("camera_clip", String(16), nullable=True),
    Column("slate_source", String(16), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)


# Built once: the gate resolves the shot of every request by hash prefix (on SQLite, on the driver:
# ``store.driver_select``).
_BY_HASH_PREFIX = DriverSelect(select(clips_table).where(clips_table.c.content_hash.like(bindparam("prefix"))))
_BY_HASH_PREFIX_OF = DriverSelect(_BY_HASH_PREFIX.stmt.where(clips_table.c.project == bindparam("project")))


class Catalogue(ClipReader):
    """The dailies catalogue on a SQLAlchemy engine: ``ClipReader``'s reads (plain SQL on the same engine), the
    writes, and clip references."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(as_database(engine))
        self.engine = engine

    def create_schema(self) -> None:
        """Create ``editor_clips`` if it does not exist (idempotent)."""
        metadata.create_all(self.engine, tables=[clips_table])

    def add(self, content_hash: str, info: MediaInfo, slate: Slate, size_bytes: int, project: str | None) -> Clip:
        """Record a probed clip; returns the existing row if this content is already catalogued.

        Raises:
            CatalogueError: the hash is not a SHA-256 hex digest.
        """
        if len(content_hash) != 64 or any(c not in "0123456789abcdef" for c in content_hash):
            raise CatalogueError(f"content hash {content_hash!r} is not a lower-case SHA-256 hex digest")
        existing = self.find(content_hash)
        if existing is not None:
            return existing
        now = datetime.now(UTC)
        row = {
            "content_hash": content_hash,
            "project": project,
            "path": str(info.path.resolve()),
            "file_name": info.path.name,
            "size_bytes": size_bytes,
            "container": info.container,
            "codec": info.codec,
            "profile": info.profile,
            "width": info.width,
            "height": info.height,
            "pix_fmt": info.pix_fmt,
            "bit_depth": info.bit_depth,
            "rate_num": info.frame_rate.numerator,
            "rate_den": info.frame_rate.denominator,
            "frame_count": info.frame_count,
            "timecode": info.timecode,
            "colour_json": json.dumps(info.colour.as_dict(), sort_keys=True),
            "audio_json": json.dumps([a.as_dict() for a in info.audio], sort_keys=True),
            **_slate_columns(slate),
            "ingested_at": now,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(clips_table).values(**row))
        clip = self.find(content_hash)
        assert clip is not None
        return clip

    def get(self, ref: str, project: str | None = None) -> Clip:
        """Resolve a clip reference: content hash or unique prefix (≥ 8 hex), file name, or ``scene/shot/take``.

        Raises:
            ClipNotFoundError: nothing, or more than one clip, matches.
        """
        matches = self._match(ref.strip(), project)
        if not matches:
            raise ClipNotFoundError(
                f"no catalogued clip matches {ref!r}; use a content hash (prefix of 8+ hex digits), a file name "
                "or scene/shot/take as shown by `cutproof dailies list`"
            )
        if len(matches) > 1:
            names = ", ".join(f"{c.path.name} ({c.short_id})" for c in matches[:5])
            raise ClipNotFoundError(f"{ref!r} matches {len(matches)} clips ({names}); use a content hash prefix")
        return matches[0]

    def set_slate(
        self,
        ref: str,
        *,
        scene: str | None = None,
        shot: str | None = None,
        take: int | None = None,
        project: str | None = None,
        camera_roll: str | None = None,
        source: SlateSource = "user",
    ) -> Clip:
        """Set scene/shot/take (and camera roll) of a clip by hand, or from the lab's log with ``source="ale"``
        (values not given are kept).

        Raises:
            ClipNotFoundError: the reference matches no clip or several.
            CatalogueError: a value is invalid.
        """
        clip = self.get(ref, project)
        try:
            slate = clip.slate.with_user(scene=scene, shot=shot, take=take, camera_roll=camera_roll, source=source)
        except ValueError as exc:
            raise CatalogueError(f"cannot set the slate of {clip.path.name}: {exc}") from None
        with self.engine.begin() as conn:
            conn.execute(
                update(clips_table)
                .where(clips_table.c.content_hash == clip.content_hash)
                .values(**_slate_columns(slate))
            )
        updated = self.find(clip.content_hash)
        assert updated is not None
        return updated

    def _match(self, ref: str, project: str | None) -> builtins.list[Clip]:
        low = ref.lower()
        if len(low) >= 8 and all(c in "0123456789abcdef" for c in low):  # hot path: an index lookup, not a scan
            q, params = (_BY_HASH_PREFIX, {"prefix": low + "%"})
            if project is not None:
                q, params = _BY_HASH_PREFIX_OF, {**params, "project": project}
            with self.engine.connect() as conn:
                rows = q.rows(conn, params)
            if rows:
                return sorted((clip_of_row(r) for r in rows), key=catalogue_order)
        clips = self.list(project)
        if len(low) >= 8 and all(c in "0123456789abcdef" for c in low):
            by_hash = [c for c in clips if c.content_hash.startswith(low)]
            if by_hash:
                return by_hash
        by_name = [c for c in clips if c.path.name == ref or c.path.stem == ref]
        if by_name:
            return by_name
        return [c for c in clips if c.slate.label is not None and c.slate.label.lower() == low]


def _slate_columns(slate: Slate) -> dict[str, Any]:
    return {
        "scene": slate.scene,
        "shot": slate.shot,
        "take": slate.take,
        "camera_roll": slate.camera_roll,
        "camera_clip": slate.camera_clip,
        "slate_source": slate.source,
    }
