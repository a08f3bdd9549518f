"""Signing a steward in and out of the web pages, and checking every form against cross-site requests.

Signing in with an API token makes a server-side session (``catalog.db.web_sessions``): the browser gets
a random session id in an HTTP-only, SameSite=Lax cookie (Secure over https), the store keeps only its
SHA-256 and the id of the token. The token itself is never kept, put in a URL or logged. Each request
reads the token row again (``current_steward``): a revoked token ends its sessions at once, and an
expired session is refused.

Every form carries a CSRF value in a hidden field: the session's secret once signed in, and on the
sign-in form (no session yet) a random value also set in a short-lived cookie (double submit).
``read_form`` checks it on every POST and raises ``CsrfRefused`` (a 403 page) when it does not match.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.auth.principal import Principal
from catalog.auth.tokens import principal_of, verify_token
from catalog.db.auth_tables import ApiToken
from catalog.db.engine import session_scope
from catalog.db.types import as_utc
from catalog.db.web_sessions import WebSession

__all__ = [
    "COOKIE",
    "LOGIN_CSRF_COOKIE",
    "SESSION_LIFETIME",
    "CsrfRefused",
    "SignInRequired",
    "Steward",
    "current_steward",
    "end_session",
    "login_csrf",
    "read_form",
    "set_session_cookie",
    "start_session",
]

COOKIE = "steward_session"
LOGIN_CSRF_COOKIE = "steward_login_csrf"
SESSION_LIFETIME = timedelta(hours=8)
_MAX_FORM_BYTES = 256 * 1024


class SignInRequired(Exception):
    """The page needs a signed-in steward; the browser is sent to the sign-in form."""


class CsrfRefused(Exception):
    """A form was posted without this session's CSRF value."""


@dataclass(frozen=True, slots=True)
class Steward:
    """The signed-in steward of a request: who (``principal``) and the session's CSRF value."""

    principal: Principal
    csrf: str
    session_id: int


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _writer(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.writer_factory
    return factory


def start_session(request: Request, plaintext: str, *, now: datetime | None = None) -> str | None:
    """Verify the token and open a session for it; the new session id (for the cookie), or None when
    the token is not a valid one."""
    moment = now or datetime.now(UTC)
    with session_scope(_writer(request)) as session:
        principal = verify_token(session, plaintext.strip(), now=moment)
        if principal is None:
            return None
        session.execute(delete(WebSession).where(WebSession.expires_at < moment))
        session_id = secrets.token_urlsafe(32)
        session.add(
            WebSession(
                session_hash=_hash(session_id),
                token_id=principal.token_id,
                csrf_secret=secrets.token_urlsafe(32),
                created_at=moment,
                expires_at=moment + SESSION_LIFETIME,
            )
        )
    return session_id


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    """The session cookie: HTTP-only, SameSite=Lax, Secure over https, for the workspace's paths."""
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/steward",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/steward")


def current_steward(request: Request, *, now: datetime | None = None) -> Steward | None:
    """The request's signed-in steward: a live session of a token that is not revoked; else None."""
    cookie = request.cookies.get(COOKIE)
    if not cookie or len(cookie) > 100:
        return None
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        row = session.execute(
            select(WebSession, ApiToken)
            .join(ApiToken, ApiToken.id == WebSession.token_id)
            .where(WebSession.session_hash == _hash(cookie))
        ).one_or_none()
    if row is None:
        return None
    web_session, token = row
    if token.revoked_at is not None or as_utc(web_session.expires_at) <= (now or datetime.now(UTC)):
        return None
    return Steward(principal_of(token), web_session.csrf_secret, web_session.id)


def end_session(request: Request, response: Response) -> None:
    """Forget the request's session in the store and in the browser."""
    cookie = request.cookies.get(COOKIE)
    if cookie:
        with session_scope(_writer(request)) as session:
            session.execute(delete(WebSession).where(WebSession.session_hash == _hash(cookie)))
    response.delete_cookie(COOKIE, path="/steward")


def login_csrf(request: Request) -> str:
    """The sign-in form's CSRF value: the one in the browser's cookie, or a new one to set."""
    value = request.cookies.get(LOGIN_CSRF_COOKIE)
    return value if value and 20 <= len(value) <= 100 else secrets.token_urlsafe(32)


async def read_form(request: Request, expected: str | None) -> dict[str, str]:
    """The posted form (``application/x-www-form-urlencoded``), after checking its ``csrf`` field
    against ``expected`` (the session's secret; None on the sign-in form: its cookie)."""
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        raise CsrfRefused("the form is too large")
    try:
        pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CsrfRefused("the form could not be read") from exc
    form = {key: values[0] for key, values in pairs.items()}
    wanted = expected if expected is not None else request.cookies.get(LOGIN_CSRF_COOKIE)
    given = form.get("csrf", "")
    if not wanted or not given or not hmac.compare_digest(given.encode(), wanted.encode()):
        raise CsrfRefused("the form's security value is missing or does not match this session")
    return form
