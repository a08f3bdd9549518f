"""Response bodies of the search, municipality and statistics endpoints (for OpenAPI and validation)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict  # pydantic reads TypedDicts from here before Python 3.12

__all__ = [
    "SEARCH_JSON",
    "CatalogueStatsBody",
    "DatasetSummary",
    "DatasetSummaryDict",
    "FacetCount",
    "FacetCountDict",
    "MunicipalityBody",
    "MunicipalityDetailBody",
    "MunicipalityList",
    "SearchBody",
    "SearchBodyDict",
    "SourceBody",
    "Totals",
]

THEME = "http://publications.europa.eu/resource/authority/data-theme/"


class FacetCount(BaseModel):
    """One value of a facet: what to pass back as the filter, its Dutch label, how many datasets."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"value": THEME + "TRAN", "label": "Vervoer", "count": 1234}}
    )
    value: str
    label: str | None
    count: int


class DatasetSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "k3d5t2vhzq4u6mxa",
                "uri": "https://data.stad.gent/explore/dataset/fietstelpaal-visserij",
                "kind": "Dataset",
                "title": "Fietstelpaal Visserij",
                "description": "Het aantal fietsers dat per kwartier de telpaal aan de Visserij passeert.",
                "publisher": "Stad Gent",
                "municipality": "44021",
                "themes": [THEME + "TRAN"],
                "formats": ["http://publications.europa.eu/resource/authority/file-type/CSV"],
                "modified": "2025-03-01T00:00:00+00:00",
                "href": "https://catalog.example/api/datasets/k3d5t2vhzq4u6mxa",
            }
        }
    )
    id: str
    uri: str
    kind: str
    title: str | None
    description: str | None = Field(description="The description, cut to at most 280 characters.")
    publisher: str | None
    municipality: str | None = Field(description="NIS code of the municipality.")
    themes: list[str]
    formats: list[str]
    modified: datetime | None
    href: str = Field(description="The dataset's JSON in this API.")


class SearchBody(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[DatasetSummary]
    facets: dict[str, list[FacetCount]] = Field(
        description="Per facet, its values with counts over the search with that facet's own filter left out."
    )


class FacetCountDict(TypedDict):
    value: str
    label: str | None
    count: int


class DatasetSummaryDict(TypedDict):
    id: str
    uri: str
    kind: str
    title: str | None
    description: str | None
    publisher: str | None
    municipality: str | None
    themes: list[str]
    formats: list[str]
    modified: datetime | None
    href: str


class SearchBodyDict(TypedDict):
    """``SearchBody`` as plain dicts, field for field: the search answers with these, serialised once."""

    total: int
    page: int
    per_page: int
    results: list[DatasetSummaryDict]
    facets: dict[str, list[FacetCountDict]]


SEARCH_JSON: TypeAdapter[SearchBodyDict] = TypeAdapter(SearchBodyDict)
"""Writes a search's body as JSON the way ``SearchBody`` would (the same fields, order and formats) from
dicts the route builds itself: no model objects made, no second validation of the route's own output."""


class MunicipalityBody(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "nis": "44021",
                "name": "Gent",
                "province": "Oost-Vlaanderen",
                "uri": "https://data.vlaanderen.be/id/gemeente/44021",
                "datasets": 312,
                "sources": 1,
                "last_harvest": "2026-11-27T02:00:13+00:00",
                "href": "https://catalog.example/api/municipalities/44021",
            }
        }
    )
    nis: str
    name: str
    province: str | None
    uri: str
    datasets: int
    sources: int
    last_harvest: datetime | None = Field(description="When a harvest of one of its sources last succeeded.")
    href: str


class MunicipalityList(BaseModel):
    total: int
    results: list[MunicipalityBody]


class SourceBody(BaseModel):
    id: int
    name: str
    kind: str
    url: str
    active: bool
    datasets: int = Field(description="Live datasets of this municipality that the source brings.")
    last_harvest: datetime | None


class MunicipalityDetailBody(BaseModel):
    nis: str
    name: str
    province: str | None
    uri: str
    datasets: int
    last_harvest: datetime | None
    href: str
    publishers: list[FacetCount] = Field(description="Publishers of its datasets, with counts.")
    sources: list[SourceBody] = Field(description="Sources registered for it or bringing its datasets.")
    themes: list[FacetCount] = Field(description="Themes of its datasets, with counts.")


class Totals(BaseModel):
    datasets: int
    services: int
    series: int
    sources: int
    municipalities_with_data: int


class CatalogueStatsBody(BaseModel):
    totals: Totals
    per_theme: list[FacetCount]
    per_format: list[FacetCount]
    per_licence: list[FacetCount]
    per_province: list[FacetCount]
