from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine

from cutproof.core import schema
from cutproof.core._job_queue import _now
from cutproof.core.jobs import CleaningHandler, JobContext, JobError, JobQueue, WorkerPool
from store.db import open_engine

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    e = open_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    schema.upgrade(e)
    return e


def _add(ctx: JobContext, payload: Mapping[str, Any]) -> dict[str, Any]:
    a = ctx.step("first", lambda: payload["a"] + 1)
    ctx.progress(0.5, "half")
    b = ctx.step("second", lambda: a * 10)
    return {"value": b}


def test_run_to_success(engine: Engine) -> None:
    q = JobQueue(engine)
    job = q.submit("p", "add", {"a": 1}, created_by="test")
    assert job.state == "queued"
    done = WorkerPool(q, {"add": _add}).run_one()
    assert done is not None and done.state == "succeeded"
    assert done.result == {"value": 20}
    assert done.steps == {"first": 2, "second": 20}
    assert done.progress == 1.0


def test_failure_is_recorded(engine: Engine) -> None:
    def boom(ctx: JobContext, payload: Mapping[str, Any]) -> dict[str, Any]:
        raise ValueError("bad frame range 10..5")

    q = JobQueue(engine)
    q.submit("p", "boom", {}, created_by="t")
    done = WorkerPool(q, {"boom": boom}).run_one()
    assert done is not None and done.state == "failed"
    assert "bad frame range" in (done.error or "")


def test_cancel_queued_and_running(engine: Engine) -> None:
    q = JobQueue(engine)
    queued = q.submit("p", "add", {"a": 1}, created_by="t")
    assert q.cancel(queued.job_id).state == "cancelled"

    def cancels_itself(ctx: JobContext, payload: Mapping[str, Any]) -> dict[str, Any]:
        q.cancel(ctx.job.job_id)
        ctx.progress(0.1, "working")
        raise AssertionError("progress() must raise after cancellation")

    q.submit("p", "self", {}, created_by="t")
    done = WorkerPool(q, {"self": cancels_itself}).run_one()
    assert done is not None and done.state == "cancelled"


def test_unknown_job_and_foreign_project(engine: Engine) -> None:
    q = JobQueue(engine)
    job = q.submit("p", "add", {"a": 1}, created_by="t")
    with pytest.raises(JobError):
        q.get("nope")
    with pytest.raises(JobError):
        q.get(job.job_id, project="other")
    with pytest.raises(JobError, match="not JSON"):
        q.submit("p", "add", {"a": object()}, created_by="t")


_CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import timedelta
    from cutproof.core.jobs import JobQueue, WorkerPool
    from store.db import open_engine
    engine = open_engine(sys.argv[1])
    calls = open(sys.argv[2], "a")
    def handler(ctx, payload):
        def first():
            calls.write("first\\n"); calls.flush()
            return 1
        ctx.step("first", first)
        print("STEP1", flush=True)
        time.sleep(60)  # killed here
        return {}
    WorkerPool(JobQueue(engine, lease=timedelta(seconds=1)), {"slow": handler}).run_one()
    """
)


def test_killed_worker_resumes_at_unfinished_step(engine: Engine, tmp_path: Path) -> None:
    q = JobQueue(engine, lease=timedelta(seconds=1))
    job = q.submit("p", "slow", {}, created_by="t")
    calls = tmp_path / "calls.txt"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(engine.url), str(calls)], stdout=subprocess.PIPE, env=env, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "STEP1"
    child.send_signal(signal.SIGKILL)
    child.wait()
    time.sleep(1.2)  # let the dead worker's lease expire

    def handler(ctx: JobContext, payload: Mapping[str, Any]) -> dict[str, Any]:
        first = ctx.step("first", lambda: pytest.fail("step 'first' must not run twice"))
        return {"first": first, "resumed": True}

    done = WorkerPool(q, {"slow": handler}).run_one()
    assert done is not None and done.job_id == job.job_id
    assert done.state == "succeeded" and done.result == {"first": 1, "resumed": True}
    assert done.attempts == 2
    assert calls.read_text() == "first\n"


def test_gives_up_after_max_attempts(engine: Engine) -> None:
    q = JobQueue(engine, lease=timedelta(seconds=0), max_attempts=1)
    job = q.submit("p", "x", {}, created_by="t")
    assert q.claim("w1", ["x"]) is not None  # attempt 1; the worker then "dies"
    assert q.claim("w2", ["x"]) is None
    assert q.get(job.job_id).state == "failed"


def test_the_claim_that_gives_a_job_up_hands_it_to_its_kinds_clean_up(engine: Engine) -> None:
    """A job its workers were lost on ``max_attempts`` times ran no handler to its end: the worker whose claim fails
    it runs the kind's ``CleaningHandler.given_up`` once, after the failure is recorded; a plain handler has none."""
    q = JobQueue(engine, lease=timedelta(seconds=0), max_attempts=1)
    cleaned: list[tuple[str, str]] = []
    handlers = {
        "x": CleaningHandler(lambda ctx, p: {}, lambda job: cleaned.append((job.job_id, job.state))),
        "plain": lambda ctx, p: {},
    }
    job = q.submit("p", "x", {"request_id": "r1"}, created_by="t")
    plain = q.submit("p", "plain", {}, created_by="t")
    assert q.claim_job("w1", job.job_id, ["x"]) is not None  # attempt 1; the worker then "dies"
    assert q.claim_job("w1", plain.job_id, ["plain"]) is not None
    pool = WorkerPool(q, handlers)
    assert pool.run_one("w2") is None
    assert cleaned == [(job.job_id, "failed")]
    assert q.get(plain.job_id).state == "failed"  # given up too, with nothing to clean
    assert pool.run_one("w3") is None and cleaned == [(job.job_id, "failed")]  # once


def test_a_lease_renewed_since_it_was_read_is_not_given_up(engine: Engine) -> None:
    """The give-up is a compare-and-swap like a claim: a worker that renewed its lease between the claimer's read of
    the job and its give-up is back, not lost, and keeps the job; nothing is cleaned up."""
    q = JobQueue(engine, lease=timedelta(seconds=0), max_attempts=1)
    job = q.submit("p", "x", {}, created_by="t")
    assert q.claim("w1", ["x"]) is not None
    read = SimpleNamespace(job_id=job.job_id, state="running", attempts=1)  # what the claimer read: expired
    assert q._update(job.job_id, "w1", lease_expires=_now() + timedelta(hours=1))  # w1 renews meanwhile
    cleaned: list[Any] = []
    q._give_up(read, _now(), cleaned.append)
    assert q.get(job.job_id).state == "running" and cleaned == []
