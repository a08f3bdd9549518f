"""Reading single RDF values: dates, numbers, e-mail addresses and bounding boxes (WKT, GML, GeoJSON)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pyoxigraph as ox

from catalog.model import BBox

__all__ = ["Term", "bbox_from_text", "parse_date", "parse_float", "parse_int", "term_text"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_CRS_LATLON = ("4326", "4258", "epsg/0/4326", "EPSG:4326")

# Compiled once: every date and geometry of a feed goes through them.
_YEAR_MONTH = re.compile(r"\d{4}-\d{2}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_FIRST_DATE = re.compile(r"\d{2}[-/]\d{2}[-/]\d{4}")
_ISO_DATE_ZONED = re.compile(r"\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})")
_NUMBERS = re.compile(_NUMBER)
_GML_CORNERS = re.compile(r"<(?:\w+:)?(?:lowerCorner|upperCorner)>([^<]*)<")
_GML_POSITIONS = re.compile(r"<(?:\w+:)?(?:posList|pos|coordinates)[^>]*>([^<]*)<")
_CRS_PREFIX = re.compile(r"<https?://")
_WKT_SHAPE = re.compile(r"\s*(MULTI)?(POLYGON|POINT|LINESTRING|ENVELOPE)", re.IGNORECASE)


def term_text(term: object) -> str:
    """The lexical text of a literal or the IRI of a named node."""
    if isinstance(term, ox.Literal | ox.NamedNode):
        return term.value.strip()
    return ""


def parse_date(text: str) -> date | datetime | None:
    """A date or datetime from ISO 8601 (also ``YYYY``, ``YYYY-MM``, ``DD-MM-YYYY``); None if unreadable."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 4 and text.isdigit():
            return date(int(text), 1, 1)
        if _YEAR_MONTH.fullmatch(text):
            return date(int(text[:4]), int(text[5:]), 1)
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _DAY_FIRST_DATE.fullmatch(text):
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
        if _ISO_DATE_ZONED.fullmatch(text):
            return date.fromisoformat(text[:10])
        iso = text[:-1] + "+00:00" if text.endswith("Z") else text
        return datetime.fromisoformat(iso.replace(" ", "T", 1))
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
        return int(value) if value.is_integer() else None


def parse_float(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _box(points: list[tuple[float, float]]) -> BBox | None:
    if not points:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    try:
        return BBox(west=min(xs), south=min(ys), east=max(xs), north=max(ys))
    except ValueError:
        return None


def _pairs(numbers: list[float]) -> list[tuple[float, float]]:
    return [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]


def _from_geojson(text: str) -> BBox | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    numbers: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, list):
            if len(value) >= 2 and all(isinstance(v, int | float) for v in value[:2]):
                numbers.extend(float(v) for v in value[:2])
            else:
                for item in value:
                    walk(item)

    if isinstance(doc, dict):
        bbox = doc.get("bbox")
        if isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, int | float) for v in bbox):
            return _box([(float(bbox[0]), float(bbox[1])), (float(bbox[2]), float(bbox[3]))])
        walk(doc.get("coordinates"))
    return _box(_pairs(numbers))


def _from_gml(text: str) -> BBox | None:
    swap = any(code in text for code in _CRS_LATLON)
    corners = _GML_CORNERS.findall(text)
    if corners:
        numbers = [float(n) for c in corners for n in _NUMBERS.findall(c)]
    else:
        lists = _GML_POSITIONS.findall(text)
        numbers = [float(n) for c in lists for n in _NUMBERS.findall(c)]
    points = _pairs(numbers)
    if swap:
        points = [(y, x) for x, y in points]
    return _box(points)


def bbox_from_text(text: str) -> BBox | None:
    """A WGS84 bounding box from a WKT, GML or GeoJSON geometry literal; None when unreadable."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("{"):
        return _from_geojson(text)
    body = text
    swap = False
    if _CRS_PREFIX.match(text):
        crs, _, body = text[1:].partition(">")
        swap = crs.endswith(("/4326", "/4258"))
    elif text.startswith("<"):
        return _from_gml(text)
    if not _WKT_SHAPE.match(body):
        return None
    numbers = [float(n) for n in _NUMBERS.findall(body)]
    if body.strip().upper().startswith("ENVELOPE") and len(numbers) == 4:
        # ENVELOPE(minX, maxX, maxY, minY)
        return _box([(numbers[0], numbers[3]), (numbers[1], numbers[2])])
    points = _pairs(numbers)
    return _box([(y, x) for x, y in points] if swap else points)
