"""Users, roles, project membership and API tokens.

Tokens are 256-bit random strings shown once at creation (``cpt_<id>_<secret>``); only an HMAC-SHA256 of the
secret under the server's ``secret_key`` is stored, so a database leak does not leak usable tokens. A token
belongs to a user, expires, and can be revoked. Roles are per project membership: ``admin`` (manage members),
``editor`` (submit edits), ``legal`` (performers, consents, reviews, audit) and ``qc`` (verify deliverables).
Roles are held explicitly: an admin is not a legal reviewer unless also given that role.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, bindparam, insert, select, update

from cutproof.core.errors import CutproofError
from cutproof.core.models import MembershipRow, TokenPublic, TokenRow, UserRow, table_of
from store.driver_select import DriverSelect

users_table = table_of(UserRow)
memberships_table = table_of(MembershipRow)
tokens_table = table_of(TokenRow)

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
TOKEN_RE = re.compile(r"^cpt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366


class Role(StrEnum):
    """A member's role in a project."""

    ADMIN = "admin"
    EDITOR = "editor"
    LEGAL = "legal"
    QC = "qc"


class AuthError(CutproofError):
    """A user, membership or token request is invalid."""


class InvalidTokenError(AuthError):
    """A token is malformed, unknown, expired or revoked (the API answers 401)."""


class Principal(BaseModel):
    """Who is calling, as established from a valid token."""

    model_config = ConfigDict(frozen=True)

    username: str
    token_id: str
    is_superuser: bool
    roles: dict[str, frozenset[Role]]  # project slug -> roles

    def has_role(self, project: str, role: Role) -> bool:
        """Roles are held explicitly (separation of duties: an admin is not a legal reviewer by default)."""
        return self.is_superuser or role in self.roles.get(project, frozenset())

    def is_member(self, project: str) -> bool:
        return self.is_superuser or bool(self.roles.get(project))

    @property
    def identity(self) -> str:
        """The identity recorded in ledger entries for this caller."""
        return f"api:{self.username}"


class IssuedToken(BaseModel):
    """A freshly created token: ``token`` is shown once and never stored."""

    model_config = ConfigDict(frozen=True)

    token_id: str
    token: str
    username: str
    expires_at: datetime


def _hash_secret(secret: str, pepper: bytes) -> str:
    return hmac.new(pepper, secret.encode(), hashlib.sha256).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def add_user(engine: Any, username: str, *, superuser: bool = False) -> None:
    """Create a user.

    Raises:
        AuthError: bad username or the user exists.
    """
    if not USERNAME_RE.match(username):
        raise AuthError(f"invalid username {username!r}: use up to 64 characters a-z, 0-9, '.', '_', '@', '-'")
    with engine.begin() as conn:
        if conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first():
            raise AuthError(f"user {username!r} already exists")
        conn.execute(insert(users_table).values(username=username, created_at=_now(), is_superuser=superuser))


def _require_user(conn: Any, username: str) -> None:
    if not conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first():
        raise AuthError(f"unknown user {username!r}; create it first with `cutproof user add {username}`")


def grant_role(engine: Any, username: str, project: str, role: Role | str) -> None:
    """Make ``username`` a member of ``project`` with ``role`` (idempotent)."""
    try:
        r = Role(role)
    except ValueError:
        raise AuthError(f"unknown role {role!r}; choose one of {', '.join(x.value for x in Role)}") from None
    with engine.begin() as conn:
        _require_user(conn, username)
        exists = conn.execute(
            select(memberships_table).where(
                and_(
                    memberships_table.c.username == username,
                    memberships_table.c.project == project,
                    memberships_table.c.role == r.value,
                )
            )
        ).first()
        if not exists:
            conn.execute(
                insert(memberships_table).values(username=username, project=project, role=r.value, granted_at=_now())
            )


