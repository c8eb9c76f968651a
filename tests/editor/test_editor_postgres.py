"""The catalogue and the model registry on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

from editor import create_schema
from editor.catalogue import Catalogue
from editor.dailies import ingest_folder
from editor.manifest import TrainingInput, TrainingManifest
from editor.models import ModelRegistry, pack_model
from store.blobs import BlobStore
from store.db import open_engine


@pytest.mark.postgres
def test_catalogue_and_registry_on_postgres(postgres_db: str, clip_dir: Path, tmp_path: Path) -> None:
    engine = open_engine(postgres_db)
    try:
        create_schema(engine)
        create_schema(engine)  # idempotent
        cat = Catalogue(engine)
        report = ingest_folder(clip_dir, cat, project="pg")
        assert len(report.added) == 2
        clip = cat.set_slate("012A_T03.mov", scene="7", shot="C", take=2)
        assert cat.get("7/C/2").content_hash == clip.content_hash and clip.size_bytes > 0
        m = TrainingManifest(
            "lighting",
            (TrainingInput(clip.content_hash, 0, 12, clip.info.frame_rate),),
            "editor test",
            {"steps": 1},
            {"torch": 0},
        )
        reg = ModelRegistry(engine, BlobStore(tmp_path / "blobs"))
        rec = reg.register(m, pack_model(m.model_id, "lighting", "test/1", b"w"), project="pg")
        assert reg.load(rec.model_id[:12])[1].payload == b"w"
        assert [r.model_id for r in reg.list(project="pg")] == [m.model_id]
    finally:
        engine.dispose()
