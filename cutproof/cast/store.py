"""Who-is-there answers kept in the workspace database, shared by every server process and kept across restarts.

An answer (faces in a clip's region and frame range, matched by one cast model or by none) is a pure function of
the clip's content, the region, the range and the cast model, so it is computed once per workspace: a second
server process, or the server after a restart, reads it instead of scanning the video again (a scan blocks its
request for a tenth of a second or more). The key is a hash of those inputs and of ``KEY_VERSION``; change the
version when the scan or the matching changes what it would answer.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from cutproof.core.models import PresenceRow, table_of

KEY_VERSION = "presence/2"  # /2: dlib detection to 40 px and the open-set identity model

presence_table = table_of(PresenceRow)
_INSERT = insert(presence_table)


def presence_key(*parts: Any) -> str:
    """The stored key of an answer's inputs (JSON-serialisable values)."""
    return hashlib.sha256(json.dumps([KEY_VERSION, *parts], separators=(",", ":")).encode()).hexdigest()


class PresenceStore:
    """The ``app_presence_cache`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(presence_table.c.presence).where(presence_table.c.key == key)).first()
        return None if row is None else dict(row.presence)

    def put(self, key: str, presence: dict[str, Any]) -> None:
        """Store an answer; one stored meanwhile by another process (the same answer) is kept."""
        try:
            with self.engine.begin() as conn:
                conn.execute(_INSERT, {"key": key, "presence": presence, "created_at": datetime.now(UTC)})
        except IntegrityError:
            pass
