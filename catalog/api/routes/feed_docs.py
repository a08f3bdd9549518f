"""OpenAPI response documentation (with examples) of the catalogue feed and the dumps."""

from __future__ import annotations

from typing import Any

from catalog.api.problems import PROBLEM_BASE

__all__ = ["PAGE_RESPONSES", "dump_responses"]

_TURTLE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .

<https://catalog.example/catalog> a dcat:Catalog ;
  hydra:view <https://catalog.example/catalog?page=1> ;
  dcat:dataset <https://catalog.example/datasets/k3v7q2xw5mzl4a6e> .

<https://catalog.example/catalog?page=1> a hydra:PartialCollectionView ;
  hydra:first <https://catalog.example/catalog?page=1> ;
  hydra:next <https://catalog.example/catalog?page=2> ;
  hydra:last <https://catalog.example/catalog?page=3> ;
  hydra:totalItems 250 ;
  hydra:itemsPerPage 100 .
"""

_JSON = {
    "uri": "https://catalog.example/catalog",
    "title": {"nl": "Open data van de Vlaamse gemeenten"},
    "total": 250,
    "page": 1,
    "per_page": 100,
    "first": "https://catalog.example/catalog.json?page=1",
    "previous": None,
    "next": "https://catalog.example/catalog.json?page=2",
    "last": "https://catalog.example/catalog.json?page=3",
    "datasets": [
        {
            "id": "k3v7q2xw5mzl4a6e",
            "uri": "https://catalog.example/datasets/k3v7q2xw5mzl4a6e",
            "kind": "Dataset",
            "title": "Bomeninventaris",
            "modified": "2026-02-01T00:00:00",
            "href": "https://catalog.example/datasets/k3v7q2xw5mzl4a6e",
        }
    ],
}

PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page of the catalogue in the negotiated format.",
        "content": {
            "text/turtle": {"example": _TURTLE},
            "application/ld+json": {
                "example": {
                    "@context": {"hydra": "http://www.w3.org/ns/hydra/core#"},
                    "@graph": [
                        {
                            "@id": "https://catalog.example/catalog?page=1",
                            "@type": ["hydra:PartialCollectionView"],
                            "hydra:next": [{"@id": "https://catalog.example/catalog?page=2"}],
                        }
                    ],
                }
            },
            "application/rdf+xml": {"example": "<rdf:RDF ...><dcat:Catalog ...>...</rdf:RDF>"},
            "application/n-triples": {
                "example": "<https://catalog.example/catalog?page=1> "
                "<http://www.w3.org/ns/hydra/core#next> <https://catalog.example/catalog?page=2> .\n"
            },
            "application/json": {"example": _JSON},
            "text/html": {"example": '<!doctype html><html lang="nl">...</html>'},
        },
    },
    404: {
        "description": "A page past the last one, or an unknown format suffix.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "page 9 is past the last page (3)",
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
                    "offered": ["application/ld+json", "text/turtle"],
                }
            }
        },
    },
    422: {
        "description": "An invalid parameter, named in `errors`.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": PROBLEM_BASE + "invalid-request",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": "query.per_page: Input should be less than or equal to 1000",
                    "errors": [
                        {
                            "location": "query.per_page",
                            "message": "Input should be less than or equal to 1000",
                        }
                    ],
                }
            }
        },
    },
}


def dump_responses(format: str) -> dict[int | str, dict[str, Any]]:
    """The documented response of a gzip dump in ``format`` (``ntriples`` or ``turtle``)."""
    inner = "N-Triples" if format == "ntriples" else "Turtle"
    return {
        200: {
            "description": f"The whole catalogue as gzip-compressed {inner} (a .gz file, streamed).",
            "content": {
                "application/gzip": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": f"(gzip of a {inner} document)",
                }
            },
        }
    }
