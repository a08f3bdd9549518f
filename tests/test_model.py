"""The DCAT-AP-VL records: validation that names the field, stable values, a content hash to compare by."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from catalog.model import (
    BBox,
    ContactPoint,
    DataService,
    Dataset,
    Distribution,
    PeriodOfTime,
    content_hash,
    pick_text,
)


def _locs(err: ValidationError) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in err.errors()]


def test_validation_errors_name_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        Dataset.model_validate(
            {
                "theme": ["economie"],
                "distribution": [{"byte_size": -5, "access_url": ["http://ok.example/x"]}],
                "contact_point": [{"url": "not a url"}],
            }
        )
    assert sorted(_locs(err.value)) == ["contact_point.0.url", "distribution.0.byte_size", "theme.0"]


def test_unknown_fields_are_refused_by_name() -> None:
    with pytest.raises(ValidationError) as err:
        Distribution.model_validate({"acces_url": ["http://x.example"]})
    assert _locs(err.value) == ["acces_url"]


def test_dates_keep_their_precision() -> None:
    ds = Dataset.model_validate(
        {"issued": "2021-03-04", "modified": "2024-05-06T07:08:09Z", "temporal": [{"start": "2019"}]}
    )
    assert ds.issued == date(2021, 3, 4) and not isinstance(ds.issued, datetime)
    assert ds.modified == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert ds.temporal[0].start == date(2019, 1, 1)
    with pytest.raises(ValidationError) as err:
        Dataset.model_validate({"issued": "vorige week"})
    assert _locs(err.value) == ["issued"]


def test_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValidationError):
        PeriodOfTime(start=date(2020, 1, 2), end=date(2020, 1, 1))


def test_multilingual_text_is_trimmed_lowercased_and_empty_dropped() -> None:
    ds = Dataset.model_validate(
        {
            "title": {"NL": "  Parkeerbezetting ", "en": "", "": "Parking"},
            "keyword": {"nl": ["b", "a", "a", " "]},
        }
    )
    assert ds.title == {"": "Parking", "nl": "Parkeerbezetting"}
    assert ds.keyword == {"nl": ["a", "b"]}
    assert pick_text(ds.title) == "Parkeerbezetting"
    assert pick_text(ds.title, "en") == "Parkeerbezetting"
    assert pick_text({"fr": "Parking"}, "nl") == "Parking"


def test_same_metadata_in_another_order_has_the_same_hash() -> None:
    a = Dataset.model_validate({"theme": ["http://t.example/b", "http://t.example/a"], "title": {"nl": "x"}})
    b = Dataset.model_validate({"title": {"nl": "x"}, "theme": ["http://t.example/a", "http://t.example/b"]})
    assert a == b
    assert content_hash(a) == content_hash(b)
    c = a.model_copy(update={"title": {"nl": "y"}})
    assert content_hash(c) != content_hash(a)


def test_records_survive_a_json_round_trip() -> None:
    ds = Dataset.model_validate(
        {
            "uri": "https://data.stad.gent/dataset/1",
            "issued": "2020-01-01",
            "spatial": [
                {
                    "uri": "https://data.vlaanderen.be/id/gemeente/44021",
                    "bbox": {"west": 3.6, "south": 51.0, "east": 3.8, "north": 51.2},
                }
            ],
            "distribution": [
                {
                    "access_url": ["https://x.example/a"],
                    "access_service": [{"endpoint_url": ["https://x.example/wms"]}],
                    "checksum": {
                        "algorithm": "http://spdx.org/rdf/terms#checksumAlgorithm_sha1",
                        "value": "ab",
                    },
                }
            ],
        }
    )
    assert Dataset.model_validate_json(ds.model_dump_json()) == ds
    assert isinstance(ds.distribution[0].access_service[0], DataService)


def test_bbox_is_checked_and_written_as_wkt() -> None:
    box = BBox(west=2.5, south=50.6, east=5.9, north=51.5)
    assert box.to_wkt() == "POLYGON((2.5 50.6,5.9 50.6,5.9 51.5,2.5 51.5,2.5 50.6))"
    with pytest.raises(ValidationError):
        BBox(west=2.5, south=52, east=5.9, north=51.5)


def test_mailto_and_tel_prefixes_are_removed() -> None:
    ds = Dataset.model_validate(
        {
            "contact_point": [{"email": "mailto:open@gent.be", "telephone": "tel:+3292661111"}],
            "publisher": {"email": "MAILTO:info@gent.be"},
        }
    )
    assert ds.contact_point[0].email == "open@gent.be"
    assert ds.contact_point[0].telephone == "+3292661111"
    assert ContactPoint(telephone="09 266 22 11").telephone == "092662211"
    assert ds.publisher is not None and ds.publisher.email == "info@gent.be"
