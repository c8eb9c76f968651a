"""Fixtures for the consent registry tests: a real SQLite workspace, a real ledger log, and sample records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from consent import ConsentGrant, ConsentRegistry, Performer
from consent import _tables as t
from cutproof.core.workspace import Workspace
from ledger import Ledger, Log

ORIGIN = "cutproof.local/night-shift"
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def ts(text: str) -> datetime:
    """An aware UTC datetime from ISO text (no zone = UTC)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.fixture
def log(workspace: Workspace) -> Log:
    ledger = Ledger(workspace.engine, workspace.keys_dir)
    ledger.create_schema()
    return ledger.create_log(ORIGIN)


@pytest.fixture
def registry(workspace: Workspace, log: Log) -> ConsentRegistry:
    return ConsentRegistry(workspace.engine, workspace.blobs, log)


@pytest.fixture
def alice(registry: ConsentRegistry) -> Performer:
    return registry.register_performer(
        name="Alice Marchetti", kind="principal", guild="SAG-AFTRA", guild_id="SAG-0042", representation="union"
    )


SIGNED = b"%PDF-1.7\nConsent to digital alteration, separately signed.\n%%EOF\n"


def grant_kwargs(**over: Any) -> dict[str, Any]:
    """Arguments of a valid eyeline grant for shot 12A, overridable."""
    base: dict[str, Any] = {
        "category": "digital_alteration",
        "edit_kinds": ["eyeline"],
        "purposes": ["continuity"],
        "shots": ["12A"],
        "scenes": "all",
        "use_description": "Adjust eyeline in shot 12A so the performer looks at the door, for continuity.",
        "document": SIGNED,
        "signed_by": "performer",
        "contract_edition": "sag-aftra-tv-theatrical-2023",
        "valid_from": T0,
        "governing_law": "US-CA",
        "compensation_ref": "deal-memo-17",
    }
    base.update(over)
    return base


@pytest.fixture
def make_grant(registry: ConsentRegistry) -> Callable[..., ConsentGrant]:
    def make(performer_id: str, **over: Any) -> ConsentGrant:
        return registry.grant(performer_id, **grant_kwargs(**over))

    return make


def footprint(engine: Engine, log: Log, blobs_root: Any) -> dict[str, int]:
    """What has been written: ledger size, rows per consent table, stored blobs."""
    with engine.connect() as conn:
        counts = {
            tbl.name: conn.execute(select(func.count()).select_from(tbl)).scalar_one()
            for tbl in (t.performers, t.grants, t.events, t.documents, t.pending)
        }
    counts["ledger"] = log.size()
    counts["blobs"] = (
        sum(1 for p in (blobs_root / "sha256").rglob("*") if p.is_file()) if (blobs_root / "sha256").exists() else 0
    )
    return counts
