"""Benchmark of the policy gate: decisions per second on one core with all shipped packs loaded, and the time
to load and validate all packs. Prints one JSON line per metric.

    PYTHONPATH=. python bench/gate.py [--seconds 3]

Inputs are the shipped example requests (``policies/examples/*.yaml``: allow, deny and review cases with 1
performer, inline consent state), each also varied over 8 shots. "warm" reuses each consent-state object across
decisions (its canonical bytes are cached, as when the gate evaluates many shots against one state); "cold"
rebuilds the consent-state object for every decision (canonical JSON and index recomputed). The process is pinned
to one CPU where the OS allows; both wall-clock and CPU-time rates are printed (CPU time is the fair per-core
figure on a shared machine). There is no peer implementation to compare against.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policies import ConsentState, PolicySet, load_request_file, shipped_pack_paths  # noqa: E402

TARGET_PER_S = 10_000


def _emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "gate", "metric": metric, "value": round(value, 3), "unit": unit, **extra}), flush=True)


def _inputs() -> list[tuple[object, ConsentState]]:
    out = []
    for path in sorted((ROOT / "policies" / "examples").glob("*.yaml")):
        rf = load_request_file(path)
        for i in range(8):
            shot = rf.request.shot if i == 0 else f"{rf.request.shot}-{i}"
            out.append((rf.request.model_copy(update={"shot": shot}), rf.consent))
    return out


def _rate(policy_set: PolicySet, inputs: list, seconds: float, cold: bool) -> tuple[float, float, int]:
    n = 0
    states = [(r, s.model_dump(mode="json")) for r, s in inputs] if cold else None
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        if cold:
            assert states is not None
            for request, raw in states:
                policy_set.evaluate(request, ConsentState.model_validate(raw))
        else:
            for request, state in inputs:
                policy_set.evaluate(request, state)
        n += len(inputs)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return n / wall, n / cpu, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per rate (default 3)")
    args = parser.parse_args()
    pinned = False
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[0]
        os.sched_setaffinity(0, {cpu})
        pinned = True
    env = {"python": platform.python_version(), "pinned_one_cpu": pinned, "loadavg_1m": os.getloadavg()[0]}

    paths = shipped_pack_paths()
    loads: list[float] = []
    cpu_loads: list[float] = []
    for _ in range(20):
        t0, c0 = time.perf_counter(), time.process_time()
        policy_set = PolicySet.load(paths)
        loads.append(time.perf_counter() - t0)
        cpu_loads.append(time.process_time() - c0)
    rules = sum(len(p.rules) for p in policy_set.packs)
    for metric, values in (("pack_load_validate_ms_wall", loads), ("pack_load_validate_ms_cpu", cpu_loads)):
        _emit(metric, statistics.median(values) * 1e3, "ms", packs=len(paths), rules=rules, runs=len(values), **env)

    inputs = _inputs()
    for request, state in inputs[:50]:  # warm-up
        policy_set.evaluate(request, state)
    for cold in (False, True):
        wall_rate, cpu_rate, n = _rate(policy_set, inputs, args.seconds, cold)
        mode = "cold_state" if cold else "warm_state"
        _emit(
            f"decisions_per_s_{mode}_wall",
            wall_rate,
            "1/s",
            decisions=n,
            packs=len(paths),
            rules=rules,
            target=TARGET_PER_S,
            meets_target=wall_rate >= TARGET_PER_S,
            **env,
        )
        _emit(
            f"decisions_per_s_{mode}_cpu",
            cpu_rate,
            "1/s",
            decisions=n,
            packs=len(paths),
            rules=rules,
            target=TARGET_PER_S,
            meets_target=cpu_rate >= TARGET_PER_S,
            **env,
        )


if __name__ == "__main__":
    main()
