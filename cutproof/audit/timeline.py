"""OpenTimelineIO adapter: read the cut as editors export it, match its clips to the catalogue, and mark the
AI-altered ranges on it in the same format.

Formats, by file suffix (OpenTimelineIO's own, and its adapter plugins pinned in ``pyproject.toml``)::

    .otio .otioz .otiod   OpenTimelineIO                 read, write (markers with their metadata)
    .edl                  CMX 3600 EDL (otio-cmx3600)    read, write (markers as ``* LOC:`` comments)
    .xml                  Final Cut Pro 7 XML (otio-fcp) read, write (``<marker>``)
    .fcpxml               FCPXML (otio-fcpx-xml)         read, write (``<marker>``)
    .aaf                  AAF (otio-aaf)                 read; the adapter writes no markers, so the marked cut is
                                                         written as ``.otio`` instead (``marked_suffix``)

A CMX 3600 EDL does not state its frame rate: it is read at the rate of the project's footage. A timeline clip
matches a catalogued clip by its media file's name (``target_url``: FCP's ``pathurl``, FCPXML's ``src``, the EDL's
``* FROM CLIP:`` comment), or by a ``cutproof.content_hash`` entry in the clip's metadata; its source range gives
the frames of the clip the timeline uses. Exporting adds a marker on every used range an AI edit touched (name
``AI edit: <kind> (ledger <index>)`` — formats without marker metadata keep the index in the name — red if the
edit has audit flags, else orange) with the ledger indices in its metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from cutproof.audit.build import AuditReport, build_audit
from cutproof.core.errors import CutproofError
from cutproof.core.inputs import exported_text
from cutproof.core.project_logs import ProjectRef
from cutproof.core.workspace import Workspace
from editor import Clip, ClipReader

if TYPE_CHECKING:
    from cutproof.core.models import Project
    from ledger import Log


class TimelineError(CutproofError):
    """The timeline cannot be read or written, or none of its clips are in the catalogue."""


@dataclass
class TimelineUse:
    """A catalogued clip used in the timeline, with the source frame ranges used ([start, end))."""

    clip: Clip
    ranges: list[list[int]]


ADAPTERS = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".otiod": "otiod",
    ".edl": "cmx_3600",
    ".xml": "fcp_xml",
    ".fcpxml": "fcpx_xml",
    ".aaf": "AAF",
}
NO_MARKER_WRITER = {".aaf"}  # the adapter reads markers but writes none


def adapter_for(name: str) -> str:
    """The OpenTimelineIO adapter for a file name.

    Raises:
        TimelineError: not a timeline format Cutproof reads.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in ADAPTERS:
        raise TimelineError(f"{name}: not a timeline format Cutproof reads; give one of {', '.join(ADAPTERS)}")
    return ADAPTERS[suffix]


def marked_suffix(name: str) -> str:
    """The suffix the marked cut is written with: the cut's own, or ``.otio`` where the format's writer drops
    markers."""
    suffix = Path(name).suffix.lower()
    return ".otio" if suffix in NO_MARKER_WRITER else suffix


def load_timeline(path: Path, *, name: str | None = None, rate: float = 24.0) -> otio.schema.Timeline:
    """Read a timeline; the format comes from ``name`` (default: the path's own name). ``rate``: the frame rate
    to read an EDL at (EDLs do not state theirs).

    Raises:
        TimelineError: an unknown format, or a file the format's adapter cannot read.
    """
    adapter = adapter_for(name or path.name)
    kwargs = {"rate": rate} if adapter == "cmx_3600" else {}
    try:
        if adapter == "cmx_3600":  # an EDL states no encoding: read it as the tool that wrote it did
            tl = otio.adapters.read_from_string(exported_text(path.read_bytes()), adapter_name=adapter, **kwargs)
        else:
            tl = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    except Exception as exc:  # OTIO and its plugins raise many types; all mean "not a readable timeline"
        raise TimelineError(f"cannot read timeline {name or path.name} as {adapter}: {exc}") from None
    if isinstance(tl, otio.schema.SerializableCollection):  # FCPXML: a library of events and projects
        found = list(tl.find_children(descended_from_type=otio.schema.Timeline))
        if len(found) != 1:
            raise TimelineError(f"{name or path.name} holds {len(found)} timelines; export the one cut to audit")
        tl = found[0]
    if not isinstance(tl, otio.schema.Timeline):
        raise TimelineError(f"{name or path.name} holds a {type(tl).__name__}, not a timeline")
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
                name=f"AI edit: {e.kind} (ledger {e.edit_index})",
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


def write_timeline(timeline: otio.schema.Timeline, path: Path, *, rate: float | None = None) -> None:
    """Write a timeline in the format of ``path``'s suffix (``rate``: an EDL's frame rate).

    Raises:
        TimelineError: an unknown format, a format whose writer drops markers (AAF: write ``.otio``), or a
            timeline the format cannot hold (e.g. an EDL of several video tracks).
    """
    adapter = adapter_for(path.name)
    if path.suffix.lower() in NO_MARKER_WRITER:
        raise TimelineError(f"{path.name}: the {adapter} writer drops markers; write the marked cut as .otio")
    kwargs = {"rate": rate} if adapter == "cmx_3600" and rate else {}
    try:
        otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter, **kwargs)
    except Exception as exc:
        raise TimelineError(f"cannot write timeline {path.name} as {adapter}: {exc}") from None


def write_timeline_string(timeline: otio.schema.Timeline, name: str, *, rate: float | None = None) -> str:
    """The timeline as text in the format of ``name``'s suffix (not for the binary ``.otioz``/``.aaf``).

    Raises:
        TimelineError: as ``write_timeline``, or a binary format.
    """
    adapter = adapter_for(name)
    if adapter in ("otioz", "otiod", "AAF"):
        raise TimelineError(f"{name}: {adapter} is not written as text")
    kwargs = {"rate": rate} if adapter == "cmx_3600" and rate else {}
    try:
        return str(otio.adapters.write_to_string(timeline, adapter_name=adapter, **kwargs))
    except Exception as exc:
        raise TimelineError(f"cannot write timeline {name} as {adapter}: {exc}") from None


def footage_rate(clips: list[Clip]) -> float:
    """The frame rate of most of the project's footage (24 when there is none): the rate an EDL is read at."""
    rates = [float(c.info.frame_rate) for c in clips]
    return max(set(rates), key=rates.count) if rates else 24.0


def audit_timeline(
    ws: Workspace, project: ProjectRef | Project, path: Path, *, name: str | None = None, log: Log | None = None
) -> tuple[AuditReport, otio.schema.Timeline]:
    """Audit the clips a timeline uses (with the ranges it uses them at); ``name`` gives the format when
    ``path`` has none (an upload); ``log`` as ``build_audit``'s.

    Raises:
        TimelineError: unreadable, or none of its clips is in the catalogue.
    """
    catalogue = ClipReader(ws.database).list(project=project.slug)
    timeline = load_timeline(path, name=name, rate=footage_rate(catalogue))
    uses = match_clips(timeline, catalogue)
    report = build_audit(ws, project, clips=[u.clip for u in uses], log=log)
    ranges = {u.clip.content_hash: u.ranges for u in uses}
    for shot in report.shots:
        shot.timeline_ranges = ranges.get(shot.clip_hash, [])
    report.timeline = name or str(path)
    return report, timeline
