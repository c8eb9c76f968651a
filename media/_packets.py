"""Encoded packets on disk: the record format of segment files (``media._segment_task``) and audio spools
(``media._mux_audio``).

One record per packet, little endian::

    record := pts:i64 dts:i64 duration:i64 flags:u8 size:u32 data[size]

``pts``/``dts`` are ``-2**63`` for a packet without that timestamp; ``flags`` bit 0 marks a key frame. Timestamps
are in the time base of the stream that encoded them, which the writer keeps beside the file (a segment file's
footer, the muxer's memory for a spool).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import Any, BinaryIO

import av

from media.errors import MediaError

RECORD = struct.Struct("<qqqBI")
NONE = -(2**63)  # a packet without a timestamp

Record = tuple[int | None, int | None, int, bool, bytes]  # pts, dts, duration, key frame, data


class TruncatedRecordError(MediaError):
    """A record is cut short: the file is damaged (the readers turn it into their own error)."""


def write_packets(fh: BinaryIO, packets: Iterable[Any]) -> int:
    """Append ``packets`` (PyAV packets) as records; returns how many were written."""
    n = 0
    for p in packets:
        data = bytes(p)
        pts = NONE if p.pts is None else int(p.pts)
        dts = NONE if p.dts is None else int(p.dts)
        fh.write(RECORD.pack(pts, dts, int(p.duration or 0), 1 if p.is_keyframe else 0, len(data)))
        fh.write(data)
        n += 1
    return n


def read_records(fh: BinaryIO, count: int | None = None) -> Iterator[Record]:
    """The next ``count`` records of ``fh`` (all up to the end of the file with None).

    Raises:
        TruncatedRecordError: a record (or, with ``count``, one of the ``count``) is missing or cut short.
    """
    n = 0
    while count is None or n < count:
        head = fh.read(RECORD.size)
        if not head and count is None:
            return
        if len(head) != RECORD.size:
            raise TruncatedRecordError("a packet record is cut short")
        pts, dts, duration, flags, size = RECORD.unpack(head)
        data = fh.read(size)
        if len(data) != size:
            raise TruncatedRecordError("a packet's data is cut short")
        yield (None if pts == NONE else pts, None if dts == NONE else dts, duration, bool(flags & 1), data)
        n += 1


def as_packet(record: Record, stream: Any, time_base: Fraction | None) -> Any:
    """The PyAV packet of ``record`` for ``stream`` (to mux), its timestamps counted in ``time_base``."""
    pts, dts, duration, key, data = record
    packet = av.Packet(data)
    packet.pts, packet.dts, packet.duration, packet.is_keyframe = pts, dts, duration, key
    if time_base is not None:
        packet.time_base = time_base
    packet.stream = stream
    return packet
