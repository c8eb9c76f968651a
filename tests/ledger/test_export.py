"""Static tlog-tiles export: layout, contents, and that a client can verify the log from the files alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import Ledger, Log
from ledger.checkpoint import Checkpoint
from ledger.errors import LedgerError
from ledger.export import export_tiles
from ledger.merkle import inclusion_proof, leaf_hash, tree_hash, verify_inclusion
from ledger.note import Verifier
from ledger.tiles import encode_index, entries_path, make_hash_reader, tile_path, tiles_for_size


def test_paths() -> None:
    assert encode_index(0) == "000"
    assert encode_index(1234067) == "x001/x234/067"
    assert encode_index(1000) == "x001/000"
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(2, 5, 17) == "tile/2/005.p/17"
    assert entries_path(3, 256) == "tile/entries/003"
    assert entries_path(3, 9) == "tile/entries/003.p/9"
    assert tiles_for_size(70000) == [
        *[(0, i, 256) for i in range(273)], (0, 273, 112), (1, 0, 256), (1, 1, 17), (2, 0, 1)
    ]  # fmt: skip


def _bundle(blob: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(blob):
        n = int.from_bytes(blob[pos : pos + 2], "big")
        out.append(blob[pos + 2 : pos + 2 + n])
        pos += 2 + n
    return out


def test_export_layout_and_client_verification(log: Log, tmp_path: Path) -> None:
    for n in (1, 300, 255, 100):
        log.append([{"kind": "t/1", "n": i} for i in range(n)], identity="t")
    out = tmp_path / "static"
    stats = export_tiles(log, out)
    assert (stats.size, stats.tiles, stats.bundles) == (656, 4, 3)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "checkpoint", "tile/0/000", "tile/0/001", "tile/0/002.p/144", "tile/1/000.p/2",
        "tile/entries/000", "tile/entries/001", "tile/entries/002.p/144",
    ]  # fmt: skip
    assert (out / "checkpoint").read_text() == log.checkpoint()
    entries = [e for name in ("000", "001", "002.p/144") for e in _bundle((out / "tile/entries" / name).read_bytes())]
    assert entries == [log.entry(i) for i in range(656)]
    # a client with only the files and the vkey: verify the checkpoint, recompute the root, check a proof
    cp = Checkpoint.open((out / "checkpoint").read_text(), [Verifier.from_vkey(v) for v in log.verifier_keys()])

    def fetch(keys):  # type: ignore[no-untyped-def]
        got = {}
        for level, idx in keys:
            full = out / tile_path(level, idx)
            path = full if full.is_file() else next(Path(str(full) + ".p").iterdir())  # the one partial width
            got[(level, idx)] = path.read_bytes()
        return got

    reader = make_hash_reader(fetch)
    assert tree_hash(cp.size, reader) == cp.root_hash
    proof = inclusion_proof(400, cp.size, reader)
    verify_inclusion(leaf_hash(entries[400]), 400, cp.size, proof, cp.root_hash)


def test_export_refuses_non_empty_dir(log: Log, tmp_path: Path) -> None:
    base = tmp_path / "exports"
    (base / "busy").mkdir(parents=True)
    (base / "busy" / "x").write_text("keep me")
    with pytest.raises(LedgerError, match="not empty"):
        export_tiles(log, base / "busy")
    assert [p.name for p in base.iterdir()] == ["busy"]
    assert [p.name for p in (base / "busy").iterdir()] == ["x"]
    stats = export_tiles(log, base / "empty-log")
    assert stats.size == 0 and (base / "empty-log" / "checkpoint").read_text() == log.checkpoint()
    assert sorted(p.name for p in base.iterdir()) == ["busy", "empty-log"]


def test_rotation(ledger: Ledger, log: Log) -> None:
    log.append([{"kind": "t/1"}] * 3, identity="t")
    old_vkeys = log.verifier_keys()
    old_receipt = log.prove(1)
    new_vkey = log.rotate_key(identity="cli:admin")
    assert log.verifier_keys() == [*old_vkeys, new_vkey]
    rotated = log.entry_json(3)
    assert rotated["kind"] == "key.rotated/1" and rotated["new_vkey"] == new_vkey and rotated["retired"] is True
    # the handover checkpoint carries both signatures; later ones only the new key's
    handover = log.checkpoint()
    old_v, new_v = Verifier.from_vkey(old_vkeys[0]), Verifier.from_vkey(new_vkey)
    Checkpoint.open(handover, [old_v])
    Checkpoint.open(handover, [new_v])
    log.append([{"kind": "t/1"}], identity="t")
    Checkpoint.open(log.checkpoint(), [new_v])
    with pytest.raises(LedgerError, match="not signed by any trusted key"):
        Checkpoint.open(log.checkpoint(), [old_v])
    # the old private key is gone; old receipts still verify with the old public key
    assert len(list(ledger.key_dir.iterdir())) == 1
    from ledger import verify_receipt

    verify_receipt(old_receipt, log.entry(1), old_vkeys)
    verify_receipt(log.prove(1), log.entry(1), log.verifier_keys())
    # keep-old: two active keys sign every checkpoint
    third = log.rotate_key(retire_old=False)
    log.append([{"kind": "t/1"}], identity="t")
    assert log.checkpoint().count("\n— ") == 2
    Checkpoint.open(log.checkpoint(), [Verifier.from_vkey(third)])
    reopened = Ledger(ledger.engine, ledger.key_dir).open_log(log.origin)
    reopened.append([{"kind": "t/1"}], identity="t")
    assert reopened.checkpoint().count("\n— ") == 2
