"""The metadata store: tables (``tables``), engine and sessions (``engine``), migrations (``migrate``)
and the session functions (``repository``, re-exporting ``upsert``, ``withdraw``, ``queries``,
``sources`` and ``jobs``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.db.engine import make_engine, make_session_factory, session_scope

if TYPE_CHECKING:
    from catalog.db.migrate import upgrade


def __getattr__(name: str) -> Any:
    """``upgrade`` is imported when asked for: migrations need Alembic, which writing records does not."""
    if name == "upgrade":
        from catalog.db.migrate import upgrade

        return upgrade
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["make_engine", "make_session_factory", "session_scope", "upgrade"]
