"""Alembic's environment for Cutproof's migrations (run by Alembic, never imported).

Two callers:

1. ``cutproof.core.schema`` (``cutproof db upgrade``, ``cutproof init``) passes an open connection, inside the
   transaction and under the lock it holds, as ``config.attributes["connection"]``: the migrations run on it and
   commit (or roll back) with that transaction.
2. A developer writing a new revision runs Alembic's own command line from the repository root::

       alembic -x db=sqlite:////tmp/scratch.db upgrade head
       alembic -x db=sqlite:////tmp/scratch.db revision --autogenerate -m "what changed"

   (``alembic.ini`` names this directory; ``-x db=`` or ``CUTPROOF_DB`` names the database). Autogenerate then
   compares the database with every package's tables (``cutproof.core.metadata``).

Types the packages define on top of SQLAlchemy's (SQLModel's ``AutoString``, the registry's ``UTCText``) are written
into a revision as the plain type they store, so revisions import nothing but Alembic and SQLAlchemy. On SQLite,
autogenerate writes table changes as batch operations (copy and move), the only way SQLite alters most things.
"""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlalchemy.types import TypeDecorator


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def _run(connection: Connection, target_metadata: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():  # a no-op inside the caller's transaction (case 1)
        context.run_migrations()


config = context.config
given = config.attributes.get("connection")
if given is not None:
    _run(given, config.attributes.get("target_metadata"))
else:
    from cutproof.core.metadata import TARGET_METADATA

    url = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("CUTPROOF_DB")
    if not url:
        raise SystemExit("name the database: alembic -x db=<SQLAlchemy URL> … (or set CUTPROOF_DB)")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn, list(TARGET_METADATA))
            conn.commit()
    finally:
        engine.dispose()
