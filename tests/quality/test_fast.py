"""The fast path (``catalog.quality.fast``) changes no finding: ``check_records`` with it equals the
checker without it, record by record and in order, on the reference samples, generated feeds, and
generated feeds with injected defects (mandatory properties missing, wrong datatypes, a licence as plain
text, values outside the code lists, nodes shared between the records of a batch)."""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from catalog.exceptions import CatalogError
from catalog.model import Agent, ContactPoint, DataService, Dataset, DatasetSeries
from catalog.quality.fast import SHAPES_DIGEST, clean_records, shapes_digest
from catalog.quality.validate import check_record, check_records, reference_findings
from catalog.rdf.parse import parse_feed

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "reference" / "samples"
BASE = "https://catalog.invalid/"
AnyRecord = Dataset | DataService | DatasetSeries


def _generated(n: int, seed: int = 0) -> list[AnyRecord]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_feed import generate

    text = io.StringIO()
    generate(n, text, format="ntriples", seed=seed)
    with parse_feed(text.getvalue().encode(), format="ntriples") as reader:
        return [parsed.record for parsed in reader]


def _samples() -> list[AnyRecord]:
    records: list[AnyRecord] = []
    for path in sorted(p for p in SAMPLES.rglob("*") if p.is_file()) if SAMPLES.is_dir() else []:
        try:
            with parse_feed(path) as reader:
                records.extend(parsed.record for parsed in reader)
        except CatalogError:
            continue  # not RDF (ISO 19139, DCAT-US with a remote context ...)
    return records


def _assert_same(records: list[AnyRecord]) -> list[bool]:
    """check_records with and without the fast path agree exactly; every record proved clean has no
    finding from the checker on its own either. Returns the fast path's verdicts."""
    assert check_records(records) == check_records(records, fast=False)
    clean = clean_records(records, base_uri=BASE)
    for record, ok in zip(records, clean, strict=True):
        if ok:
            assert reference_findings(record) == []
        assert check_record(record) == reference_findings(record)
    return clean


def test_the_shapes_are_the_ones_the_fast_path_was_written_for() -> None:
    assert shapes_digest() == SHAPES_DIGEST, (
        "the vl shapes changed: check catalog/quality/fast.py against them, then update SHAPES_DIGEST"
    )


def test_a_generated_feed_is_proved_clean_and_equals_the_checker() -> None:
    records = _generated(300)
    clean = _assert_same(records)
    assert all(clean)


def test_the_reference_samples_equal_the_checker() -> None:
    records = _samples()
    if not records:
        pytest.skip("reference samples not found")
    clean = _assert_same(records)
    for start in range(0, len(records), 7):  # smaller batches share fewer nodes
        _assert_same(records[start : start + 7])
    assert sum(len(found) for found in check_records(records)) > 0
    assert not all(clean)


PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
Mutation = Callable[[Dataset, random.Random, list[Dataset]], Dataset]


def _first_distribution(record: Dataset, **update: Any) -> Dataset:
    if not record.distribution:
        return record
    first = record.distribution[0].model_copy(update=update)
    return record.model_copy(update={"distribution": [first, *record.distribution[1:]]})


def _drop(field: str) -> Mutation:
    def mutate(record: Dataset, rng: random.Random, batch: list[Dataset]) -> Dataset:
        empty = Dataset.model_fields[field].get_default(call_default_factory=True)
        return record.model_copy(update={field: empty})

    return mutate


def _set(**update: Any) -> Mutation:
    return lambda record, rng, batch: record.model_copy(update=update)


def _distribution(**update: Any) -> Mutation:
    return lambda record, rng, batch: _first_distribution(record, **update)


def _shared_publisher(record: Dataset, rng: random.Random, batch: list[Dataset]) -> Dataset:
    """Another record's publisher IRI with a different description (one node, two descriptions)."""
    other = rng.choice(batch).publisher
    uri = other.uri if other is not None and other.uri else "https://example.org/org/1"
    agent = Agent(uri=uri, name={"nl": "Ander"}, type="http://purl.org/adms/publishertype/Company")
    return record.model_copy(update={"publisher": agent})


def _link_to_other_distribution(record: Dataset, rng: random.Random, batch: list[Dataset]) -> Dataset:
    other = rng.choice(batch)
    targets = [d.uri for d in other.distribution if d.uri] or [other.uri or "https://example.org/x"]
    return record.model_copy(update={"relation": [*record.relation, targets[0]]})


