"""Several processes on one PostgreSQL database, as a deployment with several API processes and Ray workers runs:
the job table's compare-and-swap claims hand each job to exactly one process, and their app-table writes all land."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from cutproof.core import auth
from cutproof.core.jobs import JobQueue
from cutproof.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
WORKER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from cutproof.core import auth
    from cutproof.core.jobs import JobQueue, WorkerPool
    from cutproof.core.workspace import Workspace

    ws = Workspace(Path(sys.argv[1]), sys.argv[2]).require()
    ran = Path(sys.argv[3])

    def handler(ctx, payload):
        # a job run twice would fail here: its marker exists already
        fd = os.open(ran / ctx.job.job_id, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        auth.add_user(ws.engine, "user-" + ctx.job.job_id[:12])  # an app-table write per job
        return {"pid": os.getpid()}

    pool = WorkerPool(JobQueue(ws.engine), {"noop": handler})
    # start claiming together: a process started first on a busy machine could otherwise drain the queue alone
    (ran.parent / f"ready-{os.getpid()}").touch()
    for _ in range(600):
        if len(list(ran.parent.glob("ready-*"))) >= int(sys.argv[4]):
            break
        time.sleep(0.1)
    while pool.run_one() is not None:
        pass
    """
)


@pytest.mark.postgres
def test_processes_share_one_postgres_job_table(postgres_db: str, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    queue = JobQueue(ws.engine)
    jobs = [queue.submit("p", "noop", {"n": i}, created_by="test") for i in range(40)]
    ran = tmp_path / "ran"
    ran.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = [sys.executable, "-c", WORKER, str(ws.home), postgres_db, str(ran), "3"]
    procs = [subprocess.Popen(worker, env=env) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    done = [queue.get(j.job_id) for j in jobs]
    assert all(j.state == "succeeded" and j.attempts == 1 for j in done), [j.error for j in done]
    assert sorted(p.name for p in ran.iterdir()) == sorted(j.job_id for j in jobs)  # each ran exactly once
    pids = {int((ran / j.job_id).read_text()) for j in jobs}
    assert len(pids) >= 2, "the processes were meant to share the jobs"
    with ws.engine.connect() as conn:
        users = set(conn.execute(select(auth.users_table.c.username)).scalars())
    assert {"user-" + j.job_id[:12] for j in jobs} <= users
