"""The standard exports of an Opendatasoft dataset as DCAT distributions.

Every dataset with records can be downloaded whole from
``{portal}/api/explore/v2.1/catalog/datasets/{dataset_id}/exports/{format}``: CSV, JSON, Excel and
Parquet always, GeoJSON and a zipped shapefile when the dataset is geographic. Each becomes a
distribution with its EU file type (none exists for Parquet) and its IANA media type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from catalog.model import Distribution

__all__ = [
    "EXPORTS",
    "GEO_EXPORTS",
    "GEO_FIELD_TYPES",
    "Export",
    "dataset_api_url",
    "export_distributions",
    "is_geographic",
]

_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_IANA = "https://www.iana.org/assignments/media-types/"
_API = "/api/explore/v2.1/catalog/datasets/"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GEO_FIELD_TYPES = frozenset({"geo_point_2d", "geo_shape"})
"""Field types that make a dataset geographic (its GeoJSON and shapefile exports are then offered)."""


@dataclass(frozen=True)
class Export:
    """One of the portal's standard exports of a dataset's records."""

    name: str
    """The export format in the URL (``.../exports/{name}``)."""
    title: str
    file_type: str | None
    """EU file-type code, None when the EU table has none (Parquet)."""
    media_type: str

    @property
    def format_iri(self) -> str | None:
        return _FILE_TYPE + self.file_type if self.file_type else None

    @property
    def media_type_iri(self) -> str:
        return _IANA + self.media_type


EXPORTS = (
    Export("csv", "CSV", "CSV", "text/csv"),
    Export("json", "JSON", "JSON", "application/json"),
    Export("xlsx", "Excel (XLSX)", "XLSX", _XLSX),
    Export("parquet", "Parquet", None, "application/vnd.apache.parquet"),
)
"""Exports offered for every dataset that has records."""
GEO_EXPORTS = (
    Export("geojson", "GeoJSON", "GEOJSON", "application/geo+json"),
    Export("shp", "Shapefile (ZIP)", "SHP", "application/zip"),
)
"""Exports offered when the dataset has a geographic field."""


def dataset_api_url(portal: str, dataset_id: str) -> str:
    """The dataset's own Explore v2.1 URL (where its metadata can be read on its own)."""
    return portal + _API + quote(dataset_id, safe="")


def is_geographic(item: Mapping[str, Any]) -> bool:
    """A geo field (``fields[].type``), or the ``geo`` feature ODS sets for such datasets."""
    fields, features = item.get("fields"), item.get("features")
    if isinstance(features, list) and "geo" in features:
        return True
    return isinstance(fields, list) and any(
        isinstance(f, Mapping) and f.get("type") in GEO_FIELD_TYPES for f in fields
    )


def export_distributions(
    portal: str, dataset_id: str, *, licence: str | None, modified: datetime | date | None, geographic: bool
) -> list[Distribution]:
    """The standard exports of one dataset, licensed as the dataset and dated by its data."""
    offered = EXPORTS + GEO_EXPORTS if geographic else EXPORTS
    base = dataset_api_url(portal, dataset_id) + "/exports/"
    return [
        Distribution(
            identifier=[f"{dataset_id}-{export.name}"],
            title={"": export.title},
            access_url=[base + export.name],
            download_url=[base + export.name],
            format=export.format_iri,
            media_type=export.media_type_iri,
            license=licence,
            modified=modified,
        )
        for export in offered
    ]
