"""The audit log: every write through the API (and token changes on the command line), who made it,
what it changed, when, and the state before and after.

Secrets never reach the log: values under a key named like a secret (``key``, ``token``, ``secret``,
``password``, ``credential``, ``authorization`` ...) are masked at any depth, and so is any string shaped
like a catalogue token, wherever it appears.

``record_audit`` flushes but never commits: the entry belongs to the transaction of the write it records,
so a write that is rolled back leaves no entry and a committed one always has its entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.auth.principal import Principal
from catalog.db.auth_tables import AuditEntry
from catalog.logging import request_id as current_request_id

__all__ = ["MASK", "is_secret_key", "list_audit", "mask_secrets", "record_audit"]

MASK = "***"
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SECRET_WORDS = frozenset({"pwd", "passwd", "credential", "credentials", "authorization", "cookie", "bearer"})
_SECRET_ENDINGS = ("key", "token", "secret", "password")
_TOKEN_TEXT = re.compile(r"\bcat_[A-Za-z0-9_-]{20,}")
_MAX_LIMIT = 1000


def is_secret_key(key: str) -> bool:
    """Is a value under this key (an option name, a header) treated as a secret?

    By its words (``api_key``, ``apiKey``, ``X-Api-Key``, ``access_token``, ``client_secret``,
    ``password`` ...): one ends in key, token, secret or password, or is a word such as ``credentials``.
    """
    for word in _WORD.findall(key):
        word = word.lower()
        if word in _SECRET_WORDS or word.endswith(_SECRET_ENDINGS):
            return True
    return False


def mask_secrets(value: Any) -> Any:
    """A JSON-ready copy of ``value`` with secrets masked (see the module docstring)."""
    if isinstance(value, Mapping):
        return {
            str(k): (MASK if is_secret_key(str(k)) and v not in (None, "") else mask_secrets(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [mask_secrets(v) for v in value]
    if isinstance(value, str):
        return _TOKEN_TEXT.sub("cat_" + MASK, value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return mask_secrets(json.loads(json.dumps(value, default=str)))


def record_audit(
    session: Session,
    *,
    principal: Principal | None,
    action: str,
    entity: str,
    entity_id: str | int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Log one write; ``principal`` None means the command line or the system itself.

    ``request_id`` defaults to the id of the HTTP request being handled, if any.
    """
    entry = AuditEntry(
        at=now or datetime.now(UTC),
        token_id=principal.token_id if principal else None,
        actor=principal.name if principal else None,
        role=principal.role if principal else None,
        action=action[:50],
        entity=entity[:50],
        entity_id=None if entity_id is None else str(entity_id)[:200],
        before=None if before is None else mask_secrets(before),
        after=None if after is None else mask_secrets(after),
        request_id=request_id or current_request_id.get(),
    )
    session.add(entry)
    session.flush()
    return entry


def list_audit(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | int | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """Entries newest first; ``before_id`` pages on (the entries older than that one)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, _MAX_LIMIT)))
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query))
