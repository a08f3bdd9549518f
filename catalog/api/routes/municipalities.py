"""Municipalities: all 285 with their counts, and one with its publishers, sources and themes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from catalog.api.deps import SessionDep
from catalog.api.routes.schemas import (
    FacetCount,
    MunicipalityBody,
    MunicipalityDetailBody,
    MunicipalityList,
    SourceBody,
)
from catalog.exceptions import NotFound
from catalog.search.engine import FacetValue
from catalog.search.stats import find_municipality, municipality_detail, municipality_summaries

router = APIRouter(prefix="/api/municipalities", tags=["municipalities"])


def _facets(values: list[FacetValue]) -> list[FacetCount]:
    return [FacetCount(value=v.value, label=v.label, count=v.count) for v in values]


@router.get("", response_model=MunicipalityList)
def municipality_list(request: Request, session: SessionDep) -> MunicipalityList:
    """Every Flemish municipality (the 2025 map) by name: NIS code, province, URI, how many datasets
    and sources it has, and when a harvest of its sources last succeeded."""
    results = [
        MunicipalityBody(
            nis=m.nis,
            name=m.name,
            province=m.province,
            uri=m.uri,
            datasets=m.datasets,
            sources=m.sources,
            last_harvest=m.last_harvest,
            href=str(request.url_for("municipality", nis=m.nis)),
        )
        for m in municipality_summaries(session)
    ]
    return MunicipalityList(total=len(results), results=results)


@router.get(
    "/{nis}",
    name="municipality",
    response_model=MunicipalityDetailBody,
    responses={
        308: {"description": "A pre-2025 NIS code: the municipality it merged into (`Location`)."},
        404: {
            "description": "No municipality with this NIS code.",
            "content": {"application/problem+json": {}},
        },
    },
)
def municipality(
    request: Request,
    session: SessionDep,
    nis: Annotated[str, Path(pattern=r"^\d{5}$", description="NIS code, e.g. `44021`.")],
) -> MunicipalityDetailBody | RedirectResponse:
    """One municipality with the publishers, sources and themes of its datasets.

    A NIS code from before the 2025 mergers redirects (308) to the municipality it became part of.
    """
    found = find_municipality(session, nis)
    if found is not None and not found.current and found.merged_into:
        target = str(request.url_for("municipality", nis=found.merged_into))
        return RedirectResponse(target, status_code=308)
    detail = municipality_detail(session, nis) if found is not None and found.current else None
    if detail is None:
        raise NotFound(f"no current municipality with NIS code {nis}")
    m = detail.summary
    return MunicipalityDetailBody(
        nis=m.nis,
        name=m.name,
        province=m.province,
        uri=m.uri,
        datasets=m.datasets,
        last_harvest=m.last_harvest,
        href=str(request.url_for("municipality", nis=m.nis)),
        publishers=_facets(detail.publishers),
        sources=[
            SourceBody(
                id=s.id,
                name=s.name,
                kind=s.kind,
                url=s.url,
                active=s.active,
                datasets=s.datasets,
                last_harvest=s.last_harvest,
            )
            for s in detail.sources
        ],
        themes=_facets(detail.themes),
    )
