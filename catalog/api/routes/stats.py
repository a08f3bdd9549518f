"""Catalogue statistics: totals and datasets per theme, format, licence and province."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.api.deps import SessionDep
from catalog.api.routes.schemas import CatalogueStatsBody, FacetCount, Totals
from catalog.search.engine import FacetValue
from catalog.search.stats import catalogue_stats

router = APIRouter(prefix="/api/stats", tags=["statistics"])


def _facets(values: list[FacetValue]) -> list[FacetCount]:
    return [FacetCount(value=v.value, label=v.label, count=v.count) for v in values]


@router.get("", response_model=CatalogueStatsBody)
def stats(session: SessionDep) -> CatalogueStatsBody:
    """Live datasets, services and series, sources, municipalities with data; datasets per theme,
    format, licence and province (a dataset counts once per value it has)."""
    s = catalogue_stats(session)
    return CatalogueStatsBody(
        totals=Totals(
            datasets=s.datasets,
            services=s.services,
            series=s.series,
            sources=s.sources,
            municipalities_with_data=s.municipalities_with_data,
        ),
        per_theme=_facets(s.per_theme),
        per_format=_facets(s.per_format),
        per_licence=_facets(s.per_licence),
        per_province=_facets(s.per_province),
    )
