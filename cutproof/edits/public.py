"""What a deliverable's public C2PA manifest may say about its source clip, and what it must never say.

The manifest is public transparency metadata (EU Code of Practice, Measure 1.1: privacy-sensitive information stays
out). So:

1. the source ingredient is titled with the production's own label for the shot — ``<scene>/<shot> take <n>``
   from the slate — or, without a slate, a neutral id (``clip <first 12 hex of its SHA-256>``); never the camera
   file name, which is production-internal and often carries a person's name;
2. its ``dc:format`` is what probing found (an MPEG-1 program stream is ``video/mpeg``, not ``video/mp4``);
3. ``private_terms`` lists what must appear nowhere in a manifest: every performer name and representative name in
   the project's consent registry, and every camera file name (and its stem) in the project's catalogue. The
   labeler's privacy guard checks every string of every manifest against it.
"""

from __future__ import annotations

from consent import ConsentRegistry
from cutproof.core.projects import Project, project_log
from cutproof.core.workspace import Workspace
from editor import Catalogue, Clip

# PyAV demuxer name → MIME type (the ISO BMFF family is told apart by its major brand).
_MIME = {
    "mpeg": "video/mpeg",
    "mpegvideo": "video/mpeg",
    "mpegts": "video/mp2t",
    "avi": "video/x-msvideo",
    "flv": "video/x-flv",
    "mxf": "application/mxf",
    "matroska,webm": "video/x-matroska",
    "yuv4mpegpipe": "video/x-yuv4mpeg",
}
_MIN_STEM = 4  # shorter file stems ("A", "01") are not identifying and would match everywhere


def public_title(clip: Clip) -> str:
    """The production's label for the clip (scene/shot/take from the slate), else a neutral id."""
    slate = clip.slate
    if slate.shot:
        title = f"{slate.scene}/{slate.shot}" if slate.scene else slate.shot
        return f"{title} take {slate.take}" if slate.take is not None else title
    return f"clip {clip.short_id}"


def probed_format(clip: Clip) -> str:
    """The source's MIME type from its probed container."""
    container = clip.info.container
    if container in _MIME:
        return _MIME[container]
    if "mp4" in container.split(",") or "mov" in container.split(","):
        brand = clip.info.tags.get("major_brand", "").strip().lower()
        return "video/quicktime" if brand == "qt" else "video/mp4"
    return "application/octet-stream"


def private_terms(ws: Workspace, project: Project) -> tuple[str, ...]:
    """Strings no manifest of ``project`` may contain: performer and representative names, camera file names."""
    registry = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project))
    terms: set[str] = set()
    for performer in registry.performers():
        terms.add(performer.name)
        if performer.representative is not None:
            terms.add(performer.representative.name)
    for clip in Catalogue(ws.engine).list(project.slug):
        terms.add(clip.path.name)
        if len(clip.path.stem) >= _MIN_STEM:
            terms.add(clip.path.stem)
    return tuple(sorted(t for t in terms if t.strip()))
