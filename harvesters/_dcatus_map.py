"""Mapping of one DCAT-US 1.1 ``data.json`` dataset (ArcGIS Hub, Socrata, any POD catalogue) to a Dataset.

Field by field (DCAT-US name -> DCAT-AP-VL):

- ``identifier`` -> ``dct:identifier`` (also the record's remote id); ``@id`` -> the dataset IRI when it is
  an http(s) IRI (data.json datasets usually have none, and the catalogue mints one);
- ``title``, ``description`` -> text in the source's language, HTML cleaned to text (links kept as
  ``text (url)``); every other text field is cleaned the same way;
- ``keyword`` -> keywords; ``theme`` -> EU data themes where the vocabulary knows the word, else kept as a
  keyword (DCAT-US themes are free words such as "geospatial");
- ``issued``, ``modified`` -> dates; ``temporal`` (``start/end``) -> a period; ``accrualPeriodicity``
  (``R/P1Y`` ...) -> EU frequency; ``language`` -> EU languages;
- ``publisher.name`` -> an Agent; ``contactPoint`` (``fn``, ``hasEmail`` without ``mailto:``) -> a
  ContactPoint;
- ``accessLevel`` (public / restricted public / non-public) -> EU access-right PUBLIC / RESTRICTED /
  NON_PUBLIC; ``rights`` -> a rights statement;
- ``license``: a URL or text; the vocabulary's licence when it knows the text or a URL written in it,
  else an http(s) URL as it is, else dropped with a problem;
- ``spatial``: a ``west,south,east,north`` bounding box, a GeoJSON geometry, a URL or a place name;
- ``landingPage`` -> landing page; ``references``, ``describedBy`` -> documentation pages;
  ``conformsTo`` -> conforms to;
- ``distribution``: ``title``, ``description``, ``format`` / ``mediaType`` (EU file type, IANA media
  type), ``accessURL`` / ``downloadURL`` (a download URL is also the access URL, as DCAT-AP asks),
  ``conformsTo``, ``describedBy``.

What cannot be kept is dropped and reported as a :class:`~catalog.rdf.parse.Problem`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from catalog.model import (
    Agent,
    BBox,
    ContactPoint,
    Dataset,
    Distribution,
    Location,
    PeriodOfTime,
    RightsStatement,
)
from catalog.rdf.parse import Problem
from harvesters import _lookups as lookups
from harvesters._dcatus_text import plain_text
from harvesters._json_map import (
    JsonMapper,
    bbox_of_geojson,
    bbox_of_geometry,
    is_iri,
    is_web_url,
    strings,
    text_of,
)

__all__ = ["DcatUsMapper", "build_dataset", "dataset_identifier", "map_dataset"]

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'{}|\\^`()\[\]]+[^\s<>\"'{}|\\^`()\[\].,;:!?]")
_NUMBER = r"\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*"
_BBOX = re.compile(rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$")
_TEMPLATE = re.compile(r"\{\{.*\}\}")
_FORMAT_ALIASES = {
    "arcgis geoservices rest api": "Esri REST",
    "esri rest": "Esri REST",
    "web page": "HTML",
}
"""Format names ArcGIS Hub writes that the vocabulary does not know by that name."""


def _listed(value: Any) -> list[str]:
    """A list of strings from a list, or from one string (comma-separated when it holds commas)."""
    return strings(value, split=True)


def _licence_names(text: str) -> Iterator[str]:
    """A licence text as it is, then each URL written in it."""
    yield text
    yield from _URL_IN_TEXT.findall(text)


def dataset_identifier(item: Mapping[str, Any]) -> str | None:
    """A dataset's ``identifier`` as text (a number is accepted), or None."""
    return text_of(item.get("identifier"))


