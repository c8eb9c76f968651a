"""Console sessions: an API token exchanged once for a session cookie, kept server-side.

Design (why not a plain signed cookie): every console request must pass the API's own authorization
(``cutproof.api.deps.authorize``), which takes the caller's API token — so a revoked or expired token ends the
session at the next click, and whatever issue 19 adds to authorization applies here unchanged. The token is
therefore needed on every request, and is split between the two sides so that neither alone yields it:

- the **cookie** ``cutproof_session`` holds ``<session id>.<AES-256-GCM(token)>`` (HttpOnly, SameSite=Strict,
  Path=/console, Secure outside local use);
- the **table** ``app_console_sessions`` holds the SHA-256 of the session id, the AES key for that session, the
  token's id and user, the CSRF token, and the idle and absolute deadlines.

A database leak gives keys without ciphertexts; a stolen cookie stops working at sign-out (the row and its key
are deleted), at the idle or absolute deadline, or when the token is revoked. The ciphertext is bound to the
session id (AES-GCM associated data), so a cookie cannot be stitched together from two sessions.

Table (one row per signed-in browser)::

    app_console_sessions(session_sha256 PK, token_id, username, aes_key_hex, csrf_token,
                         created_at, last_seen_at, idle_expires_at, expires_at)

The integrator folds this table into the Alembic migrations with the other ``app_*`` tables.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete, insert, select, update

from cutproof.core.auth import TOKEN_RE
from cutproof.core.errors import CutproofError
from cutproof.core.models import ConsoleSessionRow, table_of

sessions_table = table_of(ConsoleSessionRow)

COOKIE = "cutproof_session"
IDLE = timedelta(hours=1)  # no request for this long: signed out
ABSOLUTE = timedelta(hours=12)  # a working day at most, whatever the activity
TOUCH_EVERY = timedelta(minutes=1)  # the idle deadline moves at most this often (one write a minute, not a click)


class SessionError(CutproofError):
    """No valid console session (missing, malformed, unknown, expired or signed out): sign in again."""


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in browser: the API token it acts with, and its CSRF token."""

    session_sha256: str
    token: str
    token_id: str
    username: str
    csrf_token: str
    expires_at: datetime


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionStore:
    """The ``app_console_sessions`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, token: str, username: str, *, now: datetime | None = None) -> tuple[str, ConsoleSession]:
        """Start a session for a token the caller has already authenticated; returns the cookie value and the
        session. Expired sessions of every user are swept out on the way."""
        m = TOKEN_RE.match(token.strip())
        if not m:
            raise SessionError("not an API token")
        now = now or datetime.now(UTC)
        session_id = secrets.token_urlsafe(32)
        key = AESGCM.generate_key(bit_length=256)
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key).encrypt(nonce, token.strip().encode(), session_id.encode())
        session = ConsoleSession(
            session_sha256=_sha256(session_id),
            token=token.strip(),
            token_id=m.group(1),
            username=username,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=now + ABSOLUTE,
        )
        with self.engine.begin() as conn:
            conn.execute(
                delete(sessions_table).where(
                    (sessions_table.c.expires_at <= now) | (sessions_table.c.idle_expires_at <= now)
                )
            )
            conn.execute(
                insert(sessions_table).values(
                    session_sha256=session.session_sha256,
                    token_id=session.token_id,
                    username=username,
                    aes_key_hex=key.hex(),
                    csrf_token=session.csrf_token,
                    created_at=now,
                    last_seen_at=now,
                    idle_expires_at=now + IDLE,
                    expires_at=session.expires_at,
                )
            )
        return f"{session_id}.{_b64(nonce + sealed)}", session

    def resolve(self, cookie: str | None, *, now: datetime | None = None) -> ConsoleSession:
        """The session a cookie names, with its token unsealed; moves the idle deadline.

        Raises:
            SessionError: no cookie, a malformed or unknown one, a session past a deadline, or a ciphertext that
                does not open with the session's key (one message for all).
        """
        now = now or datetime.now(UTC)
        invalid = SessionError("your console session has ended; sign in again")
        if not cookie or cookie.count(".") != 1:
            raise invalid
        session_id, sealed_b64 = cookie.split(".")
        digest = _sha256(session_id)
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions_table).where(sessions_table.c.session_sha256 == digest)).first()
        if row is None or _aware(row.expires_at) <= now or _aware(row.idle_expires_at) <= now:
            raise invalid
        try:
            sealed = _unb64(sealed_b64)
            token = AESGCM(bytes.fromhex(row.aes_key_hex)).decrypt(sealed[:12], sealed[12:], session_id.encode())
        except (InvalidTag, ValueError):
            raise invalid from None
        text = token.decode()
        m = TOKEN_RE.match(text)
        if not m or not hmac.compare_digest(m.group(1), row.token_id):
            raise invalid
        if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(
                    update(sessions_table)
                    .where(sessions_table.c.session_sha256 == digest)
                    .values(last_seen_at=now, idle_expires_at=min(now + IDLE, _aware(row.expires_at)))
                )
        return ConsoleSession(digest, text, row.token_id, row.username, row.csrf_token, _aware(row.expires_at))

    def close(self, session_sha256: str) -> None:
        """Sign out: delete the session (and with it the key that opens the cookie's token)."""
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_table).where(sessions_table.c.session_sha256 == session_sha256))


def csrf_matches(session: ConsoleSession, submitted: str | None) -> bool:
    """Whether a submitted CSRF token is the session's (constant-time)."""
    return bool(submitted) and hmac.compare_digest(session.csrf_token.encode(), str(submitted).encode())
