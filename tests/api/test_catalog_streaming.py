"""Streaming: documents are produced while they are sent, in bounded memory, and stop with the client."""

from __future__ import annotations

import gzip
import threading
import time
from typing import Any, BinaryIO

import pytest
from sqlalchemy import event

from catalog.api.catalog_query import CatalogFilters, iter_matching
from catalog.api.streaming import stream_writer
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings


class _Counting:
    """A writer that writes ``chunks`` chunks of 64 KiB, counting them as it goes."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.written = 0
        self.finished = threading.Event()

    def __call__(self, out: BinaryIO) -> None:
        try:
            for i in range(self.chunks):
                out.write(bytes([i % 256]) * 65536)
                self.written += 1
        finally:
            self.finished.set()


def test_producer_runs_at_most_a_few_chunks_ahead() -> None:
    writer = _Counting(1000)
    stream = stream_writer(writer, chunk_size=65536, queue_size=4)
    first = next(stream)
    assert len(first) == 65536
    time.sleep(0.3)  # give the producer every chance to run ahead
    assert writer.written <= 4 + 3  # the queue, the chunk being put, the one being read
    stream.close()  # the client goes away
    assert writer.finished.wait(5), "the producer stops when the consumer does"
    assert writer.written < 20


def test_every_byte_arrives_in_order() -> None:
    writer = _Counting(50)
    data = b"".join(stream_writer(writer, chunk_size=100_000))
    assert len(data) == 50 * 65536
    assert data[::65536] == bytes(range(50))


def test_gzip_stream_is_one_valid_gzip_file() -> None:
    def write(out: BinaryIO) -> None:
        for i in range(2000):
            out.write(f'<urn:x:{i}> <urn:p> "{i}" .\n'.encode())

    data = b"".join(stream_writer(write, gzip_level=6, chunk_size=1024))
    text = gzip.decompress(data).decode()
    assert text.count("\n") == 2000 and text.startswith("<urn:x:0>")


def test_a_failing_writer_fails_the_stream() -> None:
    def write(out: BinaryIO) -> None:
        out.write(b"x" * 10)
        raise ValueError("broken record")

    with pytest.raises(ValueError, match="broken record"):
        b"".join(stream_writer(write))


def test_catalogue_walk_reads_batch_by_batch(store: Any) -> None:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})
    upgrade_database(settings=settings)
    import_demo(settings)
    selects: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "datasets" in statement:
            selects.append(statement)

    walk = iter_matching(store.sessions, CatalogFilters(), batch_size=5)
    first = next(walk)
    assert len(selects) == 1, "one batch is read before the first dataset is handed out"
    rest = list(walk)
    keys = [first.pk, *(s.pk for s in rest)]
    assert len(keys) == 46 and keys == sorted(set(keys))
    assert len(selects) == 10  # 46 datasets in batches of 5
    page = list(iter_matching(store.sessions, CatalogFilters(), offset=10, limit=12, batch_size=5))
    assert [s.pk for s in page] == keys[10:22]


def test_counts_are_remembered_until_the_store_changes(store: Any) -> None:
    from catalog.api.catalog_query import count_matching
    from catalog.db.withdraw import withdraw_dataset

    settings = Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})
    upgrade_database(settings=settings)
    import_demo(settings)
    with store.sessions() as session:
        assert count_matching(session, CatalogFilters()) == 46
        gent = count_matching(session, CatalogFilters(municipality="44021"))
        assert 0 < gent < 46
        first = next(iter_matching(store.sessions, CatalogFilters()))
        assert withdraw_dataset(session, id=first.id, reason="test")
        session.commit()
        assert count_matching(session, CatalogFilters()) == 45  # the change is seen at once
