"""Property-based API testing: schemathesis generates requests from the app's OpenAPI schema (served in process
through the whole ASGI stack, middleware included; authenticated as a workspace administrator, so every route
is reached); no request may produce a server error (5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.projects import ProjectContext, create_project
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace

SECRET = "schemathesis-" + "z" * 32
_token: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    home = Path(tmp_path_factory.mktemp("st")) / "home"
    ws = Workspace(home)
    ws.init()
    create_project(ws, "film", identity="t", context=ProjectContext())
    auth.add_user(ws.engine, "root", superuser=True)
    _token["root"] = auth.issue_token(ws.engine, "root", pepper=SECRET.encode()).token
    app = create_app(Settings(home=home, secret_key=SECRET), ws, run_workers=False)
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
