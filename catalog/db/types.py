"""Column types that behave the same on SQLite and PostgreSQL, and the raw payloads' compression."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

__all__ = ["RAW_COMPRESSION", "JsonDocument", "UtcDateTime", "as_utc", "pack_raw", "unpack_raw"]

RAW_COMPRESSION = "zlib"
"""How the store compresses a raw payload (``raw_records.compression``)."""


_WINDOW_BITS = 13
"""An 8 KB window: a record's payload is about that size, and setting up zlib's default 32 KB window for
each of them cost a third of the compressing (the ratio is the same)."""


def pack_raw(data: bytes) -> bytes:
    """A raw payload as the store keeps it: zlib at level 1 (N-Triples shrink about 6.5x; the higher
    levels gain a few per cent for more time)."""
    return zlib.compress(data, 1, _WINDOW_BITS)


def unpack_raw(data: bytes, compression: str | None) -> bytes:
    """The payload as harvested, from a stored one and its ``compression`` (None: stored as given)."""
    if compression is None:
        return data
    if compression != RAW_COMPRESSION:
        raise ValueError(f"unknown raw payload compression {compression!r}")
    return zlib.decompress(data)


def as_utc(value: date | datetime) -> datetime:
    """A timezone-aware UTC datetime: a date is its midnight, a naive datetime is read as UTC."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonDocument: Any = JSON().with_variant(JSONB(), "postgresql")
"""Small JSON documents (source options, job statistics): JSONB on PostgreSQL, JSON text on SQLite."""
