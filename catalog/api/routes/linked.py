"""Datasets, data services and series as linked data: ``GET /datasets/{id}``.

This is where the URIs the catalogue mints (``{base_uri}datasets/{id}``) resolve. The representation
is chosen by suffix (``.jsonld``, ``.ttl``, ``.rdf``, ``.nt``, ``.json``) or else by ``Accept``; every
response names the others in ``Link: rel="alternate"`` headers and carries an ETag (content hash +
format) and Last-Modified (when the catalogue last changed the record), so revalidation costs one
indexed lookup and a 304.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response

from catalog.api.caching import DATASET_CACHE, http_date, is_not_modified, make_etag
from catalog.api.catalog_query import public_record
from catalog.api.conneg import Variant, split_suffix
from catalog.api.deps import SessionDep, SettingsDep
from catalog.api.problems import PROBLEM_BASE, problem
from catalog.api.representations import (
    alternate_links,
    choose_variant,
    dataset_document,
    not_acceptable,
)
from catalog.db.queries import StoredDataset, get_dataset
from catalog.quality.dqv import dataset_dqv
from catalog.rdf.serialize import serialize_record
from catalog.web.dataset import dataset_page
from catalog.web.render import render, wants_html

__all__ = ["router"]

router = APIRouter(tags=["linked data"])

_EXAMPLE_TURTLE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .

<https://catalog.example/datasets/k3v7q2xw5mzl4a6e> a dcat:Dataset ;
  dct:title "Bomeninventaris"@nl ;
  dct:identifier "bomen-gent" ;
  dct:publisher <https://stad.gent/id/agents/stad-gent> ;
  dcat:distribution _:d0 .
"""

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The dataset in the negotiated format.",
        "content": {
            "application/ld+json": {
                "example": {
                    "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"},
                    "@graph": [
                        {
                            "@id": "https://catalog.example/datasets/k3v7q2xw5mzl4a6e",
                            "@type": ["dcat:Dataset"],
                            "dct:title": [{"@value": "Bomeninventaris", "@language": "nl"}],
                        }
                    ],
                }
            },
            "text/turtle": {"example": _EXAMPLE_TURTLE},
            "application/rdf+xml": {"example": "<rdf:RDF ...>...</rdf:RDF>"},
            "application/n-triples": {
                "example": "<https://catalog.example/datasets/k3v7q2xw5mzl4a6e> "
                '<http://purl.org/dc/terms/title> "Bomeninventaris"@nl .\n'
            },
            "application/json": {
                "example": {
                    "id": "k3v7q2xw5mzl4a6e",
                    "uri": "https://catalog.example/datasets/k3v7q2xw5mzl4a6e",
                    "kind": "Dataset",
                    "municipality": "44021",
                    "first_seen": "2026-01-05T02:00:00+00:00",
                    "last_seen": "2026-03-01T02:00:00+00:00",
                    "withdrawn": None,
                    "withdrawn_reason": None,
                    "record": {"title": {"nl": "Bomeninventaris"}, "identifier": ["bomen-gent"]},
                }
            },
            "text/html": {"example": '<!doctype html><html lang="nl">...</html>'},
        },
    },
    304: {"description": "Not modified since the ETag or date the client holds."},
    404: {
        "description": "No dataset has this id.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "no dataset with id 'nope'",
                    "instance": "/datasets/nope",
                }
            }
        },
    },
    406: {
        "description": "None of the accepted media types is offered.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": PROBLEM_BASE + "not-acceptable",
                    "title": "Not Acceptable",
                    "status": 406,
                    "detail": "none of the accepted media types is offered; offered: ...",
                    "offered": ["application/ld+json", "text/turtle", "application/rdf+xml"],
                }
            }
        },
    },
    410: {
        "description": "The dataset was withdrawn: when and why.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": PROBLEM_BASE + "withdrawn",
                    "title": "Gone",
                    "status": 410,
                    "detail": "dataset 'k3v7q2xw5mzl4a6e' was withdrawn on 2026-02-01T02:00:00+00:00",
                    "withdrawn_at": "2026-02-01T02:00:00+00:00",
                    "withdrawn_reason": "no longer in the source",
                }
            }
        },
    },
}


