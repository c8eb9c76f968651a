"""Delivery QC of uploaded files, and the history of checks per deliverable.

``verify_files`` checks files a QC operator hands over together (a deliverable, perhaps with its disclosure
sidecars and receipt): they are laid side by side in a scratch folder under their own names — the checks read
the container type from the suffix and the sidecars from beside the video — then every video among them is
verified by ``verify_deliverable`` and its report stored. Files that are not videos (``.json``, ``.vtt``,
``.tlog-proof``, ``.c2pa``) travel as companions and are not verified on their own.

Table (one row per check)::

    app_qc_results(check_id PK, batch_id, project, file_name, file_sha256, origin, edit_index, verdict,
                   report JSON, checked_by, checked_at)

A deliverable's history is every check whose manifest named the same ledger entry (``origin``, ``edit_index``);
a file that named none is known by its content hash.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from cutproof.core.errors import USER_ERRORS, CutproofError
from cutproof.core.models import QcResultRow, table_of
from cutproof.core.public_paths import scrub
from cutproof.core.workspace import Workspace
from cutproof.qc.verify import QcInputError, QcReport, verify_deliverable
from store.blobs import sha256_file

results_table = table_of(QcResultRow)

COMPANION_SUFFIXES = (".json", ".vtt", ".tlog-proof", ".c2pa", ".txt", ".srt")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")


class QcBatchError(CutproofError):
    """The files handed over cannot be checked as a batch (none given, duplicate names)."""


@dataclass(frozen=True)
class QcResult:
    """One stored check: the file, its verdict (``pass``, ``fail``, or ``unchecked`` when the file could not be
    checked at all) and the report (``cutproof.qc.verify/1``, or the reason it could not be checked)."""

    check_id: str
    batch_id: str
    project: str
    file_name: str
    file_sha256: str
    origin: str | None
    edit_index: int | None
    verdict: str
    report: dict[str, Any]
    checked_by: str
    checked_at: datetime


def safe_name(name: str) -> str:
    """A file name as given, reduced to its last path part and plain characters (``upload.bin`` if empty)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = _SAFE_NAME.sub("_", base)[:200].lstrip(".")
    return cleaned or "upload.bin"


def verify_files(
    ws: Workspace, project: str, origin: str, files: Sequence[tuple[str, Path]], *, checked_by: str
) -> list[QcResult]:
    """Verify every video among ``files`` (``(name as given, stored path)``) against ``origin``'s log, with the
    others beside it, and store each result under one batch id.

    Raises:
        QcBatchError: no files, or two with the same name.
    """
    if not files:
        raise QcBatchError("no files were given; drop the deliverable (and its sidecars) to check it")
    names = [safe_name(n) for n, _ in files]
    if len(set(names)) != len(names):
        raise QcBatchError("two files have the same name; check them in separate batches")
    batch_id = uuid.uuid4().hex
    scratch = Path(tempfile.mkdtemp(dir=ws.home, prefix=".qc-"))
    results: list[QcResult] = []
    try:
        for name, (_given, stored) in zip(names, files, strict=True):
            _place(stored, scratch / name)
        for name in names:
            if name.lower().endswith(COMPANION_SUFFIXES):
                continue
            results.append(_check(ws, project, origin, scratch / name, batch_id, checked_by))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def _place(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def _check(ws: Workspace, project: str, origin: str, path: Path, batch_id: str, checked_by: str) -> QcResult:
    now = datetime.now(UTC)
    try:
        report: QcReport | None = verify_deliverable(ws, path, origin=origin)
    except QcInputError as exc:
        report, reason = None, scrub(str(exc), ws.home)
    except USER_ERRORS as exc:
        report, reason = None, scrub(f"could not check {path.name}: {exc}", ws.home)
    if report is not None:
        body = scrub(report.to_json(), ws.home)  # shown in the console: no server paths
        body["file"] = path.name
        verdict, sha, found_origin, edit_index = report.verdict, report.file_sha256, report.origin, report.edit_index
    else:
        sha = sha256_file(path)
        body = {"schema": "cutproof.qc.unchecked/1", "file": path.name, "file_sha256": sha, "reason": reason}
        verdict, found_origin, edit_index = "unchecked", None, None
    result = QcResult(
        uuid.uuid4().hex, batch_id, project, path.name, sha, found_origin, edit_index, verdict, body, checked_by, now
    )
    with ws.engine.begin() as conn:
        conn.execute(insert(results_table).values(**result.__dict__))
    return result


def _result(row: Any) -> QcResult:
    data = dict(row._mapping)
    if data["checked_at"].tzinfo is None:
        data["checked_at"] = data["checked_at"].replace(tzinfo=UTC)
    return QcResult(**data)


class QcHistory:
    """Reading ``app_qc_results`` of one project."""

    def __init__(self, engine: Engine, project: str) -> None:
        self.engine = engine
        self.project = project

    def _select(self, *where: Any) -> list[QcResult]:
        q = select(results_table).where(results_table.c.project == self.project, *where)
        with self.engine.connect() as conn:
            return [_result(r) for r in conn.execute(q.order_by(results_table.c.checked_at.desc()))]

    def batch(self, batch_id: str) -> list[QcResult]:
        return sorted(self._select(results_table.c.batch_id == batch_id), key=lambda r: r.file_name)

    def get(self, check_id: str) -> QcResult | None:
        found = self._select(results_table.c.check_id == check_id)
        return found[0] if found else None

    def recent(self, limit: int = 50) -> list[QcResult]:
        return self._select()[:limit]

    def by_deliverable(self) -> dict[str, list[QcResult]]:
        """Every check, newest first, grouped by deliverable: ``<origin>#<edit index>`` when the manifest (or
        watermark) named the ledger entry, else ``sha256:<file hash>``."""
        groups: dict[str, list[QcResult]] = {}
        for r in self._select():
            groups.setdefault(deliverable_key(r), []).append(r)
        return groups


def deliverable_key(r: QcResult) -> str:
    if r.origin is not None and r.edit_index is not None:
        return f"{r.origin}#{r.edit_index}"
    return f"sha256:{r.file_sha256}"
