"""Layout prints of catalogued clips, kept: table ``editor_layout_prints`` (one row per clip content).

The search for a graded reference's original (``editor.lighting.search``) compares the reference with grade-blind
layout prints of ``SCAN`` frames of every clip of the project. Reading those frames costs 25 ms (a 360p MPEG-1 take)
to 1.1 s (a 720p ProRes 10-bit one) per clip on this project's footage, and a camera original of minutes seeks
twelve times, so a production's dailies are printed once, as they are ingested (``search.keep_prints``; or at the
first search, for clips catalogued before), and the prints kept here. A
clip's content never changes (the row is keyed by its SHA-256), so a row stays true; a row written with another
``scan`` or print ``version`` is written again.

Columns: ``content_hash``; ``scan`` (frames asked for), ``version`` (``PRINT_VERSION``: what a print is); ``frames``
(JSON list of the frame numbers printed); ``prints`` (their prints, float32, row after row).
"""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy import Column, Engine, Integer, LargeBinary, MetaData, String, Table, Text, select
from sqlalchemy.exc import SQLAlchemyError

PRINT_VERSION = 1  # ``register.thumbprint``: equalised grey at 96 px, 24×16, zero mean, unit norm
_WIDTH = 384

metadata = MetaData()
prints_table = Table(
    "editor_layout_prints",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("scan", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("frames", Text, nullable=False),
    Column("prints", LargeBinary, nullable=False),
)


class LayoutPrints:
    """The kept prints on a SQLAlchemy engine (``search.PrintStore``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        """Create ``editor_layout_prints`` if it does not exist (idempotent)."""
        metadata.create_all(self.engine, tables=[prints_table])

    def get(self, content_hash: str, scan: int) -> tuple[list[int], np.ndarray] | None:
        """The clip's printed frame numbers and prints, or None when none were kept for this ``scan`` and version."""
        with self.engine.connect() as conn:
            row = conn.execute(select(prints_table).where(prints_table.c.content_hash == content_hash)).first()
        if row is None or row.scan != scan or row.version != PRINT_VERSION:
            return None
        frames = [int(n) for n in json.loads(row.frames)]
        prints = np.frombuffer(row.prints, np.float32).reshape(len(frames), _WIDTH)
        return frames, prints

    def put(self, content_hash: str, scan: int, frames: list[int], prints: np.ndarray) -> None:
        """Keep a clip's prints (replacing a row of another ``scan`` or version; a row another worker kept for the
        same clip meanwhile is left, it holds the same prints). A write the database refuses (busy, read-only) is
        dropped: the prints are a cache, and the next search reads the clip again."""
        values = {
            "scan": scan,
            "version": PRINT_VERSION,
            "frames": json.dumps([int(n) for n in frames]),
            "prints": np.ascontiguousarray(prints, np.float32).reshape(len(frames), _WIDTH).tobytes(),
        }
        key = prints_table.c.content_hash == content_hash
        try:
            with self.engine.begin() as conn:
                conn.execute(prints_table.delete().where(key))
                conn.execute(prints_table.insert().values(content_hash=content_hash, **values))
        except SQLAlchemyError:
            pass
