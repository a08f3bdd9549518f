"""An on-disk subject index for large documents: a private temporary SQLite database.

Each run of triples with the same subject (Turtle and RDF/XML group them) is one row
``(subject hash, subject kind, subject, pairs)``, the pairs packed with ``marshal`` (our own
temporary data) as a flat list ``predicate id, object kind, value, language or datatype, ...``.
Rows are written in document order with ``executemany``; the index on the subject hash is built
once, after the load. Catalogued resources and membership triples go to two small tables, so the
list of records is worked out by SQL and read back in chunks; each chunk's descriptions are fetched
a level at a time (a few queries per chunk, not a few per record) into a bounded cache. Memory
stays flat whatever the document's size.
"""

from __future__ import annotations

import marshal
import sqlite3
import sys
import weakref
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from catalog.rdf._parse_index import (
    INTERESTING_CLASSES,
    MEMBER_PREDICATES,
    RDF_TYPE,
    RECORD_CLASSES,
    MemoryIndex,
    Node,
    Pairs,
    Term,
)

__all__ = ["SpillIndex"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_IRI, _BLANK, _TYPED, _LANG = 0, 1, 2, 3
_BATCH = 5_000
_CACHE = 20_000
_IRI_CACHE = 10_000
_CHUNK = 200
_PREFETCH_DEPTH = 3
_PARAMS = 900
_RANK = {"DatasetSeries": 0, "Dataset": 1, "DataService": 2}

Row = tuple[int, int, str, bytes]
_dumps = marshal.dumps
_loads = marshal.loads


def _key(node: object) -> tuple[int, str] | None:
    """The stored form of a subject: ``(kind, value)``; None for a literal."""
    if isinstance(node, ox.NamedNode):
        return _IRI, node.value
    if isinstance(node, ox.BlankNode):
        return _BLANK, node.value
    return None


def _encode(obj: Term) -> tuple[int, str, str | None]:
    if isinstance(obj, ox.NamedNode):
        return _IRI, obj.value, None
    if isinstance(obj, ox.Literal):
        lang = obj.language
        if lang:
            return _LANG, obj.value, lang
        datatype = obj.datatype.value
        return _TYPED, obj.value, None if datatype == _XSD_STRING else datatype
    return _BLANK, obj.value, None


def _lenient_iri(value: str) -> ox.NamedNode:
    """An IRI the lenient parser let through (relative, odd characters) that NamedNode() refuses."""
    line = f"<x:s> <x:p> <{value}> .\n".encode()
    obj = next(iter(ox.parse(line, ox.RdfFormat.N_TRIPLES, lenient=True))).object
    assert isinstance(obj, ox.NamedNode)
    return obj


def _node(kind: int, value: str) -> Node:
    if kind != _IRI:
        return ox.BlankNode(value)
    try:
        return ox.NamedNode(value)
    except ValueError:
        return _lenient_iri(value)


class SpillIndex:
    """Every subject's triples in a temporary SQLite database."""

    def __init__(self) -> None:
        # An empty name makes SQLite create a private on-disk database in the temporary directory
        # and delete it itself: nothing is left behind, even by a process that is killed.
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA temp_store = FILE;
            PRAGMA cache_size = -32768;
            CREATE TABLE t (h INTEGER, sk INTEGER, s TEXT, pairs BLOB);
            CREATE TABLE types (seq INTEGER PRIMARY KEY, sk INTEGER, s TEXT, cls TEXT);
            CREATE TABLE members (seq INTEGER PRIMARY KEY, h INTEGER, k INTEGER, v TEXT, p TEXT);
            """
        )
        self._predicates: dict[str, int] = {}
        self._predicate_names: list[str] = []
        self._datatypes: dict[str, ox.NamedNode] = {}
        self._iris: dict[str, ox.NamedNode] = {}
        self._cache: dict[tuple[int, str], Pairs] = {}
        self._record_count: int | None = None
        self._closed = False
        self.triples = 0
        # A reader that is never closed still releases its file when it is garbage-collected.
        self._finalizer = weakref.finalize(self, self._db.close)

    # -- loading -------------------------------------------------------------------------------

    def _predicate_id(self, iri: str) -> int:
        found = self._predicates.get(iri)
        if found is None:
            found = self._predicates[iri] = len(self._predicate_names)
            self._predicate_names.append(sys.intern(iri))
        return found

    def _write(
        self, rows: list[Row], types: list[tuple[int, str, str]], members: list[tuple[Term, str]]
    ) -> None:
        db = self._db
        db.executemany("INSERT INTO t (h, sk, s, pairs) VALUES (?, ?, ?, ?)", rows)
        if types:
            db.executemany("INSERT INTO types (sk, s, cls) VALUES (?, ?, ?)", types)
        if members:
            encoded = []
            for obj, predicate in members:
                kind, value, _ = _encode(obj)
                encoded.append(
                    (hash((kind, value)) if kind != _TYPED and kind != _LANG else 0, kind, value, predicate)
                )
            db.executemany("INSERT INTO members (h, k, v, p) VALUES (?, ?, ?, ?)", encoded)

    def take(self, memory: MemoryIndex) -> None:
        """Copy an in-memory index that grew too large (its triples, types and members)."""
        self._db.execute("BEGIN")
        rows: list[Row] = []
        for subject, pairs in memory.items():
            key = _key(subject)
            assert key is not None
            flat: list[object] = []
            for predicate, obj in pairs:
                flat.extend((self._predicate_id(predicate), *_encode(obj)))
            rows.append((hash(key), key[0], key[1], _dumps(flat)))
            if len(rows) >= _BATCH:
                self._write(rows, [], [])
                rows = []
        types = [(*_key(s), cls) for s, cls in memory.types]  # type: ignore[misc]
        self._write(rows, types, memory.members)
        self._db.execute("COMMIT")
        self.triples += memory.triples

    def load(self, quads: Iterable[ox.Quad]) -> None:
        """Add the (rest of the) document's triples, then index them."""
        db = self._db
        db.execute("BEGIN")
        rows: list[Row] = []
        types: list[tuple[int, str, str]] = []
        members: list[tuple[Term, str]] = []
        predicates: dict[ox.NamedNode, int] = {}
        names = self._predicate_names
        interesting = INTERESTING_CLASSES
        type_id = self._predicate_id(RDF_TYPE)
        member_ids = {self._predicate_id(iri) for iri in MEMBER_PREDICATES}
        named, literal = ox.NamedNode, ox.Literal
        dumps = _dumps
        last: object = None
        h = sk = 0
        s = ""
        run: list[object] = []
        count = 0
        for quad in quads:
            subject = quad.subject
            if subject != last:
                if run:
                    rows.append((h, sk, s, dumps(run)))
                    run = []
                    if len(rows) >= _BATCH:
                        self._write(rows, types, members)
                        rows, types, members = [], [], []
                last = subject
                sk = _IRI if isinstance(subject, named) else _BLANK
                s = subject.value  # type: ignore[union-attr]
                h = hash((sk, s))
            node = quad.predicate
            p = predicates.get(node)
            if p is None:
                p = predicates[node] = self._predicate_id(node.value)
            obj = quad.object
            if isinstance(obj, named):
                value = obj.value
                run += (p, _IRI, value, None)
                if p == type_id and value in interesting:
                    types.append((sk, s, value))
            elif isinstance(obj, literal):
                lang = obj.language
                if lang:
                    run += (p, _LANG, obj.value, lang)
                else:
                    datatype = obj.datatype.value
                    run += (p, _TYPED, obj.value, None if datatype == _XSD_STRING else datatype)
            else:
                run += (p, _BLANK, obj.value, None)  # type: ignore[union-attr]
            if p in member_ids:
                members.append((obj, names[p]))  # type: ignore[arg-type]
            count += 1
        if run:
            rows.append((h, sk, s, dumps(run)))
        self._write(rows, types, members)
        db.execute("COMMIT")
        self.triples += count
        db.execute("CREATE INDEX t_h ON t (h)")

    # -- reading -------------------------------------------------------------------------------

    def _term(self, kind: int, value: str, extra: str | None) -> Term:
        if kind == _IRI:
            iri = self._iris.get(value)
            if iri is None:
                try:
                    iri = ox.NamedNode(value)
                except ValueError:
                    iri = _lenient_iri(value)
                if len(self._iris) >= _IRI_CACHE:
                    self._iris.clear()
                self._iris[value] = iri
            return iri
        if kind == _LANG:
            return ox.Literal(value, language=extra)
        if kind == _TYPED:
            if extra is None:
                return ox.Literal(value)
            datatype = self._datatypes.get(extra)
            if datatype is None:
                datatype = self._datatypes[extra] = ox.NamedNode(extra)
            return ox.Literal(value, datatype=datatype)
        return ox.BlankNode(value)

    def _decode(self, packed: list[bytes]) -> Pairs:
        names = self._predicate_names
        term = self._term
        pairs: list[tuple[str, Term]] = []
        for text in packed:
            flat = _loads(text)
            for i in range(0, len(flat), 4):
                pairs.append((names[flat[i]], term(flat[i + 1], flat[i + 2], flat[i + 3])))
        return tuple(pairs)

    def _remember(self, key: tuple[int, str], pairs: Pairs) -> None:
        if len(self._cache) >= _CACHE:
            self._cache.clear()
        self._cache[key] = pairs

    def describe(self, node: object) -> Pairs:
        """The ``(predicate, object)`` pairs whose subject is ``node`` (empty when undescribed)."""
        key = _key(node)
        if key is None:
            return ()
        found = self._cache.get(key)
        if found is not None:
            return found
        rows = self._db.execute(
            "SELECT sk, s, pairs FROM t WHERE h = ? ORDER BY rowid", (hash(key),)
        ).fetchall()
        pairs = self._decode([packed for sk, s, packed in rows if sk == key[0] and s == key[1]])
        self._remember(key, pairs)
        return pairs

    def _prefetch(self, nodes: list[Node]) -> None:
        """Describe ``nodes`` and what they lead to, a level at a time, into the cache."""
        wanted = {k for k in map(_key, nodes) if k is not None and k not in self._cache}
        for _ in range(_PREFETCH_DEPTH):
            if not wanted or len(wanted) + len(self._cache) > _CACHE:
                return
            found: dict[tuple[int, str], list[bytes]] = {key: [] for key in wanted}
            keys = list(wanted)
            for start in range(0, len(keys), _PARAMS):
                part = keys[start : start + _PARAMS]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT sk, s, pairs FROM t WHERE h IN ({marks}) ORDER BY rowid",
                    [hash(key) for key in part],
                ).fetchall()
                for sk, s, packed in rows:
                    bucket = found.get((sk, s))
                    if bucket is not None:
                        bucket.append(packed)
            wanted = set()
            for key, packed in found.items():
                pairs = self._decode(packed)
                self._cache[key] = pairs
                for _, obj in pairs:
                    if not isinstance(obj, ox.Literal):
                        child = _key(obj)
                        if child is not None and child not in self._cache:
                            wanted.add(child)

    def _prepare_records(self) -> int:
        if self._record_count is not None:
            return self._record_count
        db = self._db
        ranks = " ".join(f"WHEN '{cls}' THEN {_RANK[kind]}" for cls, kind in RECORD_CLASSES.items())
        kinds = " ".join(f"WHEN {rank} THEN '{kind}'" for kind, rank in _RANK.items())
        members = " ".join(f"WHEN '{p}' THEN '{kind}'" for p, kind in MEMBER_PREDICATES.items())
        record_classes = ", ".join(f"'{cls}'" for cls in RECORD_CLASSES)
        db.executescript(
            f"""
            CREATE TABLE records (seq INTEGER PRIMARY KEY, sk INTEGER, s TEXT, kind TEXT);
            CREATE TEMP TABLE typed AS
                SELECT sk, s, MIN(seq) AS first, MIN(CASE cls {ranks} END) AS rank
                FROM types WHERE cls IN ({record_classes}) GROUP BY sk, s;
            INSERT INTO records (sk, s, kind)
                SELECT sk, s, CASE rank {kinds} END FROM typed ORDER BY first;
            CREATE INDEX typed_s ON typed (s, sk);
            INSERT INTO records (sk, s, kind)
                SELECT k, v, CASE p {members} END FROM (
                    SELECT k, v, p, MIN(seq) AS first FROM members m
                    WHERE k IN ({_IRI}, {_BLANK})
                      AND NOT EXISTS (SELECT 1 FROM typed WHERE typed.s = m.v AND typed.sk = m.k)
                      AND EXISTS (SELECT 1 FROM t WHERE t.h = m.h AND t.sk = m.k AND t.s = m.v)
                    GROUP BY k, v
                ) ORDER BY first;
            DROP TABLE typed;
            """
        )
        self._record_count = int(db.execute("SELECT COUNT(*) FROM records").fetchone()[0])
        return self._record_count

    def record_count(self) -> int:
        return self._prepare_records()

    def records(self) -> Iterator[tuple[Node, str]]:
        """The catalogued resources and their kind, in document order, read in chunks."""
        self._prepare_records()
        last = 0
        while True:
            rows = self._db.execute(
                "SELECT seq, sk, s, kind FROM records WHERE seq > ? ORDER BY seq LIMIT ?", (last, _CHUNK)
            ).fetchall()
            if not rows:
                return
            if len(self._cache) > _CACHE // 2:
                self._cache.clear()
            self._prefetch([_node(sk, s) for _, sk, s, _ in rows])
            for seq, sk, s, kind in rows:
                yield _node(sk, s), kind
                last = seq

    def instances(self, classes: frozenset[str]) -> list[Node]:
        """Subjects typed with one of ``classes`` (catalogues, Hydra views), in document order."""
        marks = ", ".join("?" for _ in classes)
        rows = self._db.execute(
            f"SELECT sk, s FROM types WHERE cls IN ({marks}) ORDER BY seq", tuple(classes)
        ).fetchall()
        return [_node(sk, s) for sk, s in rows]

    def close(self) -> None:
        """Close the database (SQLite deletes its file)."""
        if self._closed:
            return
        self._closed = True
        self._cache.clear()
        self._finalizer()
