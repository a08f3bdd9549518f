"""Facet values of a record, as rows for the narrow facet tables (``dataset_theme`` ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from catalog.db.tables import (
    DatasetAccessRights,
    DatasetFormat,
    DatasetKeyword,
    DatasetLanguage,
    DatasetLicence,
    DatasetMunicipality,
    DatasetPublisher,
    DatasetTheme,
)
from catalog.model import DataService, Dataset, DatasetSeries, pick_text

__all__ = ["FACET_COLUMNS", "FACET_TABLES", "delete_facets", "facet_values", "publisher_key"]

FACET_TABLES: dict[str, Table] = {
    "theme": DatasetTheme.__table__,  # type: ignore[dict-item]
    "format": DatasetFormat.__table__,  # type: ignore[dict-item]
    "licence": DatasetLicence.__table__,  # type: ignore[dict-item]
    "keyword": DatasetKeyword.__table__,  # type: ignore[dict-item]
    "municipality": DatasetMunicipality.__table__,  # type: ignore[dict-item]
    "publisher": DatasetPublisher.__table__,  # type: ignore[dict-item]
    "language": DatasetLanguage.__table__,  # type: ignore[dict-item]
    "access_rights": DatasetAccessRights.__table__,  # type: ignore[dict-item]
}
"""Facet name -> its table; every table has ``dataset_id`` and ``value``."""

_MAX_VALUE = 500
_MAX_PUBLISHER = 2000


def publisher_key(uri: str | None, name: str | None) -> str | None:
    """The publisher facet value: its URI, else ``name:`` and its name in lower case."""
    if uri:
        return uri[:_MAX_PUBLISHER]
    if name and name.strip():
        return ("name:" + " ".join(name.split()).lower())[:_MAX_PUBLISHER]
    return None


FACET_COLUMNS: dict[str, tuple[str, ...]] = {
    "theme": ("value",),
    "format": ("value",),
    "licence": ("value",),
    "keyword": ("value", "lang"),
    "municipality": ("value",),
    "publisher": ("value", "label"),
    "language": ("value",),
    "access_rights": ("value",),
}
"""The columns after ``dataset_id`` of each facet table, in the order ``facet_values`` gives them."""


def facet_values(
    record: Dataset | DataService | DatasetSeries, municipality: str | None
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows (without ``dataset_id``) each facet table should hold for one dataset.

    Values are cut to their column's width.
    """
    licences = {record.license} if record.license else set()
    formats: set[str] = set()
    if isinstance(record, Dataset):
        for dist in record.distribution:
            if dist.license:
                licences.add(dist.license)
            fmt = dist.format or dist.media_type
            if fmt:
                formats.add(fmt)
    keywords = {(word[:_MAX_VALUE], lang[:20]) for lang, words in record.keyword.items() for word in words}
    rows: dict[str, list[tuple[Any, ...]]] = {
        "theme": [(v,) for v in _cut(record.theme)],
        "format": [(v,) for v in _cut(formats)],
        "licence": [(v,) for v in _cut(licences)],
        "keyword": sorted(keywords),
        "municipality": [(municipality,)] if municipality else [],
        "publisher": [],
        "language": [(v,) for v in _cut(record.language)],
        "access_rights": [(v,) for v in _cut([record.access_rights] if record.access_rights else [])],
    }
    publisher = record.publisher
    if publisher is not None:
        label = pick_text(publisher.name)
        key = publisher_key(publisher.uri, label)
        if key:
            rows["publisher"].append((key, label[:_MAX_VALUE] if label else None))
    return rows


def _cut(values: Any) -> list[str]:
    return sorted({v[:_MAX_VALUE] for v in values})


def delete_facets(session: Session, dataset_ids: list[int]) -> None:
    """Remove every facet row of these datasets."""
    for start in range(0, len(dataset_ids), 1000):
        chunk = dataset_ids[start : start + 1000]
        for table in FACET_TABLES.values():
            session.execute(delete(table).where(table.c.dataset_id.in_(chunk)))
