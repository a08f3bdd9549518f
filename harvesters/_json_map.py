"""The base of the JSON portal mappings: CKAN (``_ckan_map``), Opendatasoft (``_ods_map``), DCAT-US.

Each maps one portal record (a JSON object) to a :class:`~catalog.model.Dataset` with a subclass of
:class:`JsonMapper`, which keeps the bookkeeping and the checks every portal needs: scalar values read as
trimmed text, IRI and web-URL checks, controlled values through the cached :mod:`vocab` lookups of
``_lookups``, dates, periods, licences, e-mail addresses, and the problems met on the way (a value that
cannot be kept is dropped and reported as a :class:`~catalog.rdf.parse.Problem`; the rest of the record
is still mapped).

Two hooks say what differs from portal to portal, each overridden by the mapping that needs it:

- :meth:`JsonMapper.plain`: a field's text as the catalogue keeps it (Opendatasoft and DCAT-US feeds hold
  HTML and clean it to text; CKAN keeps values as written, its Markdown included, and strips a DKAN
  portal's HTML from titles and descriptions only, in its own ``text``);
- :meth:`JsonMapper.loose_date`: a date written in a portal's own way, tried when a value is no ISO 8601
  date (CKAN reads DKAN's day-first dates).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from catalog.model import BBox, DateValue, PeriodOfTime
from catalog.rdf.parse import Problem
from harvesters import _lookups as lookups
from harvesters._lookups import Lookup

__all__ = [
    "JsonMapper",
    "Moment",
    "bbox_of_geojson",
    "bbox_of_geometry",
    "bbox_of_points",
    "coordinates",
    "is_iri",
    "is_web_url",
    "split_list",
    "strings",
    "text_of",
]

Moment = datetime | date
"""A date or a date-time, as the model's date fields hold them."""

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
_DATE: TypeAdapter[Moment] = TypeAdapter(DateValue)
_SCALARS = (str, int, float)
_PROBLEM_VALUE_LENGTH = 200


def text_of(value: Any) -> str | None:
    """A string or number as trimmed text; None for an empty text and for anything else (a bool included)."""
    if type(value) is str:  # the common case first: this runs for every field of every record
        return value.strip() or None
    if isinstance(value, _SCALARS) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def split_list(text: str) -> list[str]:
    """A comma-separated text as its parts; a text without commas, or holding a URL, as itself."""
    if "," in text and "://" not in text:
        return [part.strip() for part in text.split(",") if part.strip()]
    return [text] if text else []


def strings(value: Any, *, split: bool = False) -> list[str]:
    """The texts of a list of scalars, or of one scalar; with ``split``, one text is split on its commas."""
    if isinstance(value, list):
        return [text for text in (text_of(v) for v in value) if text]
    text = text_of(value)
    if text is None:
        return []
    return split_list(text) if split else [text]


def is_iri(text: str) -> bool:
    """True when ``text`` is an absolute IRI (a scheme, then no spaces and none of ``<>"{}|\\^```)."""
    return _IRI.fullmatch(text) is not None


def is_web_url(text: str) -> bool:
    """True when ``text`` is an http(s) IRI."""
    return is_iri(text) and text[:8].lower().startswith(("http://", "https://"))


def coordinates(value: Any) -> Iterator[tuple[float, float]]:
    """The ``(x, y)`` positions in a GeoJSON ``coordinates`` array of any depth."""
    if isinstance(value, list) and len(value) >= 2 and all(isinstance(v, int | float) for v in value[:2]):
        yield float(value[0]), float(value[1])
    elif isinstance(value, list):
        for item in value:
            yield from coordinates(item)


def bbox_of_points(points: Sequence[tuple[float, float]]) -> BBox | None:
    """The bounding box of ``points``; None when there are none or they are no longitudes and latitudes."""
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    try:
        return BBox(west=min(xs), south=min(ys), east=max(xs), north=max(ys))
    except ValidationError:
        return None


def bbox_of_geometry(geometry: Any) -> BBox | None:
    """The bounding box of a GeoJSON geometry object (any type); None when it is not one."""
    if not isinstance(geometry, Mapping):
        return None
    if geometry.get("type") == "GeometryCollection":
        members = geometry.get("geometries")
        parts = members if isinstance(members, list) else ()
        points = [p for g in parts if isinstance(g, Mapping) for p in coordinates(g.get("coordinates"))]
    else:
        points = list(coordinates(geometry.get("coordinates")))
    return bbox_of_points(points)


def bbox_of_geojson(text: str) -> BBox | None:
    """The bounding box of a GeoJSON geometry written as JSON text; None when it is not one."""
    try:
        geometry = json.loads(text)
    except ValueError:
        return None
    return bbox_of_geometry(geometry)


def _itself(text: str) -> Iterable[str]:
    return (text,)


class JsonMapper:
    """Maps one record in ``language``; collects the problems met on the way in ``problems``."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, value: Any = None) -> None:
        """Records that the value at ``path`` was not kept, and why; a long value is cut to 200 characters."""
        text = None if value is None else str(value)
        if text is not None and len(text) > _PROBLEM_VALUE_LENGTH:
            text = text[: _PROBLEM_VALUE_LENGTH - 3] + "..."
        self.problems.append(Problem(path, message, text))

    def plain(self, text: str) -> str:
        """Hook: a field's trimmed, non-empty text as the catalogue keeps it; here, as it is."""
        return text

    def loose_date(self, text: str) -> Moment | None:
        """Hook: a date written in the portal's own way, for a text that is no ISO 8601 date; here, none."""
        return None

    def clean(self, value: Any) -> str | None:
        """A scalar value as text the catalogue keeps (see :meth:`plain`); None when nothing is left."""
        text = text_of(value)
        return self.plain(text) or None if text else None

    def text(self, value: Any) -> dict[str, str]:
        """A text in the record's language (``{language: text}``), or an empty dict."""
        text = self.clean(value)
        return {self.language: text} if text else {}

    def iri(self, value: Any, path: str) -> str | None:
        """A value that is an IRI; other text is reported."""
        text = text_of(value)
        if text is None:
            return None
        if is_iri(text):
            return text
        self.problem(path, "not an IRI", text)
        return None

    def iris(self, value: Any, path: str) -> list[str]:
        """The IRIs of a list of values or of one value; other texts are reported."""
        out = []
        for text in strings(value):
            if is_iri(text):
                out.append(text)
            else:
                self.problem(path, "not an IRI", text)
        return out

    def controlled(self, value: Any, lookup: Lookup, path: str) -> str | None:
        """A controlled value as its canonical IRI; an unknown IRI is kept, other unknown text reported."""
        text = self.clean(value)
        if text is None:
            return None
        found = lookup(text)
        if found:
            return found
        if is_iri(text):
            return text
        self.problem(path, "unknown value, not an IRI", text)
        return None

    def controlled_all(self, values: Iterable[Any], lookup: Lookup, path: str) -> list[str]:
        """:meth:`controlled` for each of ``values``, the ones kept."""
        return [iri for iri in (self.controlled(v, lookup, path) for v in values) if iri]

    def date(self, value: Any, path: str) -> Moment | None:
        """An ISO 8601 date or date-time (else the portal's :meth:`loose_date`); other text is reported."""
        text = text_of(value)
        if text is None:
            return None
        try:
            return _DATE.validate_python(text)
        except (ValidationError, ValueError):
            pass
        found = self.loose_date(text)
        if found is None:
            self.problem(path, "not a date", text)
        return found

    def period(
        self, start: Moment | None, end: Moment | None, shown: str | None = None
    ) -> list[PeriodOfTime]:
        """The period from ``start`` to ``end`` (either may be open), or none; an end before its start is
        reported with ``shown`` (by default ``start / end``)."""
        if start is None and end is None:
            return []
        try:
            return [PeriodOfTime(start=start, end=end)]
        except ValidationError:
            self.problem("temporal", "start is after end", f"{start} / {end}" if shown is None else shown)
            return []

    def known_licence(
        self, given: Sequence[str], names: Callable[[str], Iterable[str]] = _itself
    ) -> str | None:
        """The licence vocabulary's IRI for the first of ``given`` it knows (each read as its ``names``),
        else the first of ``given`` that is an http(s) URL, else None (the caller reports what it was)."""
        for text in given:
            for name in names(text):
                found = lookups.licence(name)
                if found:
                    return found
        for text in given:
            if is_web_url(text):
                return text
        return None

    def email(self, value: Any, path: str) -> str | None:
        """An e-mail address (a ``mailto:`` IRI too); text without an ``@``, or with a space, is reported."""
        text = text_of(value)
        if text is not None and ("@" not in text or " " in text):
            self.problem(path, "not an e-mail address", text)
            return None
        return text
