"""Hostile and broken documents: each fails as one FeedError, without expansion, file or network access."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from catalog.exceptions import FeedError
from catalog.rdf.parse import parse_feed

RDF_OPEN = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">'
)


def test_malformed_turtle_names_line_and_column() -> None:
    doc = b'@prefix dct: <http://purl.org/dc/terms/> .\n<http://x/a> dct:title "open .\n'
    with pytest.raises(FeedError) as err:
        parse_feed(doc, format="turtle")
    assert "line 2" in str(err.value)
    assert "column" in str(err.value)


def test_billion_laughs_is_refused_before_parsing() -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY l0 "lol">{lol}]>'.encode()
        + RDF_OPEN
        + b'<rdf:Description rdf:about="http://x/a"><dct:title>&l9;</dct:title></rdf:Description></rdf:RDF>'
    )
    with pytest.raises(FeedError, match="DTD"):
        parse_feed(doc, format="rdfxml")


@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://127.0.0.1:9/evil.dtd"])
def test_external_entity_is_refused(target: str) -> None:
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{target}">]>'.encode()
        + RDF_OPEN
        + b'<rdf:Description rdf:about="http://x/a"><dct:title>&x;</dct:title></rdf:Description></rdf:RDF>'
    )
    with pytest.raises(FeedError, match="not allowed"):
        parse_feed(doc)


@pytest.fixture
def counting_server() -> Iterator[tuple[int, list[int]]]:
    """A loopback socket that counts the connections made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join(2)
    server.close()


def test_remote_jsonld_context_is_named_and_never_fetched(counting_server: tuple[int, list[int]]) -> None:
    port, hits = counting_server
    context = f"http://127.0.0.1:{port}/context.jsonld"
    doc = f'{{"@context": "{context}", "@id": "http://x/a", "title": "t"}}'.encode()
    with pytest.raises(FeedError) as err:
        parse_feed(doc, format="jsonld")
    assert context in str(err.value)
    assert hits == []


def test_remote_context_inside_a_list_is_refused(counting_server: tuple[int, list[int]]) -> None:
    port, hits = counting_server
    context = f"http://127.0.0.1:{port}/ctx"
    doc = (
        f'{{"@context": [{{"dct": "http://purl.org/dc/terms/"}}, "{context}"], "@id": "http://x/a"}}'.encode()
    )
    with pytest.raises(FeedError, match=r"127\.0\.0\.1"):
        parse_feed(doc)
    assert hits == []


@pytest.mark.parametrize("doc", [b"", b"  \n\t ", b"\xef\xbb\xbf\n"])
def test_empty_document(doc: bytes) -> None:
    with pytest.raises(FeedError, match="empty document"):
        parse_feed(doc, format="turtle")


def test_over_max_bytes_is_refused_for_bytes_paths_and_streams(tmp_path: pytest.TempPathFactory) -> None:
    doc = b"<http://x/a> <http://purl.org/dc/terms/title> " + b'"' + b"a" * 5000 + b'" .\n'
    path = tmp_path / "big.nt"  # type: ignore[operator]
    path.write_bytes(doc)
    for source in (doc, path):
        with pytest.raises(FeedError, match="larger than"):
            parse_feed(source, max_bytes=1000)
    with path.open("rb") as stream, pytest.raises(FeedError, match="larger than"):
        parse_feed(stream, max_bytes=1000)


def test_unknown_format_cannot_be_guessed() -> None:
    with pytest.raises(FeedError, match="cannot tell"):
        parse_feed(b"just some words")
