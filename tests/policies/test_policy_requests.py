"""Request files: valid ones parse; malformed ones name the field (and line); unknown performers are errors."""

from __future__ import annotations

import pytest
import yaml
from policy_builders import base_consent, base_request, build

from cutproof.edits.consent_facts import judge_snapshot
from policies import PolicySet, RequestError, UnknownPerformerError, parse_request


def _doc(request: dict, consent: dict | None = None) -> str:
    body: dict = {"schema": "cutproof.edit-request/1", "request": request}
    if consent is not None:
        body["consent"] = consent
    return yaml.safe_dump(body, sort_keys=False)


def test_round_trip_of_a_valid_request() -> None:
    parsed = parse_request(_doc(base_request(), base_consent()))
    request, state = build(base_request(), base_consent())
    assert parsed.request == request and judge_snapshot(parsed.consent, parsed.request.time) == state


def _fails(text: str) -> RequestError:
    with pytest.raises(RequestError) as info:
        parse_request(text, "req.yaml")
    return info.value


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda r, c: r["edit"].update(kind="dialog"), "request.edit.kind", "'relight', 'eyeline'"),
        (lambda r, c: r["edit"].update(purpos="x"), "request.edit", "unknown field 'purpos'"),
        (lambda r, c: r.pop("time"), "request.time", "missing required field"),
        (lambda r, c: r.update(time="2026-11-20T12:00:00"), "request.time", "timezone"),
        (lambda r, c: r.update(unidentified_faces=-1), "request.unidentified_faces", "greater than or equal to 0"),
        (lambda r, c: r["project"].update(distribution_territories=["Europe"]), "request.project", "ISO 3166"),
        (lambda r, c: r["project"].update(output_role="final"), "request.project.output_role", "distribution_master"),
        (
            lambda r, c: r["project"].update(principal_photography_start="soon"),
            "request.project.principal_photography_start",
            "date",
        ),
        (lambda r, c: c["grants"][0].update(use_description=""), "consent.grants[0].use_description", "at least 1"),
        (lambda r, c: c["grants"][0].update(shots=5), "consent.grants[0].shots", "valid list"),
        (lambda r, c: c["grants"][0].update(document_sha256="abc"), "consent.grants[0].document_sha256", "pattern"),
        (lambda r, c: c["grants"][0].update(edit_kinds=["*", "relight"]), "consent.grants[0]", "'*' must stand alone"),
        (lambda r, c: c["grants"][0].update(performer_id="ghost"), "consent", "not listed"),
        (lambda r, c: c["performers"].append(dict(c["performers"][0])), "consent", "listed twice"),
        (lambda r, c: c["performers"][0].update(name="Mara Quill"), "consent.performers[0]", "unknown field 'name'"),
    ],
)
def test_malformed_request_names_the_field(change, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    r, c = base_request(), base_consent()
    change(r, c)
    err = _fails(_doc(r, c))
    assert err.field == field, str(err)
    assert words in str(err)
    assert str(err).startswith("invalid edit request: req.yaml:")
    assert "\n" not in str(err)


def test_a_window_ending_before_it_starts_is_refused_when_judged() -> None:
    """Consent windows are the consent clock's business: the application's judgement refuses an empty one, naming
    the field (the policies package itself compares no consent times)."""
    r, c = base_request(), base_consent()
    c["grants"][0].update(valid_until="2024-01-01T00:00:00Z")
    parsed = parse_request(_doc(r, c), "req.yaml")
    with pytest.raises(RequestError) as info:
        judge_snapshot(parsed.consent, parsed.request.time)
    assert info.value.field == "consent.grants[0]" and "valid_until" in str(info.value)
    assert "is not after valid_from" in str(info.value)


def test_structural_errors() -> None:
    err = _fails("request: [\n")
    assert "not valid YAML" in str(err) and "req.yaml:2" in str(err)
    assert "unknown top-level key" in str(_fails("request: {}\nextra: 1\n"))
    assert "missing" in str(_fails("consent: {}\n"))
    assert "must be a mapping" in str(_fails("- 1\n"))
    assert "expected 'cutproof.edit-request/1'" in str(_fails("schema: other/1\nrequest: {}\n"))


def test_line_numbers_point_at_the_value() -> None:
    text = _doc(base_request(), base_consent()).replace("kind: relight", "kind: relit")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "kind: relit" in ln)
    assert f"req.yaml:{line}:" in str(_fails(text))


def test_unknown_performer_is_an_error_not_a_decision() -> None:
    policy_set = PolicySet.load()
    r = base_request()
    r["detected_performers"] = ["mara", "ghost"]
    request, state = build(r, base_consent())
    with pytest.raises(UnknownPerformerError) as info:
        policy_set.evaluate(request, state)
    assert info.value.field == "request.detected_performers[1]" and "'ghost'" in str(info.value)


def test_app_conversion_ignores_registry_only_fields() -> None:
    """The app converts registry records with model_validate(record.model_dump()): extra fields are dropped."""
    from policies import Performer

    record = {**base_consent()["performers"][0], "name": "Mara Quill", "guild_id": "SAG-123"}
    performer = Performer.model_validate(record)
    assert "name" not in performer.model_dump()
