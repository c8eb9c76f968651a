"""API benchmark: gate decisions through the HTTP API under open-loop load from a second process, and edits
rendered per minute end to end. Prints one JSON line per metric.

    python bench/api.py [--rates 50,200,500] [--seconds 10] [--processes 2] [--renders 3] [--quick]

Set-up (``tests/_support/gated_project.py``, shared with the end-to-end API tests): a fresh workspace (SQLite,
durable) with one project, the GRID clips of ../shared/footage as dailies, a performer with a consent grant, and an
editor token; ``cutproof serve --processes N`` (default 2, one per core) runs on loopback with its worker pool off
for the latency part (render excluded, as the target says) and its access log on (written to a file). Each request
is a real ``POST /edits`` — the full gate: token check, catalogue lookup, who-is-there (the face scan of the
first request is stored in the workspace per clip content/region/range/cast model and read by every process; the
warm-up sends 8 requests per process, each on a new connection), consent state, policy evaluation, and the
``policy.decided/1`` ledger append (fsync, signed checkpoint; concurrent decisions of one process share one group
commit; the processes take turns on the database's writer lock) plus the request row.

The load generator is a separate process on the same 2 cores, so it is kept cheap: raw asyncio HTTP/1.1 on
keep-alive connections (a new connection is opened only when every open one is busy; one idle for 4 s is dropped
before the server's 5 s keep-alive ends), the request bytes built once, and no garbage collection during the run
(it is forked from the set-up process and would otherwise pause ~150 ms to scan the objects it inherited). It is
open loop: request ``i`` is due at ``start + i/rate`` whatever happened before, and its latency is measured from
that due time (a slow server cannot slow the senders or hide its queueing). Each rate's line gives p50/p99 of the
answered requests, the achieved rate of successful decisions, the shed (503) and failure counts, the server's CPU
per request (all its processes, from /proc) and the load generator's own CPU use.

No peer exists for this whole path, so no ratio is printed. Target: p99 ≤ 20 ms at 200 requests/s on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FOOTAGE = ROOT.parent / "shared" / "footage"
SECRET = "bench-api-" + "k" * 32
PROJECT = "bench"
EDITS = f"/api/v1/projects/{PROJECT}/edits"
MAX_CONNECTIONS = 512
ANSWER_TIMEOUT_S = 30.0
IDLE_REUSE_S = 4.0


def emit(**fields: Any) -> None:
    print(json.dumps(fields, sort_keys=True), flush=True)


def prepare(home: Path) -> dict[str, str]:
    from cutproof.core.workspace import Workspace
    from tests._support.gated_project import setup_gated_project

    ws = Workspace(home)
    ws.init()
    return setup_gated_project(
        ws, FOOTAGE, home.parent, secret=SECRET, slug=PROJECT, users=(("ed", "editor"), ("lee", "legal"))
    )


# -- the load generator ----------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What one open-loop run saw."""

    latencies_ms: list[float] = field(default_factory=list)  # answered with the expected status
    shed: int = 0  # answered 503 (load shedding)
    failures: int = 0  # any other status, a broken connection or no answer in time
    statuses: dict[int, int] = field(default_factory=dict)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    connections: int = 0


