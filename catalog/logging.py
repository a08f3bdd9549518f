"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

``request_id`` is a context variable the web service sets for each request; ``RequestIdFilter`` puts
it on every log record, and ``JsonFormatter`` writes records as JSON with any ``extra={"fields":
{...}}`` merged in. ``configure_logging`` wires both onto the root logger; ``ensure_logging`` does
so only when nothing else configured logging.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = [
    "ACCESS_LOGGER",
    "JsonFormatter",
    "RequestIdFilter",
    "configure_logging",
    "ensure_logging",
    "request_id",
]

ACCESS_LOGGER = "catalog.access"
"""The logger of the access log (one line per HTTP request)."""

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being handled, None outside requests."""

_API_TOKEN = re.compile(r"\bcat_[A-Za-z0-9_-]{20,}")
"""An API token (``catalog.auth.tokens``), or most of one: masked in every log line, wherever it came from."""


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (or None) to every record that passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return _API_TOKEN.sub("cat_***", line) if "cat_" in line else line  # tokens never reach a log


def configure_logging(level: int | str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send the catalogue's logs as JSON lines to ``stream`` (default: standard error).

    Replaces a handler installed by an earlier call, so calling it twice does not double the lines.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.set_name("catalog-json")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "catalog-json"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def ensure_logging(level: int | str = "INFO") -> logging.Handler | None:
    """``configure_logging`` unless the process has configured logging itself (root has handlers).

    The web service calls this, so ``catalog serve`` and ``uvicorn --factory`` write JSON access
    logs out of the box while an embedding application's own configuration is left alone.
    """
    if logging.getLogger().handlers:
        return None
    return configure_logging(level)
