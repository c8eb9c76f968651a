"""Rendering the legal audit: JSON, CSV (one row per edit) and a printable HTML report for lawyers.

The CSV is opened in spreadsheets: a cell that a spreadsheet would read as a formula (it starts with ``=``, ``@``,
a tab or a carriage return, or with ``+``/``-`` and is not a plain number or frame range) is written with a leading
apostrophe (OWASP's advice against CSV injection), so a performer's name or a shot name typed as
``=HYPERLINK(...)`` stays text. The JSON and HTML carry every value as registered.

In the HTML every claim (decision, sign-off, consent grant, edit, label) links to the receipt of the ledger entry
that proves it: either receipt files written beside the report (``receipts/<index>.tlog-proof``) or API URLs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from cutproof.audit.build import AuditReport
from ledger import Log


def to_json(report: AuditReport) -> str:
    return json.dumps(report.as_json(), indent=2, sort_keys=True) + "\n"


_FORMULA_START = ("=", "@", "\t", "\r", "+", "-")
_PLAIN_NUMBER = re.compile(r"[+-][0-9.:-]*")  # -12, +3.5, -20 (a frame range without a start): not formulas


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell that a spreadsheet shows as text, never runs as a formula (see the module's doc)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _SafeWriter:
    """``csv.writer`` whose every cell goes through ``csv_cell``."""

    def __init__(self, out: io.StringIO) -> None:
        self._w = csv.writer(out)

    def writerow(self, row: list[object]) -> None:
        self._w.writerow([csv_cell(v) for v in row])


def to_csv(report: AuditReport) -> str:
    out = io.StringIO()
    w = _SafeWriter(out)
    w.writerow(
        [
            "scene",
            "shot",
            "take",
            "file",
            "clip_sha256",
            "request_id",
            "edit",
            "purpose",
            "frames",
            "region",
            "decision",
            "state",
            "performers",
            "performer_names",
            "basis",
            "document_sha256",
            "basis_status_now",
            "signed_off_by",
            "decision_entry",
            "review_entry",
            "edit_entry",
            "label_entry",
            "resubmits",
            "resubmitted_as",
            "flags",
        ]
    )
    for s in report.shots:
        for e in s.edits:
            w.writerow([
                s.scene, s.shot, s.take, s.file_name, s.clip_hash, e.request_id, e.kind, e.purpose,
                "-".join("" if f is None else str(f) for f in e.frames), e.region or "", e.outcome, e.state,
                " ".join(e.performers), "; ".join(report.name(p) for p in e.performers),
                " ".join(b.grant_id or f"exemption:{b.exemption}" for b in e.basis),
                " ".join(b.document_sha256 or "" for b in e.basis),
                " ".join(b.status_now for b in e.basis),
                (e.review or {}).get("reviewer", ""),
                e.decision_index, e.review_index if e.review_index is not None else "",
                e.edit_index if e.edit_index is not None else "", e.label_index if e.label_index is not None else "",
                e.resubmits or "", e.resubmitted_as or "",
                " ".join(e.flags),
            ])  # fmt: skip
    return out.getvalue()


def to_html(report: AuditReport, receipt_url: Callable[[int], str]) -> str:
    """The printable HTML report (``cutproof.audit.html``); ``receipt_url(index)`` links an entry's receipt."""
    from cutproof.audit.html import render

    return render(report, receipt_url)


def write_report(report: AuditReport, log: Log, fmt: str, out: Path) -> list[Path]:
    """Write the report as ``fmt`` to ``out`` (for HTML also every linked receipt); returns the files written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if fmt == "html":
        receipts = out.parent / "receipts"
        receipts.mkdir(exist_ok=True)
        indices = sorted({i for s in report.shots for e in s.edits
                          for i in (e.decision_index, e.review_index, e.edit_index, e.label_index,
                                    e.resubmits_index, e.resubmitted_index,
                                    *(b.grant_index for b in e.basis)) if i is not None})  # fmt: skip
        for i in indices:
            p = receipts / f"{i}.tlog-proof"
            _atomic_write(p, log.prove(i, report.log_size))
            written.append(p)
        text = to_html(report, lambda i: f"receipts/{i}.tlog-proof")
    elif fmt == "csv":
        text = to_csv(report)
    else:
        text = to_json(report)
    _atomic_write(out, text)
    return [out, *written]


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
