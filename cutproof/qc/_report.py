"""The report of delivery QC: ``QcReport`` (every check with its evidence, the verdict, how the manifest was found;
``cutproof.qc.verify/1``) and ``QcInputError`` (the file could not be checked at all). Re-exported by
``cutproof.qc.verify``, the public module: import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cutproof.core.errors import CutproofError
from labeler.verify import Check, Status


class QcInputError(CutproofError):
    """The file cannot be checked at all (missing, truncated, not a video)."""


@dataclass
class QcReport:
    """The QC verdict for one file: every check with its evidence, and how the manifest was found."""

    file: str
    file_sha256: str
    checked_at: str
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recovered_via_watermark: bool = False
    recovered_via_fingerprint: bool = False
    origin: str | None = None
    edit_index: int | None = None

    @property
    def passed(self) -> bool:
        return bool(self.checks) and not any(c.status is Status.FAIL for c in self.checks)

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.FAIL]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "cutproof.qc.verify/1",
            "file": self.file,
            "file_sha256": self.file_sha256,
            "checked_at": self.checked_at,
            "verdict": self.verdict,
            "recovered_via_watermark": self.recovered_via_watermark,
            "recovered_via_fingerprint": self.recovered_via_fingerprint,
            "origin": self.origin,
            "edit_index": self.edit_index,
            "notes": self.notes,
            "checks": [c.to_json() for c in self.checks],
        }
