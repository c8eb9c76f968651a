"""CLI start-up benchmark: how long a ``cutproof`` command takes from a fresh process to its exit.

Each metric is the median wall time of ``--runs`` cold starts (a new interpreter each time, the OS file cache
warm: this is what an auditor scripting ``cutproof ledger prove`` over many entries waits per call), measured in the
same run as the peer ``python -c pass`` (the interpreter's own start-up); every line carries the ratio to it. The
commands run round-robin (one start of each, then the next round), so a noisy neighbour slows all metrics alike.

Measured: ``cutproof --help``; ``cutproof ledger --help`` and every ``cutproof ledger SUB --help``; real runs of the
ledger's read commands, ``append``, ``verify-receipt`` and ``fsck``; ``consent``, ``policy`` and ``audit`` help
and real runs, on a small workspace this script makes first through the CLI (one project, two performers, three
grants, a revocation, a few appended entries; no video). Target (issue 13): each of these ≤ 0.5 s.

    PYTHONPATH=. python bench/cli.py                    # 7 starts per command
    python bench/cli.py --baseline /path/to/old/checkout  # the same commands of another checkout in the same rounds
    python bench/cli.py --repo /path/to/checkout        # measure another checkout's code only
    python bench/cli.py --runs 3 --quick                # a few commands only (smoke run; numbers not meaningful)
    python bench/cli.py --quick --instructions          # also instructions executed, once per command (valgrind)
    python bench/cli.py --only consent --only audit     # the commands whose label contains one of these

One JSON line per metric: ``metric`` (the command line; ``$WORK`` the scratch directory), ``median_s``, ``min_s``,
``max_s`` (wall), ``cpu_median_s`` (user + system CPU of the process: less disturbed than wall time when other work
shares the cores), ``runs``, ``ratio_to_python_pass`` (of the wall medians), ``code`` (the measured checkout's
commit); with ``--baseline`` also ``baseline_median_s``, ``baseline_cpu_median_s``, ``baseline_ratio_to_python_pass``,
``speedup`` (baseline median / median) and ``baseline_code``. With ``--instructions`` (needs valgrind; about 40 s
per command) each line, the peer's included, also carries ``instructions``: the instructions one run executes
(callgrind's count, hash seed fixed: the same within 0.01 % from run to run, whatever else the machine is doing —
where wall and CPU times swing with the load, this is the figure to compare; at about 2e9 instructions per second
on this machine's cores when idle, 0.5 s is about 1e9), and with ``--baseline`` ``baseline_instructions`` and
``instructions_ratio`` (baseline / measured). Then one ``summary`` line with the load average during the run. Not
a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 0.5
LOG = "cutproof.local/bench-film"
NOTES = "cutproof.local/bench-notes"  # raw entries go to a log of their own: a project's log holds only records
LEDGER_SUBCOMMANDS = (
    "create",
    "list",
    "append",
    "checkpoint",
    "vkey",
    "get",
    "prove",
    "consistency",
    "verify-receipt",
    "fsck",
    "export-tiles",
    "rotate-key",
)


class Runner:
    """Runs ``cutproof`` of one checkout, in one workspace, as a fresh process per call."""

    def __init__(self, repo: Path, home: Path) -> None:
        self.repo = repo
        self.env = {
            **os.environ,
            "PYTHONPATH": str(repo),
            "CUTPROOF_HOME": str(home),
            "CUTPROOF_PROJECT": "bench-film",
            "COLUMNS": "100",
        }
        self.env.pop("CUTPROOF_DB", None)
        # Measure the package as installed: with its bytecode cached (the first round writes it), as on a user's
        # machine, even where the calling shell turns bytecode writing off.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def argv(self, args: list[str]) -> list[str]:
        return [sys.executable, "-m", "cutproof", *args]

    def run(self, args: list[str], stdin: bytes = b"", ok: tuple[int, ...] = (0,)) -> bytes:
        """Run once and return stdout; a status outside ``ok`` stops the benchmark with the command's stderr."""
        done = subprocess.run(self.argv(args), input=stdin, capture_output=True, env=self.env, cwd=self.repo)
        if done.returncode not in ok:
            sys.exit(f"`cutproof {' '.join(args)}` exited {done.returncode}:\n{done.stderr.decode(errors='replace')}")
        return done.stdout

    def json(self, args: list[str]) -> dict:
        return json.loads(self.run(args))


