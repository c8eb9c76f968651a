"""Errors of the application shell, and the set of errors the CLI and API report as user errors.

    CutproofError
    ├── WorkspaceError      the workspace (``--home``) is missing, not initialised, or unusable
    ├── ProjectError        a project is unknown, exists already, or its definition is invalid
    └── SettingsError       settings are unsafe or inconsistent (e.g. a default secret outside local use)

Each package has its own base error (``StoreError``, ``MediaError``, ``RecordError``, ``LedgerError``,
``ConsentError``, ``PolicyError``, ``EditorError``, ``LabelerError``); ``USER_ERRORS`` is the tuple of all of them,
which the CLI turns into a one-line message and a non-zero exit, and the API into a 4xx answer.
"""

from __future__ import annotations

from consent.errors import ConsentError
from editor.errors import EditorError
from labeler.errors import LabelerError
from ledger.errors import LedgerError
from media.errors import MediaError
from policies.errors import PolicyError
from records.errors import RecordError
from store.errors import StoreError


class CutproofError(Exception):
    """Base class of the application shell's errors."""


class WorkspaceError(CutproofError):
    """The workspace is missing, not initialised, or unusable."""


class ProjectError(CutproofError):
    """A project is unknown, exists already, or its definition is invalid."""


class SettingsError(CutproofError):
    """Settings are unsafe or inconsistent."""


USER_ERRORS: tuple[type[Exception], ...] = (
    CutproofError,
    LedgerError,
    ConsentError,
    PolicyError,
    EditorError,
    LabelerError,
    MediaError,
    StoreError,
    RecordError,
)
