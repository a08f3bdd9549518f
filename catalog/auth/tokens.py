"""API tokens: made, listed, revoked, and verified on each request.

A token is ``cat_`` followed by 43 URL-safe characters (32 random bytes). It is shown once, when made; the
store keeps only its SHA-256 (a fast hash is enough for 256 random bits: nothing to guess) and a short
prefix for display. Verifying a token looks the hash up and compares it in constant time; a revoked
token verifies to nothing, from the very next request on. ``last_used_at`` is written at most once a
minute per token, so verification does not turn every read into a write, and never at the price of the
request: when the database is busy, the time is not recorded and the token still verifies.

These functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from catalog.auth.principal import Principal, Role
from catalog.db.auth_tables import ROLES, ApiToken
from catalog.db.types import as_utc
from catalog.exceptions import InputError, NotFound
from vocab.municipalities import by_nis, merged_into

__all__ = [
    "TOKEN_PREFIX",
    "create_token",
    "hash_token",
    "list_tokens",
    "looks_like_token",
    "normalise_municipality",
    "principal_of",
    "revoke_token",
    "token_summary",
    "verify_token",
]

TOKEN_PREFIX = "cat_"
_SHOWN = 6
"""Random characters of a token kept in clear for display (of 43: the rest stays unguessable)."""
_TOKEN = re.compile(r"cat_[A-Za-z0-9_-]{43}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}")
_TOUCH_EVERY = timedelta(minutes=1)
_log = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else datetime.now(UTC)


def hash_token(plaintext: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def looks_like_token(value: str) -> bool:
    """Is ``value`` shaped like a catalogue token (``cat_`` + 43 URL-safe characters)?"""
    return _TOKEN.fullmatch(value) is not None


def normalise_municipality(code: str) -> str:
    """A municipality NIS code as of 2025: a pre-2025 code becomes its merged municipality.

    ``InputError`` when the code is no Flemish municipality of 2025 or 2019.
    """
    nis = code.strip()
    if by_nis(nis, 2025) is not None:
        return nis
    if by_nis(nis, 2019) is not None:
        return merged_into(nis) or nis
    raise InputError(f"unknown municipality NIS code {code!r} (expected a Flemish NIS code such as 44021)")


def _organisations(values: Iterable[str]) -> list[str]:
    result: list[str] = []
    for value in values:
        value = value.strip()
        if not value or len(value) > 300:
            raise InputError("an organisation is a name or URI of 1 to 300 characters")
        if value not in result:
            result.append(value)
    return result


def create_token(
    session: Session,
    *,
    name: str,
    role: str,
    municipalities: Iterable[str] = (),
    organisations: Iterable[str] = (),
    now: datetime | None = None,
) -> tuple[str, ApiToken]:
    """Make a token; returns (plaintext, row). The plaintext is not kept anywhere: show it once.

    ``InputError`` for a bad name or role, an unknown municipality, a steward without a scope, an admin
    with one, or a name already taken.
    """
    name = name.strip()
    if not _NAME.fullmatch(name) or name.isdigit():
        raise InputError(
            f"invalid token name {name!r}: 1 to 100 letters, digits, spaces, '.', '_', '@' or '-', "
            "starting with a letter or digit, and not only digits"
        )
    if role not in ROLES:
        raise InputError(f"invalid role {role!r}; choose one of {', '.join(ROLES)}")
    nis_codes = sorted({normalise_municipality(code) for code in municipalities})
    orgs = _organisations(organisations)
    if role == "steward" and not nis_codes and not orgs:
        raise InputError("a steward token needs at least one municipality or organisation")
    if role == "admin" and (nis_codes or orgs):
        raise InputError("an admin token manages everything; give it no municipality or organisation")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        role=role,
        token_hash=hash_token(plaintext),
        prefix=plaintext[: len(TOKEN_PREFIX) + _SHOWN],
        municipalities=nis_codes,
        organisations=orgs,
        created_at=_now(now),
    )
    try:
        with session.begin_nested():
            session.add(token)
    except IntegrityError:
        raise InputError(f"a token named {name!r} exists already") from None
    return plaintext, token


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, revoked ones included, oldest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(
    session: Session, *, id: int | None = None, name: str | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke a token by id or name (revoking a revoked token changes nothing); ``NotFound`` if none."""
    if (id is None) == (name is None):
        raise InputError("revoke a token by its id or by its name")
    query = select(ApiToken).where(ApiToken.id == id if id is not None else ApiToken.name == name)
    token = session.scalars(query).one_or_none()
    if token is None:
        raise NotFound(f"no token {id if id is not None else name!r}")
    if token.revoked_at is None:
        token.revoked_at = _now(now)
        session.flush()
    return token


def principal_of(token: ApiToken) -> Principal:
    """The principal a token stands for."""
    role: Role = "admin" if token.role == "admin" else "steward"
    return Principal(
        token_id=token.id,
        name=token.name,
        role=role,
        municipalities=frozenset(token.municipalities or ()),
        organisations=frozenset(token.organisations or ()),
    )


def verify_token(session: Session, plaintext: str, *, now: datetime | None = None) -> Principal | None:
    """The principal of a valid, unrevoked token; None for anything else."""
    if not looks_like_token(plaintext):
        return None
    digest = hash_token(plaintext)
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).one_or_none()
    if token is None or not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        return None
    principal = principal_of(token)
    moment = _now(now)
    if token.last_used_at is None or moment - token.last_used_at >= _TOUCH_EVERY:
        try:
            with session.begin_nested():
                token.last_used_at = moment
        except OperationalError as exc:  # a busy database: the next use within the minute tries again
            _log.info("token %s: last use not recorded (%s)", token.id, type(exc).__name__)
    return principal


def token_summary(token: ApiToken) -> dict[str, Any]:
    """What may be shown of a token (never its hash)."""
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role,
        "prefix": token.prefix,
        "municipalities": list(token.municipalities or ()),
        "organisations": list(token.organisations or ()),
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }
