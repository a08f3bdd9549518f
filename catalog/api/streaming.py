"""Turn a writer (a function that writes a document to a file) into a stream of response chunks.

The RDF writers push bytes into a file; an HTTP response pulls chunks. ``stream_writer`` runs the
writer in a thread that hands chunks of about ``chunk_size`` bytes through a small bounded queue, so
at most ``queue_size`` chunks wait at any time: the document is never held whole, and a slow client
slows the writer instead of filling memory. Optionally the bytes are gzip-compressed on the way
(an incremental ``zlib`` compressor). When the client goes away the writer is stopped at its next
write.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import zlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, cast

__all__ = ["StreamClosed", "stream_writer"]

_log = logging.getLogger(__name__)
_DONE = object()


class StreamClosed(Exception):
    """The consumer stopped reading (client gone); the writer is abandoned."""


class _QueueFile:
    """A write-only file that cuts what it is given into chunks and queues them."""

    def __init__(
        self, chunks: queue.Queue[Any], stop: threading.Event, chunk_size: int, compress: Any | None
    ) -> None:
        self._chunks = chunks
        self._stop = stop
        self._chunk_size = chunk_size
        self._compress = compress
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        if self._compress is not None:
            raw_size = len(data)
            data = self._compress.compress(data)
        else:
            raw_size = len(data)
        if data:
            self._parts.append(data)
            self._size += len(data)
            if self._size >= self._chunk_size:
                self._put(b"".join(self._parts))
                self._parts, self._size = [], 0
        return raw_size

    def finish(self) -> None:
        if self._compress is not None:
            self._parts.append(self._compress.flush())
        tail = b"".join(self._parts)
        if tail:
            self._put(tail)
        self._put(_DONE)

    def _put(self, item: object) -> None:
        while True:
            if self._stop.is_set():
                raise StreamClosed
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


def stream_writer(
    write: Callable[[BinaryIO], object],
    *,
    gzip_level: int | None = None,
    chunk_size: int = 64 * 1024,
    queue_size: int = 4,
) -> Iterator[bytes]:
    """Chunks of what ``write(file)`` writes, produced in a thread while they are consumed.

    With ``gzip_level`` the chunks form one gzip member. An error in the writer is raised to the
    consumer (the response is then cut off, so the client sees a broken transfer, not a short file).
    """
    chunks: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
    stop = threading.Event()
    compress = zlib.compressobj(gzip_level, zlib.DEFLATED, 31) if gzip_level is not None else None
    file = _QueueFile(chunks, stop, chunk_size, compress)

    def produce() -> None:
        try:
            write(cast(BinaryIO, file))
            file.finish()
        except StreamClosed:
            pass
        except BaseException as exc:  # handed to the consumer, which raises it
            _log.exception("streamed document failed")
            with contextlib.suppress(queue.Full):
                chunks.put(exc, timeout=5)

    thread = threading.Thread(target=produce, name="stream-writer", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
