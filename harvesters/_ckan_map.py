"""Mapping of a CKAN (or DKAN) package dict to a DCAT-AP-VL :class:`~catalog.model.Dataset`.

Core CKAN fields and the extras ckanext-dcat writes (``uri``, ``identifier``, ``theme``, ``spatial`` ...)
are read; controlled values go through the :mod:`vocab` lookups. A value that cannot be kept is dropped
and reported as a :class:`~catalog.rdf.parse.Problem`; the rest of the package is still mapped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from catalog.model import (
    Agent,
    BBox,
    ContactPoint,
    Dataset,
    DateValue,
    Distribution,
    Location,
    PeriodOfTime,
)
from catalog.rdf.parse import Problem
from harvesters._ckan_fields import dcat_fields, list_value
from vocab import codelists, formats, licences, themes

__all__ = ["Mapper", "bbox_of_geojson", "map_package"]

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
_HTML = re.compile(r"<(p|div|br|span|ul|li|a|strong|em|b|i)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_Lookup = Callable[[str], str | None]


def _cached(lookup: _Lookup) -> _Lookup:
    """A vocabulary lookup remembered per text: portals repeat the same formats, licences and groups."""
    return lru_cache(maxsize=8192)(lookup)


lookup_access_rights = _cached(codelists.lookup_access_rights)
lookup_frequency = _cached(codelists.lookup_frequency)
lookup_language = _cached(codelists.lookup_language)
lookup_format = _cached(formats.lookup_format)
lookup_media_type = _cached(formats.lookup_media_type)
lookup_licence = _cached(licences.lookup_licence)
lookup_theme = _cached(themes.lookup_theme)

_DAY_FIRST = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})(?:\s*-\s*(\d{1,2}):(\d{2}))?\b")
_DATE: TypeAdapter[datetime | date] = TypeAdapter(DateValue)
_FILE_SUFFIXES = (
    ".csv", ".tsv", ".json", ".geojson", ".xml", ".xls", ".xlsx", ".ods", ".zip", ".gz", ".shp", ".kml",
    ".kmz", ".gpkg", ".pdf", ".txt", ".rdf", ".ttl", ".nt", ".jsonld", ".parquet", ".gml", ".tif", ".tiff",
    ".png", ".jpg", ".docx", ".odt",
)  # fmt: skip


def _is_iri(text: str) -> bool:
    return _IRI.fullmatch(text) is not None


def _is_web_url(text: str) -> bool:
    return _is_iri(text) and urlsplit(text).scheme in ("http", "https")


def _str(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return None


def _plain(text: str) -> str:
    """Text without HTML markup, when a portal (DKAN) sends HTML; CKAN's Markdown is kept as it is."""
    if _HTML.search(text) is None:
        return text.strip()
    return html.unescape(_TAG.sub("", text)).strip()


def _coordinates(value: Any) -> Iterator[tuple[float, float]]:
    if isinstance(value, list) and len(value) >= 2 and all(isinstance(v, int | float) for v in value[:2]):
        yield float(value[0]), float(value[1])
    elif isinstance(value, list):
        for item in value:
            yield from _coordinates(item)


def bbox_of_geojson(text: str) -> BBox | None:
    """The bounding box of a GeoJSON geometry (any type); None when it is not one."""
    try:
        geometry = json.loads(text)
    except ValueError:
        return None
    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") == "GeometryCollection":
        points = [p for g in geometry.get("geometries") or () for p in _coordinates(g.get("coordinates"))]
    else:
        points = list(_coordinates(geometry.get("coordinates")))
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    try:
        return BBox(west=min(xs), south=min(ys), east=max(xs), north=max(ys))
    except ValidationError:
        return None


