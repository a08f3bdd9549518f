"""DCAT-AP pages of an ArcGIS Hub feed read into records: the RDF reader, then Hub's own repairs.

A page (JSON-LD with its known remote contexts already inlined, RDF/XML, Turtle) goes through
:func:`catalog.rdf.parse.parse_feed`, as in the ``dcat`` harvester. Each record is then keyed by its first
``dct:identifier`` (the Hub item's address, which the DCAT-US feed carries too, so a site that moves from
one feed to the other keeps its records), has the HTML Hub copies from an item's rich-text description
cleaned out of its titles and descriptions, and gets a licence the reader could not map because it was
HTML or prose, when the vocabulary knows the text or a URL in it (as in the DCAT-US mapping).

The record's raw form stays the N-Triples the feed gave (HTML included): what the portal said.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from catalog.exceptions import FeedError
from catalog.model import Dataset
from catalog.rdf.parse import FeedReader, ParsedRecord, detect_format, parse_feed
from harvesters._arcgis_jsonld import prepare_jsonld
from harvesters._dcatus_map import DcatUsMapper
from harvesters._dcatus_text import has_markup, plain_text
from harvesters.base import FetchedPage, HarvestedRecord
from harvesters.dcat import harvested_from_parsed

__all__ = ["hub_record", "next_page_of", "read_rdf", "take", "without_markup"]


def read_rdf(page: FetchedPage, max_bytes: int | None, prepared: bytes | None = None) -> FeedReader:
    """The page read as RDF; ``prepared`` is its JSON-LD body already made readable, if it is one."""
    if prepared is not None:
        try:
            return parse_feed(prepared, format="jsonld", base_iri=page.url, max_bytes=max_bytes)
        except FeedError as exc:
            raise FeedError(f"{page.url}: {exc}") from exc
    data = page.content
    try:
        fmt = detect_format(content_type=page.content_type, name=urlsplit(page.url).path, data=data[:65536])
        if fmt == "jsonld" or data.lstrip()[:1] == b"{":
            fmt, data = "jsonld", prepare_jsonld(data)
        return parse_feed(data, format=fmt, base_iri=page.url, max_bytes=max_bytes)
    except FeedError as exc:
        raise FeedError(f"{page.url}: {exc}") from exc


def next_page_of(reader: FeedReader) -> str | None:
    """The page's Hydra next link, if any (run off the event loop: it reads the index)."""
    return reader.feed.next_page


def take(records: Iterator[ParsedRecord], n: int) -> list[ParsedRecord]:
    """The next ``n`` records (built off the event loop: building is CPU-bound)."""
    return list(islice(records, n))


Model = TypeVar("Model", bound=BaseModel)


def without_markup(node: Model) -> Model:
    """``node`` with HTML cleaned out of its titles and descriptions (and its distributions')."""
    updates: dict[str, Any] = {}
    for name in ("title", "description"):
        texts: dict[str, str] = getattr(node, name)
        if any(has_markup(text) for text in texts.values()):
            cleaned = {tag: plain_text(text) for tag, text in texts.items()}
            updates[name] = {tag: text for tag, text in cleaned.items() if text}
    if isinstance(node, Dataset) and node.distribution:
        distributions = [without_markup(d) for d in node.distribution]
        if any(new is not old for new, old in zip(distributions, node.distribution, strict=True)):
            updates["distribution"] = distributions
    return node.model_copy(update=updates) if updates else node


def _licence_from_text(record: HarvestedRecord) -> HarvestedRecord:
    """A licence the RDF reader could not map because it is HTML or prose (Hub writes the item's licence
    text), mapped as the DCAT-US mapping does: the text, or a URL in it, that the vocabulary knows."""
    found = next((p for p in record.problems if p.path == "license" and p.value), None)
    if found is None or record.record is None or record.record.license is not None:
        return record
    mapper = DcatUsMapper("")
    licence = mapper.licence(found.value)
    if licence is None:
        return record
    problems = tuple(p for p in record.problems if p is not found)
    return replace(record, record=record.record.model_copy(update={"license": licence}), problems=problems)


def hub_record(parsed: ParsedRecord, url: str) -> HarvestedRecord:
    """A parsed record keyed by its first dct:identifier (the Hub item), else as the dcat harvester does;
    HTML (Hub copies an item's rich-text description and licence) is cleaned out of its texts."""
    record = harvested_from_parsed(parsed, url)
    if record.record is None:
        return record
    remote_id = parsed.record.identifier[0] if parsed.record.identifier else record.remote_id
    return _licence_from_text(replace(record, remote_id=remote_id, record=without_markup(record.record)))
