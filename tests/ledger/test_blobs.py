from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.blobs import BlobStore
from store.errors import BlobNotFoundError, BlobTooLargeError, StoreError


@given(data=st.binary(max_size=4096))
def test_put_is_content_addressed(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    store = BlobStore(tmp_path_factory.mktemp("blobs"))
    digest = store.put_bytes(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.read_bytes(digest) == data
    assert store.put_bytes(data) == digest


def test_size_cap_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobTooLargeError, match="limit of 10 bytes"):
        store.put_reader(io.BytesIO(b"x" * 11), max_bytes=10)
    assert not list((tmp_path / "tmp").iterdir())
    assert not (tmp_path / "sha256").exists()


def test_missing_and_corrupt(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobNotFoundError):
        store.read_bytes("0" * 64)
    with pytest.raises(StoreError, match="SHA-256"):
        store.path_for("not-a-digest")
    digest = store.put_bytes(b"hello")
    path = store.path_for(digest)
    path.chmod(0o644)
    path.write_bytes(b"jello")
    with pytest.raises(StoreError, match="corrupt"):
        store.read_bytes(digest)