def issue_token(
    engine: Any, username: str, *, pepper: bytes, label: str = "", days: int = DEFAULT_TOKEN_DAYS
) -> IssuedToken:
    """Create a token for ``username``, valid for ``days`` days. The returned secret is not stored.

    Raises:
        AuthError: unknown user or a lifetime outside 1..366 days.
    """
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AuthError(f"token lifetime must be 1..{MAX_TOKEN_DAYS} days, got {days}")
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    now = _now()
    expires = now + timedelta(days=days)
    with engine.begin() as conn:
        _require_user(conn, username)
        conn.execute(
            insert(tokens_table).values(
                token_id=token_id,
                username=username,
                secret_sha256=_hash_secret(secret, pepper),
                label=label,
                created_at=now,
                expires_at=expires,
                revoked_at=None,
            )
        )
    return IssuedToken(token_id=token_id, token=f"cpt_{token_id}_{secret}", username=username, expires_at=expires)


def revoke_token(engine: Any, token_id: str) -> None:
    """Revoke a token by id (idempotent for an already revoked token).

    Raises:
        AuthError: no token with that id.
    """
    with engine.begin() as conn:
        row = conn.execute(select(tokens_table.c.revoked_at).where(tokens_table.c.token_id == token_id)).first()
        if row is None:
            raise AuthError(f"no token with id {token_id!r}; `cutproof token list` shows them")
        if row.revoked_at is None:
            conn.execute(update(tokens_table).where(tokens_table.c.token_id == token_id).values(revoked_at=_now()))


def authenticate(engine: Any, token: str, *, pepper: bytes, at: datetime | None = None) -> Principal:
    """Resolve a bearer token to the calling principal.

    Raises:
        InvalidTokenError: malformed, unknown, expired or revoked token (one message for all: no oracle).
    """
    m = TOKEN_RE.match(token.strip())
    if not m:
        raise InvalidTokenError("invalid or expired token")
    token_id, secret = m.groups()
    now = at or _now()
    with engine.connect() as conn:  # checked on every request: a revoked token fails its very next request
        found = _TOKEN_QUERY.rows(conn, {"token_id": token_id})
        if not found:
            raise InvalidTokenError("invalid or expired token")
        row = found[0]
        digest = _hash_secret(secret, pepper)
        if not hmac.compare_digest(digest, row["secret_sha256"]):
            raise InvalidTokenError("invalid or expired token")
        if row["revoked_at"] is not None or _aware(row["expires_at"]) <= now:
            raise InvalidTokenError("invalid or expired token")
        roles: dict[str, set[Role]] = {}
        for m_row in _ROLES_QUERY.rows(conn, {"username": row["username"]}):
            roles.setdefault(m_row["project"], set()).add(Role(m_row["role"]))
    return Principal(
        username=row["username"],
        token_id=token_id,
        is_superuser=bool(row["is_superuser"]),
        roles={p: frozenset(r) for p, r in roles.items()},
    )


# Built once (statement construction costs more than running the query): the token with its user's flag, and
# the user's memberships.
_TOKEN_QUERY = DriverSelect(  # on SQLite, run on the driver (``store.driver_select``): every request
    select(
        tokens_table.c.username,
        tokens_table.c.secret_sha256,
        tokens_table.c.expires_at,
        tokens_table.c.revoked_at,
        users_table.c.is_superuser,
    )
    .join(users_table, users_table.c.username == tokens_table.c.username)
    .where(tokens_table.c.token_id == bindparam("token_id"))
)
_ROLES_QUERY = DriverSelect(
    select(memberships_table.c.project, memberships_table.c.role).where(
        memberships_table.c.username == bindparam("username")
    )
)


def list_tokens(engine: Any, username: str | None = None) -> list[TokenPublic]:
    """Token metadata (never secrets), newest first."""
    q = select(*(tokens_table.c[name] for name in TokenPublic.model_fields)).order_by(tokens_table.c.created_at.desc())
    if username:
        q = q.where(tokens_table.c.username == username)
    with engine.connect() as conn:
        return [TokenPublic.model_validate(dict(r._mapping)) for r in conn.execute(q)]
