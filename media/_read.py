"""Reading frames as numpy arrays: RGB (8/16-bit or float) or raw YUV planes, over a frame range."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np

from media._probe import MediaInfo, _reason, frame_rate_of, open_input, video_stream
from media.errors import CorruptMediaError, MediaRangeError

PixelFormat = Literal["rgb24", "rgb48", "float", "yuv"]

# Colour matrices used for every YUV<->RGB conversion, so that reading and writing agree.
_MATRIX_NAMES = {1: "ITU709", 5: "ITU601", 6: "SMPTE170M", 7: "SMPTE240M", 9: "BT2020", 10: "BT2020"}

# swscale's flags for the 8-bit YUV<->RGB conversions (issue 18, stop 52). Its default YUV->RGB path (a fast table
# lookup) reads 8-bit video 1.1-1.3 levels darker than the samples say, on every channel: an edit's changed pixels,
# converted back, came out that much darker than the source pixels around them, which are copied as they are. With
# accurate rounding and full chroma interpolation a decode and re-encode of the shared clips' first frames moves the
# grey by at most 0.007 levels on average (``bench/media_convert.py``). The 16-bit path was exact already.
EXACT_RGB = int(
    av.video.reformatter.Interpolation.BILINEAR
    | av.video.reformatter.Interpolation.ACCURATE_RND
    | av.video.reformatter.Interpolation.FULL_CHR_H_INT
)


def conversion_matrix(info: MediaInfo) -> str:
    """The YUV<->RGB matrix for a clip: its tag, else BT.709 from 720 lines up and BT.601 below (FFmpeg's guess)."""
    name = _MATRIX_NAMES.get(info.colour.matrix)
    if name:
        return name
    return "ITU709" if info.height >= 720 else "ITU601"


def conversion_range(info: MediaInfo) -> str:
    """``JPEG`` (full) if the clip is tagged full range or uses a yuvj format, else ``MPEG`` (limited)."""
    return "JPEG" if info.colour.range == 2 or info.pix_fmt.startswith("yuvj") else "MPEG"


def frame_to_rgb(frame: Any, info: MediaInfo, fmt: PixelFormat) -> np.ndarray:
    """Convert a decoded frame to RGB with the clip's matrix and range.

    ``rgb24`` gives uint8, ``rgb48`` uint16, ``float`` float32 in [0, 1] (16-bit path for >8-bit sources).
    """
    deep = info.bit_depth > 8
    kwargs = {"src_colorspace": conversion_matrix(info), "src_color_range": conversion_range(info)}
    if fmt == "rgb24" or (fmt == "float" and not deep):
        arr = frame.to_ndarray(format="rgb24", interpolation=EXACT_RGB, **kwargs)
        return arr if fmt == "rgb24" else arr.astype(np.float32) * np.float32(1 / 255)
    arr = frame.to_ndarray(format="rgb48le", **kwargs)
    return arr if fmt == "rgb48" else arr.astype(np.float32) * np.float32(1 / 65535)


def frame_planes(frame: Any) -> list[np.ndarray]:
    """Views of a frame's planes (uint8 or uint16), cropped to their visible width."""
    deep = max(c.bits for c in frame.format.components) > 8
    dtype = np.dtype("<u2") if deep else np.dtype(np.uint8)
    out = []
    for plane in frame.planes:
        arr = np.frombuffer(plane, dtype=dtype).reshape(plane.height, plane.line_size // dtype.itemsize)
        out.append(arr[:, : plane.width])
    return out


def iter_frames(
    info: MediaInfo,
    *,
    start: int = 0,
    end: int | None = None,
    fmt: PixelFormat = "float",
    indices: Iterable[int] | None = None,
) -> Iterator[tuple[int, np.ndarray | list[np.ndarray]]]:
    """Yield ``(frame index, array)`` for frames ``start`` ≤ i < ``end`` (or only ``indices``), in order.

    ``fmt="yuv"`` yields a list of plane arrays (copies) in the clip's native pixel format.

    Raises:
        MediaRangeError: the range is empty or outside the clip.
        CorruptMediaError: a frame fails to decode, or the decoder runs out of frames before the range's end (the
            file is shorter than when it was probed: truncated or damaged). Either after the frames before it were
            yielded.
    """
    end = info.frame_count if end is None else end
    if not (0 <= start < end <= info.frame_count):
        raise MediaRangeError(
            f"frame range {start}–{end} is outside {info.path.name} (frames 0–{info.frame_count}); "
            "give 0 ≤ start < end ≤ frame count"
        )
    wanted = None if indices is None else sorted({i for i in indices if start <= i < end})
    if wanted is not None and not wanted:
        return
    first = start if wanted is None else wanted[0]
    last = end if wanted is None else wanted[-1] + 1
    wanted_set = None if wanted is None else set(wanted)
    with open_input(info.path) as container:
        stream = video_stream(container, info.path)
        stream.thread_type = "AUTO"
        rate = frame_rate_of(stream) or info.frame_rate
        index = _seek_near(container, stream, first, rate)
        try:
            for frame in container.decode(stream):
                if index is None:
                    index = _index_of(frame, stream, rate)
                if index >= last:
                    break
                if index >= first and (wanted_set is None or index in wanted_set):
                    if fmt == "yuv":
                        yield index, [p.copy() for p in frame_planes(frame)]
                    else:
                        yield index, frame_to_rgb(frame, info, fmt)
                index += 1
            else:
                _ran_out(info, index, last)
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"{info.path.name}: frame {index} does not decode ({_reason(exc)})") from None


def _ran_out(info: MediaInfo, index: int | None, last: int) -> None:
    """The decoder ended at frame ``index`` (the next one it would have given) before frame ``last - 1``."""
    if index is not None and index >= last:
        return
    got = "no frame after the seek" if index is None else "no frame" if index == 0 else f"frames 0–{index - 1}"
    raise CorruptMediaError(
        f"{info.path.name}: the video ends early: {got} decode, but it was probed with {info.frame_count} frames "
        f"and frame {last - 1} was asked for; the file is truncated or damaged — copy it again from its source"
    )


def sample_keyframes(
    info: MediaInfo, n: int, *, start: int = 0, end: int | None = None
) -> list[tuple[int, np.ndarray]]:
    """Up to ``n`` key frames spread evenly over ``start``–``end``, as float RGB, decoding *only* key frames
    (``skip_frame=NONKEY``): the cheap way to sub-sample long dailies for training. Falls back to evenly spaced
    ordinary frames when the range holds fewer than ``n`` key frames.

    Raises:
        MediaRangeError: the range is empty or outside the clip.
        CorruptMediaError: a frame fails to decode.
    """
    end = info.frame_count if end is None else end
    if not (0 <= start < end <= info.frame_count):
        raise MediaRangeError(f"frame range {start}–{end} is outside {info.path.name} (0–{info.frame_count})")
    keys: list[tuple[int, Any]] = []
    with open_input(info.path) as container:
        stream = video_stream(container, info.path)
        stream.codec_context.skip_frame = "NONKEY"
        rate = frame_rate_of(stream) or info.frame_rate
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    break
                i = _index_of(frame, stream, rate)
                if i >= end:
                    break
                if i >= start:
                    keys.append((i, frame))
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"{info.path.name}: a key frame does not decode ({_reason(exc)})") from None
        if len(keys) >= n:
            picks = [keys[k] for k in sample_indices(len(keys), n)]
            return [(i, frame_to_rgb(f, info, "float")) for i, f in picks]
    idx = sample_indices(info.frame_count, n, start=start, end=end)
    return [(i, a) for i, a in iter_frames(info, start=start, end=end, indices=idx)]  # type: ignore[misc]


