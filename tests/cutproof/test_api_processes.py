"""``cutproof serve --processes N``: several server processes share one workspace, one ledger, one job pool."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from cutproof.api.pool import LOCK_NAME, ElectedPool
from cutproof.core.jobs import JobQueue, WorkerPool
from cutproof.core.workspace import Workspace
from ledger.fsck import fsck
from tests._support.gated_project import background_edit, setup_gated_project
from tests._support.server import server_process

SECRET = "procs-secret-" + "y" * 32


def _wait(pred, what: str, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not pred():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.05)


def test_one_process_of_a_workspace_leads_the_job_pool_and_another_takes_over(workspace: Workspace) -> None:
    lock = workspace.home / LOCK_NAME

    def make_pool() -> WorkerPool:
        return WorkerPool(JobQueue(workspace.engine), {}, workers=1)

    first = ElectedPool(lock, make_pool)
    second = ElectedPool(lock, make_pool)  # its own open file: flock excludes it like another process
    first.start()
    _wait(lambda: first.leading, "the first pool leads")
    second.start()
    try:
        time.sleep(0.8)  # more than one poll
        assert not second.leading
        first.stop()
        _wait(lambda: second.leading, "the second pool takes over")
    finally:
        first.stop()
        second.stop()


def test_two_server_processes_share_one_ledger_and_one_job_pool(
    workspace: Workspace, footage_dir: Path, tmp_path: Path
) -> None:
    s = setup_gated_project(workspace, footage_dir, tmp_path, secret=SECRET, slug="film")
    with server_process(workspace.home, secret=SECRET, processes=2) as server:
        pids = set(re.findall(r"Started server process \[(\d+)\]", server.log.read_text()))
        assert len(pids) == 2
        url = server.base + "/api/v1/projects/film"
        body = background_edit(s)

        def decide(_: int) -> httpx.Response:  # a new connection each: the kernel spreads them over the processes
            return httpx.post(url + "/edits", json=body, headers={"Authorization": f"Bearer {s['ed']}"}, timeout=120)

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(decide, range(24)))
        assert [r.status_code for r in answers] == [201] * 24, [r.text for r in answers if r.status_code != 201]
        decisions = [r.json() for r in answers]
        assert len({d["decision_index"] for d in decisions}) == 24  # one ledger, no index handed out twice
        assert {d["outcome"] for d in decisions} == {"review"}

        lee = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {s['lee']}"}, timeout=60)
        jobs = []
        for d in decisions[:2]:
            r = lee.post(f"/edits/{d['request_id']}/review", json={"approve": True, "note": "background only"})
            assert r.status_code == 200, r.text
            jobs.append(r.json()["job_id"])
        for job_id in jobs:
            _wait(lambda j=job_id: lee.get(f"/jobs/{j}").json()["state"] in ("succeeded", "failed"), "render", 300)
            assert lee.get(f"/jobs/{job_id}").json()["state"] == "succeeded"
        assert _pool_lock_holders(workspace.home / LOCK_NAME) & pids == _pool_lock_holders(workspace.home / LOCK_NAME)
        assert len(_pool_lock_holders(workspace.home / LOCK_NAME)) == 1  # one process runs the renders
    assert all(r.ok for r in fsck(workspace.engine))


def _pool_lock_holders(lock: Path) -> set[str]:
    """Process ids holding an flock on ``lock``, from /proc/locks."""
    inode = f":{lock.stat().st_ino}"
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1] == "FLOCK" and fields[5].endswith(inode) and fields[3] == "WRITE":
            holders.add(fields[4])
    return holders