def make_workspace(cli: Runner, work: Path) -> dict[str, str]:
    """A small workspace made through the CLI; returns ids and files the measured commands need."""
    cli.run(["init"])
    cli.run(["project", "create", "bench-film", "--name", "Bench Film", "--principal-photography", "2026-03-02"])
    (work / "ada.txt").write_text("consent document of Ada Example\n")
    (work / "ben.txt").write_text("consent document of Ben Example\n")
    ada = cli.json(["performer", "add", "--name", "Ada Example", "--guild", "SAG-AFTRA", "--guild-id", "1", "--json"])
    ben = cli.json(["performer", "add", "--name", "Ben Example", "--json"])
    grants = []
    for who, doc, kinds in ((ada, "ada.txt", ["relight", "background"]), (ben, "ben.txt", ["relight"])):
        scope = [a for k in kinds for a in ("--edit-kind", k)] + ["--purpose", "continuity", "--use", "Relight 1"]
        grant = ["consent", "grant", "--performer", who["performer_id"], "--category", "digital_alteration", *scope]
        signed = ["--document", str(work / doc), "--valid-from", "2026-01-01", "--json"]
        grants.append(cli.json([*grant, *signed])["grant_id"])
    cli.run(["consent", "revoke", grants[1], "--reason", "withdrawn by the performer"])
    lines = b"".join(json.dumps({"kind": "bench.note/1", "seq": i}).encode() + b"\n" for i in range(5))
    cli.run(["ledger", "create", NOTES])
    cli.run(["ledger", "append", "--log", NOTES], stdin=lines)
    (work / "entry-0").write_bytes(cli.run(["ledger", "get", "--log", LOG, "0"]))
    (work / "receipt-0").write_bytes(cli.run(["ledger", "prove", "--log", LOG, "0"]))
    (work / "vkeys").write_bytes(cli.run(["ledger", "vkey", "--log", LOG]))
    return {"performer": ada["performer_id"], "grant": grants[0]}


Command = tuple[list[str], bytes, tuple[int, ...]]


