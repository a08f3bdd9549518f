"""Mapping of a CKAN (or DKAN) package dict to a DCAT-AP-VL :class:`~catalog.model.Dataset`.

Core CKAN fields and the extras ckanext-dcat writes (``uri``, ``identifier``, ``theme``, ``spatial`` ...)
are read; controlled values go through the :mod:`vocab` lookups. A value that cannot be kept is dropped
and reported as a :class:`~catalog.rdf.parse.Problem`; the rest of the package is still mapped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from catalog.model import Agent, BBox, ContactPoint, Dataset, Distribution, Location, PeriodOfTime
from catalog.rdf.parse import Problem
from harvesters import _lookups as lookups
from harvesters._ckan_fields import dcat_fields, list_value
from harvesters._json_map import JsonMapper, bbox_of_geojson, is_iri, is_web_url, text_of

__all__ = ["Mapper", "map_package"]

_HTML = re.compile(r"<(p|div|br|span|ul|li|a|strong|em|b|i)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_DAY_FIRST = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})(?:\s*-\s*(\d{1,2}):(\d{2}))?\b")
_FILE_SUFFIXES = (
    ".csv", ".tsv", ".json", ".geojson", ".xml", ".xls", ".xlsx", ".ods", ".zip", ".gz", ".shp", ".kml",
    ".kmz", ".gpkg", ".pdf", ".txt", ".rdf", ".ttl", ".nt", ".jsonld", ".parquet", ".gml", ".tif", ".tiff",
    ".png", ".jpg", ".docx", ".odt",
)  # fmt: skip


def _plain(text: str) -> str:
    """Text without HTML markup, when a portal (DKAN) sends HTML; CKAN's Markdown is kept as it is."""
    if _HTML.search(text) is None:
        return text.strip()
    return html.unescape(_TAG.sub("", text)).strip()


