"""Dependency direction: ``policies`` evaluates plain data and imports neither ``consent`` nor ``cutproof``."""

from __future__ import annotations

import json
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


def _loaded(code: str, *args: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code`` (from the repository root)."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CUTPROOF_HOME": str(ROOT / "no-such-workspace")},
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


# Runs one ``cutproof`` command in this interpreter, its output set aside (its exit status must be 0).
_CLI = """
import contextlib, io, sys
sys.argv = ["cutproof", *sys.argv[1:]]
from cutproof.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code
"""


def test_checking_packs_builds_no_input_model_and_no_decision_codec() -> None:
    """Loading and combining packs needs the packs' own models only: the request and consent models and the
    decision's validator are built by the commands that evaluate (``cutproof policy check`` starts faster)."""
    code = (
        "from policies import PolicySet\n"
        "from policies.decision import _decision_adapter\n"
        "PolicySet.load()\n"
        "assert _decision_adapter.cache_info().currsize == 0\n"
    )
    loaded = _loaded(code)
    assert {"policies.packs", "policies.engine"} <= loaded  # the probe does see what the code uses
    assert {"policies.models", "policies.request_file", "policies.review", "records._gate"} & loaded == set()


def test_policy_cli_loads_no_consent_registry() -> None:
    """``policy check`` loads nothing of consent but its errors; ``policy evaluate FILE`` with the consent inlined
    judges it with the consent clock alone: no registry models, no database layer, no project tables."""
    checked = _loaded(_CLI, "policy", "check")
    assert {m for m in checked if m.split(".")[0] == "consent"} <= {"consent", "consent.errors"}
    assert "policies.models" not in checked
    request = str(ROOT / "policies" / "examples" / "continuity-relight.yaml")
    evaluated = _loaded(_CLI, "policy", "evaluate", request)
    assert {"consent.clock", "policies.models", "cutproof.edits.consent_facts"} <= evaluated
    assert {"consent.models", "consent.registry", "cutproof.core.projects"} & evaluated == set()
    assert "sqlalchemy" not in {m.split(".")[0] for m in evaluated}
