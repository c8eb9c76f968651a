"""Disclosure sidecars: a JSON document and a WebVTT track listing the AI-altered time ranges of a deliverable.

Times are rational seconds on the deliverable's timeline (never floats); they are written as NPT seconds with
millisecond precision in JSON and as ``HH:MM:SS.mmm`` cue times in WebVTT (W3C WebVTT §4.3).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from labeler.errors import DisclosureError

SIDECAR_SCHEMA = "cutproof.disclosure/1"
STATEMENT = "This programme contains scenes altered with artificial intelligence (EU AI Act Art. 50)."


@dataclass(frozen=True)
class AlteredShot:
    """One AI-altered span of the deliverable (public facts only: no performer names)."""

    shot: str
    start: Fraction
    end: Fraction
    operation: str

    def __post_init__(self) -> None:
        if not isinstance(self.start, Fraction) or not isinstance(self.end, Fraction):
            raise DisclosureError("altered shot times must be fractions.Fraction seconds")
        if self.start < 0 or self.end <= self.start:
            raise DisclosureError(f"altered shot {self.shot!r}: need 0 <= start < end")
        if not self.shot.strip() or not self.operation.strip() or "\n" in self.shot + self.operation:
            raise DisclosureError("altered shots need a one-line shot name and operation")


def npt(t: Fraction) -> str:
    ms = round(t * 1000)
    return f"{ms // 1000}.{ms % 1000:03d}"


def vtt_time(t: Fraction) -> str:
    ms = round(t * 1000)
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def timecode(t: Fraction, fps: Fraction) -> str:
    """SMPTE-style non-drop timecode ``HH:MM:SS:FF`` of a time at a frame rate (rounded down to a frame)."""
    nominal = round(fps)
    frames = int(t * fps)
    ff = frames % nominal
    s = frames // nominal
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{ff:02d}"


def sidecar_document(title: str, shots: Sequence[AlteredShot], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON sidecar content."""
    return {
        "schema": SIDECAR_SCHEMA,
        "title": title,
        "statement": STATEMENT,
        "altered": [
            {"shot": s.shot, "start": npt(s.start), "end": npt(s.end), "operation": s.operation}
            for s in sorted(shots, key=lambda s: (s.start, s.end))
        ],
        **(extra or {}),
    }


def webvtt(shots: Sequence[AlteredShot]) -> str:
    """A WebVTT track with one cue per altered range ("AI-altered: <operation> (<shot>)")."""
    lines = ["WEBVTT", "", "NOTE " + STATEMENT, ""]
    for i, s in enumerate(sorted(shots, key=lambda s: (s.start, s.end)), 1):
        lines += [f"ai-{i}", f"{vtt_time(s.start)} --> {vtt_time(s.end)}", f"AI-altered: {s.operation} ({s.shot})", ""]
    return "\n".join(lines)


def parse_webvtt_ranges(text: str) -> list[tuple[Fraction, Fraction]]:
    """The cue time ranges of a WebVTT track (used by QC to check the sidecar covers the altered ranges)."""
    if not text.startswith("WEBVTT"):
        raise DisclosureError("not a WebVTT file (missing the WEBVTT header)")
    out = []
    for line in text.splitlines():
        if "-->" in line:
            a, b = (p.strip().split()[0] for p in line.split("-->", 1))
            out.append((_parse_vtt(a), _parse_vtt(b)))
    return out


def _parse_vtt(v: str) -> Fraction:
    parts = v.split(":")
    try:
        secs = Fraction(parts[-1])
        mins = int(parts[-2]) if len(parts) >= 2 else 0
        hours = int(parts[-3]) if len(parts) == 3 else 0
    except (ValueError, IndexError):
        raise DisclosureError(f"bad WebVTT time {v!r}") from None
    return hours * 3600 + mins * 60 + secs


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename (never a half-written sidecar)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