def _term_used_twice(record: Dataset, rng: random.Random, batch: list[Dataset]) -> Dataset:
    """A format IRI used as a theme (the writer describes it two ways)."""
    formats = [d.format for d in rng.choice(batch).distribution if d.format]
    return record.model_copy(update={"theme": [*record.theme, *formats[:1]]})


def _root_as_publisher(record: Dataset, rng: random.Random, batch: list[Dataset]) -> Dataset:
    other = rng.choice(batch)
    return record.model_copy(update={"publisher": Agent(uri=other.uri, name={"nl": "X"})})


MUTATIONS: list[Mutation] = [
    _drop("identifier"),
    _drop("title"),
    _drop("description"),
    _drop("contact_point"),
    _drop("keyword"),
    _drop("theme"),
    _drop("distribution"),
    _drop("statuut"),
    _set(publisher=None),
    _set(access_rights=None),
    _set(access_rights="http://publications.europa.eu/resource/authority/access-right/RESTRICTED"),
    _set(access_rights="http://example.org/unknown-access"),
    _set(license="CC BY 4.0"),  # a licence as plain text
    _set(license="https://example.org/licence/unknown"),
    _set(theme=["http://example.org/theme/unknown"]),
    _set(theme=["http://publications.europa.eu/resource/authority/data-theme/NOPE"]),
    _set(frequency="http://publications.europa.eu/resource/authority/frequency/NEVERMORE"),
    _set(frequency="https://example.org/frequency/often"),
    _set(
        language=["http://publications.europa.eu/resource/authority/language/XXX", "https://example.org/nl"]
    ),
    _set(statuut=["https://example.org/statuut/open"]),
    _set(levensfase="https://example.org/levensfase/1"),
    _set(levensfase="https://data.vlaanderen.be/id/concept/levensfase/ontwikkeld"),
    _set(ontwikkelingstoestand="https://example.org/ot"),
    _set(type="https://example.org/type/unknown"),
    _set(issued=date(1, 1, 1)),
    _set(contact_point=[ContactPoint(name="Loket")]),
    _set(contact_point=[ContactPoint(name="Loket", email=" ")]),
    _set(contact_point=[ContactPoint(url="https://example.org/contact")]),
    _set(publisher=Agent(name={})),
    _set(publisher=Agent(uri="https://example.org/org/nameless")),
    _set(publisher=Agent(name={"nl": "Org"}, type="https://example.org/agent-type")),
    _set(spatial_resolution_in_meters=10.0),
    _set(temporal_resolution="P1D"),
    _set(version="2"),
    _distribution(identifier=[]),
    _distribution(access_url=[]),
    _distribution(format=None),
    _distribution(format="http://example.org/format/unknown"),
    _distribution(format="http://publications.europa.eu/resource/authority/file-type/NOPE"),
    _distribution(media_type="https://example.org/media/unknown"),
    _distribution(compress_format="https://www.iana.org/assignments/media-types/application/gzip"),
    _distribution(license=None),
    _distribution(license="not a licence"),
    _distribution(byte_size=-5),  # a wrong datatype: not a non-negative integer
    _distribution(byte_size=12),
    _distribution(issued=date(2020, 1, 1)),
    _distribution(status="http://example.org/status/x"),
    _distribution(language=["https://example.org/lang/x"]),
    _distribution(access_rights="http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
    _distribution(uri=None),
    _shared_publisher,
    _link_to_other_distribution,
    _term_used_twice,
    _root_as_publisher,
]
UNMODELLED: list[Mutation] = [
    # Nodes of vocabulary descriptions met again as record nodes, themes or links: every record using
    # that vocabulary is left to the checker.
    _set(
        publisher=Agent(uri="http://publications.europa.eu/resource/authority/data-theme", name={"nl": "X"})
    ),
    _set(theme=["http://publications.europa.eu/resource/authority/data-theme"]),
    _set(relation=["http://publications.europa.eu/resource/authority/data-theme/TECH"]),
    _set(theme=["http://purl.org/adms/licencetype/PublicDomain"]),
    _set(landing_page=["https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden"]),
    # A data service inside a distribution: the fast path leaves the whole batch to the checker.
    _distribution(access_service=[DataService(uri="https://example.org/service", title={"nl": "S"})]),
    # A node named by a mailto: IRI: it could be any contact's e-mail address.
    _set(publisher=Agent(uri="mailto:opendata@example.be", name={"nl": "Mail"})),
]


def _mutated(
    records: list[AnyRecord], seed: int, rate: float, mutations: list[Mutation] = MUTATIONS
) -> list[AnyRecord]:
    rng = random.Random(seed)
    datasets = [r for r in records if isinstance(r, Dataset)]
    out: list[AnyRecord] = []
    for record in records:
        if isinstance(record, Dataset) and rng.random() < rate:
            for mutate in rng.sample(mutations, rng.choice((1, 1, 2, 3))):
                record = mutate(record, rng, datasets)
        out.append(record)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_generated_feeds_with_injected_defects_equal_the_checker(seed: int) -> None:
    records = _mutated(_generated(120, seed=seed), seed, rate=0.3)
    clean = _assert_same(records)
    assert 0 < sum(clean) < len(records)


@pytest.mark.parametrize("seed", range(3))
def test_feeds_with_unmodelled_parts_equal_the_checker(seed: int) -> None:
    _assert_same(_mutated(_generated(60, seed=seed), seed, rate=0.2, mutations=MUTATIONS + UNMODELLED))


def test_every_injected_defect_alone_equals_the_checker() -> None:
    base = _generated(12)
    for number, mutate in enumerate(MUTATIONS + UNMODELLED):
        rng = random.Random(number)
        records: list[AnyRecord] = list(base)
        records[3] = mutate(base[3], rng, base)  # type: ignore[arg-type]
        _assert_same(records)


def test_records_with_findings_are_left_to_the_checker() -> None:
    records = _generated(3)
    bare = Dataset(uri="https://example.org/ds/bare", title={"nl": "Kaal"})
    assert clean_records([*records, bare], base_uri=BASE) == [True, True, True, False]
    assert check_records([*records, bare])[3] == reference_findings(bare) != []


def test_a_description_shared_two_ways_in_a_batch_is_left_to_the_checker() -> None:
    first, second = _generated(2)
    assert isinstance(first, Dataset) and isinstance(second, Dataset)
    assert first.publisher is not None and first.publisher.uri
    other = Agent(uri=first.publisher.uri, name={"nl": "Ander"}, type="https://example.org/t1")
    changed = second.model_copy(update={"publisher": other})
    assert clean_records([first, changed], base_uri=BASE) == [False, False]
    _assert_same([first, changed])


def test_other_shape_sets_do_not_use_the_fast_path() -> None:
    records = _generated(5)
    assert check_records(records, shapes="dcat-ap") == check_records(records, shapes="dcat-ap", fast=False)


def test_data_services_and_series_are_left_to_the_checker() -> None:
    service = DataService(
        uri="https://example.org/s", title={"nl": "S"}, endpoint_url=["https://example.org/e"]
    )
    series = DatasetSeries(uri="https://example.org/r", title={"nl": "R"})
    records: list[AnyRecord] = [*_generated(4), service, series]
    assert clean_records(records, base_uri=BASE) == [True] * 4 + [False] * 2
    _assert_same(records)


def test_dates_of_one_written_form_get_one_verdict() -> None:
    """The fast path remembers a date check per form of the text (digits masked): every date of one
    form must get the checker's own verdict."""
    from datetime import UTC, datetime, timedelta, timezone

    from catalog.quality.fast import _conforms_with, _date_ok, _shapes
    from catalog.rdf._write_terms import date_literal

    shapes = _shapes()
    assert shapes is not None
    shape = shapes["urn:catalog:shapes:dcat-ap-3:Dataset-issued"]
    values: list[date] = [
        date(y, m, d)
        for y in (1, 9, 999, 1000, 2000, 2024, 9999)
        for m, d in ((1, 1), (2, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28), (12, 31))
    ]
    values += [datetime(2024, 5, 1, 13, 45, 30), datetime(2024, 5, 1, 0, 0, 0, 5), datetime(1, 1, 1)]
    values += [
        datetime(2024, 5, 1, 13, 45, tzinfo=UTC),
        datetime(2024, 5, 1, tzinfo=timezone(timedelta(hours=-5))),
    ]
    values += [datetime(2024, 5, 1, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=15)))]
    for value in values:
        assert _date_ok(shape, value) == _conforms_with(shape, (date_literal(value),)), value
