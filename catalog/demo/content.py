"""The demo catalogue's content, read from ``content.toml`` into typed records.

``content.toml`` holds invented but realistic municipal open data; ``build_demo`` turns it into Turtle.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "CONTENT_PATH",
    "Content",
    "DemoDataset",
    "DemoSeries",
    "DemoService",
    "Municipality",
    "load_content",
]

CONTENT_PATH = Path(__file__).with_name("content.toml")

_T = TypeVar("_T")


@dataclass(frozen=True)
class Municipality:
    """A publishing municipality and how its portal lays out URLs."""

    key: str
    nis: str
    name: str
    province: str
    portal: str
    """``ods`` (Opendatasoft), ``arcgis`` (ArcGIS Hub), ``ckan``, or ``web`` (files on the website)."""
    host: str
    domain: str
    department: str


@dataclass(frozen=True)
class DemoDataset:
    """One dataset; ``*_en`` texts are None where the municipality publishes Dutch only."""

    town: str
    slug: str
    title_nl: str
    description_nl: str
    keywords: tuple[str, ...]
    themes: tuple[str, ...]
    frequency: str
    issued: str
    modified: str
    formats: tuple[str, ...]
    title_en: str | None = None
    description_en: str | None = None
    licence: str = "gratis"
    temporal_start: str | None = None
    temporal_end: str | None = None
    service: str | None = None
    """Slug of the data service that the ``wms`` / ``wfs`` distributions go through."""
    series: str | None = None


@dataclass(frozen=True)
class DemoService:
    """A dcat:DataService (WMS, WFS, OGC API Features)."""

    town: str
    slug: str
    protocol: str
    """``WMS``, ``WFS`` or ``OGC-API-Features`` (Flemish data-service protocol codes, after ``OGC:``)."""
    title_nl: str
    description_nl: str
    endpoint_url: str
    endpoint_description: str
    themes: tuple[str, ...]
    issued: str
    modified: str
    title_en: str | None = None


@dataclass(frozen=True)
class DemoSeries:
    """A dcat:DatasetSeries; its members name it in ``DemoDataset.series``."""

    town: str
    slug: str
    title_nl: str
    title_en: str
    description_nl: str
    description_en: str
    themes: tuple[str, ...]
    frequency: str
    issued: str
    modified: str


@dataclass(frozen=True)
class Content:
    """Everything in the demo catalogue."""

    municipalities: dict[str, Municipality]
    services: tuple[DemoService, ...]
    series: tuple[DemoSeries, ...]
    datasets: tuple[DemoDataset, ...]


def _make(cls: type[_T], table: dict[str, Any]) -> _T:
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
    return cls(**values)


def load_content(path: Path = CONTENT_PATH) -> Content:
    """Read and check the content file: every reference (town, service, series) must resolve."""
    data = tomllib.loads(path.read_text("utf-8"))
    towns = {m.key: m for m in (_make(Municipality, t) for t in data.get("municipality", []))}
    content = Content(
        municipalities=towns,
        services=tuple(_make(DemoService, t) for t in data.get("service", [])),
        series=tuple(_make(DemoSeries, t) for t in data.get("series", [])),
        datasets=tuple(_make(DemoDataset, t) for t in data.get("dataset", [])),
    )
    services = {s.slug for s in content.services}
    series = {s.slug for s in content.series}
    items: list[DemoService | DemoSeries | DemoDataset] = [
        *content.services,
        *content.series,
        *content.datasets,
    ]
    for item in items:
        if item.town not in towns:
            raise ValueError(f"{item.slug}: unknown town {item.town!r}")
    for d in content.datasets:
        if d.service is not None and d.service not in services:
            raise ValueError(f"{d.slug}: unknown service {d.service!r}")
        if d.series is not None and d.series not in series:
            raise ValueError(f"{d.slug}: unknown series {d.series!r}")
    return content
