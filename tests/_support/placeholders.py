"""Nothing false is ever signed: find placeholder values in every ledger entry and every C2PA manifest a workspace
holds.

A placeholder is a value that stands in for a fact nobody had: an all-zero hash, the words "none" / "unknown" (and
their kin) used as a value, or an empty id. ``tests/conftest.py`` runs ``placeholders_in_workspace`` on every
workspace the test suite's scenarios leave behind (after each test, and once more over the whole session's
temporary directory), so any code path that signs a placeholder fails the suite.

Manifests are read with the independent JUMBF/CBOR reader (``tests._support.c2pa_reader``), not with c2pa-rs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests._support.c2pa_reader import read_store

LEGACY_MARK = ".release-0.1.0-data"
"""A file beside (or in) a workspace home extracted from a previous release's fixture: that release wrote the very
placeholders this walker exists to refuse, and its data is kept as it was to test reading and upgrading it."""
_WORDS = frozenset({"none", "unknown", "null", "n/a", "tbd", "placeholder", "todo"})
_ZERO_HEX = re.compile(r"^(0x)?0{16,}$")
_ID_KEY = re.compile(r"(^id$|_id$|Id$|ID$|^instance_?id$)", re.IGNORECASE)


def placeholders(node: Any, path: str = "") -> Iterator[str]:
    """Paths (with the offending value) of placeholder values in a decoded JSON/CBOR structure."""
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}/{key}"
            if isinstance(key, str) and _ID_KEY.search(key) and (value == "" or value == []):
                yield f"{sub}: empty id"
            yield from placeholders(value, sub)
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from placeholders(value, f"{path}[{i}]")
    elif isinstance(node, str):
        folded = node.strip().casefold()
        if folded in _WORDS:
            yield f"{path}: {node!r}"
        elif _ZERO_HEX.match(folded) or (
            folded.startswith("cutproof:sha256:") and not folded.removeprefix("cutproof:sha256:").strip("0")
        ):
            yield f"{path}: all-zero hash"
    elif isinstance(node, bytes) and len(node) >= 16 and not node.strip(b"\x00"):
        yield f"{path}: all-zero bytes"


def manifest_stores(blobs_dir: Path) -> Iterator[tuple[Path, bytes]]:
    """Every C2PA manifest store in a blob store (JUMBF superbox labelled ``c2pa``)."""
    if not blobs_dir.is_dir():
        return
    for f in blobs_dir.rglob("*"):
        if not f.is_file():
            continue
        with open(f, "rb") as fh:
            head = fh.read(64)
        if head[4:8] == b"jumb" and b"c2pa" in head:
            yield f, f.read_bytes()


def placeholders_in_manifest_store(data: bytes) -> list[str]:
    found = []
    for m in read_store(data):
        found += [f"{m.label}/claim{p}" for p in placeholders(m.claim)]
        for label, content in m.assertions.items():
            found += [f"{m.label}/{label}{p}" for p in placeholders(content)]
    return found


def placeholders_in_workspace(home: Path) -> list[str]:
    """Placeholder values in every ledger entry of every project log and every stored manifest of ``home``."""
    from cutproof.core.errors import CutproofError
    from cutproof.core.projects import list_projects, project_log
    from cutproof.core.schema import SchemaError
    from cutproof.core.workspace import Workspace

    found: list[str] = []
    if (home / LEGACY_MARK).exists() or (home.parent / LEGACY_MARK).exists():
        return found
    for path, data in manifest_stores(home / "blobs"):
        try:
            found += [f"manifest {path.name}: {p}" for p in placeholders_in_manifest_store(data)]
        except (ValueError, IndexError, KeyError, UnicodeDecodeError):
            continue  # a blob that merely starts like a manifest store (fuzzed input, a truncated copy)
    ws = Workspace(home)
    try:
        try:
            projects = list_projects(ws)
        except (CutproofError, SchemaError):  # a workspace at another schema (upgrade tests) is read by its own tests
            return found
        for project in projects:
            log = project_log(ws, project)
            for i in range(log.size()):
                entry = log.entry_json(i)
                found += [f"{project.slug}#{i} {entry.get('kind')}{p}" for p in placeholders(entry)]
    finally:
        if "engine" in ws.__dict__:
            ws.engine.dispose()
    return found


def workspaces_under(root: Path, max_depth: int = 4) -> Iterator[Path]:
    """Workspace homes (directories with ``workspace.json``) under ``root``, symlinks not followed."""
    stack = [(root, 0)]
    while stack:
        d, depth = stack.pop()
        try:
            entries = list(d.iterdir())
        except OSError:
            continue
        if any(e.name == "workspace.json" for e in entries):
            yield d
        if depth < max_depth:
            stack += [(e, depth + 1) for e in entries if e.is_dir() and not e.is_symlink() and e.name != "blobs"]
