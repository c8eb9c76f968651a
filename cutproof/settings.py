"""Application settings, read from the command line and the environment (``CUTPROOF_*``).

Nothing is created at import time: a ``Settings`` object is built by the CLI's or the API's entry point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path("cutproof-data")


class Settings(BaseSettings):
    """Where the workspace lives and which database it uses.

    Attributes:
        home: workspace directory holding the database (SQLite by default), keys and content-addressed blobs.
        db: any SQLAlchemy URL; ``None`` means the embedded SQLite file ``<home>/cutproof.db``.
        environment: ``local`` for a workstation; ``staging``/``production`` make unsafe defaults an error.
    """

    model_config = SettingsConfigDict(env_prefix="CUTPROOF_", extra="ignore")

    home: Path = Field(default=DEFAULT_HOME)
    db: str | None = None
    environment: Literal["local", "staging", "production"] = "local"
