"""Ingesting dailies into a project — one path for the CLI, the API and the demo.

The editor verifies, hashes and catalogues the camera files; a file that carries a C2PA manifest its camera signed
has it read and validated against the camera trust list (``cutproof.dailies.provenance``; a broken one is
flagged, not refused); every newly catalogued clip of a project is recorded as ``dailies.ingested/1`` (content hash,
file name, media facts, slate, and the camera manifest's facts when there is one) in the project's log. Each clip's
layout is printed for the relight's search of the dailies (``editor.layout_prints``), so no search reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from cutproof.core.inputs import exported_text
from cutproof.core.projects import get_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.dailies.labels import ale_files, apply_ale
from cutproof.dailies.provenance import CameraRecord, read_provenance, record_provenance
from editor import Catalogue, Clip, IngestReport, ingest_folder
from media import MediaInfo
from records import AudioTrackFacts, ColourFacts, DailiesIngested, MediaFacts, SlateFacts


def _media(info: MediaInfo) -> MediaFacts:
    return MediaFacts(
        container=info.container,
        codec=info.codec,
        codec_family=info.codec_family,
        profile=info.profile,
        width=info.width,
        height=info.height,
        pix_fmt=info.pix_fmt,
        bit_depth=info.bit_depth,
        frame_rate=f"{info.frame_rate.numerator}/{info.frame_rate.denominator}",
        frame_count=info.frame_count,
        timecode=info.timecode,
        colour=ColourFacts(
            primaries=info.colour.primaries,
            transfer=info.colour.transfer,
            matrix=info.colour.matrix,
            range=info.colour.range,
        ),
        audio=tuple(
            AudioTrackFacts(
                index=a.index, codec=a.codec, sample_rate=a.sample_rate, channels=a.channels, layout=a.layout
            )
            for a in info.audio
        ),
    )


def ingested_records(report: IngestReport, cameras: dict[str, CameraRecord] | None = None) -> list[DailiesIngested]:
    """The ``dailies.ingested/1`` records of the clips an ingest added (``cameras``: content hash → the camera
    provenance recorded for it)."""
    cameras = cameras or {}
    return [
        DailiesIngested(
            content_hash=c.content_hash,
            file_name=c.path.name,
            media=_media(c.info),
            slate=SlateFacts(scene=c.slate.scene, shot=c.slate.shot, take=c.slate.take),
            camera_manifest=cameras[c.content_hash].facts() if c.content_hash in cameras else None,
        )
        for c in report.added
    ]


def ingest_dailies(
    ws: Workspace, project: str | None, folder: Path, *, identity: str, files: Sequence[Path] | None = None
) -> IngestReport:
    """Ingest ``folder`` (or just ``files`` in it) into the catalogue; record the added clips in the project's log.

    Bad files are rejected one by one (the report says why) and stay out of the catalogue and the ledger. A file
    whose camera manifest fails validation is catalogued and flagged (``provenance_of(...).flagged``).

    Raises:
        ProjectError: ``project`` does not exist.
    """
    proj = get_project(ws, project) if project is not None else None
    report = ingest_folder(folder, Catalogue(ws.engine), project=project, files=list(files) if files else None)
    if project is not None and files is None:
        for ale in ale_files(folder):  # the lab's log labels the clips before they are recorded
            apply_ale(ws.engine, project, exported_text(ale.read_bytes()))
        report = _relabelled(ws, report)
    cameras = {}
    for clip in report.added:  # the camera's own manifest, read from the bytes that were hashed and catalogued
        found = read_provenance(ws, clip.path)
        if found is not None:
            cameras[clip.content_hash] = record_provenance(ws, clip.content_hash, found)
    if report.added and proj is not None:
        project_log(ws, proj).append([r.entry() for r in ingested_records(report, cameras)], identity=identity)
    _print_layouts(ws, [o.clip for o in report.files if o.clip is not None])
    return report


def _print_layouts(ws: Workspace, clips: Sequence[Clip]) -> None:
    """Print the clips' layouts for the relight's search of the dailies now, while they are at hand
    (``editor.lighting.search.keep_prints``): a production's first search would otherwise read every clip it holds.
    Clips printed before (the same content) are not read again; a print is a cache, so one that fails is left to
    the search."""
    from editor.layout_prints import LayoutPrints
    from editor.lighting.search import keep_prints

    keep_prints(clips, LayoutPrints(ws.engine))


def _relabelled(ws: Workspace, report: IngestReport) -> IngestReport:
    """The report with each added clip as the catalogue now has it (labels applied from the folder's ALE)."""
    catalogue = Catalogue(ws.engine)
    outcomes = tuple(
        replace(o, clip=catalogue.find(o.clip.content_hash) or o.clip) if o.clip is not None else o
        for o in report.files
    )
    return replace(report, files=outcomes)