class Mapper(JsonMapper):
    """Maps one package; collects the problems met on the way in ``problems``."""

    def loose_date(self, text: str) -> datetime | date | None:
        return _day_first(text)

    def text(self, value: Any, translated: Any = None) -> dict[str, str]:
        """Multilingual text from a plain string (in the source's language) or a fluent/scheming dict."""
        for candidate in (translated, value):
            if isinstance(candidate, dict):
                out = {
                    str(k).lower(): _plain(v)
                    for k, v in candidate.items()
                    if isinstance(v, str) and v.strip()
                }
                if out:
                    return out
        text = text_of(value)
        return {self.language: _plain(text)} if text else {}

    def size(self, value: Any, path: str) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        text = text_of(value)
        if text is None:
            return None
        if text.isdigit():
            return int(text)
        self.problem(path, "not a size in bytes", text)
        return None

    def licence(self, package: Mapping[str, Any], path: str = "license") -> str | None:
        """license_url, license_id, then license_title; the first the vocabulary knows wins."""
        given = [
            t for t in (text_of(package.get(k)) for k in ("license_url", "license_id", "license_title")) if t
        ]
        found = self.known_licence(given)
        if found is None and given and given[0] not in ("notspecified", "other"):
            self.problem(path, "unknown licence", given[0])
        return found

    def keywords(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> dict[str, list[str]]:
        translated = package.get("keywords")
        if isinstance(translated, dict):
            out = {str(k).lower(): [w for w in v if isinstance(w, str)] for k, v in translated.items()}
            if any(out.values()):
                return out
        words: list[str] = []
        for tag in package.get("tags") or ():
            name = (
                text_of(tag.get("display_name") or tag.get("name")) if isinstance(tag, dict) else text_of(tag)
            )
            if name:
                words.append(name)
        if not words and "keyword" in extras:
            words = list_value(extras["keyword"])
        return {self.language: words} if words else {}

    def themes(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> list[str]:
        out = self.controlled_all(list_value(extras.get("theme", "")), lookups.theme, "theme")
        for group in package.get("groups") or ():
            if not isinstance(group, dict):
                continue
            for key in ("title", "display_name", "name"):
                text = text_of(group.get(key))
                found = lookups.theme(text) if text else None
                if found:
                    out.append(found)
                    break
        return out

    def publisher(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> Agent | None:
        found = package.get("organization")
        org: Mapping[str, Any] = found if isinstance(found, dict) else {}
        name = text_of(extras.get("publisher_name")) or text_of(org.get("title")) or text_of(org.get("name"))
        uri = self.iri(extras.get("publisher_uri"), "publisher.uri")
        if uri is None and is_web_url(text_of(org.get("uri")) or ""):
            uri = text_of(org.get("uri"))
        if name is None and uri is None:
            return None
        return Agent(
            uri=uri,
            name={"": name} if name else {},
            email=text_of(extras.get("publisher_email")),
            homepage=self.iri(extras.get("publisher_url"), "publisher.homepage"),
        )

    def contact_points(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> list[ContactPoint]:
        """ckanext-dcat's contact extras, else the maintainer, else the author."""
        uri = self.iri(extras.get("contact_uri"), "contact_point.uri")
        name = (
            text_of(extras.get("contact_name"))
            or text_of(package.get("maintainer"))
            or text_of(package.get("author"))
        )
        email = (
            text_of(extras.get("contact_email"))
            or text_of(package.get("maintainer_email"))
            or text_of(package.get("author_email"))
        )
        if not (uri or name or email):
            return []
        return [ContactPoint(uri=uri, name=name, email=email)]

    def creator(self, package: Mapping[str, Any]) -> Agent | None:
        """The author, when it is someone else than the maintainer."""
        name, email = text_of(package.get("author")), text_of(package.get("author_email"))
        maintainer = (text_of(package.get("maintainer")), text_of(package.get("maintainer_email")))
        if not (name or email) or maintainer == (None, None) or maintainer == (name, email):
            return None
        return Agent(name={"": name} if name else {}, email=email)

    def spatial(self, extras: Mapping[str, str]) -> list[Location]:
        bbox = None
        if "spatial" in extras:
            bbox = bbox_of_geojson(extras["spatial"])
            if bbox is None:
                self.problem("spatial", "not a GeoJSON geometry", extras["spatial"])
        elif all(f"bbox-{k}" in extras for k in ("west-long", "south-lat", "east-long", "north-lat")):
            try:
                bbox = BBox(
                    west=float(extras["bbox-west-long"]),
                    south=float(extras["bbox-south-lat"]),
                    east=float(extras["bbox-east-long"]),
                    north=float(extras["bbox-north-lat"]),
                )
            except (ValueError, ValidationError):
                self.problem("spatial", "not a bounding box", extras["bbox-west-long"])
        uri = self.iri(extras.get("spatial_uri"), "spatial.uri")
        return [Location(uri=uri, bbox=bbox)] if uri or bbox else []

    def temporal(self, extras: Mapping[str, str]) -> list[PeriodOfTime]:
        start = self.date(extras.get("temporal_start"), "temporal.start")
        end = self.date(extras.get("temporal_end"), "temporal.end")
        return self.period(start, end)

    def distribution(self, resource: Mapping[str, Any], path: str) -> Distribution | None:
        url = text_of(resource.get("url"))
        if url is None or not is_iri(url):
            self.problem(path + "access_url", "resource without a usable URL", url)
            return None
        fmt = self.controlled(resource.get("format"), lookups.file_format, path + "format")
        media = self.controlled(resource.get("mimetype"), lookups.media_type, path + "media_type")
        licence = self.licence(
            {"license_url": resource.get("license"), "license_id": resource.get("license_id")},
            path + "license",
        )
        return Distribution(
            uri=text_of(resource.get("uri")) if is_web_url(text_of(resource.get("uri")) or "") else None,
            identifier=[i for i in (text_of(resource.get("id")),) if i],
            title=self.text(resource.get("name"), resource.get("name_translated")),
            description=self.text(resource.get("description"), resource.get("description_translated")),
            access_url=[url],
            download_url=[url] if _looks_like_file(resource, url, fmt) else [],
            format=fmt,
            media_type=media,
            license=licence,
            byte_size=self.size(resource.get("size"), path + "byte_size"),
            issued=self.date(resource.get("created"), path + "issued"),
            modified=self.date(resource.get("last_modified"), path + "modified"),
        )


def _day_first(text: str) -> datetime | date | None:
    """A European ``DD/MM/YYYY[ - HH:MM]`` date, as DKAN writes them (``mar, 10/12/2019 - 09:23``)."""
    match = _DAY_FIRST.search(text)
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        return datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError:
        return None


def _looks_like_file(resource: Mapping[str, Any], url: str, fmt: str | None) -> bool:
    """An uploaded file or a URL that names one; a service endpoint (WMS, WFS, an API) is not."""
    if fmt is not None and fmt.endswith("_SRVC"):
        return False
    if resource.get("url_type") == "upload" or str(resource.get("resource_type") or "").startswith("file"):
        return True
    path = urlsplit(url).path.lower().rstrip("/")
    last = path.rsplit("/", 1)[-1]
    return last == "download" or last.endswith(_FILE_SUFFIXES)


def languages(mapper: Mapper, extras: Mapping[str, str]) -> list[str]:
    return mapper.controlled_all(list_value(extras.get("language", "")), lookups.language, "language")


def access_rights(mapper: Mapper, extras: Mapping[str, str]) -> str | None:
    return mapper.controlled(extras.get("access_rights"), lookups.access_rights, "access_rights")


def frequency(mapper: Mapper, extras: Mapping[str, str]) -> str | None:
    return mapper.controlled(extras.get("frequency"), lookups.frequency, "frequency")


def map_package(
    package: Mapping[str, Any], *, language: str, base_url: str
) -> tuple[Dataset, tuple[Problem, ...]]:
    """A CKAN package as a Dataset, and what could not be kept; ValidationError when it cannot be built."""
    mapper = Mapper(language)
    extras = dcat_fields(package)
    package_id = text_of(package.get("id"))
    name = text_of(package.get("name"))
    identifier = text_of(extras.get("identifier")) or text_of(extras.get("guid")) or package_id or name
    uri = text_of(extras.get("uri"))
    if uri is not None and not is_web_url(uri):
        mapper.problem("uri", "not an http(s) IRI", uri)
        uri = None
    landing_page = [f"{base_url}/dataset/{name}"] if name and is_iri(f"{base_url}/dataset/{name}") else []
    source_page = text_of(package.get("url"))
    page = [source_page] if source_page and is_web_url(source_page) else []
    distributions = [
        d
        for i, resource in enumerate(package.get("resources") or ())
        if isinstance(resource, dict)
        for d in (mapper.distribution(resource, f"distribution.{i}."),)
        if d is not None
    ]
    dataset = Dataset(
        uri=uri,
        identifier=[identifier] if identifier else [],
        title=mapper.text(package.get("title"), package.get("title_translated")),
        description=mapper.text(package.get("notes"), package.get("notes_translated")),
        keyword=mapper.keywords(package, extras),
        theme=mapper.themes(package, extras),
        publisher=mapper.publisher(package, extras),
        creator=mapper.creator(package),
        contact_point=mapper.contact_points(package, extras),
        issued=mapper.date(extras.get("issued") or package.get("metadata_created"), "issued"),
        modified=mapper.date(extras.get("modified") or package.get("metadata_modified"), "modified"),
        access_rights=access_rights(mapper, extras),
        license=mapper.licence(package),
        conforms_to=[
            i for i in (mapper.iri(v, "conforms_to") for v in list_value(extras.get("conforms_to", ""))) if i
        ],
        landing_page=landing_page,
        page=page,
        language=languages(mapper, extras),
        spatial=mapper.spatial(extras),
        temporal=mapper.temporal(extras),
        frequency=frequency(mapper, extras),
        version=text_of(package.get("version")),
        distribution=distributions,
    )
    return dataset, tuple(mapper.problems)
