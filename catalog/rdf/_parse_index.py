"""A subject index over a document's triples: what the record builder asks of a graph.

Triples are streamed from pyoxigraph and grouped by subject in one pass as ``(predicate IRI, object)``
pairs; the classes of interest (datasets, services, series, catalogues, Hydra paging) and catalogue
membership are noted on the way, in document order, so records come out in the order the feed lists them.

Small and medium documents are indexed in memory. A document larger than :data:`SPILL_BYTES` (or one
that turns out to hold more than :data:`SPILL_TRIPLES` triples) is indexed in a temporary SQLite file
instead (:mod:`catalog.rdf._parse_spill`), so memory stays flat whatever the feed's size.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import pyoxigraph as ox

__all__ = [
    "CATALOG_CLASS",
    "INTERESTING_CLASSES",
    "MEMBER_PREDICATES",
    "PAGING_CLASSES",
    "RDF_TYPE",
    "RECORD_CLASSES",
    "SPILL_BYTES",
    "SPILL_TRIPLES",
    "Index",
    "MemoryIndex",
    "Node",
    "Pairs",
    "Term",
    "build_index",
    "gc_paused",
]

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Pairs = Sequence[tuple[str, Term]]
"""A subject's triples as ``(predicate IRI, object)`` pairs, in document order."""

_DCAT = "http://www.w3.org/ns/dcat#"
_HYDRA = "http://www.w3.org/ns/hydra/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

RECORD_CLASSES: dict[str, str] = {
    _DCAT + "Dataset": "Dataset",
    _DCAT + "DataService": "DataService",
    _DCAT + "DatasetSeries": "DatasetSeries",
}
"""Class IRI -> record kind."""

CATALOG_CLASS = _DCAT + "Catalog"
PAGING_CLASSES = frozenset(
    {_HYDRA + "PartialCollectionView", _HYDRA + "PagedCollection", _HYDRA + "Collection"}
)
INTERESTING_CLASSES = frozenset({*RECORD_CLASSES, CATALOG_CLASS, *PAGING_CLASSES})
"""The classes whose instances the reader lists (records, catalogues, Hydra paging)."""

MEMBER_PREDICATES: dict[str, str] = {
    _DCAT + "dataset": "Dataset",
    _DCAT + "service": "DataService",
    _HYDRA + "member": "Dataset",
}
"""Catalogue membership predicate -> kind of an untyped member."""

SPILL_BYTES = 64 * 1024 * 1024
"""Documents larger than this are indexed on disk."""
SPILL_TRIPLES = 1_000_000
"""An in-memory index moves to disk once it holds this many triples."""

_KIND_RANK = {"DatasetSeries": 0, "Dataset": 1, "DataService": 2}
_EMPTY: tuple[tuple[str, Term], ...] = ()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an index is filled (restored after, even on error).

    Filling an index allocates two objects a triple and keeps them all; the collector would walk them
    again and again for nothing (they hold no cycles), which costs about a third of the indexing time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Index(Protocol):
    """What the reader needs of an index, in memory or on disk."""

    def describe(self, node: object) -> Pairs: ...

    def records(self) -> Iterable[tuple[Node, str]]: ...

    def record_count(self) -> int: ...

    def instances(self, classes: frozenset[str]) -> list[Node]: ...

    def close(self) -> None: ...


