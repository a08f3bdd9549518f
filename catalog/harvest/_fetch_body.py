"""Bodies: bounded decompression (so a gzip bomb stops at the size cap), media types and charsets.

The fetcher asks only for ``gzip`` and ``deflate`` and decodes them itself, in pieces of at most
``PIECE`` bytes, so the size cap counts decoded bytes and memory never holds more than the cap plus one
piece, however well the body compresses.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator

__all__ = ["ACCEPT_ENCODING", "PIECE", "BodyDecoder", "charset_of", "decode_text", "media_type"]

ACCEPT_ENCODING = "gzip, deflate"
PIECE = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


class _Inflater:
    """One zlib stream (gzip or deflate), decoded in pieces of at most ``PIECE`` bytes."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._raw_fallback = not self._gzip  # "deflate" is zlib-wrapped by the RFC, raw by some servers
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                piece = self._z.decompress(data, PIECE)
            except zlib.error:
                if self._raw_fallback and not self._started:
                    self._raw_fallback = False
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise
            self._started = True
            data = self._z.unconsumed_tail
            if self._z.eof and self._z.unused_data:
                if not self._gzip:
                    raise zlib.error("data after the end of the deflate stream")
                data = self._z.unused_data + data  # another gzip member follows
                self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
            if piece:
                yield piece
        yield from self._drain()

    def _drain(self) -> Iterator[bytes]:
        while not self._z.eof:
            piece = self._z.decompress(b"", PIECE)
            if not piece:
                return
            yield piece

    def finish(self) -> Iterator[bytes]:
        yield from self._drain()
        tail = self._z.flush()
        if tail:
            yield tail
        if not self._z.eof:
            raise zlib.error("the compressed stream ended early")


class BodyDecoder:
    """Undo a ``Content-Encoding`` (``gzip``, ``deflate``, ``identity``, or a list of them)."""

    def __init__(self, content_encoding: str | None) -> None:
        names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        unknown = [n for n in names if n not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise ValueError(f"unsupported Content-Encoding {', '.join(unknown)}")
        self._stages = [_Inflater(n) for n in reversed(names)]

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of ``data``; ``zlib.error`` when the body is not what its encoding says."""
        return self._through(0, data)

    def finish(self) -> Iterator[bytes]:
        """Whatever the decoders still hold at the end of the body."""
        for index, stage in enumerate(self._stages):
            for piece in stage.finish():
                yield from self._through(index + 1, piece)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[index].feed(data):
            yield from self._through(index + 1, piece)


def media_type(content_type: str | None) -> str | None:
    """``"text/turtle"`` from ``"text/turtle; charset=utf-8"``; None when absent."""
    if not content_type:
        return None
    value = content_type.split(";", 1)[0].strip().lower()
    return value or None


def _known(label: str) -> str | None:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_of(content: bytes, content_type: str | None) -> tuple[str, int]:
    """The codec of ``content`` and the length of its byte order mark.

    A byte order mark first (it cannot be wrong, a header can: the WHATWG rule), then the header's
    ``charset``, then an XML declaration's ``encoding``, then UTF-8 (which JSON always is).
    """
    for bom, bom_codec in _BOMS:
        if content.startswith(bom):
            return bom_codec, len(bom)
    if content_type:
        match = _CHARSET_PARAM.search(content_type)
        if match and (declared_codec := _known(match.group(1))):
            return declared_codec, 0
    declaration = _XML_DECLARATION.match(content[:1024])
    if declaration and (xml_codec := _known(declaration.group(1).decode("ascii"))):
        return xml_codec, 0
    return "utf-8", 0


def decode_text(content: bytes, content_type: str | None) -> str:
    """``content`` as text in its declared or detected charset; undecodable bytes become U+FFFD."""
    name, skip = charset_of(content, content_type)
    return content[skip:].decode(name, errors="replace")
