"""Benchmark of the application's table operations on the gate's path, in process, against a peer checkout.

    PYTHONPATH=. python bench/app_tables.py [--baseline DIR] [--runs 5] [--rounds 15] [--calls 200]

What a gate decision does with the application's own tables (``cutproof/core/models.py``), each measured as the
median over rounds of the time per call, wall clock and CPU: ``authenticate`` (the token and the user's
memberships, prebuilt statements run on SQLite's driver), the project read (``get_project`` with its per-engine
memory cleared, so the row is read and validated), a stored who-is-there answer read (``PresenceStore.get``), the
request row and the render job written in the decision's transaction (``insert_request`` + ``JobQueue.insert``;
``calls`` of them in one transaction, rolled back, so no fsync is timed), and a request and a job read back as
their public views (``RequestStore.get``, ``JobQueue.get``); and, alone, the step from a job, a request and a
project row as the database returns them to their public views (``model_validate``).

With ``--baseline DIR`` (another checkout, e.g. the commit before the tables became SQLModel models) the same
measurement runs in fresh processes for both trees, alternating, ``--runs`` times each, and each metric's line
gives both medians and the ratio (this tree / baseline). Each process pins itself to one CPU where the OS allows.
Prints one JSON line per metric.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEPPER = b"bench-app-tables"


def _timed(fn: Callable[[], None], rounds: int, calls: int) -> tuple[float, float]:
    """Median wall and CPU microseconds per call of ``fn`` (which performs ``calls`` calls)."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w0) / calls * 1e6)
        cpu.append((time.process_time() - c0) / calls * 1e6)
    return statistics.median(wall), statistics.median(cpu)


def measure(rounds: int, calls: int) -> dict[str, tuple[float, float]]:
    """Set up a workspace in a temporary folder and time each operation (imports the tree on ``sys.path``)."""
    from sqlalchemy import select

    from cutproof.cast.store import PresenceStore, presence_key
    from cutproof.core import auth
    from cutproof.core.jobs import Job, JobQueue, jobs_table
    from cutproof.core.projects import Project, ProjectContext, create_project, get_project, projects_table
    from cutproof.core.workspace import Workspace
    from cutproof.edits.requests import EditRequestRecord, RequestStore, insert_request, requests_table

    out: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-app-tables-") as tmp:
        ws = Workspace(Path(tmp) / "home")
        ws.init()
        engine = ws.engine
        create_project(ws, "film", "Film", ProjectContext(), identity="bench")
        auth.add_user(engine, "ed")
        for project in ("film", "other", "third"):
            auth.grant_role(engine, "ed", project, "editor")
        token = auth.issue_token(engine, "ed", pepper=PEPPER).token
        store, key = PresenceStore(engine), presence_key("bench", "clip", 0, 10)
        store.put(key, {"detected": [], "unidentified_faces": 1, "method": "bench", "evidence": {"frames": [0, 4]}})
        queue = JobQueue(engine)
        submission = {"shot": "abc123", "kind": "background", "purpose": "continuity", "region": "0,0,64,64"}
        decision = {"outcome": "allow", "reasons": ["consent in force"], "obligations": {"marking": ["watermark"]}}

        def auth_calls() -> None:
            for _ in range(calls):
                auth.authenticate(engine, token, pepper=PEPPER)

        def project_calls() -> None:
            for _ in range(calls):
                engine.__dict__.pop("_cutproof_projects", None)  # read the row, as on the first request
                get_project(ws, "film")

        def presence_calls() -> None:
            for _ in range(calls):
                store.get(key)

        def write_calls() -> None:
            with engine.connect() as conn:
                tx = conn.begin()
                for i in range(calls):
                    job = queue.insert(conn, "film", "render-edit", {"request_id": f"r{i}"}, created_by="api:ed")
                    insert_request(
                        conn,
                        request_id=f"{i:032x}",
                        project="film",
                        clip_hash="ab" * 32,
                        submission=submission,
                        decision=decision,
                        decision_index=i,
                        submitted_by="api:ed",
                        at=datetime.now(UTC),
                        state="queued",
                        job_id=job.job_id,
                    )
                tx.rollback()

        with engine.begin() as conn:
            job = queue.insert(conn, "film", "render-edit", {"request_id": "kept"}, created_by="api:ed")
            insert_request(
                conn,
                request_id="f" * 32,
                project="film",
                clip_hash="ab" * 32,
                submission=submission,
                decision=decision,
                decision_index=1,
                submitted_by="api:ed",
                at=datetime.now(UTC),
                state="queued",
                job_id=job.job_id,
            )
        requests = RequestStore(engine)

        def read_calls() -> None:
            for _ in range(calls):
                requests.get("f" * 32, "film")
                queue.get(job.job_id)

        with engine.connect() as conn:  # rows as the database returns them, for the row → public view step alone
            job_row = dict(conn.execute(select(jobs_table)).mappings().first() or {})
            request_row = dict(conn.execute(select(requests_table)).mappings().first() or {})
            project_row = dict(conn.execute(select(projects_table)).mappings().first() or {})

        def view_calls() -> None:
            for _ in range(calls):
                Job.model_validate(job_row)
                EditRequestRecord.model_validate(request_row)
                Project.model_validate(project_row)

        for name, fn in (
            ("rows_to_views", view_calls),
            ("authenticate", auth_calls),
            ("project_read", project_calls),
            ("presence_read", presence_calls),
            ("request_and_job_insert", write_calls),
            ("request_and_job_read", read_calls),
        ):
            out[name] = _timed(fn, rounds, calls)
        engine.dispose()
    return out


def _emit(**fields: Any) -> None:
    print(json.dumps({"bench": "app_tables", **fields}, sort_keys=True), flush=True)


def _pin() -> bool:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        return True
    return False


def _worker(tree: Path, rounds: int, calls: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, __file__, "--worker", "--rounds", str(rounds), "--calls", str(calls)]
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="another checkout to compare with (run alternately)")
    ap.add_argument("--runs", type=int, default=5, help="processes per tree with --baseline (default 5)")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:  # the tree to measure is on PYTHONPATH; bench/ must not shadow its packages (bench/consent.py)
        sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(__file__).resolve().parent]
        _pin()
        print(json.dumps(measure(args.rounds, args.calls)))
        return
    env = {"python": sys.version.split()[0], "loadavg_1m": os.getloadavg()[0], "calls": args.calls}
    if args.baseline is None:
        sys.path.insert(0, str(ROOT))
        pinned = _pin()
        for name, (wall, cpu) in measure(args.rounds, args.calls).items():
            _emit(metric=f"{name}_us", wall=round(wall, 2), cpu=round(cpu, 2), unit="us/call", pinned=pinned, **env)
        return
    runs: dict[str, list[dict[str, list[float]]]] = {"this": [], "baseline": []}
    for _ in range(args.runs):  # alternate, so both trees see the same machine conditions
        runs["this"].append(_worker(ROOT, args.rounds, args.calls))
        runs["baseline"].append(_worker(args.baseline.resolve(), args.rounds, args.calls))
    env["loadavg_1m_end"] = os.getloadavg()[0]
    for name in runs["this"][0]:
        row: dict[str, Any] = {}
        for i, axis in enumerate(("wall", "cpu")):
            this = statistics.median(r[name][i] for r in runs["this"])
            base = statistics.median(r[name][i] for r in runs["baseline"])
            row[axis] = {"this": round(this, 2), "baseline": round(base, 2), "ratio": round(this / base, 3)}
        _emit(metric=f"{name}_us", unit="us/call", runs=args.runs, baseline=str(args.baseline), **row, **env)


if __name__ == "__main__":
    main()
