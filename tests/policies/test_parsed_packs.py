"""The shipped packs parsed ahead of time (``policies._parsed``): the same packs as their YAML, used only for the
exact bytes they were made from."""

from __future__ import annotations

from pathlib import Path

from policies import _parsed, load_pack, parse_pack, shipped_pack_paths
from policies._yaml import load_yaml


def test_parsed_json_is_the_yaml_parsed() -> None:
    """``packs/parsed.json`` is exactly what the YAML files parse to (else: ``python -m policies._parsed``)."""
    stale = _parsed.PARSED.read_text(encoding="utf-8") != _parsed.dumps(_parsed.build(shipped_pack_paths()))
    assert not stale, "policies/packs/parsed.json is stale: run `PYTHONPATH=. python -m policies._parsed`"


def test_a_shipped_pack_loads_the_same_from_either() -> None:
    for path in shipped_pack_paths():
        raw = path.read_bytes()
        found = _parsed.lookup(path, raw)
        assert found is not None, path.name
        document, marks = found
        from_yaml, yaml_marks = load_yaml(raw.decode("utf-8"))
        assert document == from_yaml and list(document) == list(from_yaml)  # same values, same key order
        assert marks.items() == yaml_marks.items()
        fast, slow = load_pack(path), parse_pack(raw.decode("utf-8"), str(path))
        assert (fast.sha256, fast.spec, fast.document) == (slow.sha256, slow.spec, slow.document)
        assert [r.spec for r in fast.rules] == [r.spec for r in slow.rules]


def test_edited_or_foreign_bytes_are_parsed_from_the_yaml(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = shipped_pack_paths()[0]
    raw = path.read_bytes()
    assert _parsed.lookup(path, raw + b"\n# edited\n") is None  # other bytes: the YAML decides
    copy = tmp_path / path.name
    copy.write_bytes(raw)
    assert _parsed.lookup(copy, raw) is None  # not in the shipped directory
    # a shipped pack edited in place is read from its YAML, not from the entry made for its old bytes
    monkeypatch.setattr(_parsed, "PACKS_DIR", tmp_path.resolve())
    assert _parsed.lookup(copy, raw) is not None
    title = load_pack(path).spec.title
    copy.write_text(raw.decode("utf-8").replace(title, "Edited in place", 1), encoding="utf-8")
    assert load_pack(copy).spec.title == "Edited in place"
    assert load_pack(copy).sha256 != load_pack(path).sha256
