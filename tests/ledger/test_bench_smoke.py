"""`bench/ledger.py --quick` runs end to end and speaks JSON lines (the numbers themselves are not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick_prints_json_metrics(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "ledger.py"), "--quick", "--cache-dir", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    metrics = set()
    for line in lines:
        obj = json.loads(line)
        assert isinstance(obj["metric"], str) and obj["metric"]
        assert isinstance(obj["value"], int | float) and obj["value"] >= 0
        assert obj.get("unit")
        metrics.add((obj["metric"], obj.get("batch"), obj.get("size")))
    assert len(metrics) == len(lines), "a metric was printed twice"
    for batch in (1, 64, 1024):
        assert ("append_entries_per_s", batch, None) in metrics
        assert ("append_ratio_ours_over_pymerkle", batch, None) in metrics
        assert ("submit_to_signed_checkpoint_p99_ms", batch, None) in metrics
    names = {m for m, _, _ in metrics}
    for name in ("inclusion_proof_cold_ms", "consistency_proof_cold_ms", "fsck_leaves_per_s"):
        assert name in names
    assert any(n.endswith("_ratio_ours_over_pymerkle") and "proof" in n for n in names)
    durable = [json.loads(x) for x in lines if json.loads(x)["metric"] == "append_entries_per_s"]
    assert all(d["durability"] == "sqlite WAL synchronous=FULL" for d in durable)
