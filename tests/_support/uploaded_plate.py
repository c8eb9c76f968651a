"""A background plate uploaded to a project (``blob:<sha256>``), whose stored file a test can take offline.

The catalogued dailies are the shared footage itself (symlinks, resolved), which a test must never move: the plate
is a PNG of the plate clip's first frame, kept in the workspace's own blob store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2

from cutproof.core.uploads import record_upload
from cutproof.core.workspace import Workspace
from media import iter_frames, probe


def uploaded_plate(ws: Workspace, project: str, clip: Path) -> str:
    """Upload the first frame of ``clip`` to ``project`` as a PNG plate; its ``blob:`` reference."""
    _i, rgb = next(iter(iter_frames(probe(clip), start=0, end=1, fmt="rgb24")))
    ok, png = cv2.imencode(".png", rgb[..., ::-1])
    assert ok
    digest = ws.blobs.put_bytes(png.tobytes())
    record_upload(ws, project, digest, size=len(png), filename="plate.png", by="test:editor")
    return f"blob:{digest}"


@contextmanager
def offline(ws: Workspace, ref: str) -> Iterator[None]:
    """The uploaded file of ``ref`` moved away for the block (a volume gone offline), then put back."""
    stored = ws.blobs.path_for(ref.removeprefix("blob:"))
    away = stored.with_name(stored.name + ".offline")
    stored.rename(away)
    try:
        yield
    finally:
        away.rename(stored)