def commands(work: Path, ids: dict[str, str], quick: bool) -> dict[str, Command]:
    """Every measured command by its label: (arguments, stdin, accepted exit statuses)."""
    append_line = json.dumps({"kind": "bench.note/1", "seq": "cold-start"}).encode() + b"\n"
    request = REPO / "policies" / "examples" / "continuity-relight.yaml"
    receipt = [str(work / "receipt-0"), "--entry", str(work / "entry-0"), "--vkey", str(work / "vkeys")]
    covers = ["--performer", ids["performer"], "--edit-kind", "relight", "--purpose", "continuity"]
    covers += ["--at", "2026-06-01"]
    runs: list[Command] = [
        (["--help"], b"", (0,)),
        (["ledger", "--help"], b"", (0,)),
        (["ledger", "prove", "--log", LOG, "0"], b"", (0,)),
        (["consent", "show"], b"", (0,)),
        (["policy", "check"], b"", (0,)),
        (["audit", "--format", "json", "--out", "-"], b"", (0,)),
    ]
    if not quick:
        runs += [(["ledger", sub, "--help"], b"", (0,)) for sub in LEDGER_SUBCOMMANDS]
        runs += [
            (["ledger", "list"], b"", (0,)),
            (["ledger", "checkpoint", "--log", LOG], b"", (0,)),
            (["ledger", "vkey", "--log", LOG], b"", (0,)),
            (["ledger", "get", "--log", LOG, "0"], b"", (0,)),
            (["ledger", "consistency", "--log", LOG, "1"], b"", (0,)),
            (["ledger", "append", "--log", NOTES], append_line, (0,)),
            (["ledger", "verify-receipt", *receipt], b"", (0,)),
            (["ledger", "fsck"], b"", (0,)),
            (["consent", "--help"], b"", (0,)),
            (["consent", "show", "--json"], b"", (0,)),
            (["consent", "history", ids["grant"]], b"", (0,)),
            (["consent", "covers", *covers], b"", (0,)),
            (["policy", "--help"], b"", (0,)),
            (["policy", "evaluate", str(request)], b"", (0,)),
            (["audit", "--help"], b"", (0,)),
            (["audit"], b"", (0,)),
        ]
    named = {str(work): "$WORK", ids["performer"]: "PERFORMER", ids["grant"]: "GRANT"}
    return {" ".join(["cutproof", *(named.get(a, a.replace(str(work), "$WORK")) for a in c[0])]): c for c in runs}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    argv: list[str], cli: Runner | None = None, stdin: bytes = b"", ok: tuple[int, ...] = (0,)
) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``argv`` in a new process."""
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(
        argv, input=stdin, capture_output=True, env=cli.env if cli else None, cwd=cli.repo if cli else None
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        sys.exit(f"`{' '.join(argv)}` exited {done.returncode}:\n{done.stderr.decode(errors='replace')}")
    return elapsed, children_cpu() - cpu


def instructions(argv: list[str], cli: Runner | None = None, stdin: bytes = b"", ok: tuple[int, ...] = (0,)) -> int:
    """Instructions one run of ``argv`` executes, counted by valgrind's callgrind with a fixed hash seed."""
    env = {**(cli.env if cli else os.environ), "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    counted = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv]
    done = subprocess.run(counted, input=stdin, capture_output=True, env=env, cwd=cli.repo if cli else None)
    found = re.search(rb"Collected : (\d+)", done.stderr)
    if done.returncode not in ok or found is None:
        sys.exit(f"`{' '.join(counted)}` exited {done.returncode}:\n{done.stderr.decode(errors='replace')}")
    return int(found.group(1))


def commit_of(repo: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def median_of(values: list[tuple[float, float]]) -> tuple[float, float]:
    """(wall, CPU) medians."""
    return statistics.median(w for w, _ in values), statistics.median(c for _, c in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold starts per command (median reported)")
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose cutproof is measured")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured in the same rounds")
    parser.add_argument("--quick", action="store_true", help="only a few commands")
    parser.add_argument("--only", action="append", help="only commands whose label contains this (repeatable)")
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind; slow)")
    opts = parser.parse_args()
    if opts.instructions and shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    repos = [opts.repo.resolve(), *([opts.baseline.resolve()] if opts.baseline else [])]
    codes = [commit_of(r) for r in repos]
    times: list[dict[str, list[tuple[float, float]]]] = [{} for _ in repos]
    peer: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="cutproof-bench-cli-") as tmp:
        runners, measured = [], []
        for n, repo in enumerate(repos):
            work = Path(tmp) / str(n)
            work.mkdir()
            runners.append(Runner(repo, work / "home"))
            table = commands(work, make_workspace(runners[-1], work), opts.quick)
            measured.append({k: v for k, v in table.items() if not opts.only or any(o in k for o in opts.only)})
        for cli, table in zip(runners, measured, strict=True):  # warm-up: compiles .pyc files, fills the file cache
            for args, stdin, ok in table.values():
                timed(cli.argv(args), cli, stdin, ok)
        load = os.getloadavg()[0]
        for _ in range(opts.runs):
            peer.append(timed([sys.executable, "-c", "pass"]))
            for label in measured[0]:
                for n, cli in enumerate(runners):
                    args, stdin, ok = measured[n][label]
                    times[n].setdefault(label, []).append(timed(cli.argv(args), cli, stdin, ok))
        load = max(load, os.getloadavg()[0])
        counted: list[dict[str, int]] = [{} for _ in repos]
        if opts.instructions:
            counted[0]["python -c pass"] = instructions([sys.executable, "-c", "pass"])
            for label in measured[0]:
                for n, cli in enumerate(runners):
                    args, stdin, ok = measured[n][label]
                    counted[n][label] = instructions(cli.argv(args), cli, stdin, ok)
    peer_wall, peer_cpu = median_of(peer)
    emit = {"metric": "python -c pass", "median_s": round(peer_wall, 4), "cpu_median_s": round(peer_cpu, 4)}
    if opts.instructions:
        emit["instructions"] = counted[0]["python -c pass"]
    print(json.dumps({**emit, "runs": len(peer), "ratio_to_python_pass": 1.0}), flush=True)
    worst = ("", 0.0)
    for label, values in times[0].items():
        wall, cpu = median_of(values)
        worst = max(worst, (label, wall), key=lambda x: x[1])
        line = {
            "metric": label,
            "median_s": round(wall, 4),
            "min_s": round(min(w for w, _ in values), 4),
            "max_s": round(max(w for w, _ in values), 4),
            "cpu_median_s": round(cpu, 4),
            "runs": len(values),
            "ratio_to_python_pass": round(wall / peer_wall, 2),
            "code": codes[0],
        }
        if len(repos) > 1:
            base_wall, base_cpu = median_of(times[1][label])
            line |= {
                "baseline_median_s": round(base_wall, 4),
                "baseline_cpu_median_s": round(base_cpu, 4),
                "baseline_ratio_to_python_pass": round(base_wall / peer_wall, 2),
                "speedup": round(base_wall / wall, 1),
                "baseline_code": codes[1],
            }
        if opts.instructions:
            line["instructions"] = counted[0][label]
            if len(repos) > 1:
                line["baseline_instructions"] = counted[1][label]
                line["instructions_ratio"] = round(counted[1][label] / counted[0][label], 3)
        print(json.dumps(line), flush=True)
    summary = {
        "metric": "summary",
        "slowest": worst[0],
        "slowest_median_s": round(worst[1], 4),
        "target_s": TARGET_S,
        "all_within_target": worst[1] <= TARGET_S,
        "python_pass_median_s": round(peer_wall, 4),
        "commands": len(times[0]),
        "runs": opts.runs,
        "load_average_1min": round(load, 2),
        "cpus": os.cpu_count(),
        "code": codes[0],
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
