"""Typed records: golden vectors pin the signed bytes of every kind; the previous release's ledger still reads;
unknown kinds and versions are reported as such, never guessed at.

Regenerate the vectors only for a deliberate new kind or version (``CUTPROOF_REGEN_GOLDEN=1 pytest
tests/records``), never to make a changed /1 shape pass: a diff in tests/fixtures/records is a change to signed
bytes.
"""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest
import rfc8785

from cutproof.core import recorded
from cutproof.core.workspace import Workspace
from ledger import Ledger
from records import (
    RECORD_TYPES,
    DirectEdit,
    EditApplied,
    LegacyDirectEdit,
    MalformedRecordError,
    UnknownKindError,
    UnknownVersionError,
    known_kinds,
    parse_record,
)
from tests.records.samples import RESULT, VECTORS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN = FIXTURES / "records"
RELEASE_0_1_0 = FIXTURES / "release_0_1_0" / "workspace.tar.gz"
LEGACY = GOLDEN / "edit.applied@1--0.1.0-direct-edit-flattened-result.json"


def _vector(name: str) -> Path:
    return GOLDEN / f"{name}.json"


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_golden_vector(name: str) -> None:
    """The record built from fixed values has exactly the canonical bytes on file."""
    data = VECTORS[name].canonical()
    path = _vector(name)
    if os.environ.get("CUTPROOF_REGEN_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data + b"\n")
    assert path.read_bytes() == data + b"\n", f"the signed bytes of {name} changed"
    again = parse_record(json.loads(path.read_bytes()))
    assert again == VECTORS[name] and again.canonical() == data


def test_every_kind_has_a_vector_and_no_vector_is_stale() -> None:
    assert {name.split("--")[0].replace("@", "/") for name in VECTORS} == {m.KIND for m in RECORD_TYPES}
    on_file = {p.stem for p in GOLDEN.glob("*.json")} - {LEGACY.stem}
    assert on_file == set(VECTORS), "a vector on file has no sample (or the reverse)"
    assert set(known_kinds()) == {m.KIND for m in RECORD_TYPES}


def test_release_0_1_0_ledger_reads_entry_for_entry(tmp_path: Path) -> None:
    """Every entry the previous release wrote parses as its record and re-serialises to the same bytes."""
    with tarfile.open(RELEASE_0_1_0) as tar:
        tar.extractall(tmp_path, filter="data")
    ws = Workspace(tmp_path / "home")
    ws.upgrade_schema()  # what `cutproof db upgrade` does; the ledger's tables and entries are untouched by it
    ledger = Ledger(ws.engine, ws.keys_dir / "ledger")
    kinds = []
    for origin in ledger.origins():
        log = ledger.open_log(origin)
        for found in recorded.scan(log):
            stored = {k: v for k, v in log.entry_json(found.index).items() if k != "ledger"}
            assert found.record.canonical() == rfc8785.dumps(stored), (origin, found.index)
            kinds.append(found.record.kind)
    ws.engine.dispose()
    assert {"project.created/1", "consent.granted/1", "policy.decided/1", "edit.applied/1"} <= set(kinds)
    assert len(kinds) >= 20


def test_release_0_1_0_direct_edits_read_as_legacy_not_as_gated_edits() -> None:
    """0.1.0's ``cutproof edit …`` wrote its result flattened under ``edit.applied/1``: read, never written."""
    payload = json.loads(LEGACY.read_bytes())
    rec = parse_record(payload, index=3)
    assert isinstance(rec, LegacyDirectEdit) and not isinstance(rec, EditApplied)
    assert rec.canonical() + b"\n" == LEGACY.read_bytes()
    assert DirectEdit(result=rec.result).result.kind == rec.edit_kind
    assert LegacyDirectEdit not in RECORD_TYPES


def test_unknown_kind_is_reported_as_such() -> None:
    with pytest.raises(UnknownKindError, match=r"entry 7 is of kind 'note\.added/1'.*upgrade Cutproof") as info:
        parse_record({"kind": "note.added/1", "text": "hello"}, index=7)
    assert info.value.index == 7 and info.value.kind == "note.added/1"


def test_unknown_version_of_a_known_kind_is_reported_as_such() -> None:
    entry = {**EditApplied.model_validate(VECTORS["edit.applied@1"].entry()).entry(), "kind": "edit.applied/2"}
    with pytest.raises(UnknownVersionError, match=r"entry 12 is edit\.applied/2; .* reads edit\.applied version"):
        parse_record(entry, index=12)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"text": "no kind"}, "no kind"),
        ({"kind": "edit.applied"}, "no kind of the form name/version"),
        ({**VECTORS["label.applied@1"].entry(), "extra": 1}, "extra"),
        ({k: v for k, v in VECTORS["consent.granted@1"].entry().items() if k != "valid_from"}, "valid_from"),
        ({**VECTORS["consent.granted@1"].entry(), "valid_from": "2026-03-02T09:30:00Z"}, "fixed-width"),
        ({**VECTORS["review.signed@1"].entry(), "verdict": "approved"}, "verdict"),
        ({**VECTORS["consent.suspended@1"].entry(), "performer_id": "prf_x"}, "scope"),
    ],
)
def test_a_payload_without_its_versions_shape_is_malformed(payload: dict, words: str) -> None:
    with pytest.raises(MalformedRecordError, match=words):
        parse_record(payload, index=4)


def test_optional_keys_the_writers_never_wrote_as_null_stay_absent() -> None:
    entry = VECTORS["label.applied@1--no-audio-mark-no-job-keys-left-out"].entry()
    assert "job_id" not in entry and "audio_algorithm" not in entry["watermark"]
    assert (
        "job_id"
        not in EditApplied(request_id="r", decision_index=0, review_index=None, consent=(), result=RESULT).entry()
    )
