"""Still frames of a catalogued clip as JPEG, for thumbnails, the review queue and drawing a region.

Frames are decoded by the media layer (``media.read_frame``), scaled to a width (the aspect kept) and encoded as
JPEG; each one is kept under ``<home>/cache/console-frames/`` (derived data: safe to delete), keyed by the clip's
content hash, so a clip's frames are decoded once whatever the number of viewers or server processes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cutproof.core.errors import CutproofError
from cutproof.core.workspace import Workspace
from editor import Clip
from media import read_frame
from media.errors import MediaError

WIDTHS = (160, 320, 640, 960)  # the widths served (a fixed set: the cache cannot be grown by asking)


class FrameError(CutproofError):
    """A frame cannot be shown: outside the clip, an unsupported width, or undecodable."""


def frame_jpeg(ws: Workspace, clip: Clip, index: int, width: int) -> bytes:
    """Frame ``index`` of ``clip`` as a JPEG ``width`` pixels wide.

    Raises:
        FrameError: the index is outside the clip, the width is not one of ``WIDTHS``, or the frame is undecodable.
    """
    if width not in WIDTHS:
        raise FrameError(f"width {width} is not served; use one of {', '.join(map(str, WIDTHS))}")
    if not 0 <= index < clip.info.frame_count:
        raise FrameError(f"frame {index} is outside {clip.path.name} (frames 0–{clip.info.frame_count - 1})")
    cached = ws.home / "cache" / "console-frames" / clip.content_hash[:2] / f"{clip.content_hash}_{index}_{width}.jpg"
    if cached.is_file():
        return cached.read_bytes()
    import cv2

    try:
        rgb = read_frame(clip.info, index, fmt="rgb24")
    except MediaError as exc:
        raise FrameError(f"frame {index} of {clip.path.name} cannot be decoded: {exc}") from None
    height = max(1, round(rgb.shape[0] * width / rgb.shape[1]))
    small = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA if width < rgb.shape[1] else cv2.INTER_LINEAR)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise FrameError(f"frame {index} of {clip.path.name} could not be encoded")
    data = buf.tobytes()
    _atomic_write(cached, data)
    return data


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".frame-", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
