"""Steward sign-in sessions of the web pages (schema by migration ``0009``).

A session is made when a steward signs in with an API token on ``/steward/login``. The browser holds a
random session id in an HTTP-only cookie; the store keeps only its SHA-256, the id of the token that
signed in (never the token itself), the session's CSRF secret and when it ends. Every request looks the
token up again, so revoking the token ends the session at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db.tables import Base

__all__ = ["WebSession"]

_Id = BigInteger().with_variant(Integer(), "sqlite")


class WebSession(Base):
    """A signed-in steward's browser session."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 (hex) of the cookie's random session id; the id itself is never stored."""
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    """The value every form of this session carries in a hidden field."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
