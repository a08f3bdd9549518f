"""The DCAT catalogue: ``GET /catalog`` paged with Hydra, and the full dumps ``/catalog/dump.*.gz``.

Pages are streamed: the catalogue's own description, the Hydra ``PartialCollectionView`` and then the
page's datasets as they are read from the store in small batches, so memory depends neither on the
page size nor on the catalogue size. Paging links are IRIs under the catalogue's base URI; ``next``
continues by key (``after``), so a walk from first to last sees every dataset once. Pages carry an
ETag and Last-Modified from the store version (``store_version``) and answer revalidation with 304.
The dumps are built from cached blocks (``catalog.api.dumps``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, BinaryIO
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from catalog.api.caching import CATALOG_CACHE, DUMP_CACHE, http_date, is_not_modified, make_etag
from catalog.api.catalog_query import (
    CatalogFilters,
    count_matching,
    iter_matching,
    next_page_key,
    store_version,
)
from catalog.api.conneg import VARIANTS, Variant, variant_for_suffix
from catalog.api.deps import SessionDep, SettingsDep
from catalog.api.dumps import default_cache_dir, plan_dump, write_dump
from catalog.api.problems import problem
from catalog.api.representations import alternate_links, choose_variant, html_page, not_acceptable
from catalog.api.routes import feed_docs
from catalog.api.streaming import stream_writer
from catalog.rdf.serialize import PageInfo, write_stored
from catalog.services import catalog_description
from catalog.settings import Settings

__all__ = ["router"]

router = APIRouter(tags=["catalogue"])

Page = Annotated[int, Query(ge=1, description="Page number, from 1.", examples=[1])]
PerPage = Annotated[int, Query(ge=1, le=1000, description="Datasets per page (at most 1,000).")]
ModifiedSince = Annotated[
    datetime | None,
    Query(description="Only datasets whose dct:modified is on or after this time.", examples=["2025-01-01"]),
]
Municipality = Annotated[
    str | None, Query(pattern=r"^\d{5}$", description="NIS code of a municipality.", examples=["44021"])
]
Publisher = Annotated[
    str | None,
    Query(description="Publisher URI.", examples=["https://data.vlaanderen.be/id/organisatie/OVO000024"]),
]
Q = Annotated[
    str | None,
    Query(max_length=200, description="Free text, matched as in the search API.", examples=["fietstelling"]),
]
After = Annotated[
    int | None,
    Query(
        ge=0,
        description="Continue after this position (set by `hydra:next` links; follow them, do not build it).",
    ),
]


@dataclass(frozen=True, slots=True)
class _Page:
    """Which page: its number and size, and the key it continues after (from a next link)."""

    number: int
    per_page: int
    after: int | None = None

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def _page_url(settings: Settings, filters: CatalogFilters, page: _Page) -> str:
    params = {**filters.query_params(), "page": str(page.number)}
    if page.per_page != 100:
        params["per_page"] = str(page.per_page)
    if page.after is not None:
        params["after"] = str(page.after)
    return f"{settings.catalog.base_uri.rstrip('/')}/catalog?{urlencode(sorted(params.items()))}"


def _page_info(
    settings: Settings, filters: CatalogFilters, page: _Page, total: int, next_key: int | None
) -> PageInfo:
    """The Hydra view. ``next`` continues by key (``after``), so a harvester walking the pages gets
    every dataset once even while datasets come and go, and never pays for a deep offset."""
    last = max(1, -(-total // page.per_page))
    size = page.per_page
    return PageInfo(
        view_iri=_page_url(settings, filters, page),
        first=_page_url(settings, filters, _Page(1, size)),
        previous=_page_url(settings, filters, _Page(page.number - 1, size)) if page.number > 1 else None,
        next=_page_url(settings, filters, _Page(page.number + 1, size, next_key - 1))
        if next_key is not None
        else None,
        last=_page_url(settings, filters, _Page(last, size)),
        total_items=total,
        items_per_page=size,
    )


def _json_listing(
    request: Request, settings: Settings, filters: CatalogFilters, info: PageInfo, page: _Page
) -> Iterator[bytes]:
    """The page as a JSON listing, streamed one dataset at a time."""
    catalog = catalog_description(settings)

    def json_url(iri: str | None) -> str | None:
        return iri.replace("/catalog?", "/catalog.json?", 1) if iri else None

    head = {
        "uri": catalog.uri,
        "title": catalog.title,
        "total": info.total_items,
        "page": page.number,
        "per_page": page.per_page,
        "first": json_url(info.first),
        "previous": json_url(info.previous),
        "next": json_url(info.next),
        "last": json_url(info.last),
    }
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "datasets": [').encode()
    sep = ""
    sessions = request.app.state.session_factory
    for stored in iter_matching(sessions, filters, offset=page.offset, after=page.after, limit=page.per_page):
        item = {
            "id": stored.id,
            "uri": stored.uri,
            "kind": stored.kind,
            "title": stored.title,
            "municipality": stored.municipality,
            "modified": stored.modified.isoformat() if stored.modified else None,
            "href": str(request.url_for("linked_dataset", id=stored.id)),
        }
        yield (sep + json.dumps(item, ensure_ascii=False)).encode()
        sep = ", "
    yield b"]}"


def _catalog_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    suffix: Variant | None,
    filters: CatalogFilters,
    page: _Page,
) -> Response:
    query = request.url.query
    links = alternate_links(
        lambda sfx: str(request.url_for("catalog_as", ext=sfx[1:])) + f"?{query}" * bool(query)
    )
    variant = choose_variant(request, suffix)
    if variant is None:
        response = not_acceptable(request)
        response.headers["Link"] = links
        return response
    rows, latest = store_version(session)
    described = settings.catalog.model_dump_json()  # the catalogue's own description comes from here
    etag = make_etag(str(rows), str(latest), repr(filters), repr(page), variant.key, described)
    headers = {"Cache-Control": CATALOG_CACHE, "Vary": "Accept", "Link": links, "ETag": etag}
    if latest is not None:
        headers["Last-Modified"] = http_date(latest)
    if is_not_modified(request, etag=etag, last_modified=latest):
        return Response(status_code=304, headers=headers)
    total = count_matching(session, filters)
    last = max(1, -(-total // page.per_page))
    if page.number > last and page.after is None:
        return problem(404, f"page {page.number} is past the last page ({last})", instance=request.url.path)
    next_key = next_page_key(session, filters, per_page=page.per_page, offset=page.offset, after=page.after)
    session.rollback()
    info = _page_info(settings, filters, page, total, next_key)
    if variant.rdf_format is not None:
        rdf_format = variant.rdf_format
        sessions = request.app.state.session_factory

        def write(out: BinaryIO) -> None:
            records = iter_matching(
                sessions, filters, offset=page.offset, after=page.after, limit=page.per_page
            )
            write_stored(
                out,
                records,
                format=rdf_format,
                catalog=catalog_description(settings),
                base_uri=settings.catalog.base_uri,
                page=info,
            )

        return StreamingResponse(stream_writer(write), media_type=variant.content_type, headers=headers)
    if variant.key == "json":
        body = _json_listing(request, settings, filters, info, page)
        return StreamingResponse(body, media_type="application/json", headers=headers)
    pages = [(name, url) for name, url in (("first", info.first), ("previous", info.previous),
             ("next", info.next), ("last", info.last)) if url]  # fmt: skip
    formats = [
        (
            f"{v.label} ({v.media_type})",
            str(request.url_for("catalog_as", ext=v.suffix[1:])) + f"?{query}" * bool(query),
        )
        for v in VARIANTS
        if v.suffix
    ]
    intro = f"{total} datasets; page {page.number} of {last}."
    return HTMLResponse(html_page(settings.catalog.title, intro, formats + pages), headers=headers)


@router.get("/catalog", response_class=Response, responses=feed_docs.PAGE_RESPONSES, name="catalog")
def catalog_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    page: Page = 1,
    per_page: PerPage = 100,
    modified_since: ModifiedSince = None,
    municipality: Municipality = None,
    publisher: Publisher = None,
    q: Q = None,
    after: After = None,
) -> Response:
    """The DCAT-AP-VL catalogue with one page of its datasets, paged with a Hydra PartialCollectionView.

    The format is chosen by `Accept` (JSON-LD, Turtle, RDF/XML, N-Triples, a JSON listing or HTML).
    Follow `hydra:next` from the first page to the last to read every dataset exactly once.
    """
    filters = CatalogFilters(modified_since, municipality, publisher, q)
    return _catalog_page(request, session, settings, None, filters, _Page(page, per_page, after))


@router.get("/catalog.{ext}", response_class=Response, responses=feed_docs.PAGE_RESPONSES, name="catalog_as")
def catalog_page_as(
    ext: Annotated[
        str, Path(description="Format: `jsonld`, `ttl`, `rdf`, `nt` or `json`.", examples=["ttl"])
    ],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    page: Page = 1,
    per_page: PerPage = 100,
    modified_since: ModifiedSince = None,
    municipality: Municipality = None,
    publisher: Publisher = None,
    q: Q = None,
    after: After = None,
) -> Response:
    """The catalogue page in the format the suffix names: `jsonld`, `ttl`, `rdf`, `nt` or `json`."""
    variant = variant_for_suffix("." + ext)
    if variant is None:
        return problem(404, f"no catalogue format {ext!r}", instance=request.url.path)
    filters = CatalogFilters(modified_since, municipality, publisher, q)
    return _catalog_page(request, session, settings, variant, filters, _Page(page, per_page, after))


def _dump(request: Request, session: Session, settings: Settings, rdf_format: str, name: str) -> Response:
    plan = plan_dump(session, settings, rdf_format)
    session.rollback()
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": DUMP_CACHE,
        "ETag": plan.etag,
    }
    if is_not_modified(request, etag=plan.etag, last_modified=None):
        return Response(status_code=304, headers=headers)
    sessions = request.app.state.session_factory
    cache_dir = getattr(request.app.state, "dump_cache_dir", None) or default_cache_dir(settings)

    def write(out: BinaryIO) -> None:
        write_dump(out, plan, sessions=sessions, settings=settings, cache_dir=cache_dir)

    return StreamingResponse(
        stream_writer(write, chunk_size=256 * 1024), media_type="application/gzip", headers=headers
    )


@router.get("/catalog/dump.nt.gz", response_class=Response, responses=feed_docs.dump_responses("ntriples"))
def dump_ntriples(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Every live dataset as one gzip-compressed N-Triples document, streamed.

    Built from cached blocks (see `catalog.api.dumps`): only what changed since the last dump is
    serialised again. The ETag changes whenever any live dataset does.
    """
    return _dump(request, session, settings, "ntriples", "catalog.nt.gz")


@router.get("/catalog/dump.ttl.gz", response_class=Response, responses=feed_docs.dump_responses("turtle"))
def dump_turtle(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Every live dataset as one gzip-compressed Turtle document, streamed (from cached blocks)."""
    return _dump(request, session, settings, "turtle", "catalog.ttl.gz")