def _request_bytes(host: str, port: int, token: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST {EDITS} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bool]:
    """Send one request, read its answer; returns (status, whether the connection can be reused)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, keep = 0, True
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
    if length:
        await reader.readexactly(length)
    return status, keep


async def _open_loop(host: str, port: int, request: bytes, rate: int, seconds: float, ok: int) -> LoadResult:
    res = LoadResult()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []  # most recently used last
    opened = 0
    slots = asyncio.Semaphore(MAX_CONNECTIONS)

    def reusable() -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        # Like any HTTP client, drop connections idle for longer than the server keeps them (uvicorn: 5 s), so a
        # request is never sent on one the server is closing.
        while idle:
            reader, writer, since = idle.pop()
            if time.perf_counter() - since < IDLE_REUSE_S:
                return reader, writer
            writer.close()
        return None

    async def one(due: float) -> None:
        nonlocal opened
        async with slots:
            try:
                if (conn := reusable()) is None:
                    conn = await asyncio.open_connection(host, port)
                    opened += 1
                status, keep = await asyncio.wait_for(_exchange(*conn, request), ANSWER_TIMEOUT_S)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                res.failures += 1
                return
            latency = (time.perf_counter() - due) * 1000
            res.statuses[status] = res.statuses.get(status, 0) + 1
            if status == ok:
                res.latencies_ms.append(latency)
            elif status == 503:
                res.shed += 1
            else:
                res.failures += 1
            if keep:
                idle.append((*conn, time.perf_counter()))
            else:
                conn[1].close()

    cpu0 = time.process_time()
    start = time.perf_counter() + 0.05
    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    res.wall_s = time.perf_counter() - start
    res.cpu_s = time.process_time() - cpu0
    res.connections = opened
    for _, writer, _ in idle:
        writer.close()
    return res


def _load_process(host: str, port: int, request: bytes, rate: int, seconds: float, out: Any) -> None:
    # Forked from the set-up process, this one inherits its ~300,000 objects (cutproof, OpenCV, SciPy); a full
    # garbage collection over them would pause the sender for ~150 ms and count as server latency. The run itself
    # makes no reference cycles worth collecting.
    gc.collect()
    gc.freeze()
    gc.disable()
    out.put(asyncio.run(_open_loop(host, port, request, rate, seconds, 201)))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its child processes (the server processes under uvicorn's
    supervisor), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(OSError):  # exited meanwhile
            total += _cpu_seconds(int(child))
    return total


def _pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def latency(
    base: str,
    pid: int,
    s: dict[str, str],
    rates: list[int],
    seconds: float,
    processes: int,
    server_path: str | None = None,
) -> None:
    import httpx

    from tests._support.gated_project import background_edit

    body = background_edit(s)
    for _ in range(8 * processes):  # warm-up, each on a new connection so that every server process gets some
        r = httpx.post(base + EDITS, json=body, timeout=120, headers={"Authorization": f"Bearer {s['ed']}"})
        assert r.status_code == 201, r.text
    host, port = base.removeprefix("http://").split(":")
    request = _request_bytes(host, int(port), s["ed"], body)
    for rate in rates:
        q: Any = mp.Queue()
        proc = mp.Process(target=_load_process, args=(host, int(port), request, rate, seconds, q))
        load0 = os.getloadavg()[0]
        cpu0 = _cpu_seconds(pid)
        proc.start()
        res: LoadResult = q.get()
        proc.join()
        server_cpu = _cpu_seconds(pid) - cpu0
        answered = len(res.latencies_ms) + res.shed
        emit(
            metric="gate_http_latency",
            offered_rate=rate,
            requests=int(rate * seconds),
            decided=len(res.latencies_ms),
            shed_503=res.shed,
            shed_rate=round(res.shed / max(1, int(rate * seconds)), 4),
            failures=res.failures,
            statuses={str(k): v for k, v in sorted(res.statuses.items())},
            achieved_rate=round(len(res.latencies_ms) / res.wall_s, 1),
            p50_ms=_round(_pct(res.latencies_ms, 50)),
            p99_ms=_round(_pct(res.latencies_ms, 99)),
            max_ms=_round(max(res.latencies_ms, default=None)),
            server_cpu_ms_per_request=round(server_cpu * 1000 / max(1, answered), 2),
            server_cpu_cores=round(server_cpu / res.wall_s, 2),
            loadgen_cpu_cores=round(res.cpu_s / res.wall_s, 3),
            loadgen_cpu_ms_per_request=round(res.cpu_s * 1000 / max(1, int(rate * seconds)), 3),
            connections=res.connections,
            load_average_1m_before=round(load0, 2),
            server_extra_path=server_path,
            server_processes=processes,
            cores=os.cpu_count(),
            unit="ms",
            target="p99 <= 20 ms at 200 req/s",
            durability="sqlite WAL synchronous=FULL, group commit",
            note="latency from each request's due time (open loop); p50/p99 over successful decisions (201)",
        )


def renders(home: Path, s: dict[str, str], n: int) -> None:
    """Edits rendered per minute end to end (submit → review → render → label → deliver), in process."""
    from cutproof.core.jobs import JobQueue, WorkerPool
    from cutproof.core.projects import get_project
    from cutproof.core.workspace import Workspace
    from cutproof.edits.flow import job_handlers, sign_review, submit
    from cutproof.edits.submission import EditSubmission
    from tests._support.gated_project import background_edit

    ws = Workspace(home)
    project = get_project(ws, PROJECT)
    t0 = time.perf_counter()
    for _ in range(n):
        sub = EditSubmission.model_validate(background_edit(s, end=50))
        gate, job = submit(ws, project, sub, identity="bench")
        if job is None:
            sign_review(ws, project, gate.request_id, approve=True, note="bench", reviewer="bench:legal")
    pool = WorkerPool(JobQueue(ws.engine), job_handlers(ws))
    done = 0
    while (job := pool.run_one()) is not None:
        done += job.state == "succeeded"
    minutes = (time.perf_counter() - t0) / 60
    emit(
        metric="edits_rendered_per_minute",
        value=round(done / minutes, 2),
        edits=done,
        unit="edits/min",
        clip="grid_pwij3p.mpg 360x288, 50 frames, background replacement, labelled (watermark + C2PA)",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="50,200,500")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--renders", type=int, default=3)
    ap.add_argument(
        "--processes", type=int, default=2, help="server processes (`cutproof serve --processes`; default 2 = cores)"
    )
    ap.add_argument("--quick", action="store_true", help="one low rate for 1 s and one render")
    ap.add_argument(
        "--server-path",
        metavar="DIR",
        help="extra import path for the server process (e.g. a folder with uvloop and httptools, which uvicorn "
        "then uses) — for comparing server set-ups; the JSON lines name it",
    )
    ap.add_argument(
        "--profile",
        metavar="OUT",
        help="run the server under py-spy (on PATH or $PY_SPY) and write its collapsed stacks (all threads) to OUT",
    )
    args = ap.parse_args()
    rates = [20] if args.quick else [int(r) for r in args.rates.split(",")]
    seconds = 1.0 if args.quick else args.seconds
    if not FOOTAGE.is_dir():
        sys.exit(f"bench/api.py needs the shared footage at {FOOTAGE}")
    from tests._support.server import server_process

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        home = Path(tmp) / "home"
        s = prepare(home)
        wrapper: list[str] = []
        if args.profile:
            spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
            if not spy:
                sys.exit("--profile needs py-spy on PATH or PY_SPY=/path/to/py-spy")
            wrapper = [spy, "record", "--nonblocking", "--subprocesses", "--threads", "--format", "raw"]
            wrapper += ["--rate", "250"]
            wrapper += ["-o", args.profile, "--"]
        env = {"PYTHONPATH": f"{ROOT}{os.pathsep}{args.server_path}"} if args.server_path else None
        with server_process(
            home, secret=SECRET, workers=0, processes=args.processes, wrapper=wrapper, extra_env=env
        ) as server:
            print(f"# server pid {server.pid}, log {server.log}", file=sys.stderr, flush=True)
            latency(server.base, server.pid, s, rates, seconds, args.processes, args.server_path)
        if args.renders:
            renders(home, s, 1 if args.quick else args.renders)


if __name__ == "__main__":
    main()
