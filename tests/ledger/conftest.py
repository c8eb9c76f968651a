"""Fixtures for the ledger tests: a ledger on a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import Ledger, Log
from store.db import open_engine


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger(open_engine(f"sqlite:///{tmp_path / 'store.db'}"), tmp_path / "keys")
    led.create_schema()
    return led


@pytest.fixture
def log(ledger: Ledger) -> Log:
    return ledger.create_log("cutproof.local/test-film")
