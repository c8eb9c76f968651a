"""Opening a media file with PyAV: the helpers the probe, the readers and the writers share (``open_input``,
``video_stream``, ``_reason``), mapping PyAV's errors to ours. :mod:`media._probe` re-exports them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from media.errors import MediaError, UnreadableMediaError

__all__ = ["_reason", "open_input", "video_stream"]


_CLIP_ADVICE = "; it may be corrupt, truncated or not video at all — re-copy it from the camera card"


@contextlib.contextmanager
def open_input(path: Path, *, what: str = "a media file", advice: str = _CLIP_ADVICE) -> Iterator[Any]:
    """Open ``path`` for reading, mapping PyAV's errors to ours. ``what`` and ``advice`` word the error for the
    kind of file the caller expects (a clip by default; ``read_audio`` says "an audio file" and gives no advice).

    Raises:
        MediaError: the file does not exist.
        UnreadableMediaError: PyAV cannot open it as media (wrong type, corrupt header, truncated index).
    """
    import av

    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path}: no such file; check the path")
    try:
        container = av.open(str(path), mode="r")
    except av.FFmpegError as exc:
        raise UnreadableMediaError(f"{path.name}: not {what} that can be opened ({_reason(exc)}){advice}") from None
    try:
        yield container
    finally:
        container.close()


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def video_stream(container: Any, path: Path) -> Any:
    """The first video stream of an open container.

    Raises:
        UnreadableMediaError: there is none.
    """
    streams = [s for s in container.streams.video if s.codec_context is not None]
    if not streams:
        raise UnreadableMediaError(f"{Path(path).name}: has no video stream; only video clips can be catalogued")
    return streams[0]
