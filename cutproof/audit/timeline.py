"""OpenTimelineIO adapter: match a timeline's clips to the catalogue, and mark AI-altered ranges on it.

The only module that imports ``opentimelineio``. A timeline clip matches a catalogued clip by its media file's
name (``target_url``), or by a ``cutproof.content_hash`` entry in the clip's metadata; its source range gives the
frames of the clip the timeline uses. Exporting adds a marker on every used range an AI edit touched (name
``AI edit: <kind>``, red if the shot has audit flags, else orange) with the ledger indices in its metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from cutproof.audit.build import AuditReport, build_audit
from cutproof.core.errors import CutproofError
from cutproof.core.projects import Project
from cutproof.core.workspace import Workspace
from editor import Catalogue, Clip


class TimelineError(CutproofError):
    """The timeline cannot be read or written, or none of its clips are in the catalogue."""


@dataclass
class TimelineUse:
    """A catalogued clip used in the timeline, with the source frame ranges used ([start, end))."""

    clip: Clip
    ranges: list[list[int]]


def load_timeline(path: Path) -> otio.schema.Timeline:
    try:
        tl = otio.adapters.read_from_file(str(path))
    except Exception as exc:  # OTIO raises many types; all mean "not a readable timeline"
        raise TimelineError(
            f"cannot read timeline {path}: {exc}; give an .otio file (or another OTIO format)"
        ) from None
    if not isinstance(tl, otio.schema.Timeline):
        raise TimelineError(f"{path} holds a {type(tl).__name__}, not a timeline")
    return tl


def _media_name(clip: otio.schema.Clip) -> str | None:
    ref = clip.media_reference
    url = getattr(ref, "target_url", None)
    if not url:
        return None
    return Path(unquote(urlparse(url).path or url)).name


def match_clips(timeline: otio.schema.Timeline, catalogue: list[Clip]) -> list[TimelineUse]:
    """The catalogued clips the timeline uses, with their source ranges in frames.

    Raises:
        TimelineError: no clip of the timeline is in the catalogue.
    """
    by_name = {c.path.name: c for c in catalogue}
    by_hash = {c.content_hash: c for c in catalogue}
    uses: dict[str, TimelineUse] = {}
    for tclip in timeline.find_clips():
        meta = tclip.metadata.get("cutproof", {}) if isinstance(tclip.metadata.get("cutproof"), dict) else {}
        clip = by_hash.get(str(meta.get("content_hash", ""))) or by_name.get(_media_name(tclip) or "")
        if clip is None:
            continue
        rate = float(clip.info.frame_rate)
        sr = tclip.source_range or tclip.available_range()
        start = round(sr.start_time.rescaled_to(rate).value)
        end = start + round(sr.duration.rescaled_to(rate).value)
        uses.setdefault(clip.content_hash, TimelineUse(clip, [])).ranges.append([start, end])
    if not uses:
        raise TimelineError("no clip of the timeline matches a catalogued clip (by media file name or content hash)")
    return list(uses.values())


def mark_timeline(timeline: otio.schema.Timeline, report: AuditReport) -> int:
    """Add a marker to every timeline clip range an AI edit touched; returns how many markers were added."""
    shots = {s.clip_hash: s for s in report.shots}
    names = {s.file_name: s for s in report.shots}
    added = 0
    for tclip in timeline.find_clips():
        meta = tclip.metadata.get("cutproof", {}) if isinstance(tclip.metadata.get("cutproof"), dict) else {}
        shot = shots.get(str(meta.get("content_hash", ""))) or names.get(_media_name(tclip) or "")
        if shot is None:
            continue
        sr = tclip.source_range or tclip.available_range()
        rate = sr.start_time.rate
        used_start = sr.start_time.to_frames()
        used_end = used_start + sr.duration.to_frames()
        for e in shot.edits:
            if e.edit_index is None:
                continue
            start = max(int(e.frames[0] or 0), used_start)
            end = min(int(e.frames[1]) if e.frames[1] is not None else used_end, used_end)
            if end <= start:
                continue
            marker = otio.schema.Marker(
                name=f"AI edit: {e.kind}",
                marked_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(end - start, rate)
                ),
                color=otio.schema.MarkerColor.RED if e.flags else otio.schema.MarkerColor.ORANGE,
                metadata={
                    "cutproof": {
                        "request_id": e.request_id,
                        "purpose": e.purpose,
                        "decision": e.outcome,
                        "decision_index": e.decision_index,
                        "edit_index": e.edit_index,
                        "label_index": e.label_index,
                        "flags": list(e.flags),
                    }
                },
            )
            tclip.markers.append(marker)
            added += 1
    return added


def write_timeline(timeline: otio.schema.Timeline, path: Path) -> None:
    try:
        otio.adapters.write_to_file(timeline, str(path))
    except Exception as exc:
        raise TimelineError(f"cannot write timeline {path}: {exc}") from None


def audit_timeline(ws: Workspace, project: Project, path: Path) -> tuple[AuditReport, otio.schema.Timeline]:
    """Audit the clips a timeline uses (with the ranges it uses them at)."""
    timeline = load_timeline(path)
    uses = match_clips(timeline, Catalogue(ws.engine).list(project=project.slug))
    report = build_audit(ws, project, clips=[u.clip for u in uses])
    ranges = {u.clip.content_hash: u.ranges for u in uses}
    for shot in report.shots:
        shot.timeline_ranges = ranges.get(shot.clip_hash, [])
    report.timeline = str(path)
    return report, timeline
