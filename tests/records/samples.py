"""One record of every kind, built from fixed values: the golden vectors in tests/fixtures/records are their
canonical bytes. Regression vectors (``<kind>@<version>--<what it pins>.json``) are named after what they pin or
caught.

The samples live by family: ``_samples_project`` (the project, dailies, performers, consent, access) and
``_samples_edits`` (model, gate request and decision, review, edit, label, demo tour), both built from the values
in ``_sample_values``; this module gathers them into ``VECTORS``."""

from __future__ import annotations

from records import Record
from tests.records._sample_values import H, T
from tests.records._samples_edits import (
    CONSENT,
    EDIT_VECTORS,
    EXEMPTION,
    NO_MODEL_KEYS,
    NO_MODEL_RESULT,
    REQUEST,
    RESULT,
)
from tests.records._samples_project import PROJECT_VECTORS

__all__ = ["CONSENT", "EXEMPTION", "NO_MODEL_KEYS", "NO_MODEL_RESULT", "REQUEST", "RESULT", "VECTORS", "H", "T"]

VECTORS: dict[str, Record] = {**PROJECT_VECTORS, **EDIT_VECTORS}
