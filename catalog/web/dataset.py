"""The dataset page (``/datasets/{id}`` asked for as HTML): everything a reader needs, and schema.org.

The page shows the record (description sanitised, links kept), its licence with a plain-language line,
its distributions, the source portal and when it was last harvested, its quality score with the problems
a steward should fix, links to every linked-data format (also as ``<link rel="alternate">``), and a
schema.org ``Dataset`` in JSON-LD for dataset search engines.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.api.conneg import VARIANTS
from catalog.db.queries import StoredDataset
from catalog.db.tables import Source, SourceRecord
from catalog.model import Dataset, Distribution, pick_text
from catalog.web.i18n import Translator, language_of
from catalog.web.render import render
from catalog.web.sanitize import sanitize_html
from vocab.formats import format_label
from vocab.licences import is_open_licence, licence_label
from vocab.municipalities import by_nis
from vocab.themes import theme_label

__all__ = ["dataset_page", "schema_org"]

_FEE = "modellicentie-hergebruik-tegen-vergoeding"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _source_of(session: Session, dataset_pk: int) -> dict[str, Any] | None:
    row = session.execute(
        select(Source.name, Source.url, Source.kind, SourceRecord.last_seen)
        .join(Source, Source.id == SourceRecord.source_id)
        .where(SourceRecord.dataset_id == dataset_pk, SourceRecord.is_owner.is_(True))
        .limit(1)
    ).first()
    if row is None:
        return None
    name, url, kind, last_seen = row
    return {"name": name, "url": url, "kind": kind, "last_seen": last_seen}


def _quality(session: Session, dataset_pk: int, lang: str) -> dict[str, Any] | None:
    from catalog.quality.store import get_quality

    found = get_quality(session, dataset_pk)
    if found is None:
        return None
    problems = []
    for finding in found.findings or []:
        if isinstance(finding, dict) and finding.get("severity") in ("violation", "warning"):
            message = finding.get("message_nl") if lang == "nl" else finding.get("message")
            problems.append({"severity": finding["severity"], "message": message or finding.get("message")})
    return {"score": round(found.score), "band": found.band, "problems": problems[:20]}


def _licence(iri: str | None, t: Translator, lang: str) -> dict[str, Any] | None:
    if iri is None:
        return {"label": None, "href": None, "line": t("licence_unknown")}
    label = licence_label(iri, lang) or iri
    if _FEE in iri:
        line = t("licence_fee")
    elif is_open_licence(iri):
        line = t("licence_open")
    else:
        line = t("licence_unknown")
    return {"label": label, "href": iri, "line": line}


def _distribution(dist: Distribution, lang: str) -> dict[str, Any]:
    fmt = format_label(dist.format, lang) if dist.format else None
    media = dist.media_type.rsplit("/", 2)[-2:] if dist.media_type else None
    return {
        "title": pick_text(dist.title, lang) or pick_text(dist.description, lang),
        "format": fmt or ("/".join(media) if media else None),
        "size": dist.byte_size,
        "licence": licence_label(dist.license, lang) if dist.license else None,
        "access_url": dist.access_url[0] if dist.access_url else None,
        "download_url": dist.download_url[0] if dist.download_url else None,
    }


def schema_org(stored: StoredDataset, page_url: str, lang: str) -> dict[str, Any]:
    """A schema.org ``Dataset`` of the record (Google Dataset Search's required and recommended fields)."""
    record = stored.record
    doc: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": stored.uri,
        "url": page_url,
        "name": pick_text(record.title, lang) or stored.title or stored.uri,
        "description": pick_text(record.description, lang) or pick_text(record.title, lang) or stored.uri,
        "identifier": stored.uri,
        "isAccessibleForFree": True,
    }
    keywords = sorted({word for words in record.keyword.values() for word in words})
    if keywords:
        doc["keywords"] = keywords
    if record.license:
        doc["license"] = record.license
    if record.publisher is not None:
        doc["publisher"] = {"@type": "Organization", "name": pick_text(record.publisher.name, lang) or ""}
        if record.publisher.uri:
            doc["publisher"]["@id"] = record.publisher.uri
    for key, value in (("datePublished", record.issued), ("dateModified", record.modified)):
        if value is not None:
            doc[key] = _iso(value)
    places = []
    for location in record.spatial:
        place: dict[str, Any] = {"@type": "Place"}
        if location.uri:
            place["@id"] = location.uri
        name = pick_text(location.name, lang)
        if name is None and stored.municipality:
            found = by_nis(stored.municipality)
            name = found.name if found else None
        if name:
            place["name"] = name
        if location.bbox is not None:
            b = location.bbox
            place["geo"] = {"@type": "GeoShape", "box": f"{b.south} {b.west} {b.north} {b.east}"}
        places.append(place)
    if places:
        doc["spatialCoverage"] = places
    if isinstance(record, Dataset):
        downloads = []
        for dist in record.distribution:
            urls = dist.download_url or dist.access_url
            if not urls:
                continue
            url = urls[0]
            item: dict[str, Any] = {"@type": "DataDownload", "contentUrl": url}
            if dist.media_type:
                item["encodingFormat"] = dist.media_type.split("media-types/")[-1]
            elif dist.format:
                item["encodingFormat"] = format_label(dist.format, "en") or dist.format
            name = pick_text(dist.title, lang)
            if name:
                item["name"] = name
            downloads.append(item)
        if downloads:
            doc["distribution"] = downloads
    return doc


def dataset_page(
    request: Request, session: Session, stored: StoredDataset, *, headers: dict[str, str]
) -> HTMLResponse:
    """The dataset's HTML page, with the linked-data response's caching headers."""
    lang = language_of(request)
    t = Translator(lang)
    record = stored.record
    slug = stored.id
    formats = [
        {
            "label": v.label,
            "type": v.media_type,
            "href": str(request.url_for("linked_dataset", id=slug + v.suffix)),
        }
        for v in VARIANTS
        if v.suffix
    ]
    municipality = by_nis(stored.municipality) if stored.municipality else None
    description = pick_text(record.description, lang) or ""
    page_url = str(request.url_for("linked_dataset", id=slug))
    response = render(
        request,
        "dataset.html",
        stored=stored,
        record=record,
        title=pick_text(record.title, lang) or stored.title or stored.uri,
        description_html=sanitize_html(description),
        publisher=pick_text(record.publisher.name, lang) if record.publisher else None,
        municipality=municipality,
        themes=[{"iri": iri, "label": theme_label(iri, lang) or iri} for iri in record.theme],
        keywords=sorted({word for words in record.keyword.values() for word in words}),
        licence=_licence(record.license, t, lang),
        distributions=[_distribution(d, lang) for d in record.distribution]
        if isinstance(record, Dataset)
        else [],
        contact=record.contact_point[0] if record.contact_point else None,
        source=_source_of(session, stored.pk),
        quality=_quality(session, stored.pk, lang),
        formats=formats,
        schema_org=json.dumps(schema_org(stored, page_url, lang), ensure_ascii=False).replace("</", "<\\/"),
    )
    response.headers.update(headers)
    response.headers["Vary"] = "Accept, Cookie"
    return response