def read_frame(info: MediaInfo, index: int, fmt: PixelFormat = "float") -> np.ndarray:
    """One frame as an array.

    Raises:
        MediaRangeError: the index is outside the clip.
    """
    for _i, arr in iter_frames(info, start=index, end=index + 1, fmt=fmt):
        assert isinstance(arr, np.ndarray)
        return arr
    raise CorruptMediaError(f"{info.path.name}: frame {index} could not be decoded")


_SEEK_MIN_FRAMES = 300


def _seek_near(container: Any, stream: Any, first: int, rate: Fraction) -> int | None:
    """Seek before ``first`` when it is far in; returns the index of the next decoded frame if known (0) or None."""
    if first < _SEEK_MIN_FRAMES or stream.time_base is None:
        return 0
    tb = Fraction(stream.time_base.numerator, stream.time_base.denominator)
    target_s = Fraction(first - 2) / rate
    ts = int((stream.start_time or 0) + target_s / tb)
    try:
        container.seek(ts, stream=stream, backward=True, any_frame=False)
    except av.FFmpegError:
        return 0
    return None


def _index_of(frame: Any, stream: Any, rate: Fraction) -> int:
    if frame.pts is None or stream.time_base is None:
        raise CorruptMediaError("a frame after seeking has no timestamp; decode the clip from the start")
    tb = Fraction(stream.time_base.numerator, stream.time_base.denominator)
    seconds = (frame.pts - (stream.start_time or 0)) * tb
    return round(seconds * rate)


