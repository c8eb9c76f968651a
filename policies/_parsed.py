"""The shipped packs, parsed ahead of time: ``packs/parsed.json`` holds what ``load_yaml`` gives for each
``packs/*.yaml`` (the document and its line marks), so a command that loads the shipped packs neither imports PyYAML
nor parses about 40 KB of YAML on every start (about a tenth of ``cutproof policy check``).

Format (``cutproof.parsed-packs/1``)::

    {"schema": "cutproof.parsed-packs/1",
     "packs": {"<file name>": {"source_sha256": "<SHA-256 of the file's bytes>",
                               "document": <the parsed document>,
                               "lines": [[<key path as a list>, <1-based line>], ...]}}}

The YAML files stay the source: an entry is used only for a file of ``packs/`` whose bytes have exactly that
SHA-256, so an edited pack is parsed from its YAML again (and a pack anywhere else always is). The pack's hash in
every decision is computed from the document either way. ``tests/policies/test_parsed_packs.py`` checks that
``parsed.json`` is exactly what :func:`build` gives for the YAML files; after changing a pack, regenerate it::

    PYTHONPATH=. python -m policies._parsed
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from policies._yaml import Marks, load_yaml

SCHEMA = "cutproof.parsed-packs/1"
PACKS_DIR = Path(__file__).resolve().parent / "packs"
"""The shipped packs' directory (``policies.packs`` takes it from here)."""
PARSED = PACKS_DIR / "parsed.json"


def build(paths: list[Path]) -> dict[str, Any]:
    """The content of ``parsed.json`` for the shipped pack files ``paths`` (``policies.shipped_pack_paths()``)."""
    packs: dict[str, Any] = {}
    for path in paths:
        raw = path.read_bytes()
        document, marks = load_yaml(raw.decode("utf-8"))
        lines = [[list(key), line] for key, line in marks.items()]
        packs[path.name] = {"source_sha256": hashlib.sha256(raw).hexdigest(), "document": document, "lines": lines}
    return {"schema": SCHEMA, "packs": packs}


def dumps(parsed: dict[str, Any]) -> str:
    """``parsed.json``'s text: each document indented, so that a change to a pack shows as a readable diff, and one
    line per line mark. Keys keep the YAML's order: a pack's named conditions compile in file order (a condition
    may use the ones before it)."""
    entries = []
    for name, entry in parsed["packs"].items():
        document = json.dumps(entry["document"], indent=1, ensure_ascii=False).replace("\n", "\n   ")
        marks = ",\n    ".join(json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in entry["lines"])
        entries.append(
            f'  {json.dumps(name)}: {{\n   "source_sha256": {json.dumps(entry["source_sha256"])},\n'
            f'   "document": {document},\n   "lines": [\n    {marks}\n   ]\n  }}'
        )
    packs = ",\n".join(entries)
    return f'{{\n "schema": {json.dumps(parsed["schema"])},\n "packs": {{\n{packs}\n }}\n}}\n'


@functools.cache
def _table() -> dict[str, Any]:
    try:
        data = json.loads(PARSED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("packs", {}) if isinstance(data, dict) and data.get("schema") == SCHEMA else {}


def lookup(path: Path, raw: bytes) -> tuple[Any, Marks] | None:
    """The parsed document and marks of shipped pack ``path`` with bytes ``raw``; None when ``path`` is not in
    ``packs/`` or its bytes are not the ones ``parsed.json`` was made from (then the YAML is parsed)."""
    if path.resolve().parent != PACKS_DIR:
        return None
    entry = _table().get(path.name)
    if entry is None or entry.get("source_sha256") != hashlib.sha256(raw).hexdigest():
        return None
    return entry["document"], Marks({tuple(key): line for key, line in entry["lines"]})


if __name__ == "__main__":
    from policies.packs import shipped_pack_paths

    PARSED.write_text(dumps(build(shipped_pack_paths())), encoding="utf-8")
