"""The JSON fast path (``write_stored``, ``JsonTripleWriter``) writes what the model path writes.

The reference is ``TripleWriter`` over the parsed model (``write_records``). For N-Triples the fast
path must give the very same lines in the same order (same blank-node labels); every format's output
is also parsed back with rdflib and compared as graphs. Records: the serializer's samples, every
record of the real DCAT samples in ``../shared/reference/samples``, and seeded random records that
use every field of the model, with awkward text (quotes, newlines, control characters), datetimes
with and without zone, nodes without IRI and odd language tags.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from catalog.model import (
    Agent,
    Attribution,
    BBox,
    Checksum,
    ContactPoint,
    DataService,
    Dataset,
    DatasetSeries,
    Distribution,
    Location,
    PeriodOfTime,
    RightsStatement,
)
from catalog.rdf._write_fast import _PLAIN_HTTP_IRI, JsonTripleWriter, ntriples_lines
from catalog.rdf._write_triples import TripleWriter
from catalog.rdf.parse import parse_feed
from catalog.rdf.serialize import write_records, write_stored
from tests.rdf.test_serialize_samples import (
    BASE,
    RDFLIB_FORMATS,
    catalog,
    dataset,
    full_dataset,
    full_service,
    series,
    service,
)

AnyStored = Dataset | DataService | DatasetSeries
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "samples"
AU = "http://publications.europa.eu/resource/authority/"
OXIGRAPH_FORMATS = {"ntriples": pyoxigraph.RdfFormat.N_TRIPLES, "turtle": pyoxigraph.RdfFormat.TURTLE}


@dataclass(frozen=True)
class Stored:
    """A record as the store keeps it (what ``write_stored`` reads)."""

    uri: str
    kind: str
    record_json: str


def stored(record: AnyStored, uri: str | None = None) -> Stored:
    public = uri or record.uri or f"{BASE}id/dataset/{abs(hash(record.model_dump_json())) % 10**9}"
    return Stored(public, record.kind, record.model_dump_json(exclude_none=True))


def public(item: Stored) -> AnyStored:
    model = {"Dataset": Dataset, "DataService": DataService, "DatasetSeries": DatasetSeries}[item.kind]
    record = model.model_validate_json(item.record_json)
    return record if record.uri == item.uri else record.model_copy(update={"uri": item.uri})


def assert_same_lines(items: list[Stored]) -> None:
    """One writer of each kind over the same sequence: identical N-Triples, line for line."""
    old, new = TripleWriter(BASE), JsonTripleWriter(BASE)
    for item in items:
        expected = "".join(f"{s} {p} {o} .\n" for s, p, o in old.record(public(item)))
        assert ntriples_lines(new.record_json(item.uri, item.record_json)) == expected, item.uri


def _documents(items: list[Stored], format: str, chunk_records: int) -> tuple[bytes, bytes]:
    old, new = BytesIO(), BytesIO()
    options = {"format": format, "catalog": catalog(), "base_uri": BASE, "chunk_records": chunk_records}
    assert write_records(old, [public(item) for item in items], **options) == len(items)  # type: ignore[arg-type]
    assert write_stored(new, items, **options) == len(items)  # type: ignore[arg-type]
    return old.getvalue(), new.getvalue()


def assert_same_documents(items: list[Stored], *, chunk_records: int = 3, rdflib: bool = True) -> None:
    """N-Triples byte for byte; N-Triples and Turtle as sets of triples (pyoxigraph keeps blank-node
    labels, which both paths derive alike); with ``rdflib``, every format parsed back by rdflib and
    compared as graphs (isomorphism: slow with many blank nodes, so for small inputs)."""
    for format, rdflib_format in RDFLIB_FORMATS.items():
        old, new = _documents(items, format, chunk_records)
        if format == "ntriples":
            assert new == old
        if format in OXIGRAPH_FORMATS:
            expected = set(pyoxigraph.parse(old, OXIGRAPH_FORMATS[format]))
            got = set(pyoxigraph.parse(new, OXIGRAPH_FORMATS[format]))
            assert got == expected
        if rdflib or format == "turtle":
            expected_graph = Graph().parse(data=old, format=rdflib_format)
            got_graph = Graph().parse(data=new, format=rdflib_format)
            assert len(got_graph) == len(expected_graph) > 0
            if rdflib:
                assert isomorphic(got_graph, expected_graph), format


# -- random records -----------------------------------------------------------------------------------

_AWKWARD = ['say "hi"', "back\\slash", "two\nlines", "cr\rlf", "tab\there", "nul\x00x", "del\x7f", "\ufffe"]


def _text(rng: random.Random) -> str:
    words = ["".join(rng.choices(string.ascii_letters + "éëç’ &<>", k=rng.randint(1, 8))) for _ in range(3)]
    if rng.random() < 0.3:
        words.append(rng.choice(_AWKWARD))
    return " ".join(words)


def _texts(rng: random.Random) -> dict[str, str]:
    tags = rng.sample(["nl", "en", "", "fr", "NL-BE", "de-CH-1901"], k=rng.randint(0, 3))
    return {tag: _text(rng) for tag in tags}


def _iri(rng: random.Random, path: str = "x") -> str:
    odd = rng.choice(["", "", "", "?a=1&b=2", "#frag", "/é", "/%41", "/a%zz"])
    return f"https://example{rng.randint(0, 3)}.be/{path}/{rng.randint(0, 50)}{odd}"


def _iris(rng: random.Random, path: str = "x", k: int = 3) -> list[str]:
    return [_iri(rng, path) for _ in range(rng.randint(0, k))]


def _date(rng: random.Random) -> date | datetime | None:
    day = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000))
    pick = rng.random()
    if pick < 0.2:
        return None
    if pick < 0.5:
        return day
    zone = rng.choice([None, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])
    moment = datetime(
        day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    )
    if rng.random() < 0.3:
        moment = moment.replace(microsecond=rng.randint(0, 999_999))
    return moment.replace(tzinfo=zone)


def _concept(rng: random.Random, table: str, codes: list[str]) -> str | None:
    return f"{AU}{table}/{rng.choice(codes)}" if rng.random() < 0.8 else None


def _agent(rng: random.Random) -> Agent:
    return Agent(
        uri=_iri(rng, "org") if rng.random() < 0.7 else None,
        name=_texts(rng),
        type=_concept(rng, "publisher-type", ["LocalAuthority", "NationalAuthority"]),
        email=rng.choice([None, "data@example.be", "mailto:open data@example.be"]),
        homepage=_iri(rng, "home") if rng.random() < 0.5 else None,
        identifier=rng.choice([None, "OVO002949"]),
    )


def _service(rng: random.Random, nested: bool = False) -> DataService:
    return DataService(
        uri=None if nested and rng.random() < 0.5 else _iri(rng, "service"),
        identifier=[_text(rng)] if rng.random() < 0.5 else [],
        title=_texts(rng),
        endpoint_url=_iris(rng, "api"),
        endpoint_description=_iris(rng, "api-doc"),
        serves_dataset=_iris(rng, "dataset"),
        levensfase=_iri(rng, "levensfase") if rng.random() < 0.3 else None,
        ontwikkelingstoestand=_iri(rng, "toestand") if rng.random() < 0.3 else None,
        license=rng.choice([None, "https://creativecommons.org/licenses/by/4.0/"]),
    )


def _distribution(rng: random.Random) -> Distribution:
    return Distribution(
        uri=_iri(rng, "distribution") if rng.random() < 0.6 else None,
        identifier=[_text(rng)] if rng.random() < 0.5 else [],
        title=_texts(rng),
        description=_texts(rng),
        access_url=_iris(rng, "access"),
        download_url=_iris(rng, "download"),
        access_service=[_service(rng, nested=True)] if rng.random() < 0.2 else [],
        format=_concept(rng, "file-type", ["CSV", "JSON", "SHP", "XLSX"]),
        media_type=rng.choice([None, "https://www.iana.org/assignments/media-types/text/csv"]),
        compress_format=rng.choice([None, "http://www.iana.org/assignments/media-types/application/zip"]),
        package_format=rng.choice([None, "http://www.iana.org/assignments/media-types/application/x-tar"]),
        license=rng.choice(
            [None, "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0", _iri(rng)]
        ),
        rights=RightsStatement(uri=rng.choice([None, _iri(rng, "rights")]), label=_texts(rng))
        if rng.random() < 0.3
        else None,
        access_rights=_concept(rng, "access-right", ["PUBLIC", "RESTRICTED"]),
        byte_size=rng.choice([None, 0, 12345, 10**12]),
        checksum=Checksum(
            algorithm="http://spdx.org/rdf/terms#checksumAlgorithm_sha1",
            value=rng.choice(["a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "not hex", "ABCDEF"]),
        )
        if rng.random() < 0.3
        else None,
        issued=_date(rng),
        modified=_date(rng),
        status=_concept(rng, "dataset-status", ["COMPLETED", "DEVELOP"]),
        availability=rng.choice([None, "http://data.europa.eu/r5r/availability/stable"]),
        language=[f"{AU}language/{code}" for code in rng.sample(["NLD", "ENG", "FRA"], k=rng.randint(0, 2))],
        conforms_to=_iris(rng, "standard", 2),
        page=_iris(rng, "doc", 2),
        spatial_resolution_in_meters=rng.choice([None, 0.00001, 10.0, 2.5, 1e20]),
        temporal_resolution=rng.choice([None, "P1D", "PT15M", "every day", "P1W"]),
    )


def random_record(rng: random.Random, i: int) -> AnyStored:
    """A validated record with a random selection of every field the model has."""
    common = {
        "uri": _iri(rng, "dataset") if rng.random() < 0.9 else None,
        "identifier": [_text(rng) for _ in range(rng.randint(0, 2))],
        "title": _texts(rng),
        "description": _texts(rng),
        "keyword": {
            tag: [_text(rng) for _ in range(rng.randint(1, 3))] for tag in rng.sample(["nl", "en", ""], 2)
        },
        "theme": [f"{AU}data-theme/{code}" for code in rng.sample(["TECH", "ENVI", "TRAN", "GOVE"], 2)],
        "publisher": _agent(rng) if rng.random() < 0.9 else None,
        "creator": _agent(rng) if rng.random() < 0.3 else None,
        "contact_point": [
            ContactPoint(
                uri=rng.choice([None, _iri(rng, "contact")]),
                name=rng.choice([None, _text(rng)]),
                email=rng.choice([None, "info@example.be"]),
                telephone=rng.choice([None, "+32 9 266 22 11", "--"]),
                url=rng.choice([None, _iri(rng, "contact-page")]),
            )
            for _ in range(rng.randint(0, 2))
        ],
        "issued": _date(rng),
        "modified": _date(rng),
        "access_rights": _concept(rng, "access-right", ["PUBLIC", "NON_PUBLIC"]),
        "license": rng.choice(
            [None, "https://creativecommons.org/publicdomain/zero/1.0/", _iri(rng, "licence")]
        ),
        "rights": RightsStatement(label=_texts(rng)) if rng.random() < 0.2 else None,
        "conforms_to": _iris(rng, "standard", 2),
        "landing_page": _iris(rng, "landing", 2),
        "page": _iris(rng, "page", 2),
        "language": [f"{AU}language/{code}" for code in rng.sample(["NLD", "ENG"], k=rng.randint(0, 2))],
        "spatial": [
            Location(
                uri=rng.choice([None, f"https://data.vlaanderen.be/id/gemeente/{rng.randint(11001, 11005)}"]),
                name=_texts(rng),
                bbox=BBox(west=2.5, south=50.6, east=rng.choice([5.9, 6]), north=51.5)
                if rng.random() < 0.5
                else None,
            )
            for _ in range(rng.randint(0, 2))
        ],
        "statuut": rng.choice(
            [[], ["https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA"]]
        ),
    }
    kind = rng.random()
    if kind < 0.15:
        return DataService.model_validate({**_service(rng).model_dump(), **common})
    periods = [
        PeriodOfTime(start=date(2020, 1, 1), end=rng.choice([None, date(2021, 12, 31)])),
        PeriodOfTime(start=rng.choice([None, datetime(2019, 5, 1, 12, 0, tzinfo=UTC)])),
    ][: rng.randint(0, 2)]
    if kind < 0.3:
        return DatasetSeries(
            **common,
            temporal=periods,
            frequency=_concept(rng, "frequency", ["DAILY", "ANNUAL"]),
            applicable_legislation=_iris(rng, "eli", 2),
        )
    return Dataset(
        **common,
        distribution=[_distribution(rng) for _ in range(rng.randint(0, 4))],
        temporal=periods,
        frequency=_concept(rng, "frequency", ["DAILY", "MONTHLY"]),
        version=rng.choice([None, "1.0", 'v"2"']),
        version_notes=_texts(rng),
        provenance=_texts(rng),
        relation=_iris(rng, "relation", 2),
        source=_iris(rng, "source", 2),
        has_version=_iris(rng, "version", 1),
        is_version_of=_iris(rng, "original", 1),
        is_referenced_by=_iris(rng, "paper", 1),
        in_series=_iris(rng, "series", 1),
        qualified_attribution=[
            Attribution(
                agent=_agent(rng), role=rng.choice([None, "http://inspire.ec.europa.eu/codelist/role/owner"])
            )
            for _ in range(rng.randint(0, 2))
        ],
        applicable_legislation=_iris(rng, "eli", 1),
        type=_concept(rng, "dataset-type", ["STATISTICAL", "GEOSPATIAL"]),
        spatial_resolution_in_meters=rng.choice([None, 1.0, 0.5, 123456.789]),
        temporal_resolution=rng.choice([None, "P1Y", "PT1H30M", "-P1D"]),
        levensfase=rng.choice([None, _iri(rng, "levensfase")]),
        ontwikkelingstoestand=rng.choice([None, _iri(rng, "toestand")]),
    )


def random_records(seed: int, n: int) -> list[Stored]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        record = random_record(rng, i)
        public_uri = record.uri if record.uri and rng.random() < 0.5 else f"{BASE}id/dataset/{seed}-{i}"
        items.append(stored(record, public_uri))
    return items


# -- tests ----------------------------------------------------------------------------------------------


def sample_records() -> list[Stored]:
    records: list[AnyStored] = [dataset(0), dataset(1), service(), full_dataset(), full_service(), series()]
    return [stored(record) for record in records]


def test_sample_records_give_the_same_ntriples_lines() -> None:
    assert_same_lines(sample_records())


def test_sample_records_give_the_same_documents_in_every_format() -> None:
    assert_same_documents(sample_records())


@pytest.mark.parametrize("seed", range(6))
def test_random_records_give_the_same_ntriples_lines(seed: int) -> None:
    assert_same_lines(random_records(seed, 150))


@pytest.mark.parametrize("seed", range(3))
def test_random_records_give_the_same_documents(seed: int) -> None:
    assert_same_documents(random_records(100 + seed, 150), chunk_records=7, rdflib=False)


def test_random_records_give_isomorphic_graphs_in_every_format() -> None:
    assert_same_documents(random_records(200, 8), chunk_records=3)


def test_a_record_without_iri_gets_the_iri_the_model_path_mints() -> None:
    record = full_dataset().model_copy(update={"uri": None})
    item = Stored("", record.kind, record.model_dump_json(exclude_none=True))
    old = TripleWriter(BASE).record(record)
    new = JsonTripleWriter(BASE).record_json("", item.record_json)
    assert new[0][0] == str(old[0][0])
    assert ntriples_lines(new) == "".join(f"{s} {p} {o} .\n" for s, p, o in old)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"reference samples not found at {SAMPLES}")
def test_every_record_of_the_real_samples_gives_the_same_output() -> None:
    items: list[Stored] = []
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix not in {".xml", ".rdf", ".ttl", ".jsonld"}:
            continue
        try:
            reader = parse_feed(path)
        except Exception:  # not DCAT RDF (the ISO 19139 response): covered by the harvesters' tests
            continue
        with reader:
            items.extend(
                stored(parsed.record, parsed.record.uri or f"{BASE}id/{path.stem}-{i}")
                for i, parsed in enumerate(reader)
            )
    assert len(items) > 20
    assert_same_lines(items)
    assert_same_documents(items, chunk_records=10, rdflib=False)
    assert_same_documents(items[:12], chunk_records=5)


def test_iris_taken_without_pyoxigraph_are_ones_it_accepts_unchanged() -> None:
    """The shortcut for plain http(s) IRIs never lets through what pyoxigraph would refuse or change."""
    rng = random.Random(7)
    alphabet = "aZ09.-_~!$&'()*+,;=:@/%?#[] é<>AF"
    matched = 0
    for _ in range(50_000):
        value = rng.choice(["http://", "https://"]) + "".join(rng.choices(alphabet, k=rng.randint(0, 14)))
        if _PLAIN_HTTP_IRI.fullmatch(value):
            matched += 1
            assert str(pyoxigraph.NamedNode(value)) == f"<{value}>"
    assert matched > 1000
