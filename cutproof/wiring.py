"""Wiring: the one place that knows which package owns which tables and how the components are assembled."""

from __future__ import annotations

from sqlalchemy import Engine


def create_all_schemas(engine: Engine) -> None:
    """Create the tables of every component (each package owns and creates its own)."""
    # Each component registers its schema creation here, in dependency order (ledger first).
    import editor

    editor.create_schema(engine)
