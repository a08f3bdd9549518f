"""``POST /api/validate``: validate a DCAT document against the DCAT-AP-VL shapes without storing it.

Send the document itself as the body, with its media type (``text/turtle``, ``application/rdf+xml``,
``application/ld+json``, ``application/n-triples``), or a JSON object ``{"url": "https://..."}`` to have
the catalogue fetch it through its safe fetcher (SSRF guard, size cap). The answer is the same report as
``catalog validate --format json``, or a SHACL ``sh:ValidationReport`` in Turtle when ``text/turtle`` is
accepted. A document that cannot be read is answered with a problem+json 422; a body over
``MAX_BODY_BYTES`` with 413.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from catalog.api.limits import BODY_LIMIT_KEY
from catalog.api.problems import PROBLEM_BASE, problem
from catalog.exceptions import InputError
from catalog.quality.report import FeedReport, validate_document
from catalog.quality.report_formats import report_json, report_turtle
from catalog.settings import Settings

__all__ = ["MAX_BODY_BYTES", "router"]

router = APIRouter(tags=["quality"])

MAX_BODY_BYTES = 20 * 1024 * 1024
"""Largest document accepted in a request body (a URL fetched is capped by ``harvest.max_response_bytes``)."""

_UNREADABLE = PROBLEM_BASE + "unreadable-document"

_EXAMPLE = {
    "shapes": "vl",
    "conforms": False,
    "triples": 59,
    "counts": {"violation": 1, "warning": 0, "info": 0},
    "records": [
        {
            "subject": "https://data.stad.gent/id/dataset/fietstelpaal",
            "kind": "Dataset",
            "title": "Fietstelpaal Visserij",
            "conforms": False,
            "counts": {"violation": 1, "warning": 0, "info": 0},
            "findings": [
                {
                    "focus": "https://data.stad.gent/id/dataset/fietstelpaal",
                    "path": "http://purl.org/dc/terms/accessRights",
                    "severity": "violation",
                    "message": "DCAT-AP-VL: the dataset must state its access rights (dct:accessRights) ...",
                    "message_nl": "DCAT-AP-VL: de dataset moet zijn toegangsrecht (dct:accessRights) geven",
                    "value": None,
                    "shape": "urn:catalog:shapes:dcat-ap-vl-3:Dataset-accessRights",
                }
            ],
        }
    ],
    "other": [],
}

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The validation report, per dataset (JSON), or a SHACL validation report (Turtle).",
        "content": {"application/json": {"example": _EXAMPLE}, "text/turtle": {}},
    },
    413: {"description": "The body is larger than the limit.", "content": {"application/problem+json": {}}},
    422: {
        "description": "The document (or the URL) cannot be read as RDF.",
        "content": {"application/problem+json": {}},
    },
}


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _url_request(mime: str, body: bytes) -> str | None:
    """The URL of a ``{"url": ...}`` request, None when the body is a document (JSON-LD included)."""
    if mime != "application/json":
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and set(data) == {"url"} and isinstance(data["url"], str):
        return data["url"]
    return None


def _validate_url(url: str, settings: Settings, shapes: str) -> FeedReport:
    from catalog.harvest.http import fetch
    from catalog.rdf.parse import detect_format

    max_bytes = settings.harvest.max_response_bytes
    fetched = fetch(url, max_bytes=max_bytes, allow_private_networks=settings.harvest.allow_private_networks)
    fmt = detect_format(content_type=fetched.content_type, name=fetched.url, data=fetched.content[:65536])
    return validate_document(fetched.content, shapes=shapes, format=fmt, base_iri=fetched.url)


def _validate_body(body: bytes, mime: str, shapes: str) -> FeedReport:
    from catalog.rdf.parse import detect_format

    fmt = detect_format(content_type=mime or None, data=body[:65536]) if body.strip() else None
    return validate_document(body, shapes=shapes, format=fmt)


_REQUEST_BODY = {
    "required": True,
    "description": "The document itself (its media type says its syntax), or a JSON object naming a URL.",
    "content": {
        "text/turtle": {"schema": {"type": "string"}},
        "application/rdf+xml": {"schema": {"type": "string"}},
        "application/ld+json": {"schema": {"type": "object"}},
        "application/n-triples": {"schema": {"type": "string"}},
        "application/json": {
            "schema": {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}}},
            "example": {"url": "https://data.stad.gent/api/v2/catalog/exports/rdf"},
        },
    },
}


@router.post(
    "/api/validate",
    responses=_RESPONSES,
    summary="Validate a DCAT document (nothing is stored)",
    openapi_extra={
        BODY_LIMIT_KEY: MAX_BODY_BYTES,  # its own cap, above the server's (catalog.api.limits)
        "requestBody": _REQUEST_BODY,
    },
)
async def validate(
    request: Request,
    shapes: Annotated[
        Literal["vl", "dcat-ap"], Query(description="vl: DCAT-AP-VL 3; dcat-ap: DCAT-AP 3.0.1 only.")
    ] = "vl",
) -> Response:
    """Validate a document sent as the body, or fetched from ``{"url": ...}``, and report per dataset."""
    settings: Settings = request.app.state.settings
    mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        body = await _read_body(request, MAX_BODY_BYTES)
    except _TooLarge:
        return problem(
            413,
            f"the document is larger than {MAX_BODY_BYTES} bytes; validate it with `catalog validate`",
            instance=request.url.path,
        )
    url = _url_request(mime, body)
    try:
        if url is not None:
            report = await run_in_threadpool(_validate_url, url, settings, shapes)
        else:
            report = await run_in_threadpool(_validate_body, body, mime, shapes)
    except InputError as exc:  # FeedError (unreadable), UnsafeURL (refused)
        return problem(
            422,
            str(exc),
            title="Unreadable document",
            type_=_UNREADABLE,
            instance=request.url.path,
        )
    accept = request.headers.get("accept", "")
    if "text/turtle" in accept and "application/json" not in accept:
        return Response(report_turtle(report), media_type="text/turtle")
    return JSONResponse(report_json(report))
