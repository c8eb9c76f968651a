"""Minimal ISO BMFF (MP4/MOV) top-level box walk: find the embedded C2PA manifest store and check the container.

Only the top level is read; this is what is needed to hash the embedded manifest store exactly as it sits in the
file (``uuid`` box with the C2PA extended type, purpose ``manifest``) and to tell a truncated file from a whole one.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")


@dataclass(frozen=True)
class Box:
    kind: bytes
    offset: int
    size: int
    header: int


def top_level_boxes(path: Path) -> tuple[list[Box], bool]:
    """The top-level boxes of a BMFF file and whether the last one ends exactly at the end of the file."""
    boxes: list[Box] = []
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
                    return boxes, False
                size, header = struct.unpack(">Q", raw)[0], 16
            elif size == 0:
                size = end - off
            if size < header:
                return boxes, False
            boxes.append(Box(kind, off, size, header))
            off += size
        return boxes, off == end


def is_complete_bmff(path: Path) -> bool:
    """True when the file is a BMFF container whose boxes tile the file exactly and hold ``moov``."""
    boxes, whole = top_level_boxes(path)
    kinds = {b.kind for b in boxes}
    return whole and b"ftyp" in kinds and b"moov" in kinds


def embedded_manifest_store(path: Path) -> bytes | None:
    """The JUMBF manifest store embedded in a BMFF file's C2PA ``uuid`` box, or None if there is none."""
    boxes, _ = top_level_boxes(path)
    with open(path, "rb") as fh:
        for box in boxes:
            if box.kind != b"uuid":
                continue
            fh.seek(box.offset + box.header)
            body = fh.read(box.size - box.header)
            if body[:16] != C2PA_UUID:
                continue
            rest = body[16 + 4 :]  # extended type, then FullBox version + flags
            purpose, _, rest = rest.partition(b"\x00")
            if purpose != b"manifest":
                continue
            return rest[8:]  # 8-byte offset to the first merkle box (0 when none), then the JUMBF store
    return None
