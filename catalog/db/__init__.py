"""The metadata store: tables (``tables``), engine and sessions (``engine``), migrations (``migrate``)
and the session functions (``repository``, re-exporting ``upsert``, ``withdraw``, ``queries``,
``sources`` and ``jobs``)."""

from __future__ import annotations

from catalog.db.engine import make_engine, make_session_factory, session_scope
from catalog.db.migrate import upgrade

__all__ = ["make_engine", "make_session_factory", "session_scope", "upgrade"]
