"""Dates and geometries in the forms feeds write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from catalog.model import BBox
from catalog.rdf._parse_values import bbox_from_text, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021", date(2021, 1, 1)),
        ("2021-05", date(2021, 5, 1)),
        (" 2021-05-17 ", date(2021, 5, 17)),
        ("17-05-2021", date(2021, 5, 17)),
        ("17/05/2021", date(2021, 5, 17)),
        ("2021-05-17Z", date(2021, 5, 17)),
        ("2021-05-17+02:00", date(2021, 5, 17)),
        ("2021-05-17T10:30:00Z", datetime(2021, 5, 17, 10, 30, tzinfo=UTC)),
        ("2021-05-17 10:30:00", datetime(2021, 5, 17, 10, 30)),
        ("2021-13-01", None),
        ("17 mei 2021", None),
        ("", None),
    ],
)
def test_dates(text: str, expected: date | datetime | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("POLYGON((3 50, 4 50, 4 51, 3 51, 3 50))", (3, 50, 4, 51)),
        ("  multipolygon(((3 50, 4 51)))", (3, 50, 4, 51)),
        ("<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(51 3)", (3, 51, 3, 51)),
        ("ENVELOPE(3, 4, 51, 50)", (3, 50, 4, 51)),
        ("<gml:Envelope><gml:lowerCorner>3 50</gml:lowerCorner><gml:upperCorner>4 51</gml:upperCorner>",
         (3, 50, 4, 51)),
        ('<gml:Polygon srsName="EPSG:4326"><gml:posList>50 3 51 4</gml:posList>', (3, 50, 4, 51)),
        ('{"type": "Polygon", "coordinates": [[[3, 50], [4, 51]]]}', (3, 50, 4, 51)),
        ("LINESTRING EMPTY", None),
        ("not a geometry", None),
    ],
)  # fmt: skip
def test_geometries(text: str, expected: tuple[float, float, float, float] | None) -> None:
    found = bbox_from_text(text)
    if expected is None:
        assert found is None
    else:
        assert found == BBox(west=expected[0], south=expected[1], east=expected[2], north=expected[3])
