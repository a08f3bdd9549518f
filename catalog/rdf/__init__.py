"""DCAT-AP / DCAT-AP-VL as RDF: documents read into records, records written as streamed documents."""

from __future__ import annotations

from catalog.rdf.parse import (
    FeedReader,
    ParsedFeed,
    ParsedRecord,
    Problem,
    detect_format,
    parse_feed,
    parse_record,
)
from catalog.rdf.serialize import PageInfo, serialize_record, write_records

__all__ = [
    "FeedReader",
    "PageInfo",
    "ParsedFeed",
    "ParsedRecord",
    "Problem",
    "detect_format",
    "parse_feed",
    "parse_record",
    "serialize_record",
    "write_records",
]
