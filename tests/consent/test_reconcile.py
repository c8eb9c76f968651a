"""The registry and the ledger never silently diverge: crashes between them are found and completed, tampered or
orphaned rows and entries are found."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from consent import ConsentGrant, ConsentRegistry, Performer
from cutproof.core.workspace import Workspace
from ledger import Log
from tests.consent.conftest import ORIGIN, footprint

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import os, sys
from pathlib import Path
from datetime import datetime, UTC
import consent._writer as w
from consent import ConsentRegistry
from cutproof.core.workspace import Workspace
from ledger import Ledger

ws = Workspace(Path(sys.argv[1]))
log = Ledger(ws.engine, ws.keys_dir).open_log({origin!r})
reg = ConsentRegistry(ws.engine, ws.blobs, log)
if sys.argv[3] == "after-append":
    w.complete = lambda *a, **k: os._exit(9)       # the process dies once the entry is in the ledger
else:
    log.append = lambda *a, **k: os._exit(9)       # the process dies before the ledger append
reg.grant(sys.argv[2], category="digital_alteration", edit_kinds=["relight"], purposes=["continuity"],
          use_description="Relight scene 4.", document=b"signed relight consent " + sys.argv[3].encode(),
          signed_by="performer", contract_edition="sag-aftra-tv-theatrical-2026",
          valid_from=datetime(2026, 8, 1, tzinfo=UTC))
"""


def _crash(workspace: Workspace, performer_id: str, where: str) -> None:
    script = textwrap.dedent(CHILD.format(origin=ORIGIN))
    env = os.environ | {"PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(workspace.home), performer_id, where],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 9, proc.stderr


def test_crash_after_the_ledger_append_is_found_and_completed(
    registry: ConsentRegistry, workspace: Workspace, log: Log, alice: Performer
) -> None:
    before = footprint(workspace.engine, log, workspace.blobs_dir)
    _crash(workspace, alice.performer_id, "after-append")
    after = footprint(workspace.engine, log, workspace.blobs_dir)
    assert after["ledger"] == before["ledger"] + 1 and after["consent_pending"] == 1
    assert after["consent_grants"] == before["consent_grants"]
    report = registry.reconcile()
    assert not report.ok and "in the ledger at index 1 but its rows are missing" in report.pending[0]
    repaired = registry.reconcile(repair=True)
    assert len(repaired.completed) == 1 and repaired.problems == []
    assert registry.reconcile().ok
    (g,) = registry.grants(alice.performer_id)
    assert g.ledger_index == 1 and g.contract_edition == "sag-aftra-tv-theatrical-2026"
    assert registry.document(g.document_sha256) == b"signed relight consent after-append"
    assert log.entry_json(1)["ledger"]["identity"] == "consent"


def test_crash_before_the_ledger_append_is_dropped(
    registry: ConsentRegistry, workspace: Workspace, log: Log, alice: Performer
) -> None:
    before = footprint(workspace.engine, log, workspace.blobs_dir)
    _crash(workspace, alice.performer_id, "before-append")
    assert footprint(workspace.engine, log, workspace.blobs_dir)["consent_pending"] == 1
    assert "write in progress" in registry.reconcile().pending[0]
    repaired = registry.reconcile(repair=True, abandon_after=timedelta(0))
    assert len(repaired.abandoned) == 1 and repaired.ok
    after = footprint(workspace.engine, log, workspace.blobs_dir)
    assert {k: v for k, v in after.items() if k != "blobs"} == {k: v for k, v in before.items() if k != "blobs"}
    assert registry.grants(alice.performer_id) == []


def test_a_row_edited_after_recording_is_found(
    registry: ConsentRegistry, workspace: Workspace, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(alice.performer_id)
    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE consent_grants SET shots = '\"all\"' WHERE grant_id = :g"), {"g": g.grant_id})
    report = registry.reconcile()
    assert not report.ok
    assert f"consent_grants {g.grant_id}: the row differs from the ledger entry at 1" in report.problems[0]


def test_a_private_field_edited_after_recording_is_found(
    registry: ConsentRegistry, workspace: Workspace, alice: Performer
) -> None:
    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE consent_performers SET name = 'Someone Else'"))
    assert "differs from the ledger entry at 0" in registry.reconcile().problems[0]


def test_an_entry_without_rows_is_found(registry: ConsentRegistry, log: Log, alice: Performer) -> None:
    log.append(
        [{"kind": "consent.revoked/1", "project": registry.project, "event_id": "rev_00000000deadbeef",
          "grant_id": "cg_00000000deadbeef", "performer_id": alice.performer_id, "effective_at": None,
          "record_sha256": "0" * 64}],
        identity="test:forger",
    )  # fmt: skip
    report = registry.reconcile()
    assert report.problems == ["ledger entry 1 (consent.revoked/1 rev_00000000deadbeef) has no registry rows"]


def test_a_row_pointing_at_someone_elses_entry_is_found(
    registry: ConsentRegistry, workspace: Workspace, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    make_grant(alice.performer_id)
    with workspace.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO consent_events (event_id, project, event_kind, grant_id, performer_id, suspension_id, "
                "effective_at, end_at, reason, salt, recorded_at, identity, ledger_index, leaf_hash) "
                "SELECT 'sus_00000000deadbeef', project, 'suspended', NULL, NULL, 'sus_00000000deadbeef', "
                "valid_from, NULL, 'forged', salt, recorded_at, identity, 5, leaf_hash FROM consent_grants"
            )
        )
    assert "ledger index 5 is beyond the log" in registry.reconcile().problems[0]


@pytest.mark.parametrize("repair", [False, True])
def test_clean_registry_reconciles(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant], repair: bool
) -> None:
    g = make_grant(alice.performer_id)
    registry.revoke(g.grant_id, reason="withdrawn")
    s = registry.suspend(alice.performer_id, reason="dispute")
    registry.lift_suspension(s.suspension_id, reason="resolved")
    report = registry.reconcile(repair=repair)
    assert report.ok and report.rows_checked == 5 and report.entries_checked == 5


def test_a_missing_or_corrupt_document_is_found(
    registry: ConsentRegistry, workspace: Workspace, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(alice.performer_id)
    path = workspace.blobs.path_for(g.document_sha256)
    path.chmod(0o644)
    path.write_bytes(b"a different document")
    (problem,) = registry.reconcile().problems
    assert problem.startswith(f"document {g.document_sha256}:") and "corrupt" in problem
    path.unlink()
    assert "no blob" in registry.reconcile().problems[0]


def test_concurrent_writers_keep_registry_and_ledger_in_step(
    registry: ConsentRegistry, log: Log, alice: Performer
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.consent.conftest import grant_kwargs

    def work(i: int) -> str:
        g = registry.grant(alice.performer_id, **grant_kwargs(shots=[f"{i}A"], document=f"doc {i}".encode()))
        registry.revoke(g.grant_id, reason=f"r{i}")
        return g.grant_id

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(work, range(8)))
    assert log.size() == 1 + 16
    assert sorted(g.grant_id for g in registry.grants(alice.performer_id)) == sorted(ids)
    report = registry.reconcile()
    assert report.ok and report.rows_checked == 17