class Mapper:
    """Maps one package; collects the problems met on the way in ``problems``."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, value: Any = None) -> None:
        self.problems.append(Problem(path, message, None if value is None else str(value)))

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
        text = _str(value)
        return {self.language: _plain(text)} if text else {}

    def iri(self, value: Any, path: str) -> str | None:
        text = _str(value)
        if text is None:
            return None
        if _is_iri(text):
            return text
        self.problem(path, "not an IRI", text)
        return None

    def controlled(self, value: Any, lookup: Callable[[str], str | None], path: str) -> str | None:
        """A controlled value mapped to its canonical IRI; an unknown IRI is kept, other text dropped."""
        text = _str(value)
        if text is None:
            return None
        found = lookup(text)
        if found:
            return found
        if _is_iri(text):
            return text
        self.problem(path, "unknown value, not an IRI", text)
        return None

    def controlled_all(
        self, values: Iterable[str], lookup: Callable[[str], str | None], path: str
    ) -> list[str]:
        return [iri for iri in (self.controlled(v, lookup, path) for v in values) if iri]

    def date(self, value: Any, path: str) -> datetime | date | None:
        text = _str(value)
        if text is None:
            return None
        try:
            return _DATE.validate_python(text)
        except (ValidationError, ValueError):
            pass
        found = _day_first(text)
        if found is None:
            self.problem(path, "not a date", text)
        return found

    def size(self, value: Any, path: str) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        text = _str(value)
        if text is None:
            return None
        if text.isdigit():
            return int(text)
        self.problem(path, "not a size in bytes", text)
        return None

    def licence(self, package: Mapping[str, Any], path: str = "license") -> str | None:
        """license_url, license_id, then license_title; the first the vocabulary knows wins."""
        given = [
            t for t in (_str(package.get(k)) for k in ("license_url", "license_id", "license_title")) if t
        ]
        for text in given:
            found = lookup_licence(text)
            if found:
                return found
        for text in given:
            if _is_web_url(text):
                return text
        if given and given[0] not in ("notspecified", "other"):
            self.problem(path, "unknown licence", given[0])
        return None

    def keywords(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> dict[str, list[str]]:
        translated = package.get("keywords")
        if isinstance(translated, dict):
            out = {str(k).lower(): [w for w in v if isinstance(w, str)] for k, v in translated.items()}
            if any(out.values()):
                return out
        words: list[str] = []
        for tag in package.get("tags") or ():
            name = _str(tag.get("display_name") or tag.get("name")) if isinstance(tag, dict) else _str(tag)
            if name:
                words.append(name)
        if not words and "keyword" in extras:
            words = list_value(extras["keyword"])
        return {self.language: words} if words else {}

    def themes(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> list[str]:
        out = self.controlled_all(list_value(extras.get("theme", "")), lookup_theme, "theme")
        for group in package.get("groups") or ():
            if not isinstance(group, dict):
                continue
            for key in ("title", "display_name", "name"):
                text = _str(group.get(key))
                found = lookup_theme(text) if text else None
                if found:
                    out.append(found)
                    break
        return out

    def publisher(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> Agent | None:
        found = package.get("organization")
        org: Mapping[str, Any] = found if isinstance(found, dict) else {}
        name = _str(extras.get("publisher_name")) or _str(org.get("title")) or _str(org.get("name"))
        uri = self.iri(extras.get("publisher_uri"), "publisher.uri")
        if uri is None and _is_web_url(_str(org.get("uri")) or ""):
            uri = _str(org.get("uri"))
        if name is None and uri is None:
            return None
        return Agent(
            uri=uri,
            name={"": name} if name else {},
            email=_str(extras.get("publisher_email")),
            homepage=self.iri(extras.get("publisher_url"), "publisher.homepage"),
        )

    def contact_points(self, package: Mapping[str, Any], extras: Mapping[str, str]) -> list[ContactPoint]:
        """ckanext-dcat's contact extras, else the maintainer, else the author."""
        uri = self.iri(extras.get("contact_uri"), "contact_point.uri")
        name = (
            _str(extras.get("contact_name")) or _str(package.get("maintainer")) or _str(package.get("author"))
        )
        email = (
            _str(extras.get("contact_email"))
            or _str(package.get("maintainer_email"))
            or _str(package.get("author_email"))
        )
        if not (uri or name or email):
            return []
        return [ContactPoint(uri=uri, name=name, email=email)]

    def creator(self, package: Mapping[str, Any]) -> Agent | None:
        """The author, when it is someone else than the maintainer."""
        name, email = _str(package.get("author")), _str(package.get("author_email"))
        maintainer = (_str(package.get("maintainer")), _str(package.get("maintainer_email")))
        if not (name or email) or maintainer == (None, None) or maintainer == (name, email):
            return None
        return Agent(name={"": name} if name else {}, email=email)

    def spatial(self, extras: Mapping[str, str]) -> list[Location]:
        bbox = None
        if "spatial" in extras:
            bbox = bbox_of_geojson(extras["spatial"])
            if bbox is None:
                self.problem("spatial", "not a GeoJSON geometry", extras["spatial"][:200])
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
        if start is None and end is None:
            return []
        try:
            return [PeriodOfTime(start=start, end=end)]
        except ValidationError:
            self.problem("temporal", "start is after end", f"{start} / {end}")
            return []

    def distribution(self, resource: Mapping[str, Any], path: str) -> Distribution | None:
        url = _str(resource.get("url"))
        if url is None or not _is_iri(url):
            self.problem(path + "access_url", "resource without a usable URL", url)
            return None
        fmt = self.controlled(resource.get("format"), lookup_format, path + "format")
        media = self.controlled(resource.get("mimetype"), lookup_media_type, path + "media_type")
        licence = self.licence(
            {"license_url": resource.get("license"), "license_id": resource.get("license_id")},
            path + "license",
        )
        return Distribution(
            uri=_str(resource.get("uri")) if _is_web_url(_str(resource.get("uri")) or "") else None,
            identifier=[i for i in (_str(resource.get("id")),) if i],
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
    return mapper.controlled_all(list_value(extras.get("language", "")), lookup_language, "language")


def access_rights(mapper: Mapper, extras: Mapping[str, str]) -> str | None:
    return mapper.controlled(extras.get("access_rights"), lookup_access_rights, "access_rights")


def frequency(mapper: Mapper, extras: Mapping[str, str]) -> str | None:
    return mapper.controlled(extras.get("frequency"), lookup_frequency, "frequency")


def map_package(
    package: Mapping[str, Any], *, language: str, base_url: str
) -> tuple[Dataset, tuple[Problem, ...]]:
    """A CKAN package as a Dataset, and what could not be kept; ValidationError when it cannot be built."""
    mapper = Mapper(language)
    extras = dcat_fields(package)
    package_id = _str(package.get("id"))
    name = _str(package.get("name"))
    identifier = _str(extras.get("identifier")) or _str(extras.get("guid")) or package_id or name
    uri = _str(extras.get("uri"))
    if uri is not None and not _is_web_url(uri):
        mapper.problem("uri", "not an http(s) IRI", uri)
        uri = None
    landing_page = [f"{base_url}/dataset/{name}"] if name and _is_iri(f"{base_url}/dataset/{name}") else []
    source_page = _str(package.get("url"))
    page = [source_page] if source_page and _is_web_url(source_page) else []
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
        version=_str(package.get("version")),
        distribution=distributions,
    )
    return dataset, tuple(mapper.problems)
