"""The edit page tells the editor what the signed edit entry says the render did: a relight graded by the lighting
model's estimate alone carries its warning in view, and a look estimated through the project's own take says how to
give the look itself (the console's words for ``Grade.note``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from fastapi.testclient import TestClient

from cutproof.console import create_app
from cutproof.console.pages.editors import result_view
from cutproof.console.web import _env
from cutproof.core.projects import get_project, project_log
from cutproof.core.settings import Settings
from editor import Catalogue
from tests._support.gated_project import gated_workspace
from tests.console.test_console_access import csrf_of, sign_in

SECRET = "console-result-" + "r" * 32

WARNING = "model estimate alone: the reference's set-up is not in the project's dailies"


def _page(metrics: dict[str, object], parameters: dict[str, object] | None = None) -> str:
    result = result_view({"metrics": metrics, "parameters": parameters or {}, "trained_model": True})
    rec = SimpleNamespace(
        submission=SimpleNamespace(
            kind="relight", purpose="continuity", get=lambda k, d=None: d, params={}, performers=()
        ),
        outcome="allowed", request_id="r1", submitted_by="ed", decision_index=3, edit_index=7, label_index=8,
        created_at=datetime(2026, 12, 6), state="delivered", review=None, decision={},
    )  # fmt: skip
    return _env.get_template("edit.html.j2").render(
        request=None, csrf=None, prefix="/console", project=SimpleNamespace(slug="film"), rec=rec, clip=None,
        region=None, job=None, result=result, names={}, final=True, legal=False, nav=[], user=None,
    )  # fmt: skip


def test_a_model_estimate_is_flagged_on_the_page() -> None:
    html = _page({"grade_method": "model", "grade_warning": WARNING, "edited_frames": 48})
    assert 'role="alert">Check this edit before you use it: model estimate alone' in html
    assert "<details open>" in html and "/console/p/film/ledger/entries/7" in html
    assert "made with a trained model" in html


def test_an_exemplar_look_says_how_to_give_the_look_itself() -> None:
    html = _page({"grade_method": "exemplar", "edited_frames": 48})
    assert "Its ungraded original" in html and "Check this edit" not in html
    assert "<details>" in html


def test_a_dub_says_why_its_pauses_were_not_left_as_shot() -> None:
    why = "the shot's sound has no pause below its speech (spoken throughout or noisy)"
    html = _page({"after_av_offset_frames": 0}, {"keep_pauses": True, "pauses_not_kept": why})
    assert "The mouth was replaced in the pauses too, not left as shot: the shot&#39;s sound has no pause" in html


def test_a_dub_says_its_pauses_were_told_through_a_room_noise() -> None:
    found = {"keep_pauses": True, "pauses_found_by": {"line": "level", "shot": "steady_noise"}}
    html = _page({"after_av_offset_frames": 0, "mouth_kept_frames": 12.0}, found)
    assert "The pauses of the shot&#39;s sound were told through a steady room noise" in html


def test_a_dub_says_it_took_its_shot_as_flopped() -> None:
    view = result_view({"metrics": {"selection_flopped": 1.0}, "parameters": {"bank_flopped": True}})
    assert any("better mirrored" in n and "asymmetries" in n for n in view["notes"])
    assert result_view({"metrics": {"selection_flopped": 0.0}, "parameters": {}})["notes"] == []


def test_a_dub_says_which_bank_takes_it_left_out() -> None:
    fit = {"selection_fit_takes": 2.0, "selection_fit_takes_kept": 1.0, "selection_fit_kept": 72.0}
    html = _page({"after_av_offset_frames": 0, **fit}, {"keep_pauses": True})
    assert "The mouths were drawn from 1 of the dialogue model&#39;s 2 takes" in html
    assert "the 72 best-fitting mouths" in html
    whole = {"selection_fit_takes": 2.0, "selection_fit_takes_kept": 2.0, "selection_fit_kept": 127.0}
    assert result_view({"metrics": whole})["notes"] == [] and result_view({"metrics": {}})["notes"] == []


def test_a_look_found_in_the_dailies_names_the_clip_it_came_from() -> None:
    found = {
        "grade_method": "dailies",
        "dailies_searched": 14,
        "reference_original_found_hash": "ab" * 32,
        "reference_original_found_frames": "70",
        "reference_original_found_residual_delta_e": 0.44,
    }
    notes = result_view({"metrics": found}, {"ab" * 32: "A012_C003.mov"}.get)["notes"]
    assert len(notes) == 1 and "A012_C003.mov (abababababab), frame 70" in notes[0] and "0.44 ΔE76" in notes[0]
    assert "a clip (abababababab)" in result_view({"metrics": found})["notes"][0]  # a name it may not show
    undecided = {"grade_method": "model", "dailies_undecided_hashes": f"{'ab' * 32},{'cd' * 32}"}
    (note,) = result_view({"metrics": undecided})["notes"]
    assert "abababababab" in note and "cdcdcdcdcdcd" in note and "neither was used" in note
    assert result_view({"metrics": {"grade_method": "model", "dailies_searched": 3}})["notes"] == []


def test_a_measured_grade_shows_no_hint() -> None:
    html = _page({"grade_method": "original", "edited_frames": 48})
    assert "ungraded original" not in html and "Check this edit" not in html


def test_a_bad_parameter_comes_back_on_the_form_with_nothing_recorded(tmp_path: Path, footage_dir: Path) -> None:
    """An eyeline request without the performer whose eyes move: the shot page again (422), naming the parameter,
    with no decision in the ledger (until 2026-12-06 it was decided and recorded, then failed in the render)."""
    ws, s = gated_workspace(tmp_path, footage_dir, secret=SECRET)
    ed = sign_in(TestClient(create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)), s["ed"])
    shot = Catalogue(ws.engine).get(s["shot"], project="film").content_hash
    page = f"/console/p/film/shots/{shot}"
    log = project_log(ws, get_project(ws, "film"))
    size = log.size()
    form = {"kind": "eyeline", "purpose": "continuity", "performer": "", "shift_x": "2", "shift_y": "0"}
    r = ed.post(f"{page}/edits", data=form, headers={"X-CSRF-Token": csrf_of(ed, page)}, follow_redirects=False)
    assert r.status_code == 422, r.text
    assert "Not submitted" in r.text and "params.performer is required" in r.text
    assert log.size() == size


def test_an_edit_whose_model_is_not_trained_comes_back_on_the_form(tmp_path: Path, footage_dir: Path) -> None:
    ws, s = gated_workspace(tmp_path, footage_dir, secret=SECRET)
    ed = sign_in(TestClient(create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)), s["ed"])
    page = f"/console/p/film/shots/{Catalogue(ws.engine).get(s['shot'], project='film').content_hash}"
    size = project_log(ws, get_project(ws, "film")).size()
    form = {"kind": "relight", "purpose": "continuity", "exposure": "0.3"}
    r = ed.post(f"{page}/edits", data=form, headers={"X-CSRF-Token": csrf_of(ed, page)}, follow_redirects=False)
    assert r.status_code == 422 and "no lighting model in project" in r.text, r.text
    assert project_log(ws, get_project(ws, "film")).size() == size


def test_a_background_edit_says_how_its_clean_plate_was_found() -> None:
    """The console's words are the CLI's "clean plate" row (``editor.plate_summary``)."""
    estimated = {
        "source": "estimated",
        "set_recovered": 0.969,
        "camera_shift_px": 0.085,
        "camera_tolerance_px": 0.522,
        "segmentation_reasked": 2,
        "set_coloured_released_fraction": 0.1754,
    }
    html = _page({"clean_plate_set_recovered": 0.969}, {"clean_plate": estimated})
    assert "Clean plate: estimated from the take; 96.9% of the set recovered" in html
    assert "found again 2 times without what the first held in the set&#39;s colours: 17.5% of the frame" in html
    supplied = result_view({"metrics": {}, "parameters": {"clean_plate": {"source": "supplied"}}})
    assert supplied["notes"] == ["Clean plate: supplied, used as shot."]
    assert result_view({"metrics": {}, "parameters": {}})["notes"] == []
