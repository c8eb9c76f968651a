"""The catalogue's plain-SQL rows (``editor.clips``) against the Core table (``editor.catalogue.clips_table``).

``ClipReader`` (the audit's reads, and ``Catalogue``'s) reads ``editor_clips`` as plain SQL; the gate's lookup by hash
prefix reads it through SQLAlchemy (``DriverSelect``). Both give the same ``Clip`` of a row, on SQLite (the standard
library's driver, or an engine) and on PostgreSQL.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import DateTime

from cutproof.core.workspace import Workspace
from editor import clips as rows
from editor import create_schema
from editor.catalogue import Catalogue, clips_table
from editor.clips import ClipReader
from editor.slate import Slate
from media import AudioTrack, ColourTags, MediaInfo
from store.db import open_engine
from store.sql import as_database


def test_the_column_list_is_the_tables() -> None:
    assert clips_table.name == rows.TABLE
    assert tuple(c.name for c in clips_table.columns) == rows.COLUMNS
    assert {c.name for c in clips_table.columns if isinstance(c.type, DateTime)} == rows.TIME_COLUMNS


def _info(path: Path, **kw: object) -> MediaInfo:
    values: dict[str, object] = {
        "container": "mov", "codec": "prores", "profile": "HQ", "width": 1920, "height": 1080,
        "pix_fmt": "yuv422p10le", "bit_depth": 10, "frame_rate": Fraction(24000, 1001), "frame_count": 48,
        "timecode": "01:00:10:05", "colour": ColourTags(1, 1, 1, 1),
        "audio": (AudioTrack(1, "pcm_s24le", 48000, 2, "stereo", "s32", 2304000),),
    }  # fmt: skip
    return MediaInfo(path=path, **{**values, **kw})  # type: ignore[arg-type]


def _check(cat: Catalogue, readers: list[ClipReader], tmp_path: Path) -> None:
    a = cat.add("a" * 64, _info(tmp_path / "012A_T03.mov"), Slate("12", "A", 3, "A001", "C003", "filename"), 10, "film")
    b = cat.add("b" * 64, _info(tmp_path / "sc1.mp4", profile=None, timecode=None, audio=()), Slate(), 20, "film")
    cat.add("c" * 64, _info(tmp_path / "other.mov"), Slate("1", "B", 1, None, None, "user"), 30, "other")
    assert a.ingested_at.tzinfo is not None and a.info.audio[0].bit_rate == 2304000
    by_prefix = [cat.get(c.content_hash[:12]) for c in (a, b)]  # SQLAlchemy's reading (DriverSelect)
    for reader in readers:
        assert reader.list(project="film") == [a, b] == by_prefix
        assert [c.content_hash[0] for c in reader.list()] == ["c", "a", "b"]  # catalogue order: scene, shot, take
        assert reader.find("b" * 64) == b and reader.find("d" * 64) is None


def test_rows_read_back_as_plain_sql(workspace: Workspace, tmp_path: Path) -> None:
    cat = Catalogue(workspace.engine)
    _check(cat, [cat, ClipReader(workspace.database), ClipReader(as_database(workspace.engine))], tmp_path)


@pytest.mark.postgres
def test_rows_read_back_as_plain_sql_on_postgres(postgres_db: str, tmp_path: Path) -> None:
    engine = open_engine(postgres_db)
    try:
        create_schema(engine)
        cat = Catalogue(engine)
        _check(cat, [cat, ClipReader(as_database(engine))], tmp_path)
    finally:
        engine.dispose()
