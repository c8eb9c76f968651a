"""The edit page tells the editor what the signed edit entry says the render did: a relight graded by the lighting
model's estimate alone carries its warning in view, and a look estimated through the project's own take says how to
give the look itself (the console's words for ``Grade.note``)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from cutproof.console.pages.editors import result_view
from cutproof.console.web import _env

WARNING = "model estimate alone: the reference's set-up is not in the project's dailies"


def _page(metrics: dict[str, object]) -> str:
    result = result_view({"metrics": metrics, "trained_model": True})
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


def test_a_measured_grade_shows_no_hint() -> None:
    html = _page({"grade_method": "original", "edited_frames": 48})
    assert "ungraded original" not in html and "Check this edit" not in html