class MemoryIndex:
    """Every subject's triples, in memory."""

    __slots__ = ("_by_subject", "_records", "members", "triples", "types")

    def __init__(self) -> None:
        self._by_subject: dict[object, list[tuple[str, Term]]] = {}
        self.types: list[tuple[Node, str]] = []
        """``(subject, class IRI)`` for instances of :data:`INTERESTING_CLASSES`, in document order."""
        self.members: list[tuple[Term, str]] = []
        """``(object, predicate IRI)`` of catalogue membership triples, in document order."""
        self.triples = 0
        self._records: list[tuple[Node, str]] | None = None

    def load(self, quads: Iterable[ox.Quad], limit: int | None = None) -> bool:
        """Add triples until ``quads`` ends (True) or the index holds ``limit`` triples (False)."""
        by_subject = self._by_subject
        types = self.types
        members = self.members
        predicates: dict[ox.NamedNode, str] = {}
        interesting = INTERESTING_CLASSES
        watch = MEMBER_PREDICATES
        last: object = None
        bucket: list[tuple[str, Term]] = []
        count = self.triples
        for quad in quads:
            subject = quad.subject
            if subject != last:
                found = by_subject.get(subject)
                if found is None:
                    found = by_subject[subject] = []
                bucket = found
                last = subject
            node = quad.predicate
            predicate = predicates.get(node)
            if predicate is None:
                predicate = predicates[node] = sys.intern(node.value)
            obj = quad.object
            bucket.append((predicate, obj))  # type: ignore[arg-type]
            if predicate == RDF_TYPE:
                if isinstance(obj, ox.NamedNode) and obj.value in interesting:
                    types.append((subject, obj.value))  # type: ignore[arg-type]
            elif predicate in watch:
                members.append((obj, predicate))  # type: ignore[arg-type]
            count += 1
            if limit is not None and count >= limit:
                self.triples = count
                return False
        self.triples = count
        return True

    def describe(self, node: object) -> Pairs:
        """The ``(predicate, object)`` pairs whose subject is ``node`` (empty when undescribed)."""
        return self._by_subject.get(node, _EMPTY)

    def records(self) -> list[tuple[Node, str]]:
        """The catalogued resources and their kind: typed ones first, then untyped catalogue members."""
        if self._records is None:
            kinds: dict[object, str] = {}
            for subject, cls in self.types:
                kind = RECORD_CLASSES.get(cls)
                if kind is not None:
                    old = kinds.get(subject)
                    if old is None or _KIND_RANK[kind] < _KIND_RANK[old]:
                        kinds[subject] = kind
            for obj, predicate in self.members:
                if not isinstance(obj, ox.Literal) and obj not in kinds and self.describe(obj):
                    kinds[obj] = MEMBER_PREDICATES[predicate]
            self._records = list(kinds.items())  # type: ignore[arg-type]
        return self._records

    def record_count(self) -> int:
        return len(self.records())

    def instances(self, classes: frozenset[str]) -> list[Node]:
        """Subjects typed with one of ``classes`` (catalogues, Hydra views), in document order."""
        return [subject for subject, cls in self.types if cls in classes]

    def items(self) -> Iterable[tuple[object, list[tuple[str, Term]]]]:
        return self._by_subject.items()

    def __len__(self) -> int:
        return len(self._by_subject)

    def close(self) -> None:
        self._by_subject = {}


def build_index(
    quads: Iterable[ox.Quad],
    *,
    size: int | None = None,
    spill_bytes: int | None = None,
    spill_triples: int | None = None,
) -> Index:
    """Index ``quads`` in memory, or on disk for a document over ``spill_bytes`` or ``spill_triples``."""
    spill_bytes = SPILL_BYTES if spill_bytes is None else spill_bytes
    spill_triples = SPILL_TRIPLES if spill_triples is None else spill_triples
    with gc_paused():
        return _build(iter(quads), size, spill_bytes, spill_triples)


def _build(iterator: Iterator[ox.Quad], size: int | None, spill_bytes: int, spill_triples: int) -> Index:
    from catalog.rdf._parse_spill import SpillIndex

    if size is not None and size > spill_bytes:
        spill = SpillIndex()
        try:
            spill.load(iterator)
        except BaseException:
            spill.close()
            raise
        return spill
    memory = MemoryIndex()
    if memory.load(iterator, limit=spill_triples):
        return memory
    spill = SpillIndex()
    try:
        spill.take(memory)
        memory.close()
        spill.load(iterator)
    except BaseException:
        spill.close()
        raise
    return spill
