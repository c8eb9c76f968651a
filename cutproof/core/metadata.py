"""Every table of every package, as the SQLAlchemy metadata that declares it: what the migrations must build.

Alembic's autogenerate compares a database with this list (``cutproof/core/migrations/env.py`` when a developer
writes a new revision, and the test that checks the models and the migrations agree). Nothing on a command's path
imports this module: it loads the editor's table modules, which bring OpenCV with them.
"""

from __future__ import annotations

from sqlalchemy import MetaData

import consent
import editor.cast.tags
import editor.catalogue
import editor.layout_prints
import editor.models
import ledger.tables
from cutproof.core import models

TARGET_METADATA: tuple[MetaData, ...] = (
    ledger.tables.metadata,
    consent.metadata,
    editor.catalogue.metadata,
    editor.models.metadata,
    editor.cast.tags.metadata,
    editor.layout_prints.metadata,
    models.metadata,
)
"""The ledger's, the consent registry's, the editor's (clips, models, cast tags, layout prints) and the application's
tables."""
