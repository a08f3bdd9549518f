"""Shared pieces of negotiated responses: alternate links, the 406 answer, small HTML pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from fastapi.responses import JSONResponse
from starlette.requests import Request

from catalog.api.conneg import VARIANTS, Variant, negotiate
from catalog.api.problems import PROBLEM_BASE, problem
from catalog.db.queries import StoredDataset

__all__ = [
    "alternate_links",
    "choose_variant",
    "dataset_document",
    "html_page",
    "not_acceptable",
]


def choose_variant(request: Request, suffix: Variant | None) -> Variant | None:
    """The suffix's variant when there is one, else what ``Accept`` prefers (None: nothing fits)."""
    return suffix if suffix is not None else negotiate(request.headers.get("accept"))


def alternate_links(href: Callable[[str], str], variants: Sequence[Variant] = VARIANTS) -> str:
    """A ``Link`` header value with one ``rel="alternate"`` per format; ``href(suffix)`` gives its URL."""
    return ", ".join(
        f'<{href(v.suffix)}>; rel="alternate"; type="{v.media_type}"' for v in variants if v.suffix
    )


def not_acceptable(request: Request, variants: Sequence[Variant] = VARIANTS) -> JSONResponse:
    """406 problem+json listing the media types on offer."""
    offered = [v.media_type for v in variants]
    return problem(
        406,
        f"none of the accepted media types is offered; offered: {', '.join(offered)}",
        title="Not Acceptable",
        type_=PROBLEM_BASE + "not-acceptable",
        instance=request.url.path,
        offered=offered,
        headers={"Vary": "Accept"},
    )


def html_page(title: str, intro: str, links: Sequence[tuple[str, str]]) -> str:
    """A minimal HTML page: a heading, a paragraph and a list of links (label, href)."""
    items = "".join(f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for label, href in links)
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        f"<h1>{escape(title)}</h1><p>{escape(intro)}</p><ul>{items}</ul></body></html>"
    )


def dataset_document(stored: StoredDataset) -> dict[str, Any]:
    """One dataset as JSON: the catalogue's facts about it and its DCAT-AP-VL record."""
    return {
        "id": stored.id,
        "uri": stored.uri,
        "kind": stored.kind,
        "municipality": stored.municipality,
        "first_seen": stored.first_seen.isoformat(),
        "last_seen": stored.last_seen.isoformat(),
        "withdrawn": stored.withdrawn_at.isoformat() if stored.withdrawn_at else None,
        "withdrawn_reason": stored.withdrawn_reason,
        "record": stored.record.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
    }
