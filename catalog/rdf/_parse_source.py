"""Reading a feed's bytes safely: size limits, format detection, hostile XML and JSON-LD refused.

Nothing here touches the network: XML documents with a DTD are refused before any parser sees them
(no entity can be expanded or fetched), and JSON-LD documents that name a remote ``@context`` are
refused with the context's IRI in the message.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

import pyoxigraph as ox

from catalog.exceptions import FeedError

__all__ = ["FORMATS", "Source", "detect_format", "open_source", "triples"]

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}

_ALIASES = {
    "ttl": "turtle",
    "n3": "turtle",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "rdf/xml": "rdfxml",
    "rdf+xml": "rdfxml",
    "json-ld": "jsonld",
    "json": "jsonld",
    "nt": "ntriples",
    "n-triples": "ntriples",
}

_CONTENT_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "ntriples",
}

_SUFFIXES = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".n3": "turtle",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
    ".owl": "rdfxml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".nt": "ntriples",
}

SPOOL_BYTES = 16 * 1024 * 1024
"""Streams are kept in memory up to this size, then spooled to a temporary file."""
_SNIFF_BYTES = 64 * 1024
_PROLOG_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024


def _canonical(name: str) -> str | None:
    key = name.strip().lower()
    if key in FORMATS:
        return key
    return _ALIASES.get(key)


def _sniff(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return None
    first = text[:1]
    if first in (b"{", b"["):
        return "jsonld"
    lines = [ln.strip() for ln in text.splitlines()[:-1] or text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(b"#")]
    if not lines:
        return None
    statement = rb"(<[^<>\s]*>|_:\S+)\s+(<[^<>\s]*>|a\s|[A-Za-z][\w.-]*:)"
    if not re.match(statement, lines[0]) and (
        text.startswith(b"<?xml") or re.match(rb"<(!--|[A-Za-z_])", text)
    ):
        return "rdfxml"
    if re.match(rb"(@prefix|@base|prefix\s|base\s)", lines[0], re.IGNORECASE):
        return "turtle"
    if all(re.match(rb"(<[^>\s]*>|_:\S+)\s.*\.$", ln) for ln in lines):
        return "ntriples"
    if re.match(rb"(<[^>\s]*>|_:\S+|\[|[A-Za-z][\w.-]*:)", lines[0]):
        return "turtle"
    return None


def detect_format(
    *, content_type: str | None = None, name: str | None = None, data: bytes | None = None
) -> str:
    """The RDF syntax of a document: ``"turtle"``, ``"rdfxml"``, ``"jsonld"`` or ``"ntriples"``.

    A specific content type wins, then the file name's suffix, then a look at the first bytes.
    Raises FeedError when none of them tells.
    """
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime in _CONTENT_TYPES:
            return _CONTENT_TYPES[mime]
    if name:
        suffix = os.path.splitext(name.split("?")[0].split("#")[0])[1].lower()
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    if data is not None:
        found = _sniff(data[:_SNIFF_BYTES])
        if found:
            return found
    raise FeedError(
        f"cannot tell the RDF format (content type {content_type!r}, name {name!r}); "
        "give one of turtle, rdfxml, jsonld, ntriples"
    )


@dataclass
class Source:
    """A document ready to parse: in memory (``data``) or in a file (``path``)."""

    format: str
    size: int
    data: bytes | None = None
    path: str | None = None
    base_iri: str | None = None
    _spool: IO[bytes] | None = None

    def head(self, n: int) -> bytes:
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        with open(self.path, "rb") as fh:
            return fh.read(n)

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None


def _read_stream(
    stream: BinaryIO, max_bytes: int | None
) -> tuple[bytes | None, str | None, IO[bytes] | None]:
    """Read a stream into memory, or into a temporary file once it outgrows SPOOL_BYTES."""
    chunks: list[bytes] = []
    total = 0
    spool: IO[bytes] | None = None
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if max_bytes is not None and total > max_bytes:
            if spool is not None:
                spool.close()
            raise FeedError(f"document is larger than the limit of {max_bytes} bytes")
        if spool is None and total > SPOOL_BYTES:
            spool = tempfile.NamedTemporaryFile(prefix="catalog-feed-", suffix=".rdf")  # noqa: SIM115
            spool.write(b"".join(chunks))
            chunks.clear()
        if spool is not None:
            spool.write(chunk)
        else:
            chunks.append(chunk)
    if spool is not None:
        spool.flush()
        return None, spool.name, spool
    return b"".join(chunks), None, None


def open_source(
    source: bytes | str | os.PathLike[str] | BinaryIO,
    *,
    format: str | None,
    base_iri: str | None,
    max_bytes: int | None,
) -> Source:
    """Check a document (size, emptiness, hostile content) and settle its format.

    A ``str`` is a file path; pass document text as ``bytes``.
    """
    data: bytes | None = None
    path: str | None = None
    spool: IO[bytes] | None = None
    name: str | None = None
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        size = len(data)
    elif isinstance(source, str | os.PathLike):
        path = name = os.fspath(source)
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            raise FeedError(f"cannot read {path}: {exc.strerror or exc}") from exc
    else:
        name = getattr(source, "name", None) if isinstance(getattr(source, "name", None), str) else None
        data, path, spool = _read_stream(source, max_bytes)
        size = len(data) if data is not None else os.stat(path or "").st_size
    if max_bytes is not None and size > max_bytes:
        raise FeedError(f"document is larger than the limit of {max_bytes} bytes ({size} bytes)")
    src = Source(format="", size=size, data=data, path=path, base_iri=base_iri, _spool=spool)
    try:
        head = src.head(_PROLOG_BYTES)
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
            raise FeedError("empty document")
        if format is not None:
            fmt = _canonical(format)
            if fmt is None:
                raise FeedError(f"unknown RDF format {format!r}; use one of {', '.join(FORMATS)}")
        else:
            fmt = detect_format(name=name, data=head)
        src.format = fmt
        if fmt == "rdfxml":
            _refuse_dtd(head)
            _unwrap_rdf(src)
        elif fmt == "jsonld" and src.data is not None:
            _refuse_remote_context(src.data)
    except BaseException:
        src.close()
        raise
    return src


def _refuse_dtd(head: bytes) -> None:
    """Refuse a DOCTYPE or ENTITY declaration in the XML prolog (entity bombs, external entities)."""
    start = re.search(rb"<[A-Za-z_]", head)
    prolog = head if start is None else head[: start.start()]
    if start is None and len(head) >= _PROLOG_BYTES:
        raise FeedError("XML prolog is too long (over 1 MiB before the first element)")
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog or b"<!doctype" in prolog:
        raise FeedError("XML document type declarations (DTD, entities) are not allowed")


def _unwrap_rdf(src: Source) -> None:
    """Take the rdf:RDF element out of a wrapper such as a CSW GetRecords response."""
    head = src.head(_PROLOG_BYTES)
    root = re.search(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]", head)
    if root is None or root.group(2) == b"RDF":
        return
    if src.data is None:
        if src.size > SPOOL_BYTES:
            return
        src.data = src.head(src.size)
    open_tag = re.search(rb"<([A-Za-z_][\w.-]*:)?RDF[\s>]", src.data)
    if open_tag is None:
        return
    prefix = open_tag.group(1) or b""
    end = src.data.rfind(b"</" + prefix + b"RDF>")
    if end < 0:
        return
    inner = src.data[open_tag.start() : end + len(prefix) + 6]
    # Namespace declarations of the wrapper stay in scope for the extracted element.
    wrapper = src.data[: open_tag.start()]
    decls = dict(re.findall(rb"\sxmlns(:[\w.-]+)?=(\"[^\"]*\"|'[^']*')", wrapper))
    own = set(re.findall(rb"\sxmlns(:[\w.-]+)?=", inner[: inner.find(b">")]))
    extra = b"".join(b" xmlns" + k + b"=" + v for k, v in decls.items() if k not in own)
    tag_end = open_tag.end() - 1
    src.data = inner[: tag_end - open_tag.start()] + extra + inner[tag_end - open_tag.start() :]


def _remote_contexts(value: Any, in_context: bool = False) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" or (in_context and key == "@import"):
                yield from _remote_contexts(item, True)
            elif not in_context or isinstance(item, dict):
                yield from _remote_contexts(item, in_context)
    elif isinstance(value, list):
        for item in value:
            yield from _remote_contexts(item, in_context)
    elif in_context and isinstance(value, str):
        yield value


def _refuse_remote_context(data: bytes) -> None:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"JSON-LD syntax error: {exc}") from exc
    for ctx in _remote_contexts(doc):
        raise FeedError(f"remote JSON-LD context {ctx!r} is not fetched; inline the context instead")


def triples(src: Source, *, lenient: bool = True) -> Iterator[ox.Quad]:
    """Stream the document's triples; a syntax error becomes one FeedError with its position."""
    fmt = FORMATS[src.format]
    try:
        if src.data is not None:
            parser = ox.parse(
                src.data, fmt, base_iri=src.base_iri, without_named_graphs=True, lenient=lenient
            )
        else:
            parser = ox.parse(
                path=src.path, format=fmt, base_iri=src.base_iri, without_named_graphs=True, lenient=lenient
            )
        yield from parser
    except SyntaxError as exc:
        raise FeedError(describe_syntax_error(src.format, exc)) from exc
    except OSError as exc:
        raise FeedError(f"cannot read the document: {exc}") from exc
    except ValueError as exc:
        raise FeedError(f"{src.format} document cannot be read: {exc}") from exc


def describe_syntax_error(fmt: str, exc: SyntaxError) -> str:
    """One line naming the syntax, the position and the parser's reason."""
    message = str(exc.msg if exc.msg else exc)
    if "LoadDocumentCallback" in message or "remote context" in message.lower():
        return f"remote JSON-LD context is not fetched ({message})"
    where = f" at line {exc.lineno}, column {exc.offset}" if exc.lineno else ""
    return f"{fmt} syntax error{where}: {message}"
