"""Plain transcodes (e.g. a distributor's re-encode): decode every frame, re-encode at a CRF, drop metadata."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from media._policy import reproducible_options
from media._probe import open_input, video_stream
from media.errors import EncodeError


def transcode(src: Path, dst: Path, *, crf: int = 28, codec: str = "libx264", scale: float = 1.0) -> Path:
    """Re-encode ``src``'s picture (and audio, as AAC) into ``dst`` at ``crf``, optionally scaled.

    Container metadata, C2PA boxes and timecode are not carried: this is what a careless distribution chain does.

    Raises:
        MediaError: ``src`` cannot be read.
        EncodeError: ``dst`` cannot be written (nothing is left at ``dst``).
    """
    src, dst = Path(src), Path(dst)
    tmp = dst.with_name(f".{dst.name}.partial{dst.suffix}")
    try:
        with open_input(src) as inp, av.open(str(tmp), "w") as out:
            vin = video_stream(inp, src)
            rate = vin.average_rate or Fraction(25)
            width = max(2, int(vin.codec_context.width * scale) // 2 * 2)
            height = max(2, int(vin.codec_context.height * scale) // 2 * 2)
            vs: Any = out.add_stream(codec, rate=rate)
            vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
            vs.options = reproducible_options(codec, {"crf": str(crf), "preset": "veryfast"})
            ain = inp.streams.audio[0] if inp.streams.audio else None
            aout: Any = out.add_stream("aac", rate=ain.codec_context.sample_rate) if ain is not None else None
            streams = [vin] + ([ain] if ain is not None else [])
            n = 0
            for packet in inp.demux(streams):
                for frame in packet.decode():
                    if packet.stream is vin:
                        f = frame.reformat(width=width, height=height, format="yuv420p")
                        f.pts, f.time_base = n, 1 / Fraction(rate)
                        n += 1
                        for p in vs.encode(f):
                            out.mux(p)
                    elif aout is not None:
                        frame.pts = None
                        for p in aout.encode(frame):
                            out.mux(p)
            for p in vs.encode():
                out.mux(p)
            if aout is not None:
                for p in aout.encode():
                    out.mux(p)
        os.replace(tmp, dst)
    except av.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise EncodeError(f"cannot transcode {src.name} to {dst.name}: {exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dst
