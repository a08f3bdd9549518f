"""The public pages: home, search, municipalities, provinces, statistics (the dataset page: ``dataset``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalog.api.deps import SessionDep
from catalog.model import pick_text
from catalog.search import FACETS, SearchQuery, search
from catalog.search.stats import (
    catalogue_stats,
    find_municipality,
    municipality_detail,
    municipality_summaries,
)
from catalog.web.charts import bar_chart
from catalog.web.i18n import Translator, language_of
from catalog.web.render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
_SORTS = ("relevance", "modified", "title")
_SHOWN_FACETS = (
    "theme",
    "municipality",
    "province",
    "publisher",
    "format",
    "licence",
    "keyword",
    "access_rights",
)


def _summaries(hits: list[Any], lang: str) -> list[dict[str, Any]]:
    out = []
    for stored in hits:
        record = stored.record
        description = pick_text(record.description, lang) or ""
        out.append(
            {
                "id": stored.id,
                "title": pick_text(record.title, lang) or stored.title or stored.uri,
                "description": description if len(description) <= 240 else description[:237].rstrip() + "…",
                "publisher": pick_text(record.publisher.name, lang) if record.publisher else None,
                "municipality": stored.municipality,
                "modified": stored.modified,
                "kind": stored.kind,
            }
        )
    return out


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep) -> HTMLResponse:
    """Search box, totals, themes with counts, provinces with their municipalities, recent datasets."""
    lang = language_of(request)
    stats = catalogue_stats(session)
    provinces: dict[str, list[Any]] = defaultdict(list)
    for m in municipality_summaries(session):
        provinces[m.province or "-"].append(m)
    recent = search(session, SearchQuery(sort="modified", per_page=8, facets=()))
    return render(
        request,
        "home.html",
        stats=stats,
        provinces=sorted(provinces.items()),
        recent=_summaries(recent.hits, lang),
    )


def _query_from(request: Request) -> tuple[SearchQuery, dict[str, list[str]]]:
    params = request.query_params
    filters = {name: params.getlist(name) for name in FACETS if params.getlist(name)}
    sort = params.get("sort")
    try:
        page = max(int(params.get("page", "1")), 1)
    except ValueError:
        page = 1
    query = SearchQuery(
        q=(params.get("q") or "").strip() or None,
        filters=filters,
        sort=sort if sort in _SORTS else None,  # type: ignore[arg-type]
        page=page,
        per_page=PER_PAGE,
        facets=_SHOWN_FACETS,
        facet_limit=12,
    )
    return query, filters


@router.get("/search", response_class=HTMLResponse, name="search_page")
def search_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Full-text search with the facets as filters; the URL holds the whole state."""
    lang = language_of(request)
    query, filters = _query_from(request)
    try:
        result = search(session, query)
    except Exception:  # a query the backend refuses: show no results rather than an error page
        result = search(session, SearchQuery(filters=filters, per_page=PER_PAGE, facets=_SHOWN_FACETS))
    labels = {
        (name, value.value): value.label or value.value
        for name, values in result.facets.items()
        for value in values
    }
    chips = [
        {"name": name, "value": value, "label": labels.get((name, value), value)}
        for name, values in filters.items()
        for value in values
    ]
    pages = max((result.total + PER_PAGE - 1) // PER_PAGE, 1)
    return render(
        request,
        "search.html",
        query=query,
        result=result,
        hits=_summaries(result.hits, lang),
        facets=[(name, result.facets.get(name, [])) for name in _SHOWN_FACETS],
        filters=filters,
        chips=chips,
        pages=pages,
        sort=query.sort or ("relevance" if query.q else "modified"),
    )


@router.get("/municipalities", response_class=HTMLResponse, name="municipalities_page")
def municipalities_page(request: Request, session: SessionDep) -> HTMLResponse:
    """All 285 municipalities, sortable by name, province, datasets, sources or last harvest."""
    rows = municipality_summaries(session)
    order = request.query_params.get("sort", "name")
    keys = {
        "name": lambda m: m.name,
        "province": lambda m: (m.province or "", m.name),
        "datasets": lambda m: (-m.datasets, m.name),
        "sources": lambda m: (-m.sources, m.name),
        "harvest": lambda m: (m.last_harvest is None, -(m.last_harvest.timestamp() if m.last_harvest else 0)),
    }
    rows.sort(key=keys.get(order, keys["name"]))
    return render(request, "municipalities.html", rows=rows, order=order if order in keys else "name")


@router.get(
    "/municipalities/{nis}", response_class=HTMLResponse, name="municipality_page", response_model=None
)
def municipality_page(request: Request, session: SessionDep, nis: str) -> Response:
    """A municipality: its sources, publishers, themes and datasets; a merged pre-2025 code redirects."""
    found = find_municipality(session, nis)
    if found is not None and not found.current and found.merged_into:
        target = str(request.url_for("municipality_page", nis=found.merged_into))
        return RedirectResponse(target, status_code=308)
    detail = municipality_detail(session, nis) if found is not None and found.current else None
    if detail is None:
        return render(request, "error.html", status_code=404, kind="not_found")
    lang = language_of(request)
    datasets = search(session, SearchQuery(filters={"municipality": [nis]}, per_page=50, facets=()))
    return render(
        request,
        "municipality.html",
        m=detail.summary,
        detail=detail,
        datasets=_summaries(datasets.hits, lang),
        total=datasets.total,
    )


@router.get("/provinces", response_class=HTMLResponse, name="provinces_page")
def provinces_page(request: Request, session: SessionDep) -> HTMLResponse:
    """The five provinces: municipalities with and without data, as a chart and a table."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for m in municipality_summaries(session):
        row = totals[m.province or "-"]
        row[0] += 1
        row[1] += 1 if m.datasets else 0
        row[2] += m.datasets
    rows = sorted(totals.items())
    title = Translator(language_of(request))("coverage")
    chart = bar_chart([(name, with_data) for name, (_, with_data, _) in rows], title=title)
    return render(request, "provinces.html", rows=rows, chart=chart)


@router.get("/statistics", response_class=HTMLResponse, name="statistics_page")
def statistics_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Datasets per theme, format, licence and province, and the quality distribution, as charts."""
    t = Translator(language_of(request))
    stats = catalogue_stats(session)
    charts = []
    for key, values in (
        ("per_theme", stats.per_theme),
        ("per_format", stats.per_format[:15]),
        ("per_licence", stats.per_licence[:10]),
        ("per_province", stats.per_province),
    ):
        rows = [(v.label or v.value, v.count) for v in values]
        charts.append((key, rows, bar_chart(rows, title=t(key))))
    bands = [(t(f"band_{band}"), n) for band, n in _quality_bands(session)]
    if bands:
        charts.append(("quality_distribution", bands, bar_chart(bands, title=t("quality_distribution"))))
    return render(request, "statistics.html", stats=stats, charts=charts)


def _quality_bands(session: SessionDep) -> list[tuple[str, int]]:
    try:
        from sqlalchemy import func, select

        from catalog.db.quality_tables import DatasetQuality
    except ImportError:  # pragma: no cover - the quality tables ship with the catalogue
        return []
    rows = dict(
        session.execute(select(DatasetQuality.band, func.count()).group_by(DatasetQuality.band)).all()
    )
    return (
        [(band, int(rows.get(band, 0))) for band in ("excellent", "good", "sufficient", "bad")]
        if rows
        else []
    )
