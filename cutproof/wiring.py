"""Wiring: the one place that knows which package owns which tables and how the components are assembled."""

from __future__ import annotations

from sqlalchemy import Engine

from ledger.storage import create_schema as create_ledger_schema


def create_all_schemas(engine: Engine) -> None:
    """Create the tables of every component (each package owns and creates its own)."""
    # Each component registers its schema creation here, in dependency order (ledger first).
    create_ledger_schema(engine)
    from cutproof.labeling import create_schema as create_labeling_schema  # app_watermark_keys

    create_labeling_schema(engine)
