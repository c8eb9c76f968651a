"""Wiring: the one place that knows which package owns which tables and how the components are assembled."""

from __future__ import annotations

from sqlalchemy import Engine

import editor
from consent import create_schema as create_consent_schema
from cutproof.core import auth, jobs, projects, tables, uploads
from ledger.storage import create_schema as create_ledger_schema


def create_all_schemas(engine: Engine) -> None:
    """Create the tables of every component (each package owns and creates its own), ledger first."""
    create_ledger_schema(engine)
    projects.create_schema(engine)
    auth.create_schema(engine)
    jobs.create_schema(engine)
    tables.create_schema(engine)
    uploads.create_schema(engine)
    create_consent_schema(engine)
    editor.create_schema(engine)
