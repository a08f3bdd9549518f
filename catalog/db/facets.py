"""Facet values of a record, as rows for the narrow facet tables (``dataset_theme`` ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from catalog.db.tables import (
    DatasetFormat,
    DatasetKeyword,
    DatasetLicence,
    DatasetMunicipality,
    DatasetPublisher,
    DatasetTheme,
)
from catalog.model import DataService, Dataset, DatasetSeries, pick_text

__all__ = ["FACET_TABLES", "delete_facets", "facet_rows", "publisher_key"]

FACET_TABLES: dict[str, Table] = {
    "theme": DatasetTheme.__table__,  # type: ignore[dict-item]
    "format": DatasetFormat.__table__,  # type: ignore[dict-item]
    "licence": DatasetLicence.__table__,  # type: ignore[dict-item]
    "keyword": DatasetKeyword.__table__,  # type: ignore[dict-item]
    "municipality": DatasetMunicipality.__table__,  # type: ignore[dict-item]
    "publisher": DatasetPublisher.__table__,  # type: ignore[dict-item]
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


def facet_rows(
    dataset_id: int, record: Dataset | DataService | DatasetSeries, municipality: str | None
) -> dict[str, list[dict[str, Any]]]:
    """The rows each facet table should hold for one dataset (values cut to the column's width)."""
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
    rows: dict[str, list[dict[str, Any]]] = {
        "theme": [{"dataset_id": dataset_id, "value": v} for v in _cut(record.theme)],
        "format": [{"dataset_id": dataset_id, "value": v} for v in _cut(formats)],
        "licence": [{"dataset_id": dataset_id, "value": v} for v in _cut(licences)],
        "keyword": [{"dataset_id": dataset_id, "value": w, "lang": lang} for w, lang in sorted(keywords)],
        "municipality": [{"dataset_id": dataset_id, "value": municipality}] if municipality else [],
        "publisher": [],
    }
    publisher = record.publisher
    if publisher is not None:
        label = pick_text(publisher.name)
        key = publisher_key(publisher.uri, label)
        if key:
            rows["publisher"].append(
                {"dataset_id": dataset_id, "value": key, "label": label[:_MAX_VALUE] if label else None}
            )
    return rows


def _cut(values: Any) -> list[str]:
    return sorted({v[:_MAX_VALUE] for v in values})


def delete_facets(session: Session, dataset_ids: list[int]) -> None:
    """Remove every facet row of these datasets."""
    for start in range(0, len(dataset_ids), 1000):
        chunk = dataset_ids[start : start + 1000]
        for table in FACET_TABLES.values():
            session.execute(delete(table).where(table.c.dataset_id.in_(chunk)))
