"""What an ISO BMFF (MP4/MOV) file is, told from its bytes, never its name: the container sniffed, the top-level
boxes checked to tile the file with its index (``moov``), and the sizes its video sample entries declare.

Used by ``probe`` — so ingest and delivery QC (which both probe) agree on every malformed file:

1. ``sniff_container(path)``: ``"mp4"`` / ``"mov"`` when the first box is ``ftyp`` (``qt  `` brand → MOV;
   ISO/IEC 14496-12 §4.3), or a QuickTime file that starts with ``moov``/``wide``/``mdat``/``free``/``skip``
   (QTFF, no ``ftyp``); None for anything else (Matroska, MPEG-PS, …: left to the demuxer).
2. ``check_structure(path)``: the top-level boxes of a BMFF file tile it exactly (a truncated file ends inside a
   box) and one of them is ``moov`` (FFmpeg finds a ``moov`` renamed to ``free`` by scanning; we do not accept a
   file whose index is not where the format puts it).
3. ``declared_video_sizes(path)``: the width × height of each visual sample entry (``stsd``; §12.1.3), which the
   decoded frames must match (a header may lie where the decoder takes the size from the bitstream).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Literal

from media.errors import CorruptMediaError

BmffFlavour = Literal["mp4", "mov"]
_QT_FIRST = {b"moov", b"wide", b"mdat", b"free", b"skip", b"pnot"}
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
_VISUAL = {b"avc1", b"avc3", b"hvc1", b"hev1", b"mp4v", b"apch", b"apcn", b"apcs", b"apco", b"ap4h", b"ap4x"}
_VISUAL |= {b"AVdh", b"AVdn", b"jpeg", b"mjpa", b"mjpb", b"av01", b"vp09", b"dvh1", b"dvhe", b"encv"}


def sniff_container(path: Path) -> BmffFlavour | None:
    """The BMFF flavour of ``path`` from its first bytes (see the module's docstring), or None."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    if len(head) < 8:
        return None
    kind = head[4:8]
    if kind == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    return "mov" if kind in _QT_FIRST and struct.unpack(">I", head[:4])[0] >= 8 else None


def _boxes(data: bytes | memoryview, start: int, end: int) -> tuple[list[tuple[bytes, int, int]], bool]:
    """(kind, body start, box end) of the boxes in ``data[start:end]``, and whether they tile it exactly."""
    out = []
    off = start
    while off + 8 <= end:
        size, kind = struct.unpack(">I4s", bytes(data[off : off + 8]))
        header = 8
        if size == 1:
            if off + 16 > end:
                return out, False
            size, header = struct.unpack(">Q", bytes(data[off + 8 : off + 16]))[0], 16
        elif size == 0:
            size = end - off
        if size < header or off + size > end:
            return out, False
        out.append((kind, off + header, off + size))
        off += size
    return out, off == end


def _top_level(path: Path) -> tuple[list[tuple[bytes, int, int]], bool]:
    out = []
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        end = fh.tell()
        off = 0
        while off + 8 <= end:
            fh.seek(off)
            size, kind = struct.unpack(">I4s", fh.read(8))
            header = 8
            if size == 1:
                raw = fh.read(8)
                if len(raw) < 8:
                    return out, False
                size, header = struct.unpack(">Q", raw)[0], 16
            elif size == 0:
                size = end - off
            if size < header or off + size > end:
                return out, False
            out.append((kind, off, off + size))
            off += size
        return out, off == end


def check_structure(path: Path) -> BmffFlavour | None:
    """Check a BMFF file's top level (see the module's docstring); returns its flavour (None: not BMFF, unchecked).

    Raises:
        CorruptMediaError: truncated (the last box runs past the end), trailing bytes, or no ``moov`` index.
    """
    flavour = sniff_container(path)
    if flavour is None:
        return None
    boxes, whole = _top_level(path)
    name = Path(path).name
    if not whole:
        raise CorruptMediaError(
            f"{name}: truncated — its last box runs past the end of the file (or bytes follow the last box); "
            "re-copy it from the source"
        )
    if not any(kind == b"moov" for kind, _, _ in boxes):
        raise CorruptMediaError(f"{name}: has no moov box (the index of an MP4/MOV file); the file is damaged")
    return flavour


def declared_video_sizes(path: Path) -> list[tuple[int, int]]:
    """Width × height declared by each visual sample entry of a BMFF file (empty when not BMFF or none found)."""
    if sniff_container(path) is None:
        return []
    boxes, _ = _top_level(path)
    sizes: list[tuple[int, int]] = []
    with open(path, "rb") as fh:
        for kind, start, end in boxes:
            if kind != b"moov" or end - start > 256 << 20:
                continue
            fh.seek(start)
            moov = fh.read(end - start)
            _walk(memoryview(moov), 8, len(moov), sizes)
    return sizes


def _walk(data: memoryview, start: int, end: int, sizes: list[tuple[int, int]]) -> None:
    boxes, _ = _boxes(data, start, end)
    for kind, body, box_end in boxes:
        if kind in _CONTAINERS:
            _walk(data, body, box_end, sizes)
        elif kind == b"stsd" and box_end - body >= 8:
            entries, _ = _boxes(data, body + 8, box_end)  # FullBox header + entry count, then the entries
            for entry, e_body, e_end in entries:
                if entry in _VISUAL and e_end - e_body >= 28:
                    # SampleEntry: 6 reserved + 2 data_reference_index; VisualSampleEntry: 16 pre-defined/reserved
                    w, h = struct.unpack(">HH", bytes(data[e_body + 24 : e_body + 28]))
                    sizes.append((w, h))
