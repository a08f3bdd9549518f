"""Streaming writers: a document is a header, any number of chunks of triples, and a footer.

Each chunk is written as soon as it is complete, so a whole catalogue streams in constant memory.
N-Triples is written here from the terms' own N-Triples forms. Turtle and RDF/XML chunks are
serialised by pyoxigraph (Rust) and spliced together: Turtle without its repeated ``@prefix``
lines, RDF/XML without its XML declaration and ``rdf:RDF`` wrapper (the document's own wrapper
declares the same namespaces). JSON-LD is written here, as one JSON object with a prefix-only
``@context`` and the nodes of each chunk appended to ``@graph``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, BinaryIO

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from catalog.rdf._write_terms import Statement
from vocab.namespaces import CATALOG_PREFIXES

__all__ = ["FORMATS", "ChunkWriter", "grouped", "writer_for"]

_ITS = "http://www.w3.org/2005/11/its"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = _RDF + "type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PREFIXES: dict[str, str] = dict(
    sorted({**CATALOG_PREFIXES, "gsp": "http://www.opengis.net/ont/geosparql#"}.items())
)


def _serialize(triples: list[Statement], rdf_format: RdfFormat) -> bytes:
    data = pyoxigraph.serialize(
        [Triple(s, p, o) for s, p, o in grouped(triples)], None, rdf_format, prefixes=PREFIXES
    )
    assert data is not None  # no output file given, so pyoxigraph returns the bytes
    return data


def grouped(triples: Iterable[Statement]) -> list[Statement]:
    """The triples reordered so that each subject's triples are together, subjects in first-seen order."""
    by_subject: dict[NamedNode | BlankNode, list[Statement]] = {}
    for triple in triples:
        subject = triple[0]
        bucket = by_subject.get(subject)
        if bucket is None:
            by_subject[subject] = [triple]
        else:
            bucket.append(triple)
    return [triple for bucket in by_subject.values() for triple in bucket]


class ChunkWriter:
    """N-Triples: header and footer are empty, chunks are independent."""

    rdf_format: RdfFormat = RdfFormat.N_TRIPLES

    def begin(self, out: BinaryIO) -> None:
        """Write what comes before the first chunk."""

    def chunk(self, out: BinaryIO, triples: list[Statement]) -> None:
        """Write one chunk of triples."""
        if triples:
            out.write("".join([f"{s} {p} {o} .\n" for s, p, o in triples]).encode("utf-8"))

    def end(self, out: BinaryIO) -> None:
        """Write what comes after the last chunk."""


class TurtleWriter(ChunkWriter):
    """Turtle: one ``@prefix`` block, then each chunk grouped by subject."""

    rdf_format = RdfFormat.TURTLE

    def begin(self, out: BinaryIO) -> None:
        out.write("".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()).encode())

    def chunk(self, out: BinaryIO, triples: list[Statement]) -> None:
        if not triples:
            return
        data = _serialize(triples, self.rdf_format)
        start = 0
        while data.startswith(b"@prefix ", start):
            start = data.index(b"\n", start) + 1
        out.write(b"\n")
        out.write(data[start:] if start else data)


_XMLNS = re.compile(rb'xmlns:([A-Za-z0-9_.-]+)="([^"]*)"')


# Characters XML 1.0 cannot carry at all, not even as character references (UTF-8 never uses these
# bytes inside a multi-byte sequence, so deleting them byte-wise is safe).
_XML_INVALID_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_XML_NONCHARACTERS = re.compile(b"\xef\xbf[\xbe\xbf]")


def _xml_chars(data: bytes) -> bytes:
    """Drop the control characters and U+FFFE/U+FFFF that XML 1.0 forbids (RDF/XML only)."""
    data = data.translate(None, _XML_INVALID_BYTES)
    return _XML_NONCHARACTERS.sub(b"", data) if b"\xef\xbf" in data else data


class RdfXmlWriter(ChunkWriter):
    """RDF/XML: one ``rdf:RDF`` element; each chunk adds its ``rdf:Description`` elements."""

    rdf_format = RdfFormat.RDF_XML

    def __init__(self) -> None:
        self._declared = {**PREFIXES, "rdf": _RDF, "its": _ITS}

    def begin(self, out: BinaryIO) -> None:
        names = "".join(f'\n    xmlns:{p}="{iri}"' for p, iri in sorted(self._declared.items()))
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF{names}>\n'.encode())

    def chunk(self, out: BinaryIO, triples: list[Statement]) -> None:
        if not triples:
            return
        data = _serialize(triples, self.rdf_format)
        root = data.index(b"<rdf:RDF")
        body = data.index(b">", root) + 1
        for prefix, namespace in _XMLNS.findall(data[root:body]):
            if self._declared.get(prefix.decode()) != namespace.decode():  # pragma: no cover - guard
                raise RuntimeError(f"RDF/XML chunk declares an unexpected namespace {prefix!r}")
        footer = data.rindex(b"</rdf:RDF>")
        out.write(_xml_chars(data[body:footer].strip(b"\n")) + b"\n")

    def end(self, out: BinaryIO) -> None:
        out.write(b"</rdf:RDF>\n")


class JsonLdWriter(ChunkWriter):
    """JSON-LD: ``{"@context": {prefixes}, "@graph": [node, node, ...]}`` written node by node."""

    def __init__(self) -> None:
        self._first = True
        self._prefix_of = {iri: p for p, iri in PREFIXES.items()}

    def begin(self, out: BinaryIO) -> None:
        context = json.dumps(PREFIXES, indent=2)
        out.write(f'{{\n"@context": {context},\n"@graph": [\n'.encode())

    def _compact(self, iri: str) -> str:
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        prefix = self._prefix_of.get(iri[:cut])
        local = iri[cut:]
        if prefix is None or not local:
            return iri
        return f"{prefix}:{local}"

    def _value(self, term: NamedNode | BlankNode | Literal) -> dict[str, str]:
        if isinstance(term, NamedNode):
            return {"@id": term.value}
        if isinstance(term, BlankNode):
            return {"@id": "_:" + term.value}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": self._compact(datatype)}

    def chunk(self, out: BinaryIO, triples: list[Statement]) -> None:
        nodes: dict[NamedNode | BlankNode, dict[str, Any]] = {}
        for subject, predicate_node, obj in triples:
            node = nodes.get(subject)
            if node is None:
                is_blank = isinstance(subject, BlankNode)
                node = nodes[subject] = {"@id": ("_:" if is_blank else "") + subject.value}
            predicate = predicate_node.value
            if predicate == _RDF_TYPE and isinstance(obj, NamedNode):
                node.setdefault("@type", []).append(self._compact(obj.value))
            else:
                node.setdefault(self._compact(predicate), []).append(self._value(obj))
        if not nodes:
            return
        text = ",\n".join(json.dumps(node, ensure_ascii=False) for node in nodes.values())
        out.write((text if self._first else ",\n" + text).encode("utf-8"))
        self._first = False

    def end(self, out: BinaryIO) -> None:
        out.write(b"\n]\n}\n")


FORMATS: dict[str, type[ChunkWriter]] = {
    "turtle": TurtleWriter,
    "ntriples": ChunkWriter,
    "rdfxml": RdfXmlWriter,
    "jsonld": JsonLdWriter,
}
"""Format name -> writer class."""


def writer_for(format: str) -> ChunkWriter:
    """A fresh writer for ``format`` (one of ``FORMATS``); ``ValueError`` for any other name."""
    try:
        return FORMATS[format]()
    except KeyError:
        raise ValueError(f"unknown RDF format {format!r}; expected one of {sorted(FORMATS)}") from None
