"""Reading DCAT-AP / DCAT-AP-VL documents (Turtle, RDF/XML, JSON-LD, N-Triples) into records.

    with parse_feed(path_or_bytes) as reader:
        reader.feed.catalog, reader.feed.next_page      # the catalogue's own description, Hydra paging
        for parsed in reader:                            # Dataset, DataService, DatasetSeries records
            parsed.record, parsed.subject, parsed.raw, parsed.problems

Parsing is built on pyoxigraph (a streaming Rust parser); the document is read once into a subject
index and records are built one at a time as they are iterated, each validated once as a whole.
A large document (over 64 MB, or over a million triples) is indexed in a private temporary SQLite
database instead of in memory, so memory stays flat whatever its size; close the reader (or use it
as a context manager) to release it.

What could not be kept of a record (a date that is not a date, a licence nobody knows) is dropped
and reported in ``ParsedRecord.problems``. A record that cannot be built at all is not yielded: it
is listed in ``FeedReader.failures`` as ``(subject, reason)`` and iteration goes on with the next.
A document that cannot be read as a whole raises :class:`~catalog.exceptions.FeedError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO

import pyoxigraph as ox

from catalog.exceptions import FeedError, RecordError
from catalog.model import Catalog, DataService, Dataset, DatasetSeries
from catalog.rdf._parse_index import CATALOG_CLASS, PAGING_CLASSES, Index, build_index
from catalog.rdf._parse_nodes import Describe, NodeReader, Problem
from catalog.rdf._parse_raw import bounded_description
from catalog.rdf._parse_records import build_catalog, build_record
from catalog.rdf._parse_source import detect_format, open_source, triples
from catalog.rdf._parse_values import parse_int, term_text

__all__ = [
    "FeedReader",
    "ParsedFeed",
    "ParsedRecord",
    "Problem",
    "detect_format",
    "parse_feed",
    "parse_record",
]

_H = "http://www.w3.org/ns/hydra/core#"
_NEXT = frozenset({_H + "next", _H + "nextPage"})
_DCAT_DATASET = "http://www.w3.org/ns/dcat#dataset"


@dataclass(frozen=True)
class ParsedRecord:
    """One catalogued resource read from a document."""

    record: Dataset | DataService | DatasetSeries
    subject: str
    """The subject IRI, or ``_:label`` for a blank node."""
    raw: bytes
    """The record's own triples as sorted N-Triples (UTF-8); :func:`parse_record` reads them back."""
    problems: tuple[Problem, ...]
    """What could not be kept."""


@dataclass(frozen=True)
class ParsedFeed:
    """What a document says about itself: its catalogue and, for a paged feed, the next page."""

    catalog: Catalog | None
    next_page: str | None
    total_items: int | None


def _subject_label(node: object) -> str:
    if isinstance(node, ox.BlankNode):
        return "_:" + node.value
    return term_text(node)


class FeedReader:
    """The records of one parsed document; iterate it for :class:`ParsedRecord` objects."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self.failures: list[tuple[str, str]] = []
        """Records that could not be built: ``(subject, reason)``."""
        self._feed: ParsedFeed | None = None

    @property
    def record_count(self) -> int:
        """How many datasets, services and series the document describes."""
        return self._index.record_count()

    @property
    def feed(self) -> ParsedFeed:
        if self._feed is None:
            self._feed = ParsedFeed(self._catalog(), *self._paging())
        return self._feed

    def _catalog(self) -> Catalog | None:
        catalogs = self._index.instances(frozenset({CATALOG_CLASS}))
        if not catalogs:
            return None
        describe = self._index.describe
        best = max(catalogs, key=lambda s: sum(1 for p, _ in describe(s) if p == _DCAT_DATASET))
        return build_catalog(NodeReader(describe), best)

    def _paging(self) -> tuple[str | None, int | None]:
        next_page: str | None = None
        total: int | None = None
        describe = self._index.describe
        for subject in self._index.instances(PAGING_CLASSES):
            for predicate, obj in describe(subject):
                if predicate in _NEXT and next_page is None:
                    next_page = term_text(obj) or None
                elif predicate == _H + "totalItems" and total is None:
                    total = parse_int(term_text(obj))
                elif predicate == _H + "view" and next_page is None:
                    for view_predicate, view_obj in describe(obj):
                        if view_predicate in _NEXT:
                            next_page = term_text(view_obj) or None
        return next_page, total

    def __iter__(self) -> Iterator[ParsedRecord]:
        describe = self._index.describe
        for subject, kind in self._index.records():
            parsed = _read_one(describe, subject, kind)
            if isinstance(parsed, str):
                self.failures.append((_subject_label(subject), parsed))
            else:
                yield parsed

    def close(self) -> None:
        """Release the index (and its temporary database, for a large document)."""
        self._index.close()

    def __enter__(self) -> FeedReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _read_one(describe: Describe, subject: object, kind: str) -> ParsedRecord | str:
    reader = NodeReader(describe)
    try:
        record = build_record(reader, subject, kind)
    except RecursionError:
        return "record nests too deeply"
    if record is None:
        return "; ".join(f"{p.path}: {p.message}" for p in reader.problems) or "record cannot be built"
    return ParsedRecord(
        record=record,
        subject=_subject_label(subject),
        raw=bounded_description(subject, describe),
        problems=tuple(reader.problems),
    )


def parse_feed(
    source: bytes | str | os.PathLike[str] | BinaryIO,
    *,
    format: str | None = None,
    base_iri: str | None = None,
    max_bytes: int | None = None,
) -> FeedReader:
    """Read a whole DCAT document; raises FeedError when it cannot be read.

    ``source`` is the document's bytes, a file path (``str`` or path-like) or a binary stream.
    ``format`` is ``turtle``, ``rdfxml``, ``jsonld`` or ``ntriples``; when None it is detected from
    the file name and content. ``base_iri`` resolves relative IRIs. ``max_bytes`` caps the size.
    """
    src = open_source(source, format=format, base_iri=base_iri, max_bytes=max_bytes)
    try:
        index = build_index(triples(src), size=src.size)
    finally:
        src.close()
    return FeedReader(index)


def parse_record(data: bytes, *, format: str = "ntriples") -> ParsedRecord:
    """Read one record back from its stored raw triples (see :attr:`ParsedRecord.raw`).

    Raises RecordError when the triples hold no record, several unrelated ones, or one that
    cannot be built.
    """
    try:
        reader = parse_feed(data, format=format)
    except FeedError as exc:
        raise RecordError(f"stored record cannot be read: {exc}") from exc
    with reader:
        index = reader._index
        records = list(index.records())
        referenced = {obj for subject, _ in records for _, obj in index.describe(subject)}
        roots = [(s, k) for s, k in records if s not in referenced]
        if len(roots) != 1:
            raise RecordError(f"stored triples hold {len(roots)} top-level records, expected one")
        parsed = _read_one(index.describe, *roots[0])
    if isinstance(parsed, str):
        raise RecordError(parsed, remote_id=_subject_label(roots[0][0]))
    return parsed
