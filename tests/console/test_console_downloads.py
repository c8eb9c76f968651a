"""Downloads keep a user's file name, whatever it holds: a cut uploaded for a timeline audit as ``R&D #1
編集+cut.otio`` comes back to its audit page, and its marked copy downloads under that name — never cut at the ``&`` or
the ``#`` of a hand-built query string, and never breaking the ``Content-Disposition`` header (a quote that ends the
value, or a character outside Latin-1 that the server cannot send)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import opentimelineio as otio
import pytest
from fastapi.testclient import TestClient

from cutproof.console import create_app
from cutproof.console.web import download
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from tests._support.footage import CLIP
from tests._support.gated_project import setup_gated_project
from tests.console.test_console_access import csrf_of, sign_in

SECRET = "console-secret-" + "d" * 32
NAME = "R&D #1 編集+cut.otio"  # (a quote in a multipart file name is sent as %22, by browsers as by httpx)


@pytest.fixture(scope="module")
def legal(tmp_path_factory: pytest.TempPathFactory, footage_dir: Path) -> TestClient:
    """User ``lee`` (legal) signed in to the console of project ``own``, whose dailies are the GRID clips."""
    tmp = tmp_path_factory.mktemp("downloads")
    ws = Workspace(tmp / "home")
    ws.init()
    tokens = setup_gated_project(ws, footage_dir, tmp, secret=SECRET, slug="own")
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    return sign_in(TestClient(app), tokens["lee"])


def test_a_cut_with_any_name_is_audited_and_its_marked_copy_downloads_under_that_name(legal: TestClient) -> None:
    cut = otio.schema.Timeline(name="cut")
    track = otio.schema.Track()
    track.append(otio.schema.Clip(
        name=CLIP,
        media_reference=otio.schema.ExternalReference(target_url=f"file:///mnt/dailies/{CLIP}"),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(20, 25)),
    ))  # fmt: skip
    cut.tracks.append(track)
    upload = legal.post(
        "/console/p/own/audit/timeline",
        files={"cut": (NAME, otio.adapters.write_to_string(cut, "otio_json").encode(), "application/octet-stream")},
        headers={"X-CSRF-Token": csrf_of(legal, "/console/p/own/audit")},
        follow_redirects=False,
    )
    assert upload.status_code == 303, upload.text
    page = legal.get(upload.headers["location"])
    assert page.status_code == 200, page.text
    assert "of the cut R&amp;D #1 編集+cut.otio</h1>" in page.text  # the whole name reached the page
    marked = re.search(r'href="(/console/p/own/audit/marked\?[^"]+)"', page.text)
    assert marked, page.text
    got = legal.get(marked[1].replace("&amp;", "&"))
    assert got.status_code == 200, got.text
    disposition = got.headers["content-disposition"]
    assert disposition.isascii() and disposition.count('"') == 2
    exact = re.search(r"filename\*=UTF-8''(\S+)$", disposition)
    assert exact and unquote(exact[1]) == "R&D #1 編集+cut-ai-marked.otio"


@pytest.mark.parametrize(
    "name", ["audit-own.csv", "a\r\nSet-Cookie: x=1.edl", 'x"; filename=evil.exe', "\\\\srv\\x", "cut\u202eexe.edl"]
)
def test_the_header_has_one_value_whatever_the_name(name: str) -> None:
    value = download(name)["Content-Disposition"]
    assert value.isascii() and "\r" not in value and "\n" not in value
    fallback = re.fullmatch(r'attachment; filename="([ -~]*)"; filename\*=UTF-8\'\'(\S+)', value)
    assert fallback and '"' not in fallback[1] and "\\" not in fallback[1]
    assert unquote(fallback[2]) == name.replace("\r", "").replace("\n", "").replace("\u202e", "")
