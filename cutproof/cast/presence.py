"""Who is in an edited region and frame range: the answer the gate decides consent on.

Faces in the region and range are matched by the project's latest cast model; faces it cannot match — or every
face, when no cast model was trained — are unidentified, so declaring nobody does not make a face disappear. An
answer is a pure function of (clip content, region, range, cast model id), so it is computed once per workspace:
kept in this process and in the workspace database (``cutproof.cast.store``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from cutproof.cast.project import load_cast
from cutproof.cast.store import PresenceStore, presence_key
from cutproof.core.errors import CutproofError
from cutproof.core.projects import Project
from cutproof.core.workspace import Workspace
from editor import Clip, ModelRegistry
from editor.cast import KIND as CAST_KIND
from editor.cast import scan_faces, who
from media import Region, probe


class RegionError(CutproofError):
    """The region or frame range asked about does not fit the shot."""


@dataclass(frozen=True)
class Presence:
    """Who the editor found in the edited region and time range."""

    detected: tuple[str, ...]
    unidentified_faces: int
    method: str
    evidence: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "detected": list(self.detected),
            "unidentified_faces": self.unidentified_faces,
            "method": self.method,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Presence:
        return cls(
            detected=tuple(data["detected"]),
            unidentified_faces=int(data["unidentified_faces"]),
            method=str(data["method"]),
            evidence=dict(data["evidence"]),
        )


def who_is_there(
    clip: Clip,
    region: str | None = None,
    start: int | None = None,
    end: int | None = None,
    *,
    ws: Workspace | None = None,
    project: Project | None = None,
) -> Presence:
    """Faces in the edited region and range, matched to the project's latest cast model when there is one.

    Without a cast model (or without ``ws``/``project``) every face found is counted as unidentified. Either
    answer is deterministic per (clip content, region, range, cast model id), so it is computed once per
    workspace: kept in this process and in the workspace database (``cutproof.cast.store``, shared by every
    server process and kept across restarts), repeated requests touch no video. Which cast model is the latest is
    looked up on every call (one query), so a newly trained model is used from the next request on.

    Raises:
        RegionError: the region or range do not fit the shot.
    """
    model_id = None
    if ws is not None and project is not None:
        model_id = ModelRegistry(ws.engine, ws.blobs).latest_id(CAST_KIND, project.slug)
    key = (clip.content_hash, region, start, end, model_id)
    with _presence_lock:
        found = _presences.get(key)
        if found is not None:
            _presences.move_to_end(key)
            return found
        computing = _computing.setdefault(key, threading.Lock())
    # one thread per key computes (a burst of submissions on a new shot would otherwise scan it once per thread);
    # the others wait for its answer
    with computing:
        try:
            with _presence_lock:
                found = _presences.get(key)
            return found if found is not None else _presence_of(clip, key, ws=ws, project=project)
        finally:
            with _presence_lock:
                _computing.pop(key, None)


def _presence_of(clip: Clip, key: tuple[Any, ...], *, ws: Workspace | None, project: Project | None) -> Presence:
    model_id = key[-1]
    store = PresenceStore(ws.engine) if ws is not None else None
    stored_key = presence_key(*key)
    stored = store.get(stored_key) if store is not None else None
    if stored is not None:
        presence = Presence.from_json(stored)
    else:
        if ws is not None and model_id is not None:
            presence = _cast_presence(ws, clip, key[1], key[2], key[3], model_id)
        else:
            presence = _scan_presence(clip.path, key[1], key[2], key[3])
        if store is not None:
            store.put(stored_key, presence.as_json())
    with _presence_lock:
        _presences[key] = presence
        while len(_presences) > PRESENCE_CACHE_SIZE:
            _presences.popitem(last=False)
    return presence


PRESENCE_CACHE_SIZE = 256
_presences: OrderedDict[tuple[Any, ...], Presence] = OrderedDict()
_presence_lock = threading.Lock()
_computing: dict[tuple[Any, ...], threading.Lock] = {}  # keys being computed, each with the lock its thread holds


def _cast_presence(
    ws: Workspace, clip: Clip, region_text: str | None, start_at: int | None, end_at: int | None, model_id: str
) -> Presence:
    cast = load_cast(ws, model_id)
    info, region, start, end = _bounds(clip.path, region_text, start_at, end_at)
    report = who(info, cast.model, start=start, end=end, region=region, model_id=cast.record.model_id)
    return Presence(
        detected=report.labels,
        unidentified_faces=report.unidentified_faces,
        method=f"{report.method} (cast model {cast.record.model_id[:12]})",
        evidence=report.as_json(),
    )


def _bounds(
    path: Any, region_text: str | None, start_at: int | None, end_at: int | None
) -> tuple[Any, Region | None, int, int]:
    info = probe(path)
    region = Region.parse(region_text) if region_text else None
    if region is not None and not region.fits(info.width, info.height):
        raise RegionError(f"region {region_text} does not fit the {info.width}x{info.height} frame")
    start, end = start_at or 0, end_at or info.frame_count
    if not 0 <= start < end <= info.frame_count:
        raise RegionError(f"frame range {start}-{end} is outside the shot (frames 0-{info.frame_count})")
    return info, region, start, end


def _scan_presence(path: Any, region_text: str | None, start_at: int | None, end_at: int | None) -> Presence:
    """The face scan of one (clip content, region, range) without a cast model."""
    info, region, start, end = _bounds(path, region_text, start_at, end_at)
    scan = scan_faces(info, start=start, end=end, region=region)
    return Presence(
        detected=(),
        unidentified_faces=scan.max_faces_per_frame,
        method="dlib-face-scan/2 (no cast model: faces are not matched to performers)",
        evidence=scan.as_json(),
    )
