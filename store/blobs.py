"""Content-addressed blob storage on the local filesystem.

Blobs are stored under ``<root>/sha256/<aa>/<bb>/<hex digest>`` and named by the SHA-256 of their bytes, so a
blob can never be changed in place: writing the same bytes twice is a no-op and a different content is a
different name. Writes go to a temporary file in the same directory, are fsynced and then atomically renamed,
so a crash never leaves a half-written blob under its final name.

This module knows nothing of what the blobs are (signed consent documents, models, manifests, renders).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NewType

from store.errors import BlobCorruptError, BlobNotFoundError, BlobTooLargeError

Digest = NewType("Digest", str)
"""Lower-case hex SHA-256 of a blob's bytes."""

_CHUNK = 1 << 20


def _check_digest(digest: str) -> Digest:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise BlobCorruptError(f"not a SHA-256 hex digest: {digest!r}; expected 64 lower-case hex characters")
    return Digest(digest)


class BlobStore:
    """A directory of immutable blobs named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, digest: str) -> Path:
        """Return where the blob with ``digest`` lives (whether or not it exists)."""
        d = _check_digest(digest)
        return self.root / "sha256" / d[:2] / d[2:4] / d

    def __contains__(self, digest: str) -> bool:
        return self.path_for(digest).is_file()

    def put_bytes(self, data: bytes) -> Digest:
        """Store ``data`` and return its digest."""
        return self.put_stream(iter([data]))

    def put_file(self, path: Path, *, max_bytes: int | None = None) -> Digest:
        """Copy the file at ``path`` into the store and return its digest."""
        with open(path, "rb") as fh:
            return self.put_reader(fh, max_bytes=max_bytes)

    def put_reader(self, reader: BinaryIO, *, max_bytes: int | None = None) -> Digest:
        """Stream a binary file object into the store, refusing more than ``max_bytes``."""

        def chunks() -> Iterator[bytes]:
            while chunk := reader.read(_CHUNK):
                yield chunk

        return self.put_stream(chunks(), max_bytes=max_bytes)

    def put_stream(self, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> Digest:
        """Store the concatenation of ``chunks``; nothing is left behind if it fails or is too large.

        Raises:
            BlobTooLargeError: more than ``max_bytes`` were offered.
        """
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="incoming-")
        tmp = Path(tmp_name)
        try:
            h = hashlib.sha256()
            total = 0
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    total += len(chunk)
                    if max_bytes is not None and total > max_bytes:
                        raise BlobTooLargeError(
                            f"upload exceeds the limit of {max_bytes} bytes; send a smaller file or raise the limit"
                        )
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            digest = Digest(h.hexdigest())
            final = self.path_for(digest)
            if final.exists():
                tmp.unlink()
                return digest
            final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(final.parent, 0o700)  # private whatever the umask
            os.replace(tmp, final)
            os.chmod(final, 0o400)  # read-only, and only for the workspace's owner
            return digest
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def open(self, digest: str) -> BinaryIO:
        """Open a stored blob for reading.

        Raises:
            BlobNotFoundError: no blob with that digest is stored.
        """
        path = self.path_for(digest)
        try:
            return open(path, "rb")
        except FileNotFoundError:
            raise BlobNotFoundError(f"no blob {digest} in {self.root}") from None

    def read_bytes(self, digest: str) -> bytes:
        """Return a stored blob's bytes, checking them against the digest."""
        with self.open(digest) as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != digest:
            raise BlobCorruptError(f"blob {digest} in {self.root} is corrupt: its bytes no longer match its name")
        return data


def sha256_file(path: Path) -> Digest:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return Digest(h.hexdigest())
