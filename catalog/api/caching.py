"""HTTP validators and cache headers: ETag, Last-Modified, conditional requests (RFC 9110 13)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request

__all__ = [
    "CATALOG_CACHE",
    "DATASET_CACHE",
    "DUMP_CACHE",
    "http_date",
    "is_not_modified",
    "make_etag",
]

CATALOG_CACHE = "public, max-age=300"
"""Cache-Control of catalogue pages."""
DATASET_CACHE = "public, max-age=300, must-revalidate"
"""Cache-Control of one dataset's representations (revalidated cheaply through the ETag)."""
DUMP_CACHE = "public, max-age=3600"
"""Cache-Control of the full dumps."""


def make_etag(*parts: str) -> str:
    """A weak entity tag from the parts that decide a representation (content hash, format ...).

    Weak, because a response compressed on the way out is the same representation in other bytes.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f'W/"{digest}"'


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def http_date(value: datetime) -> str:
    """An IMF-fixdate (``Tue, 03 Jun 2025 10:00:00 GMT``); naive datetimes are taken as UTC."""
    return format_datetime(_utc(value), usegmt=True)


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def is_not_modified(request: Request, *, etag: str | None, last_modified: datetime | None) -> bool:
    """Whether a GET may be answered 304: ``If-None-Match`` (weak comparison) decides when present,
    else ``If-Modified-Since`` against ``last_modified`` (to the second)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        if etag is None:
            return False
        if if_none_match.strip() == "*":
            return True
        return _opaque(etag) in {_opaque(tag) for tag in if_none_match.split(",")}
    since = request.headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        return False  # not an HTTP date: ignore (RFC 9110 13.1.3)
    return _utc(last_modified).replace(microsecond=0) <= when
