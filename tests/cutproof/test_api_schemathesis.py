"""Property-based API testing: schemathesis generates requests from the app's OpenAPI schema (served in process
through the whole ASGI stack, middleware included; authenticated as a workspace administrator, so every route
is reached); no request may produce a server error (5xx)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.projects import ProjectContext, create_project
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace

SECRET = "schemathesis-" + "z" * 32
_token: dict[str, str] = {}
_apps: dict[str, object] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    home = Path(tmp_path_factory.mktemp("st")) / "home"
    ws = Workspace(home)
    ws.init()
    create_project(ws, "film", identity="t", context=ProjectContext())
    auth.add_user(ws.engine, "root", superuser=True)
    _token["root"] = auth.issue_token(ws.engine, "root", pepper=SECRET.encode()).token
    app = create_app(Settings(home=home, secret_key=SECRET), ws, run_workers=False)
    _apps["api"] = app
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize("examples", [3, pytest.param(40, marks=pytest.mark.slow)])
def test_no_server_errors(api_schema: schemathesis.BaseSchema, examples: int) -> None:
    headers = {"Authorization": f"Bearer {_token['root']}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            if case.path_parameters and "project" in case.path_parameters:
                case.path_parameters["project"] = "film"
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        check()


# Values a well-formed schema lets through that once made the server fail (issue 19): a lone UTF-16 surrogate,
# integers past 64 bits, numbers JSON does not have, path-like names.
HOSTILE_TEXT = st.sampled_from(
    ["\ud800", "a\udc00b", "..", ".", "a\x00b", "line\nbreak", "\u202egpj.mov", "CON", "con.mp4", "../../etc/passwd"]
)
HOSTILE_QUERY = st.sampled_from(["..", "a\x00b", "\u202e", "CON", str(10**20), str(-(10**20)), "NaN", "Infinity"])
HOSTILE_NUMBER = st.sampled_from([10**20, -(10**20), 2**63, float("nan"), float("inf"), float("-inf")])


def _poison(value: object, draw: st.DrawFn, text: st.SearchStrategy[str] = HOSTILE_TEXT) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return draw(text) if draw(st.booleans()) else value
    if isinstance(value, int | float):
        return draw(HOSTILE_NUMBER) if draw(st.booleans()) else value
    if isinstance(value, dict):
        return {k: _poison(v, draw, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, draw, text) for v in value]
    return value


@pytest.mark.parametrize("examples", [1, pytest.param(20, marks=pytest.mark.slow)])
def test_hostile_values_never_5xx(api_schema: schemathesis.BaseSchema, examples: int) -> None:
    """Schema-valid requests with hostile values spliced into their JSON bodies and query strings: the body is
    sent as Python's ``json`` writes it (``NaN``, ``Infinity``, ``\ud800`` escapes), as an attacker's client would."""
    client = TestClient(_apps["api"], raise_server_exceptions=False)  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {_token['root']}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    operations = [o for o in operations if o.body or any(p.location == "query" for p in o.iter_parameters())]

    for operation in operations:

        @given(case=operation.as_strategy(), data=st.data())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case, data: st.DataObject) -> None:
            if case.path_parameters and "project" in case.path_parameters:
                case.path_parameters["project"] = "film"
            path = case.formatted_path
            query = {k: _poison(v, data.draw, HOSTILE_QUERY) for k, v in (case.query or {}).items()}
            kwargs: dict[str, object] = {"params": query}
            if isinstance(case.body, dict | list):
                kwargs["content"] = json.dumps(_poison(case.body, data.draw)).encode()
                kwargs["headers"] = {**headers, "content-type": "application/json"}
            else:
                kwargs["headers"] = headers
            r = client.request(case.method, path, **kwargs)  # type: ignore[arg-type]
            assert r.status_code < 500, (case.method, path, r.status_code, r.text[:300])

        check()
