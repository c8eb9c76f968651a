"""Who may do what in a project: roles given and taken by authorised, recorded acts, and separation of duties.

The rules (``docs/access.md``):

1. A role is given (``grant``) or taken (``revoke``) by a project admin or a workspace administrator only (the API
   and console check the caller's admin role; on the CLI the operator of the machine acts as the workspace's
   administrator).
2. Nobody changes their own roles upward: a grant to oneself is refused, whatever the role — so an admin cannot
   make themself ``legal`` (and read signed consent documents and performer names) or ``editor``. Taking away
   one's own role is allowed.
3. Each change is a ledger entry — ``access.granted/1`` / ``access.revoked/1`` with the project, user, role, who
   acted and when — appended in the transaction that changes the membership row: a membership never changes
   without its entry, and an entry never stands for a change that did not happen.
4. Whoever submitted an edit request can never sign its review (``check_not_submitter``; the flow applies it to
   every sign-off, API, console and CLI alike), whatever roles they hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select

from cutproof.core.auth import AuthError, Role, memberships_table, users_table
from cutproof.core.projects import Project, project_log
from cutproof.core.workspace import Workspace
from records import AccessGranted, AccessRevoked


class SeparationOfDutiesError(AuthError):
    """The act would let one person hold both sides of a duty (the API answers 403)."""


class MembershipNotFoundError(AuthError):
    """The user does not hold that role in the project (the API answers 404)."""


def person_of(identity: str) -> str:
    """The person behind a recorded identity: ``api:ed`` → ``ed``, ``cli:ed@host`` → ``ed``, ``ed`` → ``ed``."""
    channel, sep, rest = identity.partition(":")
    if not sep:
        return identity
    return rest.rsplit("@", 1)[0] if channel == "cli" else rest


def check_not_submitter(submitted_by: str, reviewer: str) -> None:
    """Raise ``SeparationOfDutiesError`` if ``reviewer`` is the person who submitted the request."""
    if person_of(submitted_by) == person_of(reviewer):
        raise SeparationOfDutiesError(
            f"{person_of(reviewer)} submitted this edit request and cannot sign its review; another legal reviewer "
            "must sign it"
        )


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AuthError(f"unknown role {role!r}; choose one of {', '.join(x.value for x in Role)}") from None


def _holds(conn: Any, username: str, project: str, role: Role) -> bool:
    m = memberships_table.c
    q = select(m.username).where(and_(m.username == username, m.project == project, m.role == role.value))
    return conn.execute(q).first() is not None


def grant(ws: Workspace, project: Project, username: str, role: Role | str, *, by: str) -> bool:
    """Give ``username`` the ``role`` in ``project`` on behalf of ``by`` (a recorded identity, already authorised
    as the project's admin); returns False when they held it already (nothing recorded).

    Raises:
        SeparationOfDutiesError: ``by`` is ``username`` (nobody raises their own roles).
        AuthError: unknown user or role.
    """
    r = _role(role)
    if person_of(by) == username:
        raise SeparationOfDutiesError(
            f"{username} cannot give themself the {r.value} role; another admin of {project.slug!r} must grant it"
        )
    with ws.engine.connect() as conn:
        if conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first() is None:
            raise AuthError(f"unknown user {username!r}; create it first with `cutproof user add {username}`")
        if _holds(conn, username, project.slug, r):
            return False
    now = datetime.now(UTC)
    entry = AccessGranted(project=project.slug, username=username, role=r.value, granted_by=by, time=now).entry()
    changed: list[bool] = []

    def write(conn: Any, _appended: Any) -> None:  # commits with the entry, or neither does
        changed.clear()
        if _holds(conn, username, project.slug, r):
            raise _AlreadyDone
        conn.execute(
            insert(memberships_table).values(username=username, project=project.slug, role=r.value, granted_at=now)
        )
        changed.append(True)

    try:
        project_log(ws, project).append([entry], identity=by, also=write)
    except _AlreadyDone:
        return False
    return bool(changed)


def revoke(ws: Workspace, project: Project, username: str, role: Role | str, *, by: str, reason: str) -> None:
    """Take ``role`` in ``project`` from ``username`` on behalf of ``by`` (already authorised as the project's
    admin), with the reason recorded.

    Raises:
        MembershipNotFoundError: they do not hold that role there.
        AuthError: unknown role, or no reason given.
    """
    r = _role(role)
    reason = reason.strip()
    if not reason:
        raise AuthError("say why the role is taken away (--reason); the reason is recorded in the ledger")
    entry = AccessRevoked(
        project=project.slug, username=username, role=r.value, revoked_by=by, reason=reason, time=datetime.now(UTC)
    ).entry()

    def write(conn: Any, _appended: Any) -> None:  # commits with the entry, or neither does
        m = memberships_table.c
        gone = conn.execute(
            delete(memberships_table).where(and_(m.username == username, m.project == project.slug, m.role == r.value))
        ).rowcount
        if not gone:
            raise MembershipNotFoundError(f"{username} does not hold the {r.value} role in {project.slug!r}")

    project_log(ws, project).append([entry], identity=by, also=write)


def members(ws: Workspace, project: str) -> list[tuple[str, str]]:
    """``(username, role)`` of every membership of ``project``, sorted."""
    m = memberships_table.c
    with ws.engine.connect() as conn:
        rows = conn.execute(select(m.username, m.role).where(m.project == project)).all()
    return sorted((str(u), str(r)) for u, r in rows)


class _AlreadyDone(Exception):
    """Another writer granted the same role meanwhile."""
