"""Identity: API tokens, the principal they stand for and its scope, the audit log, rate limits and
input limits. The web service's dependencies are in ``catalog.api.auth``."""

from __future__ import annotations

from catalog.auth.audit import list_audit, record_audit
from catalog.auth.principal import Principal
from catalog.auth.tokens import create_token, list_tokens, revoke_token, verify_token

__all__ = [
    "Principal",
    "create_token",
    "list_audit",
    "list_tokens",
    "record_audit",
    "revoke_token",
    "verify_token",
]
