"""Who is in the shot, from the console: an editor tags a registered performer's face on a frame (as ``POST
/cast-tags``), the shot page lists the shot's tags — and still opens once faces are tagged (until 2026-12-06 it
read a field the tags do not have and answered 500 in any project with a tag)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof.console import create_app
from cutproof.core.settings import Settings
from editor import Catalogue
from editor.cast.tags import CastTags
from tests._support.gated_project import gated_workspace
from tests.console.test_console_access import csrf_of, sign_in

SECRET = "console-tags-" + "c" * 32


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, footage_dir: Path) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("tags")
    ws, s = gated_workspace(tmp, footage_dir, secret=SECRET)
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    shot = Catalogue(ws.engine).get(s["shot"], project="film").content_hash
    return {"ws": ws, "s": s, "ed": sign_in(TestClient(app, raise_server_exceptions=False), s["ed"]),
            "page": f"/console/p/film/shots/{shot}", "shot": shot}  # fmt: skip


def _tag(w: dict[str, Any], **form: str) -> Any:
    ed, page = w["ed"], w["page"]
    return ed.post(f"{page}/cast-tags", data=form, headers={"X-CSRF-Token": csrf_of(ed, page)}, follow_redirects=False)


def _tags(w: dict[str, Any]) -> list[Any]:
    return CastTags(w["ws"].engine).list(project="film")


def test_an_editor_tags_the_face_on_a_frame_and_the_shot_page_lists_it(world: dict[str, Any]) -> None:
    performer = world["s"]["performer"]
    r = _tag(world, performer_id=performer, frame="10", box="")
    assert r.status_code == 303, r.text
    (tag,) = _tags(world)
    assert (tag.label, tag.clip_hash, tag.frame) == (performer, world["shot"], 10)
    page = world["ed"].get(world["page"])
    assert page.status_code == 200, page.text  # the page opens with a tag in the project
    assert f'Frame 10: <code class="id">{performer}</code>' in page.text
    assert f'<option value="{performer}">' in page.text  # offered for the next tag and the edit's performers


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"performer_id": "prf_nobody", "frame": "10", "box": ""}, "is not registered in project"),
        ({"performer_id": "PERFORMER", "frame": "ten", "box": ""}, "must be a whole frame number"),
        ({"performer_id": "PERFORMER", "frame": "9999", "box": ""}, "9999"),
        ({"performer_id": "PERFORMER", "frame": "10", "box": "1,2,3"}, "four integers"),
    ],
)
def test_a_tag_that_does_not_fit_comes_back_on_the_form(world: dict[str, Any], form: dict, says: str) -> None:
    form = {k: world["s"]["performer"] if v == "PERFORMER" else v for k, v in form.items()}
    before = len(_tags(world))
    r = _tag(world, **form)
    assert r.status_code == 422 and "Not tagged" in r.text and says in r.text, r.text
    assert len(_tags(world)) == before
