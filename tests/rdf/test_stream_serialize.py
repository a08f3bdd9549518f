"""Streaming: records are consumed lazily, written in chunks, and every format holds exactly their triples."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
import rdflib
from test_serialize_samples import BASE, RDFLIB_FORMATS, catalog, dataset, full_dataset, full_service

from catalog.rdf.serialize import FORMATS, PageInfo, record_triples, write_records


class _Recorder(BytesIO):
    """A binary sink that notes how many records had been produced at each write."""

    def __init__(self, produced: list[int]) -> None:
        super().__init__()
        self.produced = produced
        self.sizes_at: list[tuple[int, int]] = []

    def write(self, data: Any) -> int:
        written = super().write(data)
        self.sizes_at.append((self.produced[0], self.tell()))
        return written


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_records_are_written_while_the_generator_is_still_running(fmt: str) -> None:
    produced = [0]
    total = 50

    def records() -> Iterator[Any]:
        for i in range(total):
            produced[0] += 1
            yield dataset(i)

    out = _Recorder(produced)
    assert write_records(out, records(), format=fmt, base_uri=BASE, chunk_records=10) == total
    early = [size for count, size in out.sizes_at if count < total]
    assert early and max(early) > 0, "nothing was written before the last record was produced"
    assert len({count for count, _ in out.sizes_at}) >= total // 10, "output was not written in chunks"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_holds_exactly_the_expected_triples(fmt: str) -> None:
    records = [dataset(i) for i in range(30)] + [full_dataset(), full_service()]
    expected: set[str] = set()
    for record in [catalog(), *records]:
        expected |= {str(t) for t in record_triples(record, base_uri=BASE)}
    links = len(records)  # one dcat:dataset / dcat:service link per record
    page = PageInfo(view_iri=BASE + "catalog?page=1", next=BASE + "catalog?page=2", total_items=64)
    page_triples = 4  # type, next, totalItems, hydra:view from the catalogue
    out = BytesIO()
    cat = catalog()
    write_records(out, iter(records), format=fmt, catalog=cat, base_uri=BASE, page=page, chunk_records=7)
    graph = rdflib.Graph().parse(data=out.getvalue(), format=RDFLIB_FORMATS[fmt])
    assert len(graph) == len(expected) + links + page_triples


def test_jsonld_is_one_json_document_and_parses_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("JSON-LD parsing tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    out = BytesIO()
    write_records(out, (dataset(i) for i in range(25)), format="jsonld", catalog=catalog(), base_uri=BASE)
    doc = json.loads(out.getvalue())
    assert set(doc) == {"@context", "@graph"}
    ids = {node["@id"] for node in doc["@graph"]}
    assert {dataset(i).uri for i in range(25)} <= ids
    graph = rdflib.Graph().parse(data=out.getvalue(), format="json-ld")
    assert (rdflib.URIRef(dataset(24).uri), rdflib.RDF.type, rdflib.DCAT.Dataset) in graph


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_empty_stream_is_still_a_valid_document(fmt: str) -> None:
    out = BytesIO()
    assert write_records(out, iter(()), format=fmt, base_uri=BASE) == 0
    assert len(rdflib.Graph().parse(data=out.getvalue(), format=RDFLIB_FORMATS[fmt])) == 0


def test_memory_of_described_terms_is_bounded() -> None:
    from catalog.rdf._write_triples import TripleWriter

    writer = TripleWriter(BASE, remember=50)
    for i in range(200):
        writer.record(dataset(i))
        assert len(writer._described) <= 50
