from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cutproof.core import auth
from cutproof.core.auth import AuthError, InvalidTokenError, Role
from cutproof.core.workspace import Workspace

PEPPER = b"test-pepper"


@pytest.fixture
def engine(workspace: Workspace):  # type: ignore[no-untyped-def]
    return workspace.engine


def test_token_round_trip_and_roles(engine) -> None:  # type: ignore[no-untyped-def]
    auth.add_user(engine, "alice")
    auth.grant_role(engine, "alice", "film-a", Role.LEGAL)
    auth.grant_role(engine, "alice", "film-a", "legal")  # idempotent
    issued = auth.issue_token(engine, pepper=PEPPER, username="alice", label="laptop")
    p = auth.authenticate(engine, pepper=PEPPER, token=issued.token)
    assert p.username == "alice" and p.identity == "api:alice"
    assert p.has_role("film-a", Role.LEGAL)
    assert not p.has_role("film-a", Role.EDITOR)
    assert not p.is_member("film-b")


def test_secret_is_not_stored(engine) -> None:  # type: ignore[no-untyped-def]
    auth.add_user(engine, "bob")
    issued = auth.issue_token(engine, pepper=PEPPER, username="bob")
    secret = issued.token.split("_", 2)[2]
    with engine.connect() as conn:
        rows = [tuple(map(str, r)) for r in conn.execute(select(auth.tokens_table))]
    assert all(secret not in cell for row in rows for cell in row)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
        lambda t: "cpt_0000000000000000_" + t.split("_", 2)[2],  # unknown id
        lambda t: "Bearer " + t,  # malformed
        lambda t: "",
    ],
)
def test_bad_tokens_rejected(engine, mangle) -> None:  # type: ignore[no-untyped-def]
    auth.add_user(engine, "carol")
    issued = auth.issue_token(engine, pepper=PEPPER, username="carol")
    with pytest.raises(InvalidTokenError):
        auth.authenticate(engine, pepper=PEPPER, token=mangle(issued.token))


def test_expiry_and_revocation(engine) -> None:  # type: ignore[no-untyped-def]
    auth.add_user(engine, "dan")
    issued = auth.issue_token(engine, pepper=PEPPER, username="dan", days=1)
    later = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(InvalidTokenError):
        auth.authenticate(engine, pepper=PEPPER, token=issued.token, at=later)
    auth.revoke_token(engine, issued.token_id)
    with pytest.raises(InvalidTokenError):
        auth.authenticate(engine, pepper=PEPPER, token=issued.token)


def test_bad_requests(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError, match="invalid username"):
        auth.add_user(engine, "Bad Name")
    with pytest.raises(AuthError, match="unknown user"):
        auth.issue_token(engine, pepper=PEPPER, username="nobody")
    auth.add_user(engine, "erin")
    with pytest.raises(AuthError, match="already exists"):
        auth.add_user(engine, "erin")
    with pytest.raises(AuthError, match="unknown role"):
        auth.grant_role(engine, "erin", "p", "janitor")
    with pytest.raises(AuthError, match="lifetime"):
        auth.issue_token(engine, pepper=PEPPER, username="erin", days=0)
    with pytest.raises(AuthError, match="no token"):
        auth.revoke_token(engine, "ffffffffffffffff")
