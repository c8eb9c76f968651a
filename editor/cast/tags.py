"""Production-labelled faces: table ``editor_cast_tags`` (one row per tag).

A tag says "in clip C at frame F, the face in box B is performer P". The performer is an opaque label string —
the application passes its consent registry's performer ids; this package knows nothing of consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, UniqueConstraint, insert, select

from editor.cast.errors import TagError
from media import Region

metadata = MetaData()
tags_table = Table(
    "editor_cast_tags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(128), nullable=True, index=True),
    Column("clip_hash", String(64), nullable=False, index=True),
    Column("frame", Integer, nullable=False),
    Column("label", String(128), nullable=False),
    Column("x", Integer, nullable=False),
    Column("y", Integer, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("project", "clip_hash", "frame", "label", name="uq_editor_cast_tag"),
)


@dataclass(frozen=True)
class CastTag:
    """Performer ``label``'s face is at ``box`` on frame ``frame`` of clip ``clip_hash``."""

    clip_hash: str
    frame: int
    label: str
    box: Region

    def __post_init__(self) -> None:
        if len(self.clip_hash) != 64 or any(c not in "0123456789abcdef" for c in self.clip_hash):
            raise TagError(f"clip hash {self.clip_hash!r} is not a SHA-256 hex digest")
        if self.frame < 0:
            raise TagError(f"tag frame {self.frame} must be ≥ 0")
        if not self.label or len(self.label) > 128 or not self.label.isprintable():
            raise TagError(f"performer label {self.label!r} must be 1–128 printable characters")
        if self.box.width < 16 or self.box.height < 16:
            raise TagError(f"face box {self.box.as_json()} is too small to learn from; tag faces of ≥ 16×16 pixels")

    def as_json(self) -> dict[str, Any]:
        return {"clip": self.clip_hash, "frame": self.frame, "label": self.label, "box": self.box.as_json()}


class CastTags:
    """The tags of every project on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        """Create ``editor_cast_tags`` if it does not exist (idempotent)."""
        metadata.create_all(self.engine, tables=[tags_table])

    def add(self, tag: CastTag, *, frame_size: tuple[int, int], frame_count: int, project: str | None) -> CastTag:
        """Record a tag after checking it against its clip (re-tagging the same face replaces the box).

        Raises:
            TagError: the frame is outside the clip or the box outside the frame.
        """
        if not tag.frame < frame_count:
            raise TagError(f"frame {tag.frame} is outside the clip (frames 0–{frame_count - 1})")
        if not tag.box.fits(*frame_size):
            raise TagError(f"face box {tag.box.as_json()} lies outside the {frame_size[0]}x{frame_size[1]} frame")
        key = (
            (tags_table.c.project == project if project is not None else tags_table.c.project.is_(None)),
            tags_table.c.clip_hash == tag.clip_hash,
            tags_table.c.frame == tag.frame,
            tags_table.c.label == tag.label,
        )
        with self.engine.begin() as conn:
            conn.execute(tags_table.delete().where(*key))
            conn.execute(
                insert(tags_table).values(
                    project=project,
                    clip_hash=tag.clip_hash,
                    frame=tag.frame,
                    label=tag.label,
                    x=tag.box.x,
                    y=tag.box.y,
                    width=tag.box.width,
                    height=tag.box.height,
                    created_at=datetime.now(UTC),
                )
            )
        return tag

    def list(self, project: str | None = None) -> list[CastTag]:
        """Tags of ``project`` (all projects when None), in a stable order."""
        q = select(tags_table).order_by(tags_table.c.label, tags_table.c.clip_hash, tags_table.c.frame)
        if project is not None:
            q = q.where(tags_table.c.project == project)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return [
            CastTag(r["clip_hash"], r["frame"], r["label"], Region(r["x"], r["y"], r["width"], r["height"]))
            for r in rows
        ]