def sample_indices(frame_count: int, n: int, *, start: int = 0, end: int | None = None) -> list[int]:
    """``n`` frame indices spread evenly over ``start``–``end`` (all of them if there are fewer)."""
    end = frame_count if end is None else end
    span = end - start
    if span <= 0:
        return []
    if span <= n:
        return list(range(start, end))
    return sorted({start + (k * (span - 1)) // max(n - 1, 1) for k in range(n)})


# Planar formats whose first plane is luma at the format's bit depth; any other is converted to gray first.
_LUMA_FIRST = {
    "yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "gray", "yuv420p10le", "yuv422p10le",
    "yuv444p10le", "yuv420p12le", "yuv422p12le", "yuv444p12le",
}  # fmt: skip


@dataclass(frozen=True)
class Luma:
    """The luma plane of one decoded frame: ``plane`` (H×W uint8 or uint16, read-only), its largest code value,
    and when the frame starts and ends in seconds from the first frame."""

    index: int
    start: Fraction
    end: Fraction
    plane: np.ndarray
    max_value: int


def iter_luma(path: Path, *, seconds: Fraction | None = None) -> Iterator[Luma]:
    """The luma of every frame of ``path`` (or of its first ``seconds``), straight from the decoder — without the
    whole-file checks of ``probe``, for readers that look at the start of any file (e.g. watermark detection).

    Raises:
        MediaError: the file does not exist.
        UnreadableMediaError: not media, or no video stream.
        CorruptMediaError: a frame does not decode (after the frames before it were yielded).
    """
    with open_input(path) as container:
        stream = video_stream(container, path)
        stream.thread_type = "AUTO"
        rate = frame_rate_of(stream) or Fraction(25)
        first: Fraction | None = None
        n = 0
        frames = container.decode(stream)
        while True:
            try:
                frame = next(frames, None)
            except av.FFmpegError as exc:
                raise CorruptMediaError(
                    f"{Path(path).name}: frame {n} does not decode ({_reason(exc)}); the file is damaged or truncated"
                ) from None
            if frame is None:
                return
            t = Fraction(frame.pts) * frame.time_base if frame.pts is not None and frame.time_base else n / rate
            first = t if first is None else first
            if seconds is not None and t - first >= seconds:
                return
            plane, max_value = _luma(frame)
            yield Luma(n, t - first, t - first + 1 / rate, plane, max_value)
            n += 1


def _luma(frame: Any) -> tuple[np.ndarray, int]:
    if frame.format.name not in _LUMA_FIRST:
        frame = frame.reformat(format="gray")
    bits = frame.format.components[0].bits
    return frame_planes(frame)[0], (1 << bits) - 1