def _validators(stored: StoredDataset, variant: Variant) -> tuple[str, Any]:
    """ETag and Last-Modified of one representation. The JSON one also shows ``last_seen``."""
    if variant.key == "json":
        return make_etag(stored.content_hash, variant.key, stored.last_seen.isoformat(), stored.uri), max(
            stored.updated_at, stored.last_seen
        )
    return make_etag(stored.content_hash, variant.key, stored.uri), stored.updated_at


def _gone(request: Request, stored: StoredDataset) -> JSONResponse:
    assert stored.withdrawn_at is not None
    when = stored.withdrawn_at.isoformat()
    return problem(
        410,
        f"dataset {stored.id!r} was withdrawn on {when}"
        + (f": {stored.withdrawn_reason}" if stored.withdrawn_reason else ""),
        title="Gone",
        type_=PROBLEM_BASE + "withdrawn",
        instance=request.url.path,
        withdrawn_at=when,
        withdrawn_reason=stored.withdrawn_reason,
        uri=stored.uri,
    )


@router.get(
    "/datasets/{id}",
    name="linked_dataset",
    response_class=Response,
    responses=_RESPONSES,
    summary="One dataset, data service or series as linked data",
)
def linked_dataset(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    id: str = Path(
        description="The dataset's id, optionally with a format suffix: "
        "`.jsonld`, `.ttl`, `.rdf`, `.nt` or `.json`.",
        examples=["k3v7q2xw5mzl4a6e", "k3v7q2xw5mzl4a6e.ttl"],
    ),
) -> Response:
    """The resource in JSON-LD, Turtle, RDF/XML, N-Triples, JSON (the catalogue's record) or HTML.

    A suffix picks the format; without one, `Accept` does (q-values and wildcards honoured, JSON-LD
    preferred on a tie). The URIs the catalogue mints for datasets resolve here.
    """
    slug, suffix = split_suffix(id)
    stored = get_dataset(session, id=slug)
    browser = wants_html(request, suffix)
    if stored is None:
        if browser:
            return render(request, "error.html", status_code=404, kind="not_found")
        return problem(404, f"no dataset with id {slug!r}", instance=request.url.path)
    if stored.withdrawn_at is not None:
        if browser:
            return render(
                request, "error.html", status_code=410, kind="gone",
                when=stored.withdrawn_at, why=stored.withdrawn_reason or "",
            )  # fmt: skip
        return _gone(request, stored)
    links = alternate_links(lambda sfx: str(request.url_for("linked_dataset", id=slug + sfx)))
    variant = choose_variant(request, suffix)
    if variant is None:
        response = not_acceptable(request)
        response.headers["Link"] = links
        return response
    etag, last_modified = _validators(stored, variant)
    base_uri = settings.catalog.base_uri
    dqv = None  # the quality (DQV) is part of the RDF views, and so of their validators
    if variant.rdf_format is not None:
        dqv = dataset_dqv(session, dataset_pk=stored.pk, dataset_uri=stored.uri, base_uri=base_uri)
    if dqv is not None:
        etag = make_etag(etag, dqv.computed_at.isoformat())
        last_modified = max(last_modified, dqv.computed_at)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": DATASET_CACHE,
        "Link": links,
        "Vary": "Accept",
        "Content-Location": str(request.url_for("linked_dataset", id=slug + variant.suffix))
        if variant.suffix
        else str(request.url_for("linked_dataset", id=slug)),
    }
    if is_not_modified(request, etag=etag, last_modified=last_modified):
        return Response(status_code=304, headers=headers)
    if variant.rdf_format is not None:
        extra = dqv.statements if dqv is not None else ()
        body = serialize_record(
            public_record(stored), format=variant.rdf_format, base_uri=base_uri, extra=extra
        )
        return Response(body, media_type=variant.content_type, headers=headers)
    if variant.key == "json":
        return JSONResponse(dataset_document(stored), headers=headers)
    return dataset_page(request, session, stored, headers=headers)
