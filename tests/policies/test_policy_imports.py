"""Dependency direction: ``policies`` evaluates plain data and imports neither ``consent`` nor ``cutproof``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_policies_imports_no_sibling_package() -> None:
    code = (
        "import sys, policies, policies.engine, policies.request_file\n"
        "ours = {'consent', 'cutproof', 'editor', 'labeler', 'ledger'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ours)\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
