"""A record validated once as a whole equals the record built and validated node by node."""

from __future__ import annotations

import glob
from importlib.resources import files
from pathlib import Path

import pytest

from catalog.exceptions import FeedError
from catalog.rdf import _parse_records as records
from catalog.rdf._parse_nodes import NodeReader
from catalog.rdf.parse import parse_feed

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "reference" / "samples"
DEMO = files("catalog.demo").joinpath("demo-catalog.ttl").read_bytes()

BROKEN = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix spdx: <http://spdx.org/rdf/terms#> .
<https://example.org/d/1> a dcat:Dataset ; dct:title "Bomen"@nl ;
    dct:temporal [ dcat:startDate "2024-05-01" ; dcat:endDate "2020-01-01" ] ,
                 [ dcat:startDate "2019-01-01" ] ;
    dcat:distribution <https://example.org/d/1/csv> , <https://example.org/d/1/json> .
<https://example.org/d/1/csv> a dcat:Distribution ; dcat:accessURL <https://example.org/csv> ;
    dcat:byteSize "-5" .
<https://example.org/d/1/json> a dcat:Distribution ; dcat:accessURL <https://example.org/json> .
"""


def both_ways(data: bytes | str, fmt: str | None = None) -> int:
    """Build every record of ``data`` both ways, check they agree; return how many there were."""
    count = 0
    with parse_feed(data, format=fmt) as reader:
        index = reader._index
        for subject, kind in index.records():
            whole = NodeReader(index.describe)
            by_node = NodeReader(index.describe)
            fast = records.build_record(whole, subject, kind)
            slow = records._BUILDERS[kind](by_node, subject)
            assert fast == slow
            assert fast is None or slow is None or fast.model_dump_json() == slow.model_dump_json()
            assert whole.problems == by_node.problems
            count += 1
    return count


def test_demo_records_are_the_same_either_way() -> None:
    assert both_ways(DEMO, "turtle") > 40


def test_sample_records_are_the_same_either_way() -> None:
    paths = sorted(glob.glob(str(SAMPLES / "*.*")))
    if not paths:
        pytest.skip(f"reference samples not found at {SAMPLES}")
    count = 0
    for path in paths:
        try:
            count += both_ways(path)
        except FeedError:
            continue
    assert count > 30


def test_a_refused_value_is_dropped_with_a_problem_and_the_record_kept() -> None:
    assert both_ways(BROKEN, "turtle") == 1
    parsed = next(iter(parse_feed(BROKEN, format="turtle")))
    paths = {p.path for p in parsed.problems}
    assert any(path.startswith("distribution.") and path.endswith("byte_size") for path in paths)
    assert any(path.startswith("temporal.") for path in paths)
    assert [d.byte_size for d in parsed.record.distribution] == [None, None]  # type: ignore[union-attr]
    assert len(parsed.record.temporal) == 1  # type: ignore[union-attr]
