"""Tables of identity: API tokens and the audit log (schema by migration ``0004``).

A token is stored only as the SHA-256 of its plaintext (the plaintext is shown once, when it is made),
with a short non-secret ``prefix`` to tell tokens apart in listings. Tokens are revoked, never deleted, so
audit entries keep pointing at who did what.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db.tables import Base
from catalog.db.types import JsonDocument

__all__ = ["ROLES", "ApiToken", "AuditEntry"]

ROLES = ("admin", "steward")

_Id = BigInteger().with_variant(Integer(), "sqlite")


class ApiToken(Base):
    """An API token: a name, a role, a scope (municipalities, organisations), its hash."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("role IN ('admin', 'steward')", name="role"),)

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 (hex) of the plaintext token; the plaintext itself is never stored."""
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, for display ("cat_Ab3x..."); not enough to guess it."""
    municipalities: Mapped[Any] = mapped_column(JsonDocument, default=list, server_default=text("'[]'"))
    """NIS codes (2025) whose sources a steward manages."""
    organisations: Mapped[Any] = mapped_column(JsonDocument, default=list, server_default=text("'[]'"))
    """Organisation names or URIs whose sources a steward manages."""
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class AuditEntry(Base):
    """One write through the API or the CLI: who, what, when, the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity_entity_id_id", "entity", "entity_id", "id"),
        Index("ix_audit_log_token_id", "token_id"),
    )

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    at: Mapped[datetime]
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    actor: Mapped[str | None] = mapped_column(String(100))
    """The token's name at the time (None: the command line or the system)."""
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(50))
    """What was done: ``create``, ``update``, ``delete``, ``harvest``, ``revoke`` ..."""
    entity: Mapped[str] = mapped_column(String(50))
    """What kind of thing: ``source``, ``job``, ``token`` ..."""
    entity_id: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[Any] = mapped_column(JsonDocument, nullable=True)
    after: Mapped[Any] = mapped_column(JsonDocument, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(128))
