"""Reading DCAT-AP / DCAT-AP-VL documents (Turtle, RDF/XML, JSON-LD, N-Triples) into records.

    with parse_feed(path_or_bytes) as reader:
        reader.feed.catalog, reader.feed.next_page      # the catalogue's own description, Hydra paging
        for parsed in reader:                            # Dataset, DataService, DatasetSeries records
            parsed.record, parsed.subject, parsed.raw, parsed.problems

Parsing is built on pyoxigraph (a streaming Rust parser); the document is read once into a subject
index and records are built one at a time as they are iterated.

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
from catalog.rdf._parse_index import MEMBER_PREDICATES, RECORD_CLASSES, SubjectIndex
from catalog.rdf._parse_nodes import Describe, NodeReader, Problem
from catalog.rdf._parse_raw import bounded_description
from catalog.rdf._parse_records import build_catalog, build_record
from catalog.rdf._parse_source import detect_format, open_source, triples
from catalog.rdf._parse_values import parse_int, term_text
from vocab.namespaces import DCAT, HYDRA

__all__ = [
    "FeedReader",
    "ParsedFeed",
    "ParsedRecord",
    "Problem",
    "detect_format",
    "parse_feed",
    "parse_record",
]

_KIND_RANK = {"DatasetSeries": 0, "Dataset": 1, "DataService": 2}
_H = str(HYDRA)
_PAGING_CLASSES = {_H + "PartialCollectionView", _H + "PagedCollection", _H + "Collection"}


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

    def __init__(self, index: SubjectIndex) -> None:
        self._index = index
        self.failures: list[tuple[str, str]] = []
        """Records that could not be built: ``(subject, reason)``."""
        self._feed: ParsedFeed | None = None
        self._subjects = self._find_records()

    def _find_records(self) -> list[tuple[object, str]]:
        kinds: dict[object, str] = {}
        for subject, cls in self._index.types:
            kind = RECORD_CLASSES.get(cls)
            if kind is not None:
                old = kinds.get(subject)
                if old is None or _KIND_RANK[kind] < _KIND_RANK[old]:
                    kinds[subject] = kind
        for obj, predicate in self._index.members:
            if not isinstance(obj, ox.Literal) and obj not in kinds and self._index.describe(obj):
                kinds[obj] = MEMBER_PREDICATES[predicate]
        return list(kinds.items())

    @property
    def record_count(self) -> int:
        """How many datasets, services and series the document describes."""
        return len(self._subjects)

    @property
    def feed(self) -> ParsedFeed:
        if self._feed is None:
            self._feed = ParsedFeed(self._catalog(), *self._paging())
        return self._feed

    def _catalog(self) -> Catalog | None:
        catalogs = [s for s, cls in self._index.types if cls == str(DCAT.Catalog)]
        if not catalogs:
            return None
        dataset_predicate = str(DCAT.dataset)
        best = max(
            catalogs,
            key=lambda s: sum(1 for q in self._index.describe(s) if q.predicate.value == dataset_predicate),
        )
        return build_catalog(NodeReader(self._index.describe), best)

    def _paging(self) -> tuple[str | None, int | None]:
        next_page: str | None = None
        total: int | None = None
        for subject, cls in self._index.types:
            if cls not in _PAGING_CLASSES:
                continue
            for quad in self._index.describe(subject):
                predicate = quad.predicate.value
                if predicate in (_H + "next", _H + "nextPage") and next_page is None:
                    next_page = term_text(quad.object) or None
                elif predicate == _H + "totalItems" and total is None:
                    total = parse_int(term_text(quad.object))
                elif predicate == _H + "view" and next_page is None:
                    for view in self._index.describe(quad.object):
                        if view.predicate.value in (_H + "next", _H + "nextPage"):
                            next_page = term_text(view.object) or None
        return next_page, total

    def __iter__(self) -> Iterator[ParsedRecord]:
        describe = self._index.describe
        for subject, kind in self._subjects:
            parsed = _read_one(describe, subject, kind)
            if isinstance(parsed, str):
                self.failures.append((_subject_label(subject), parsed))
            else:
                yield parsed

    def close(self) -> None:
        """Release the index (a no-op for in-memory documents; kept for a future on-disk index)."""

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
        index = SubjectIndex(triples(src))
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
    index = reader._index
    referenced = {q.object for subject, _ in reader._subjects for q in index.describe(subject)}
    roots = [(s, k) for s, k in reader._subjects if s not in referenced]
    if len(roots) != 1:
        raise RecordError(f"stored triples hold {len(roots)} top-level records, expected one")
    parsed = _read_one(index.describe, *roots[0])
    if isinstance(parsed, str):
        raise RecordError(parsed, remote_id=_subject_label(roots[0][0]))
    return parsed
