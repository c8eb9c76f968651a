"""Batch QC: verify every deliverable of a delivery, in parallel, with one summary report.

The inputs are a directory of deliverables (every video file under it, recursively; sidecars, receipts and hidden
files are not deliverables) or a text file listing one path a line (``#`` comments and blank lines ignored;
relative paths are relative to the list). Bad input is refused before anything is checked or recorded
(``QcBatchInputError``): a missing directory or list, a list that cannot be read, names a file that does not exist,
or names nothing.

Each file is checked by ``verify_file`` — ``cutproof.qc.verify.verify_deliverable`` in a worker process, so the
verdict of every file is exactly the one ``cutproof qc verify FILE`` gives: ``pass`` (exit 0), ``fail`` (exit 1,
with the failing checks) or ``could not check`` (exit 2, with the reason). Workers are any
``concurrent.futures.Executor``: a process pool with one worker per core in process, or
``cutproof.scale.ray_executor.RayExecutor`` on a Ray cluster; a worker opens the workspace itself (home + database
URL), so no video passes through the executor, only paths.

The API runs a batch as a durable job (kind ``qc-batch``, ``run_qc_batch_job``): finished files are saved as job
steps, so a batch resumed after a lost worker re-checks only what was not finished.

Report (``cutproof.qc.batch/1``)::

    {"schema": "cutproof.qc.batch/1", "checked_at": …, "total": N, "counts": {"pass": …, "fail": …,
     "could not check": …}, "verdict": "pass" | "fail", "files": [{"file", "verdict", "file_sha256", "failures":
     [{"name", "status", "reason"}], "notes", "error"}, …]}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cutproof.core.errors import USER_ERRORS, CutproofError
from cutproof.core.jobs import Job, JobContext, JobQueue
from cutproof.core.projects import Project
from cutproof.core.workspace import Workspace

QC_BATCH_JOB = "qc-batch"
SCHEMA = "cutproof.qc.batch/1"
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".mxf", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".flv"})
"""What a directory scan takes for a deliverable (a listed file is checked whatever its name)."""
COULD_NOT_CHECK = "could not check"
VERDICTS = ("pass", "fail", COULD_NOT_CHECK)
SAVE_EVERY_S = 1.0


class QcBatchInputError(CutproofError):
    """The batch's input (directory, list file, listed files) cannot be used; nothing was checked."""


def collect_inputs(source: Path) -> list[Path]:
    """The deliverables a batch checks: the video files under directory ``source``, or the paths listed in the
    text file ``source`` — absolute, in a stable order, without duplicates.

    Raises:
        QcBatchInputError: ``source`` is missing, unreadable, names a missing file, or names no file at all.
    """
    source = Path(source)
    if source.is_dir():
        found = sorted(
            p.resolve()
            for p in source.rglob("*")
            if p.is_file()
            and p.suffix.lower() in VIDEO_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(source).parts)
        )
        if not found:
            raise QcBatchInputError(
                f"{source} holds no video files ({', '.join(sorted(VIDEO_SUFFIXES))}); nothing to check"
            )
        return found
    if not source.exists():
        raise QcBatchInputError(f"{source} does not exist: give a directory of deliverables or a file listing them")
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QcBatchInputError(f"cannot read the list {source}: {exc}") from None
    paths: list[Path] = []
    for n, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        p = Path(entry).expanduser()
        p = (p if p.is_absolute() else source.parent / p).resolve()
        if not p.is_file():
            raise QcBatchInputError(f"{source} line {n}: {entry} does not exist or is not a file; nothing checked")
        if not os.access(p, os.R_OK):
            raise QcBatchInputError(f"{source} line {n}: {entry} cannot be read (permissions); nothing checked")
        if p not in paths:
            paths.append(p)
    if not paths:
        raise QcBatchInputError(f"{source} lists no files (one path a line); nothing to check")
    return paths


_WORKSPACES: dict[tuple[str, str | None, str | None], Workspace] = {}


def verify_file(home: str, db_url: str | None, tsa_url: str | None, path: str, origin: str | None) -> dict[str, Any]:
    """One file's verdict, as ``cutproof qc verify`` gives it (runs in a worker: a process of a pool or a Ray
    task). The workspace is opened once per worker process and kept."""
    from cutproof.qc.verify import QcInputError, verify_deliverable  # in the worker, not in the CLI's start-up

    key = (home, db_url, tsa_url)
    ws = _WORKSPACES.get(key)
    if ws is None:
        ws = _WORKSPACES[key] = Workspace(Path(home), db_url, tsa_url=tsa_url).require()
    try:
        report = verify_deliverable(ws, Path(path), origin=origin)
    except QcInputError as exc:
        return _entry(path, COULD_NOT_CHECK, error=f"could not check: {exc}")
    except USER_ERRORS as exc:
        return _entry(path, COULD_NOT_CHECK, error=f"could not check {Path(path).name}: {exc}")
    return _entry(
        path,
        report.verdict,
        file_sha256=report.file_sha256,
        failures=[{"name": c.name, "status": str(c.status), "reason": c.reason} for c in report.failures()],
        notes=list(report.notes),
    )


