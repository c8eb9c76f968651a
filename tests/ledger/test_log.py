"""The ledger API on a real SQLite file: append, checkpoints, entries, receipts, proofs."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from ledger import Ledger, Log, verify_receipt
from ledger.checkpoint import Checkpoint
from ledger.errors import (
    EntryError,
    IndexOutOfRangeError,
    LogExistsError,
    NoCheckpointError,
    NoteError,
    ReceiptError,
    UnknownLogError,
)
from ledger.export import export_tiles
from ledger.fsck import fsck
from ledger.merkle import EMPTY_ROOT, leaf_hash, root_of_leaf_hashes, verify_consistency
from ledger.note import Verifier
from store.db import open_engine


def _root(note: str) -> bytes:
    return base64.b64decode(note.split("\n")[2])


def test_create_open_and_empty_checkpoint(ledger: Ledger, log: Log) -> None:
    assert ledger.origins() == ["cutproof.local/test-film"]
    assert log.size() == 0
    cp = Checkpoint.open(log.checkpoint(), [Verifier.from_vkey(v) for v in log.verifier_keys()])
    assert (cp.origin, cp.size, cp.root_hash) == ("cutproof.local/test-film", 0, EMPTY_ROOT)
    with pytest.raises(LogExistsError):
        ledger.create_log("cutproof.local/test-film")
    with pytest.raises(UnknownLogError, match="no log"):
        ledger.open_log("cutproof.local/other")
    with pytest.raises(NoteError):
        ledger.create_log("bad origin")
    assert ledger.open_log("cutproof.local/test-film").size() == 0
    keys = list(ledger.key_dir.iterdir())
    assert len(keys) == 1 and stat.S_IMODE(keys[0].stat().st_mode) == 0o600


def test_append_stamps_and_canonicalises(log: Log) -> None:
    out = log.append([{"kind": "consent.granted/1", "z": 1, "a": "é"}, {"kind": "x/1"}], identity="cli:alice")
    assert [a.index for a in out] == [0, 1]
    data = log.entry(0)
    obj = json.loads(data)
    assert obj["ledger"]["identity"] == "cli:alice" and obj["ledger"]["time"].endswith("Z")
    assert data.startswith(b'{"a":"\xc3\xa9","kind":"consent.granted/1","ledger":{')
    assert out[0].leaf_hash == leaf_hash(data) and out[0].leaf_hash_hex == leaf_hash(data).hex()
    assert out[0].checkpoint == out[1].checkpoint == log.checkpoint()
    assert log.entry_json(1)["kind"] == "x/1"
    assert log.size() == 2
    assert log.append([], identity="x") == []


@pytest.mark.parametrize(
    ("batch", "match"),
    [
        ([{"kind": "a/1"}, "not a dict"], "entry #1: an entry must be a JSON object"),
        ([{"no": "kind"}], 'entry #0: an entry needs a "kind"'),
        ([{"kind": ""}], "kind"),
        ([{"kind": "a/1", "ledger": {}}], "reserved"),
        ([{"kind": "a/1", "blob": "x" * 70000}], "limit is 65535"),
        ([{"kind": "a/1", "f": float("nan")}], "canonical JSON"),
        ([{"kind": "a/1", "n": 2**60}], "canonical JSON"),
    ],
)
def test_bad_batches_write_nothing(log: Log, batch: list, match: str) -> None:
    log.append([{"kind": "seed/1"}], identity="t")
    before = log.checkpoint()
    with pytest.raises(EntryError, match=match):
        log.append(batch, identity="t")
    assert log.size() == 1 and log.checkpoint() == before
    with pytest.raises(IndexOutOfRangeError):
        log.entry(1)


def test_bad_identity(log: Log) -> None:
    with pytest.raises(EntryError, match="identity"):
        log.append([{"kind": "a/1"}], identity="")


def test_roots_match_reference_across_tile_boundaries(log: Log) -> None:
    sizes = [1, 255, 1, 300, 65536 - 557, 3]  # crosses level-0 and level-1 tile boundaries
    for n in sizes:
        log.append([{"kind": "t/1", "n": i} for i in range(n)], identity="t")
    with log._ledger.engine.connect() as conn:
        datas = conn.execute(text("SELECT data FROM ledger_entries ORDER BY idx")).scalars().all()
    hashes = [leaf_hash(d) for d in datas]
    assert log.size() == sum(sizes) == len(hashes)
    assert _root(log.checkpoint()) == root_of_leaf_hashes(hashes)
    total = 0
    for n in sizes:
        total += n
        note = log.checkpoint_at(total)
        assert _root(note) == root_of_leaf_hashes(hashes[:total])
    vkeys = log.verifier_keys()
    for index in [0, 254, 255, 256, 511, 65535, 65536, log.size() - 1]:
        got = verify_receipt(log.prove(index), log.entry(index), vkeys)
        assert (got.index, got.size, got.origin) == (index, log.size(), log.origin)
    got = verify_receipt(log.prove(10, size=256), log.entry(10), vkeys)
    assert got.size == 256
    for old in [0, 1, 256, 257, 557, 65536]:
        verify_consistency(
            old, log.size(), root_of_leaf_hashes(hashes[:old]), _root(log.checkpoint()), log.consistency_proof(old)
        )


def test_receipt_tamper_and_wrong_inputs(log: Log) -> None:
    log.append([{"kind": "t/1", "n": i} for i in range(20)], identity="t")
    receipt, entry, vkeys = log.prove(7), log.entry(7), log.verifier_keys()
    verify_receipt(receipt, entry, vkeys)
    with pytest.raises(ReceiptError, match="inclusion proof"):
        verify_receipt(receipt, log.entry(8), vkeys)
    with pytest.raises(ReceiptError, match="inclusion proof"):
        verify_receipt(receipt.replace("index 7", "index 6"), entry, vkeys)
    with pytest.raises(ReceiptError, match="checkpoint"):
        verify_receipt(receipt.replace("\n20\n", "\n21\n"), entry, vkeys)
    other = Ledger(log._ledger.engine, log._ledger.key_dir).create_log("cutproof.local/other")
    with pytest.raises(ReceiptError, match="not signed by any trusted key"):
        verify_receipt(receipt, entry, other.verifier_keys())
    with pytest.raises(ReceiptError, match="no verifier key"):
        verify_receipt(receipt, entry, [])
    lines = receipt.split("\n")
    for i in range(2, 7):  # every proof hash, one bit flipped
        h = bytearray(base64.b64decode(lines[i]))
        h[3] ^= 4
        bad = "\n".join([*lines[:i], base64.b64encode(bytes(h)).decode(), *lines[i + 1 :]])
        with pytest.raises(ReceiptError):
            verify_receipt(bad, entry, vkeys)
    for bad in ["", "c2sp.org/tlog-proof@v2\nindex 1\n\nx", receipt.replace("index 7", "index x")]:
        with pytest.raises(ReceiptError):
            verify_receipt(bad, entry, vkeys)


def test_prove_errors(log: Log) -> None:
    log.append([{"kind": "t/1"}] * 3, identity="t")
    log.append([{"kind": "t/1"}] * 3, identity="t")
    assert log.checkpoint_sizes() == [0, 3, 6]
    with pytest.raises(IndexOutOfRangeError):
        log.prove(6)
    with pytest.raises(IndexOutOfRangeError):
        log.prove(0, size=7)
    with pytest.raises(NoCheckpointError):
        log.prove(0, size=4)
    with pytest.raises(IndexOutOfRangeError):
        log.prove(3, size=3)
    with pytest.raises(IndexOutOfRangeError):
        log.consistency_proof(7)
    with pytest.raises(IndexOutOfRangeError):
        log.consistency_proof(4, 3)


def test_reopen_in_new_engine_recomputes_nothing(tmp_path: Path, ledger: Ledger, log: Log) -> None:
    log.append([{"kind": "t/1", "n": i} for i in range(300)], identity="t")
    again = Ledger(open_engine(f"sqlite:///{tmp_path / 'store.db'}"), tmp_path / "keys").open_log(log.origin)
    again.append([{"kind": "t/1"}], identity="t")
    assert again.size() == 301
    verify_receipt(again.prove(299), again.entry(299), again.verifier_keys())
    assert _root(again.checkpoint()) == root_of_leaf_hashes([leaf_hash(again.entry(i)) for i in range(301)])


@pytest.mark.postgres
def test_postgres_smoke(postgres_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    led = Ledger(open_engine(postgres_db), tmp_path / "keys")
    led.create_schema()
    log = led.create_log("cutproof.local/pg")
    for n in (1, 300, 2):
        log.append([{"kind": "t/1", "n": i} for i in range(n)], identity="t")
    assert log.size() == 303
    verify_receipt(log.prove(256), log.entry(256), log.verifier_keys())
    hashes = [leaf_hash(log.entry(i)) for i in range(303)]
    assert _root(log.checkpoint()) == root_of_leaf_hashes(hashes)
    log.rotate_key()
    log.append([{"kind": "t/1", "n": i} for i in range(300)], identity="t")
    verify_receipt(log.prove(300), log.entry(300), log.verifier_keys())
    import ledger.fsck as fsck_module

    monkeypatch.setattr(fsck_module, "CHUNK_TILES", 1)  # 3 chunks: two scanned by worker processes
    [result] = fsck(led.engine)
    assert result.ok and result.size == 604, result.problem
    with led.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET data = :d WHERE idx = 5"), {"d": b'{"kind":"x/1"}'})
    [result] = fsck(led.engine)
    assert not result.ok and "ledger_entries index 5" in (result.problem or "")
    stats = export_tiles(log, tmp_path / "static")
    assert stats.size == 604
