"""The demo's replacement background: a still of an empty part of another set, uploaded to the project.

A background plate must show no one. The shared footage has no empty set. Every take shows its performer, and the
other GRID take, used as the plate before, shows the same talker a little to one side. The demo's deliverable then
showed slivers of them around the new talker: a second ear, a line of hair above the head, a shoulder's outline.
The weekly-address takes do show an empty stretch of their library set, to the speaker's left (``LIBRARY``). The
demo cuts that stretch out of one frame, writes it as a PNG and uploads it to the project as ``blob:<sha256>``, as a
user would upload a photographed plate.
"""

from __future__ import annotations

from pathlib import Path

from cutproof.core.uploads import record_upload
from cutproof.core.workspace import Workspace
from media import probe, read_frame

# clip, frame, and the empty part of the set (x, y, w, h) at 1280×720: the bookcase to the speaker's left, clear of
# him on every frame of the take (he sits left of centre; his shoulder ends near x = 920)
LIBRARY = ("obama-weekly-address_very-real-challenges.mp4", 10, (930, 40, 350, 280))


def library_plate(ws: Workspace, project: str, clip: Path, *, by: str) -> str:
    """Cut ``LIBRARY``'s empty stretch of set out of ``clip``, upload it to ``project`` and return its
    ``blob:<sha256>`` reference."""
    import cv2

    _name, frame, (x, y, w, h) = LIBRARY
    still = read_frame(probe(clip), frame, "rgb24")[y : y + h, x : x + w]
    out = ws.home / "plates" / "library-set.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), still[..., ::-1])
    digest = ws.blobs.put_file(out)
    record_upload(ws, project, digest, size=out.stat().st_size, filename=out.name, by=by)
    return f"blob:{digest}"
