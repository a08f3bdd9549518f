"""A response body gathered under the size cap, decoded as it arrives (shared by both fetchers)."""

from __future__ import annotations

import zlib

from catalog.harvest._fetch_body import BodyDecoder
from catalog.harvest._fetch_types import FetchError

__all__ = ["CappedBody"]


class CappedBody:
    """Feed it the raw chunks of a body; it raises ``FetchError`` the moment the cap is passed.

    The cap holds for the bytes on the wire and for the decoded bytes, and ``Content-Length`` is looked
    at before the first chunk, so a body declared too large is refused unread.
    """

    def __init__(self, url: str, cap: int, *, status: int, content_length: str | None, encoding: str | None):
        self.url = url
        self.cap = cap
        self.status = status
        self.encoding = encoding
        if content_length and content_length.isdigit() and int(content_length) > cap:
            raise self._too_large()
        try:
            self._decoder = BodyDecoder(encoding)
        except ValueError as exc:
            raise FetchError(f"{url}: {exc}", url=url, status=status) from exc
        self._pieces: list[bytes] = []
        self._size = 0
        self._received = 0

    def _too_large(self) -> FetchError:
        return FetchError(
            f"{self.url} is larger than the limit of {self.cap} bytes", url=self.url, status=self.status
        )

    def _keep(self, piece: bytes) -> None:
        self._size += len(piece)
        if self._size > self.cap:
            raise self._too_large()
        self._pieces.append(piece)

    def feed(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self.cap:
            raise self._too_large()
        try:
            for piece in self._decoder.feed(chunk):
                self._keep(piece)
        except zlib.error as exc:
            raise self._corrupt(exc) from exc

    def finish(self) -> bytes:
        """The whole decoded body; ``FetchError`` when a compressed body ended early or is corrupt."""
        try:
            for piece in self._decoder.finish():
                self._keep(piece)
        except zlib.error as exc:
            raise self._corrupt(exc) from exc
        return b"".join(self._pieces)

    def _corrupt(self, exc: zlib.error) -> FetchError:
        return FetchError(f"{self.url}: the body is not valid {self.encoding}: {exc}", url=self.url)