def _entry(path: str, verdict: str, **kw: Any) -> dict[str, Any]:
    return {"file": path, "verdict": verdict, "file_sha256": None, "failures": [], "notes": [], "error": None, **kw}


@dataclass
class BatchReport:
    """The summary of a batch: one entry per file, in input order."""

    files: list[dict[str, Any]]
    checked_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def counts(self) -> dict[str, int]:
        return {v: sum(1 for f in self.files if f["verdict"] == v) for v in VERDICTS}

    @property
    def passed(self) -> bool:
        return bool(self.files) and all(f["verdict"] == "pass" for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "checked_at": self.checked_at,
            "total": len(self.files),
            "counts": self.counts,
            "verdict": "pass" if self.passed else "fail",
            "files": self.files,
        }


Progress = Callable[[int, int, int, dict[str, Any]], None]


def verify_many(
    ws: Workspace,
    paths: Iterable[Path | str],
    executor: Executor,
    *,
    origin: str | None = None,
    done: Mapping[int, dict[str, Any]] | None = None,
    on_result: Progress | None = None,
) -> BatchReport:
    """Verify ``paths`` on ``executor`` (one task per file); ``done``: results of files already checked (by input
    position), not checked again; ``on_result(finished, total, position, entry)`` after each file."""
    items = [str(p) for p in paths]
    results: dict[int, dict[str, Any]] = dict(done or {})
    db = ws._db_url  # None: the embedded SQLite file under the home
    futures: dict[Future[dict[str, Any]], int] = {
        executor.submit(verify_file, str(ws.home.resolve()), db, ws.tsa_url, path, origin): i
        for i, path in enumerate(items)
        if i not in results
    }
    for fut in as_completed(futures):
        i = futures[fut]
        results[i] = fut.result()
        if on_result is not None:
            on_result(len(results), len(items), i, results[i])
    return BatchReport([results[i] for i in range(len(items))])


def local_executor(workers: int = 0) -> Executor:
    """The in-process engine: a pool of ``workers`` processes (0: one per core), started fresh (``spawn``: the
    caller may run threads, e.g. a server)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    n = workers or os.cpu_count() or 1
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))


def submit_qc_batch(ws: Workspace, project: Project, files: list[tuple[str, Path]], *, identity: str) -> Job:
    """Queue a ``qc-batch`` job over ``files`` (the name to report, the stored file) of ``project``.

    Raises:
        QcBatchInputError: no files.
    """
    if not files:
        raise QcBatchInputError("a QC batch needs at least one file")
    payload = {"files": [{"name": name, "path": str(path)} for name, path in files], "origin": project.origin}
    return JobQueue(ws.engine).submit(project.slug, QC_BATCH_JOB, payload, created_by=identity)


def saved_results(steps: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """The per-file results a batch job saved so far (its ``qc:…`` steps), by input position."""
    out: dict[int, dict[str, Any]] = {}
    for name, chunk in steps.items():
        if name.startswith("qc:"):
            out.update({int(i): entry for i, entry in chunk})
    return out


def run_qc_batch_job(
    ws: Workspace, ctx: JobContext, payload: Mapping[str, Any], make_executor: Callable[[], Executor]
) -> dict[str, Any]:
    """The ``qc-batch`` job: check every file on ``make_executor()``'s workers, saving finished files every
    ``SAVE_EVERY_S`` as a step, and return the report (files named as submitted)."""
    files = list(payload["files"])
    names = [str(f["name"]) for f in files]
    done = saved_results(ctx.job.steps)
    pending: list[tuple[int, dict[str, Any]]] = []
    last = [time.monotonic(), len(ctx.job.steps)]

    def save() -> None:
        if pending:
            chunk = list(pending)
            pending.clear()
            last[1] += 1
            ctx.step(f"qc:{last[1]}", lambda: chunk)

    def on_result(finished: int, total: int, i: int, entry: dict[str, Any]) -> None:
        pending.append((i, {**entry, "file": names[i]}))
        if time.monotonic() - last[0] >= SAVE_EVERY_S:
            last[0] = time.monotonic()
            save()
            ctx.progress(finished / total, f"checked {finished} of {total} files")

    ctx.progress(len(done) / max(len(files), 1), f"checking {len(files)} files")
    executor = make_executor()
    try:
        report = verify_many(
            ws,
            [f["path"] for f in files],
            executor,
            origin=payload.get("origin"),
            done={i: {**e, "file": str(files[i]["path"])} for i, e in done.items()},
            on_result=on_result,
        )
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    save()
    for i, entry in enumerate(report.files):
        entry["file"] = names[i]
    return json.loads(json.dumps(report.to_json()))
