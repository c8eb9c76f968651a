"""Input that never 500s and never leaves anything behind; a workspace private whatever the umask; no server paths
in answers; stale temporary files swept at start-up."""

from __future__ import annotations

import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof.api import create_app
from cutproof.core.projects import get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from tests._support.gated_project import background_edit, setup_gated_project

SECRET = "hardening-secret-" + "h" * 32


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, footage_dir: Path) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hardening")
    ws = Workspace(root / "home")
    ws.init()
    (root / "p").mkdir()
    s = setup_gated_project(ws, footage_dir, root / "p", secret=SECRET, users=(("ed", "editor"), ("lee", "legal")))
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    return {"ws": ws, "s": s, "client": TestClient(app, raise_server_exceptions=False)}


def _h(w: dict[str, Any], who: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {w['s'][who]}", "content-type": "application/json", **extra}


def _size(w: dict[str, Any]) -> int:
    return project_log(w["ws"], get_project(w["ws"], "film")).size()


SURROGATE_BODIES = [
    ("lee", "/performers", b'{"name": "Ada \\ud800", "kind": "principal"}'),
    ("ed", "/edits", b'{"shot": "\\udc00", "kind": "background", "purpose": "continuity"}'),
    ("ed", "/edits", b'{"shot": "x", "kind": "background", "purpose": "contin\\ud800"}'),
    ("lee", "/consents/grt_x/revoke", b'{"reason": "\\ud83d"}'),
    ("ed", "/edits", b'{"shot": "x", "kind": "background", "purpose": "continuity", "params": {"plate": "\\ud800"}}'),
    # found by the slow schemathesis run: the reason reached the ledger entry's canonical JSON and 500'd there
    ("lee", "/suspensions", b'{"reason": "\\ud800"}'),
    ("lee", "/suspensions", b'{"reason": "strike", "categories": ["a\\udc00"]}'),
]


@pytest.mark.parametrize("i", range(len(SURROGATE_BODIES)))
def test_lone_surrogates_are_422_not_500(world: dict[str, Any], i: int) -> None:
    who, path, body = SURROGATE_BODIES[i]
    size = _size(world)
    r = world["client"].post(f"/api/v1/projects/film{path}", content=body, headers=_h(world, who))
    assert r.status_code == 422, (path, r.status_code, r.text)
    assert _size(world) == size


@pytest.mark.parametrize(
    "url",
    [
        "/ledger/entries/0/receipt?size=100000000000000000000",
        "/ledger/entries/100000000000000000000",
        "/ledger/entries/100000000000000000000/receipt",
        "/ledger/consistency?old=1&new=100000000000000000000",
    ],
)
def test_huge_integers_are_422_not_500(world: dict[str, Any], url: str) -> None:
    r = world["client"].get(f"/api/v1/projects/film{url}", headers=_h(world, "ed"))
    assert r.status_code == 422, (url, r.status_code, r.text)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_non_finite_edit_params_are_refused_not_signed_as_null(
    world: dict[str, Any], value: str, content_type: str
) -> None:
    size = _size(world)
    body = background_edit(world["s"])
    raw = (
        b'{"shot": "%s", "kind": "background", "purpose": "continuity", "performers": ["%s"], '
        b'"params": {"plate": "%s", "plate_frame": 0, "gain": %s}}'
        % (body["shot"].encode(), body["performers"][0].encode(), body["params"]["plate"].encode(), value.encode())
    )
    r = world["client"].post(
        "/api/v1/projects/film/edits", content=raw, headers=_h(world, "ed", **{"content-type": content_type})
    )
    assert r.status_code == 422, r.text
    assert "finite" in r.text
    assert _size(world) == size


BAD_PARAMS = [
    # each used to pass the gate (a decision signed into the ledger, a render queued) and fail or misbehave later
    ("relight", {"reference": "{plate}@two"}, "reference frame 'two' must be a whole frame number"),  # ValueError
    ("relight", {"exposure": "bright"}, "params.exposure: input should be a valid number"),  # failed in the job
    ("background", {"plate": "{plate}", "despil": True}, "params.despil is not a parameter"),  # silently ignored
    ("dialogue", {"performer": "{performer}", "audio": "blob:" + "0" * 64, "retime_only": "false"}, "retime_only"),
]


@pytest.mark.parametrize(("kind", "params", "says"), BAD_PARAMS)
def test_bad_edit_params_are_refused_before_anything_is_recorded(
    world: dict[str, Any], kind: str, params: dict[str, Any], says: str
) -> None:
    from cutproof.core.jobs import JobQueue

    s = world["s"]
    filled = {k: v.format(**s) if isinstance(v, str) else v for k, v in params.items()}
    body = {**background_edit(s), "kind": kind, "params": filled}
    size, jobs = _size(world), len(JobQueue(world["ws"].engine).list("film"))
    r = world["client"].post("/api/v1/projects/film/edits", json=body, headers=_h(world, "ed"))
    assert r.status_code == 422, r.text
    assert says in r.json()["detail"] and f"{kind} parameters:" in r.json()["detail"]
    assert _size(world) == size
    assert len(JobQueue(world["ws"].engine).list("film")) == jobs


BAD_NAMES = [
    "..",
    ".",
    "a\x00b.mov",
    "a\nb.mov",
    "A001\u202evom.exe",
    "CON",
    "con.mp4",
    "Lpt1.mov",
    "a/b.mov",
    " x.mov",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_path_like_upload_names_are_refused_and_leave_nothing(world: dict[str, Any], name: str) -> None:
    ws, client = world["ws"], world["client"]
    up = client.post("/api/v1/projects/film/uploads", content=b"not video " + name.encode(), headers=_h(world, "ed"))
    assert up.status_code == 201
    dailies = ws.home / "dailies"
    before = sorted(p.relative_to(ws.home) for p in dailies.rglob("*")) if dailies.exists() else []
    r = client.post(
        "/api/v1/projects/film/dailies", json={"file": up.json()["ref"], "filename": name}, headers=_h(world, "ed")
    )
    assert r.status_code == 422, (name, r.status_code, r.text)
    after = sorted(p.relative_to(ws.home) for p in dailies.rglob("*")) if dailies.exists() else []
    assert after == before


def test_upload_name_header_with_bidi_override_is_refused(world: dict[str, Any]) -> None:
    r = world["client"].post(
        "/api/v1/projects/film/uploads",
        content=b"x",
        headers={
            "Authorization": f"Bearer {world['s']['ed']}",
            "x-filename": "clip\u202egpj.mov".encode(),
        },
    )
    assert r.status_code == 422, r.text


def test_failed_ingest_leaves_nothing_behind_and_answers_no_server_path(world: dict[str, Any]) -> None:
    ws, client = world["ws"], world["client"]
    up = client.post("/api/v1/projects/film/uploads", content=b"%PDF not a camera file", headers=_h(world, "ed"))
    digest = up.json()["sha256"]
    r = client.post(
        "/api/v1/projects/film/dailies",
        json={"file": up.json()["ref"], "filename": "A001C001.mov"},
        headers=_h(world, "ed"),
    )
    assert r.status_code == 201 and r.json()["outcome"] == "rejected", r.text
    assert not (ws.home / "dailies" / "film" / digest[:16]).exists()
    assert str(ws.home) not in r.text
    listed = client.get("/api/v1/projects/film/dailies", headers=_h(world, "ed"))
    assert listed.status_code == 200 and listed.json() and str(ws.home) not in listed.text
    assert all("path" not in c for c in listed.json())


def test_start_up_sweeps_stale_temporary_files(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home")
    ws.init()
    stale = ws.home / ".upload-stale"
    stale.write_bytes(b"half an upload")
    stale_dir = ws.home / ".qc-stale"
    stale_dir.mkdir()
    (stale_dir / "x.mp4").write_bytes(b"x")
    incoming = ws.blobs_dir / "tmp" / "incoming-stale"
    incoming.parent.mkdir(exist_ok=True)
    incoming.write_bytes(b"x")
    old = time.time() - 2 * 3600
    for p in (stale, stale_dir, incoming):
        os.utime(p, (old, old))
    fresh = ws.home / ".upload-live"
    fresh.write_bytes(b"an upload in progress in another server process")
    create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    assert not stale.exists() and not stale_dir.exists() and not incoming.exists()
    assert fresh.exists()


def test_workspace_is_private_whatever_the_umask(tmp_path: Path) -> None:
    from consent import ConsentRegistry
    from cutproof.core.projects import create_project

    old = os.umask(0)
    try:
        ws = Workspace(tmp_path / "home")
        ws.init()
        project = create_project(ws, "film", identity="t")
        reg = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project))
        p = reg.register_performer(name="A", kind="principal")
        doc = tmp_path / "consent.pdf"
        doc.write_bytes(b"%PDF signed")
        grant = reg.grant(
            p.performer_id,
            category="digital_alteration",
            edit_kinds=["relight"],
            purposes=["continuity"],
            use_description="x",
            document=doc,
            signed_by="performer",
            contract_edition="sag-aftra-tv-theatrical-2026",
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        )
    finally:
        os.umask(old)

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    assert mode(ws.home) == 0o700
    assert mode(ws.keys_dir) == 0o700 and mode(ws.blobs_dir) == 0o700
    assert mode(ws.home / "cutproof.db") == 0o600
    document = ws.blobs.path_for(grant.document_sha256)
    assert mode(document) & 0o077 == 0 and mode(document.parent) == 0o700


def test_answers_name_files_never_server_paths(tmp_path: Path) -> None:
    from cutproof.api.public import scrub

    home = tmp_path / "home"
    answer = {"error": f"the staged model file {home}/staging/ab/model.bin is gone", "files": [f"{home}/x/y.mp4"]}
    assert scrub(answer, home) == {"error": "the staged model file model.bin is gone", "files": ["y.mp4"]}
    elsewhere = "PlateError: plate /mnt/dailies/day3/A003.mov does not exist; plate '/srv/x/B.mxf' (frame 4)"
    assert scrub(elsewhere, home) == "PlateError: plate A003.mov does not exist; plate 'B.mxf' (frame 4)"
    kept = "see https://example.org/a/b, GET /api/v1/projects/film/edits, /console/p/film, POST /uploads, a/b/c.mov"
    assert scrub(kept, home) == kept  # URLs, the app's own paths, one segment, relative paths
