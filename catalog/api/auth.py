"""Authentication and limits for the API, as FastAPI dependencies (``Annotated`` aliases).

``Authorization: Bearer cat_...`` names an API token (``catalog tokens create``). A request without the
header is anonymous; a header that is malformed, or names an unknown or revoked token, is refused with
401 (never treated as anonymous), so a client always learns that its token does not work.

- ``OptionalPrincipalDep``: the caller's ``Principal``, or None when anonymous.
- ``PrincipalDep``: a principal is required (401 without one).
- ``AdminDep``: an admin is required (403 for a steward).
- ``forbidden(detail)``: the 403 to raise when a steward reaches outside its scope.
- ``auth_responses(401, 403, ...)``: the OpenAPI ``responses`` documenting these refusals.
- ``rate_limit("write" | "test")``: a per-token (per client address when anonymous) token bucket, 429
  with ``Retry-After`` when it is empty; the rates are ``server.write_rate_per_minute`` and
  ``server.test_rate_per_minute``.

Every refusal is RFC 9457 problem+json (through ``catalog.api.problems``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from catalog.api.problems import PROBLEM_JSON
from catalog.auth.principal import Principal
from catalog.auth.ratelimit import RateLimiter
from catalog.auth.tokens import looks_like_token, verify_token
from catalog.db.engine import SQLITE_BUSY_TIMEOUT_MS
from catalog.settings import Settings

__all__ = [
    "RATE_BUCKETS",
    "AdminDep",
    "OptionalPrincipalDep",
    "PrincipalDep",
    "auth_responses",
    "forbidden",
    "get_admin",
    "get_optional_principal",
    "get_principal",
    "rate_limit",
]

_log = logging.getLogger(__name__)

RATE_BUCKETS: dict[str, Callable[[Settings], int]] = {
    "write": lambda settings: settings.server.write_rate_per_minute,
    "test": lambda settings: settings.server.test_rate_per_minute,
}
"""The rate-limit buckets and where their rate (per minute) comes from."""

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token made with `catalog tokens create` (`cat_...`).",
)
_limiter_lock = threading.Lock()
_TOUCH_WAIT_MS = 200
"""How long (SQLite) recording a token's use may wait for another writer before it is skipped."""


def _unauthorized(detail: str, *, invalid: bool) -> HTTPException:
    challenge = 'Bearer realm="catalog"' + (', error="invalid_token"' if invalid else "")
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})


def forbidden(detail: str) -> HTTPException:
    """The 403 to raise when the caller's token does not reach what it asks for."""
    return HTTPException(403, detail)


def get_optional_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The principal of the request's bearer token, None without an ``Authorization`` header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise _unauthorized("the Authorization header must be 'Bearer <token>'", invalid=True)
    if not looks_like_token(value):
        raise _unauthorized("malformed API token (expected 'cat_' and 43 characters)", invalid=True)
    factory: sessionmaker[Session] = request.app.state.session_factory
    principal = _verify(factory, value)
    if principal is None:
        raise _unauthorized("unknown or revoked API token", invalid=True)
    request.state.principal = principal
    return principal


def _verify(factory: sessionmaker[Session], plaintext: str) -> Principal | None:
    """Verify on a connection of its own; on SQLite, recording the use waits at most ``_TOUCH_WAIT_MS``
    for another writer (a harvest's batch) instead of keeping the request waiting."""
    engine = factory.kw["bind"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={_TOUCH_WAIT_MS}")
            connection.commit()  # so the session below owns (and commits) its own transaction
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                principal = verify_token(session, plaintext)
                try:
                    session.commit()  # last_used_at, at most once a minute
                except SQLAlchemyError as exc:  # a busy database must not refuse a valid token
                    session.rollback()
                    _log.info("token use not recorded (%s)", type(exc).__name__)
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return principal


OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]


def get_principal(principal: OptionalPrincipalDep) -> Principal:
    """The caller's principal; 401 when the request carries no token."""
    if principal is None:
        raise _unauthorized("this needs an API token: 'Authorization: Bearer <token>'", invalid=False)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_admin(principal: PrincipalDep) -> Principal:
    """The caller's principal when it is an admin; 403 for a steward."""
    if not principal.is_admin:
        raise forbidden("this needs an admin token")
    return principal


AdminDep = Annotated[Principal, Depends(get_admin)]


def _limiter(request: Request) -> RateLimiter:
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        with _limiter_lock:
            limiter = getattr(state, "rate_limiter", None)
            if limiter is None:
                limiter = RateLimiter()
                state.rate_limiter = limiter
    return limiter


def rate_limit(bucket: str) -> Callable[..., None]:
    """A dependency that spends one action of ``bucket`` ("write" or "test") for the caller, or 429.

    The caller is its token when it has one, else its client address.
    """
    if bucket not in RATE_BUCKETS:
        raise ValueError(f"unknown rate-limit bucket {bucket!r}; known: {', '.join(RATE_BUCKETS)}")
    rate_of = RATE_BUCKETS[bucket]

    def _rate_limited(request: Request, principal: OptionalPrincipalDep) -> None:
        settings: Settings = request.app.state.settings
        rate = rate_of(settings)
        who = (
            f"token:{principal.token_id}"
            if principal
            else f"ip:{request.client.host if request.client else '-'}"
        )
        wait = _limiter(request).take((bucket, who), rate_per_minute=rate)
        if wait > 0:
            seconds = RateLimiter.retry_after(wait)
            raise HTTPException(
                429,
                f"too many {bucket} requests: at most {rate} a minute; retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )

    _rate_limited.__name__ = f"rate_limit_{bucket}"
    return _rate_limited


_PROBLEM_EXAMPLES: dict[int, tuple[str, str]] = {
    401: (
        "The request carries no API token, or one that is malformed, unknown or revoked.",
        "unknown or revoked API token",
    ),
    403: (
        "The token is valid but does not reach this (a steward outside its scope, or not an admin).",
        "this needs an admin token",
    ),
    413: (
        "The request body is larger than `server.max_body_bytes`.",
        "the request body is larger than 1048576 bytes",
    ),
    429: (
        "Too many requests from this token (or address); `Retry-After` says when to retry.",
        "too many write requests: at most 60 a minute; retry in 1 s",
    ),
}


def auth_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the refusals of this module (401, 403, 413, 429), with problem examples."""
    result: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, detail = _PROBLEM_EXAMPLES[status]
        example = {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
        }
        result[status] = {"description": description, "content": {PROBLEM_JSON: {"example": example}}}
    return result
