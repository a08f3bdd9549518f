"""Large documents are indexed on disk: same records as in memory, temporary file removed, order kept."""

from __future__ import annotations

import gc
import glob
import json
import os
import random
import sqlite3
import tempfile
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
import pytest

import catalog.rdf._parse_index as index_module
from catalog.exceptions import FeedError
from catalog.rdf._parse_spill import SpillIndex
from catalog.rdf.parse import FeedReader, ParsedFeed, parse_feed

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "reference" / "samples"
DEMO = files("catalog.demo").joinpath("demo-catalog.ttl").read_bytes()

Snapshot = tuple[list[tuple[str, str, bytes, tuple[object, ...]]], list[tuple[str, str]], ParsedFeed]


def snapshot(reader: FeedReader) -> Snapshot:
    """Everything a reader gives, with blank-node subjects (parser-chosen labels) masked."""
    with reader:
        records = [
            (
                "_:" if p.subject.startswith("_:") else p.subject,
                p.record.model_dump_json(),
                p.raw,
                p.problems,
            )
            for p in reader
        ]
        return records, reader.failures, reader.feed


@pytest.fixture
def spill_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "SPILL_BYTES", 0)


@pytest.fixture
def spill_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "SPILL_TRIPLES", 50)


def test_demo_catalogue_is_read_alike_in_memory_and_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = snapshot(parse_feed(DEMO, format="turtle"))
    assert len(in_memory[0]) > 40
    monkeypatch.setattr(index_module, "SPILL_BYTES", 0)
    on_disk = snapshot(parse_feed(DEMO, format="turtle"))
    assert on_disk == in_memory
    monkeypatch.setattr(index_module, "SPILL_BYTES", 1 << 40)
    monkeypatch.setattr(index_module, "SPILL_TRIPLES", 50)
    assert snapshot(parse_feed(DEMO, format="turtle")) == in_memory


def test_real_samples_are_read_alike_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(glob.glob(str(SAMPLES / "*.*")))
    if not paths:
        pytest.skip(f"reference samples not found at {SAMPLES}")
    for path in paths:
        monkeypatch.setattr(index_module, "SPILL_BYTES", 1 << 40)
        try:
            expected = snapshot(parse_feed(path))
        except FeedError:
            continue
        monkeypatch.setattr(index_module, "SPILL_BYTES", 0)
        assert snapshot(parse_feed(path)) == expected, path


def test_scattered_triples_make_the_same_records_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dataset's triples may be anywhere in the document."""
    triples = [f"{q.subject} {q.predicate} {q.object} .\n" for q in ox.parse(DEMO, ox.RdfFormat.TURTLE)]
    random.Random(7).shuffle(triples)
    shuffled = "".join(triples).encode()
    monkeypatch.setattr(index_module, "SPILL_BYTES", 0)
    on_disk = snapshot(parse_feed(shuffled, format="ntriples"))
    monkeypatch.setattr(index_module, "SPILL_BYTES", 1 << 40)
    in_memory = snapshot(parse_feed(shuffled, format="ntriples"))
    assert on_disk == in_memory
    ordered = snapshot(parse_feed(DEMO, format="turtle"))
    assert sorted(r[:3] for r in on_disk[0]) == sorted(r[:3] for r in ordered[0])


def test_on_disk_index_leaves_no_file_behind(spill_always: None) -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    reader = parse_feed(DEMO, format="turtle")
    assert isinstance(reader._index, SpillIndex)
    assert reader.record_count == len(list(reader))
    assert set(os.listdir(tempfile.gettempdir())) <= before
    reader.close()
    reader.close()


def test_large_stream_moves_to_disk_midway(spill_midway: None) -> None:
    reader = parse_feed(DEMO, format="turtle")
    with reader:
        assert isinstance(reader._index, SpillIndex)
        assert reader._index.triples == sum(1 for _ in ox.parse(DEMO, ox.RdfFormat.TURTLE))
        assert reader.record_count == len(list(reader)) > 40


PAGED = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<https://example.org/catalog> a dcat:Catalog ; dct:title "Catalogus"@nl ;
    dcat:dataset <https://example.org/d/untyped> , <https://example.org/d/typed> ;
    dcat:dataset <https://example.org/d/empty> ;
    dcat:service <https://example.org/s/1> .
<https://example.org/d/untyped> dct:title "Zonder type"@nl .
<https://example.org/d/typed> a dcat:DataService , dcat:Dataset ; dct:title "Met twee types"@nl .
<https://example.org/s/1> dct:title "Dienst"@nl .
<https://example.org/page/1> a hydra:PartialCollectionView ; hydra:next <https://example.org/page/2> ;
    hydra:totalItems 40 .
_:series a dcat:DatasetSeries ; dct:title "Reeks"@nl .
"""


def test_kinds_members_and_paging_agree_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = snapshot(parse_feed(PAGED, format="turtle"))
    kinds = [json.loads(dump)["kind"] for _, dump, _, _ in in_memory[0]]
    assert kinds == ["Dataset", "DatasetSeries", "Dataset", "DataService"]
    assert in_memory[2].next_page == "https://example.org/page/2"
    assert in_memory[2].total_items == 40
    monkeypatch.setattr(index_module, "SPILL_BYTES", 0)
    assert snapshot(parse_feed(PAGED, format="turtle")) == in_memory


def test_unclosed_reader_closes_its_database_when_collected(spill_always: None) -> None:
    reader = parse_feed(DEMO, format="turtle")
    index = reader._index
    assert isinstance(index, SpillIndex)
    db = index._db
    del reader, index
    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")


def test_garbage_collector_is_restored_after_indexing() -> None:
    assert gc.isenabled()
    parse_feed(DEMO, format="turtle").close()
    assert gc.isenabled()
    with pytest.raises(FeedError):
        parse_feed(DEMO + b"\n<https://example.org/x> <https://example.org/p> .", format="turtle")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_feed(DEMO, format="turtle").close()
        assert not gc.isenabled()
    finally:
        gc.enable()