class DcatUsMapper(JsonMapper):
    """Maps one dataset; collects the problems met on the way in ``problems``."""

    def plain(self, text: str) -> str:
        return plain_text(text)

    def licence(self, value: Any, path: str = "license") -> str | None:
        """The vocabulary's licence for the text or a URL in it; else an http(s) URL; else a problem."""
        text = self.clean(value)
        if text is None:
            return None
        found = self.known_licence([text], _licence_names)
        if found is None:
            self.problem(path, "unknown licence", text)
        return found

    def keywords_and_themes(self, item: Mapping[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
        words = [w for w in (self.clean(k) for k in _listed(item.get("keyword"))) if w]
        themes: list[str] = []
        for word in (w for w in (self.clean(t) for t in _listed(item.get("theme"))) if w):
            found = lookups.theme(word)
            if found:
                themes.append(found)
            elif is_iri(word):
                themes.append(word)
            else:
                words.append(word)
                self.problem("theme", "not an EU data theme; kept as a keyword", word)
        return ({self.language: words} if words else {}), themes

    def publisher(self, value: Any) -> Agent | None:
        if isinstance(value, Mapping):
            name = self.clean(value.get("name"))
            uri = text_of(value.get("@id"))
        else:
            name, uri = self.clean(value), None
        if uri is not None and not is_web_url(uri):
            uri = None
        if name is None and uri is None:
            return None
        return Agent(uri=uri, name={"": name} if name else {})

    def contact_points(self, value: Any) -> list[ContactPoint]:
        out = []
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            if not isinstance(item, Mapping):
                continue
            name = self.clean(item.get("fn"))
            email = self.email(item.get("hasEmail"), f"contact_point.{i}.email")
            if name or email:
                out.append(ContactPoint(name=name, email=email))
        return out

    def spatial(self, value: Any) -> list[Location]:
        if isinstance(value, Mapping):
            bbox = bbox_of_geometry(value)
            if bbox is None:
                self.problem("spatial", "not a GeoJSON geometry", value)
                return []
            return [Location(bbox=bbox)]
        text = text_of(value)
        if text is None:
            return []
        if _TEMPLATE.search(text):
            self.problem("spatial", "an unfilled template placeholder, not a place", text)
            return []
        match = _BBOX.match(text)
        if match:
            west, south, east, north = (float(g) for g in match.groups())
            try:
                return [Location(bbox=BBox(west=west, south=south, east=east, north=north))]
            except ValidationError:
                self.problem("spatial", "not a west,south,east,north bounding box in degrees", text)
                return []
        if text.startswith("{"):
            bbox = bbox_of_geojson(text)
            if bbox is not None:
                return [Location(bbox=bbox)]
        if is_web_url(text):
            return [Location(uri=text)]
        name = plain_text(text)
        return [Location(name={"": name})] if name else []

    def temporal(self, value: Any) -> list[PeriodOfTime]:
        text = text_of(value)
        if text is None:
            return []
        start_text, _, end_text = text.partition("/")
        start = self.date(start_text, "temporal.start") if start_text else None
        end = None
        if end_text and not end_text.upper().startswith("P"):  # a duration end is not a date
            end = self.date(end_text, "temporal.end")
        return self.period(start, end, text)

    def file_format(self, fmt: str | None, media: str | None, path: str) -> str | None:
        if fmt:
            found = lookups.file_format(_FORMAT_ALIASES.get(fmt.lower(), fmt))
            if found:
                return found
        if media:
            found = lookups.file_format(media)
            if found:
                return found
        if fmt:
            self.problem(path + "format", "unknown format", fmt)
        return None

    def distribution(self, item: Mapping[str, Any], path: str) -> dict[str, Any] | None:
        """The fields of one Distribution, validated with the dataset (one validation is cheaper)."""
        access = self.iris(item.get("accessURL"), path + "access_url")
        download = self.iris(item.get("downloadURL"), path + "download_url")
        if not access and not download:
            self.problem(path + "access_url", "distribution without accessURL or downloadURL")
            return None
        fmt, media_text = self.clean(item.get("format")), self.clean(item.get("mediaType"))
        media = None
        if media_text:
            media = lookups.media_type(media_text)
            if media is None:
                self.problem(path + "media_type", "unknown media type", media_text)
        return {
            "title": self.text(item.get("title")),
            "description": self.text(item.get("description")),
            "access_url": access or download,
            "download_url": download,
            "format": self.file_format(fmt, media_text, path),
            "media_type": media,
            "conforms_to": self.iris(item.get("conformsTo"), path + "conforms_to"),
            "page": self.iris(item.get("describedBy"), path + "page"),
        }

    def distributions(self, value: Any) -> list[dict[str, Any]]:
        items = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                self.problem(f"distribution.{i}", "not a JSON object", item)
                continue
            found = self.distribution(item, f"distribution.{i}.")
            if found is not None:
                out.append(found)
        return out


def _web_urls(mapper: JsonMapper, values: Iterable[str], path: str) -> list[str]:
    out = []
    for text in values:
        if is_web_url(text):
            out.append(text)
        else:
            mapper.problem(path, "not an http(s) URL", text)
    return out


def map_dataset(item: Mapping[str, Any], *, language: str) -> tuple[Dataset, tuple[Problem, ...]]:
    """A DCAT-US dataset as a Dataset and what could not be kept; ValidationError when it cannot be built."""
    mapper = DcatUsMapper(language)
    identifier = dataset_identifier(item)
    uri = text_of(item.get("@id"))
    if uri is not None and not is_web_url(uri):
        uri = None
    keywords, themes = mapper.keywords_and_themes(item)
    rights = mapper.clean(item.get("rights"))
    fields: dict[str, Any] = dict(
        uri=uri,
        identifier=[identifier] if identifier else [],
        title=mapper.text(item.get("title")),
        description=mapper.text(item.get("description")),
        keyword=keywords,
        theme=themes,
        publisher=mapper.publisher(item.get("publisher")),
        contact_point=mapper.contact_points(item.get("contactPoint")),
        issued=mapper.date(item.get("issued"), "issued"),
        modified=mapper.date(item.get("modified"), "modified"),
        access_rights=mapper.controlled(item.get("accessLevel"), lookups.access_rights, "access_rights"),
        license=mapper.licence(item.get("license")),
        rights=RightsStatement(label={mapper.language: rights}) if rights else None,
        conforms_to=mapper.iris(item.get("conformsTo"), "conforms_to"),
        landing_page=_web_urls(mapper, _listed(item.get("landingPage")), "landing_page"),
        page=_web_urls(mapper, [*_listed(item.get("references")), *_listed(item.get("describedBy"))], "page"),
        language=mapper.controlled_all(_listed(item.get("language")), lookups.language, "language"),
        spatial=mapper.spatial(item.get("spatial")),
        temporal=mapper.temporal(item.get("temporal")),
        frequency=mapper.controlled(item.get("accrualPeriodicity"), lookups.frequency, "frequency"),
        distribution=mapper.distributions(item.get("distribution")),
    )
    return build_dataset(fields, mapper), tuple(mapper.problems)


def build_dataset(fields: dict[str, Any], mapper: DcatUsMapper) -> Dataset:
    """The Dataset, validated once; a distribution the model refuses is dropped alone, with a problem."""
    try:
        return Dataset(**fields)
    except ValidationError as exc:
        if not any(error["loc"][:1] == ("distribution",) for error in exc.errors()):
            raise
    kept = []
    for i, found in enumerate(fields["distribution"]):
        try:
            kept.append(Distribution.model_validate(found))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            mapper.problem(f"distribution.{i}.{where}", first["msg"])
    return Dataset(**{**fields, "distribution": kept})
