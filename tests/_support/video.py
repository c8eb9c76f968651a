"""Real encoded test video made with PyAV: generated clips, transcodes and remuxes (no mocks)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from media import reproducible_options


def make_clip(
    path: Path,
    *,
    seconds: int = 2,
    size: tuple[int, int] = (320, 240),
    fps: int = 24,
    audio: bool = True,
    codec: str = "libx264",
    seed: int = 0,
) -> Path:
    """Encode a textured, moving test clip (and a 440 Hz tone) to ``path``; the container follows the suffix."""
    rng = np.random.default_rng(seed)
    w, h = size
    # smooth, natural-looking texture (blurred noise): blocky synthetic patterns are nothing like camera footage
    noise = rng.normal(0, 1, (h + 64, w + 64, 3)).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), 6)
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    big = (noise * 255).astype(np.uint8)
    _yy, xx = np.mgrid[0:h, 0:w]
    with av.open(str(path), "w") as out:
        vs = out.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = reproducible_options(codec, {"crf": "18", "preset": "veryfast"} if codec == "libx264" else {})
        as_ = out.add_stream("aac", rate=48000, layout="mono") if audio else None
        for i in range(seconds * fps):
            dx, dy = (2 * i) % 64, i % 64
            texture = big[dy : dy + h, dx : dx + w]
            grad = (xx * 128 // w + 64).astype(np.uint8)
            img = (texture // 2 + grad[..., None] // 2).astype(np.uint8)
            cx = (i * 7) % max(1, w - 60)
            img[h // 3 : h // 3 + 60, cx : cx + 60] = (230, 200, 160)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for p in vs.encode(frame):
                out.mux(p)
        for p in vs.encode():
            out.mux(p)
        if as_ is not None:
            n = 1024
            t = np.arange(seconds * 48000, dtype=np.float32) / 48000
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for k in range(0, len(tone) - n + 1, n):
                af = av.AudioFrame.from_ndarray(tone[None, k : k + n], format="fltp", layout="mono")
                af.sample_rate = 48000
                af.pts = k
                af.time_base = Fraction(1, 48000)
                for p in as_.encode(af):
                    out.mux(p)
            for p in as_.encode():
                out.mux(p)
    return path


def transcode(src: Path, dst: Path, *, crf: int = 28, codec: str = "libx264", max_seconds: float | None = None) -> Path:
    """Decode ``src`` and re-encode its video (and audio, as AAC) into ``dst`` at the given CRF."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        rate = vin.average_rate or Fraction(24)
        vs = out.add_stream(codec, rate=rate)
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        vs.options = reproducible_options(codec, {"crf": str(crf), "preset": "veryfast"})
        for i, frame in enumerate(inp.decode(vin)):
            if max_seconds is not None and i >= max_seconds * float(rate):
                break
            f = frame.reformat(format="yuv420p")
            f.pts = i
            f.time_base = 1 / Fraction(rate)
            for p in vs.encode(f):
                out.mux(p)
        for p in vs.encode():
            out.mux(p)
    return dst


def remux(src: Path, dst: Path) -> Path:
    """Copy every audio/video packet of ``src`` into a new container ``dst`` (drops C2PA boxes and metadata)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        mapping = {}
        for s in inp.streams:
            if s.type in ("video", "audio"):
                mapping[s.index] = out.add_stream_from_template(s)
        for packet in inp.demux(list(inp.streams)):
            if packet.dts is None or packet.stream.index not in mapping:
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)
    return dst


def flip_byte_in_media_data(path: Path) -> int:
    """Flip one byte inside the ``mdat`` box (coded picture data) in place; returns its offset.

    The byte is in the middle of the largest coded slice of the video packet nearest the middle of ``mdat`` (H.264),
    never in a NAL unit's length or header: damage there cannot be concealed, so the file would stop decoding — and
    since x264 with threads is not bit-reproducible, whether the middle of ``mdat`` fell on such a byte changed from
    run to run (tests/cutproof/test_camera_provenance.py once saw its altered clip rejected at ingest). Other codecs:
    the middle of ``mdat``.
    """
    from labeler._bmff import top_level_boxes

    boxes, _ = top_level_boxes(path)
    mdat = next(b for b in boxes if b.kind == b"mdat")
    offset = mdat.offset + mdat.header + (mdat.size - mdat.header) // 2
    slice_at = _middle_of_a_slice(path, offset)
    offset = offset if slice_at is None else slice_at
    with open(path, "r+b") as fh:
        fh.seek(offset)
        b = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([b[0] ^ 0xFF]))
    return offset


def _middle_of_a_slice(path: Path, near: int) -> int | None:
    """The file offset of the middle of the largest coded slice (NAL types 1, 5) of the H.264 packet nearest
    ``near``; None for other codecs or streams not in length-prefixed (``avcC``) form."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        extradata = bytes(stream.codec_context.extradata or b"")
        if stream.codec_context.name != "h264" or extradata[:1] != b"\x01":
            return None
        packets = [(int(p.pos), bytes(p)) for p in container.demux(stream) if p.size and p.pos is not None]
    width = (extradata[4] & 3) + 1  # bytes of each NAL unit's length prefix
    pos, data = min(packets, key=lambda p: abs(p[0] + len(p[1]) // 2 - near))
    best: tuple[int, int] | None = None  # (start of the NAL unit's payload in the packet, its size)
    i = 0
    while i + width < len(data):
        size = int.from_bytes(data[i : i + width], "big")
        if data[i + width] & 0x1F in (1, 5) and (best is None or size > best[1]):
            best = (i + width, size)
        i += width + size
    return None if best is None else pos + best[0] + best[1] // 2
