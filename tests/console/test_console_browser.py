"""The console in a real browser (Debian's chromium under Playwright) against ``cutproof serve`` on loopback.

One server for the module: project ``film`` (the GRID dailies, a performer with a signed consent for background
replacement, users ed/editor, lee/legal, quinn/qc) and project ``other`` none of them belongs to. Screenshots of
the main pages go to ``test-artifacts/console/`` (gitignored).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from consent import ConsentRegistry
from cutproof.core.projects import create_project, get_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.requests import RequestStore
from editor import Catalogue, ModelRegistry
from tests._support.browser import chromium, screenshot
from tests._support.footage import CLIP
from tests._support.gated_project import setup_gated_project
from tests._support.server import running_server
from tests._support.video import flip_byte_in_media_data

SECRET = "browser-secret-" + "b" * 32
RENDER_TIMEOUT_MS = 300_000


@dataclass
class Site:
    base: str
    ws: Workspace
    tokens: dict[str, str]
    browser: Any
    scratch: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, footage_dir: Path) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser")
    ws = Workspace(tmp / "home")
    ws.init()
    tokens = setup_gated_project(ws, footage_dir, tmp, secret=SECRET, slug="film")
    create_project(ws, "other", identity="test:lead")
    with running_server(ws.home, secret=SECRET) as base, chromium() as browser:
        yield Site(base, ws, tokens, browser, tmp)


def open_as(site: Site, who: str, *, width: int = 1280, height: int = 900) -> Any:
    """A fresh browser context signed in as ``who`` through the sign-in page."""
    context = site.browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.goto(site.base + "/console/")
    assert "/console/sign-in" in page.url  # no session: sent to sign in
    page.fill("#token", site.tokens[who])
    page.click("button[type=submit]")
    page.wait_for_url(site.base + "/console/")
    return page


def test_edit_review_render_audit_and_qc(site: Site) -> None:
    """An editor draws a region and gets the decision at once; legal approves the review and watches the render
    finish; the delivery appears in the audit; QC drops a tampered copy and sees FAIL with the reason."""
    shot = site.tokens["shot"]
    # -- the editor draws the region on a frame and submits
    ed = open_as(site, "ed")
    screenshot(ed, "01-projects")
    ed.click("text=Film")
    ed.click("nav >> text=Shots")
    screenshot(ed, "02-shots")
    ed.locator(".shot-card", has_text=CLIP).locator("a").click()
    ed.wait_for_url(re.compile(rf".*/console/p/film/shots/{shot}[0-9a-f]+$"))
    box = ed.locator(".drawer:not([data-reference-drawer]) .frame-box").bounding_box()
    assert box is not None
    ed.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.1)
    ed.mouse.down()
    ed.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=5)
    ed.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.9, steps=5)
    ed.mouse.up()
    region = ed.input_value("#region")
    assert re.fullmatch(r"\d+,\d+,\d+,\d+", region), region
    ed.fill("input[name=end]", "12")
    ed.fill("#performers", site.tokens["performer"])  # the editor declares who is in the shot
    ed.select_option("select[name=plate]", index=1)
    ed.check("input[name=despill]")
    screenshot(ed, "03-shot-draw-region")
    ed.click("text=Submit to the gate")
    ed.wait_for_url(re.compile(r".*/console/p/film/edits/[0-9a-f]{32}$"))
    assert "needs review" in ed.inner_text("h1")  # the decision, at once: faces nobody could identify
    assert "awaiting review" in ed.inner_text("[data-state]")
    screenshot(ed, "04-decision-review")
    request_id = ed.url.rsplit("/", 1)[1]
    rec = RequestStore(site.ws.engine).get(request_id, "film")
    assert rec.submission["region"] == region and rec.submission["end"] == 12
    assert rec.submission["params"]["despill"] is True

    # -- legal reviews: frames with the region, names, reasons, consent, questions; approves
    lee = open_as(site, "lee")
    lee.goto(f"{site.base}/console/p/film/reviews")
    card = lee.locator(".review-card").first
    assert "Grid Talker" in card.inner_text()  # the performer by registered name, not by id
    assert card.locator(".overlay rect").count() >= 1  # the edited region drawn on the frames
    screenshot(lee, "05-review-queue")
    card.locator("text=Review and sign off").click()
    questions = lee.locator("textarea[name^=answer_]")
    questions.first.wait_for()  # the sign-off page loads after the click: count() does not wait for it
    assert questions.count() >= 1
    for i in range(questions.count()):
        questions.nth(i).fill("Checked on the frames: only the background changes; the performer is untouched.")
    lee.fill("#note", "Background only; performer consent on file covers it.")
    lee.check("input[name=verdict][value=approve]")
    screenshot(lee, "06-review-signoff")
    lee.click("text=Sign off as lee")
    lee.wait_for_url(f"{site.base}/console/p/film/edits/{request_id}")
    lee.wait_for_selector("text=Download the deliverable", timeout=RENDER_TIMEOUT_MS)  # live progress, then delivered
    assert "delivered" in lee.inner_text("[data-state]")
    result = lee.locator("section.result").text_content() or ""  # what the signed edit entry says the render did
    assert "What the render did" in result and "clean plate set recovered" in result
    screenshot(lee, "07-delivered")
    rec = RequestStore(site.ws.engine).get(request_id, "film")
    assert rec.state == "delivered" and rec.review and "Answers to the review's questions" in rec.review["note"]

    # -- the delivery appears in the audit
    lee.goto(f"{site.base}/console/p/film/audit")
    audit = lee.inner_text("main")
    assert "labelled" in audit and Path(rec.deliverable or "").name in audit and "Grid Talker" in audit
    screenshot(lee, "08-audit")
    with lee.expect_download() as csv_download:
        lee.click("text=Export CSV")
    assert request_id in Path(csv_download.value.path()).read_text()
    lee.goto(f"{site.base}/console/p/film/performers")
    lee.click("text=Grid Talker")
    assert "Replace the background" in lee.inner_text("main") and request_id in lee.content()
    screenshot(lee, "09-performer")
    lee.goto(f"{site.base}/console/p/film/ledger")
    screenshot(lee, "10-ledger")
    lee.goto(f"{site.base}/console/p/film/ledger/entries/{rec.label_index}")
    assert "VERIFIED" in lee.inner_text("main")

    # -- QC drops a tampered copy: FAIL, with the reason
    deliverable = Path(rec.deliverable or "")
    tampered = site.scratch / ("tampered-" + deliverable.name)
    shutil.copyfile(deliverable, tampered)
    flip_byte_in_media_data(tampered)
    quinn = open_as(site, "quinn")
    quinn.goto(f"{site.base}/console/p/film/qc")
    quinn.set_input_files("#files", [str(tampered)])
    screenshot(quinn, "11-qc-drop")
    quinn.click("form[data-dropzone] button[type=submit]")
    quinn.wait_for_url(re.compile(r".*/qc/batches/[0-9a-f]{32}$"), timeout=120_000)
    bad = quinn.locator("article.qc-report", has_text=tampered.name)
    assert "FAIL" in bad.locator("h2").inner_text()
    assert "tampered" in bad.locator(".error").inner_text()  # the reason, in words
    screenshot(quinn, "12-qc-results")
    quinn.goto(f"{site.base}/console/p/film/qc/history")
    assert quinn.locator(".history-group").count() >= 1
    screenshot(quinn, "13-qc-history")


def test_editor_cannot_open_consent_documents_or_foreign_projects(site: Site) -> None:
    ed = open_as(site, "ed")
    reg = ConsentRegistry(site.ws.engine, site.ws.blobs, project_log(site.ws, get_project(site.ws, "film")))
    sha = reg.grants()[0].document_sha256
    response = ed.goto(f"{site.base}/console/p/film/documents/{sha}")
    assert response is not None and response.status == 403
    assert "legal role" in ed.inner_text("main")
    screenshot(ed, "14-editor-document-403")
    assert "Performers" not in ed.inner_text("header")  # no navigation to what the role cannot open
    response = ed.goto(f"{site.base}/console/p/other/")
    assert response is not None and response.status == 404
    screenshot(ed, "15-foreign-project-404")
    lee = open_as(site, "lee")
    document = lee.request.get(f"{site.base}/console/p/film/documents/{sha}")  # legal, with the same session
    assert document.status == 200 and document.body().startswith(b"%PDF")


def test_form_without_its_csrf_token_is_refused(site: Site) -> None:
    lee = open_as(site, "lee")
    lee.goto(f"{site.base}/console/p/film/audit")
    form = lee.locator("form[aria-label^='Labels of']").first
    form.locator("input[name=scene]").fill("99")
    form.evaluate("f => f.querySelector('input[name=csrf_token]').remove()")
    with lee.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "no valid CSRF token" in lee.inner_text("main")
    screenshot(lee, "16-csrf-refused")

    assert all(c.slate.scene != "99" for c in Catalogue(site.ws.engine).list(project="film"))
    lee.goto(f"{site.base}/console/p/film/audit")  # with its token, the same form saves the label
    form = lee.locator("form[aria-label^='Labels of']").first
    form.locator("input[name=scene]").fill("42")
    with lee.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "Scene 42" in lee.inner_text("main")


def test_tablet_layout_and_sign_out(site: Site) -> None:
    lee = open_as(site, "lee", width=820, height=1180)
    lee.goto(f"{site.base}/console/p/film/")
    screenshot(lee, "17-tablet-overview")
    lee.keyboard.press("Tab")  # the first stop is the skip link, then the navigation: keyboard reachable
    assert lee.evaluate("document.activeElement.textContent").strip() == "Skip to content"
    lee.click("text=Sign out")
    lee.wait_for_url(re.compile(r".*/console/sign-in$"))
    lee.goto(f"{site.base}/console/p/film/reviews")
    assert "/console/sign-in" in lee.url


def test_the_reference_patch_is_drawn_on_the_reference_frame(site: Site) -> None:
    """Relight: choosing the reference shows its frame; a box dragged on it fills the patch field in the reference's
    own pixels (GRID 360×288, shown at another size), and typing the field moves the box."""
    shot = site.tokens["shot"]
    ed = open_as(site, "ed")
    ed.goto(f"{site.base}/console/p/film/shots/{Catalogue(site.ws.engine).get(shot, project='film').content_hash}")
    ed.select_option("select[name=kind]", "relight")
    drawer = ed.locator("[data-reference-drawer]")
    assert drawer.is_hidden()  # no reference chosen yet
    ed.select_option("select[name=reference]", index=1)
    drawer.wait_for(state="visible")
    ed.fill("input[name=reference_frame]", "10")
    ed.locator("input[name=reference_frame]").dispatch_event("change")
    assert ed.get_attribute("[data-reference-drawer] [data-drawer-img]", "src").endswith("/frames/10.jpg?w=640")
    drawer.locator(".frame-box").scroll_into_view_if_needed()
    box = drawer.locator(".frame-box").bounding_box()
    assert box is not None
    ed.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    ed.mouse.down()
    ed.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75, steps=5)
    ed.mouse.up()
    x, y, w, h = (int(v) for v in ed.input_value("#reference_region").split(","))
    assert abs(x - 90) <= 3 and abs(y - 72) <= 3 and abs(w - 180) <= 4 and abs(h - 144) <= 4, (x, y, w, h)
    assert ed.input_value("#region") == ""  # the shot's own region is another field
    screenshot(ed, "18-relight-reference-patch")
    ed.fill("#reference_region", "0,0,36,29")
    assert ed.get_attribute("[data-reference-drawer] [data-drawer-rect]", "width") == "36"


def test_an_editor_trains_a_model_from_the_models_page(site: Site) -> None:
    """The form shows only the chosen kind's fields; a lighting model trained from one daily appears as trained,
    with its ledger entry, once the job ran (the server's own worker)."""
    ed = open_as(site, "ed")
    ed.click("text=Film")
    ed.click("nav >> text=Models")
    ed.select_option("select[name=kind]", "eyeline")
    assert ed.locator("input[name=performer]").is_visible()
    ed.select_option("select[name=kind]", "cast")
    assert (
        not ed.locator("input[name=performer]").is_visible() and not ed.locator("input[name=clips]").first.is_visible()
    )
    ed.select_option("select[name=kind]", "lighting")
    ed.locator("input[name=clips]").first.check()
    ed.fill("input[name=steps]", "2")
    screenshot(ed, "19-models-train")
    ed.click("form[aria-labelledby=train-h] button[type=submit]")
    ed.wait_for_url(re.compile(r".*/console/p/film/models/jobs/[0-9a-f]{32}$"))  # the job's own page
    ed.wait_for_selector("[data-model]", timeout=RENDER_TIMEOUT_MS)  # live progress; the page reloads when done
    assert "succeeded" in ed.inner_text("[data-state]")
    screenshot(ed, "20-training-succeeded")
    ed.click("text=Models")
    main = ed.inner_text("main")
    models = ModelRegistry(site.ws.engine, site.ws.blobs).list(kind="lighting", project="film")
    assert models and models[0].model_id[:12] in main and "succeeded" in main
    screenshot(ed, "21-models-trained")
