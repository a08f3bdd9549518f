"""``file://`` URLs (only when ``harvest.allow_file_urls`` is on), read with the same size cap."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from catalog.harvest._fetch_types import FetchError

__all__ = ["file_media_type", "read_file_url"]

_RDF_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".xml": "application/xml",
}


def file_media_type(path: Path) -> str | None:
    """The media type a file's extension suggests (RDF serialisations known by name)."""
    return _RDF_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]


def read_file_url(url: str, max_bytes: int) -> tuple[Path, bytes]:
    """The path and bytes of a local ``file://`` URL; ``FetchError`` when unreadable or over ``max_bytes``."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"{url!r} is not a valid URL ({exc})", url=url) from exc
    if parts.netloc not in ("", "localhost"):
        raise FetchError(f"{url}: only local file URLs can be read, not host {parts.netloc!r}", url=url)
    path = Path(url2pathname(parts.path))
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > max_bytes:
                raise FetchError(f"{url} is larger than the limit of {max_bytes} bytes", url=url)
            content = handle.read(max_bytes + 1)
    except IsADirectoryError as exc:
        raise FetchError(f"{url} is a directory, not a file", url=url) from exc
    except FileNotFoundError as exc:
        raise FetchError(f"{url}: no such file", url=url) from exc
    except OSError as exc:
        raise FetchError(f"cannot read {url}: {exc.strerror or exc}", url=url) from exc
    if len(content) > max_bytes:  # a file that grew while being read, or a device
        raise FetchError(f"{url} is larger than the limit of {max_bytes} bytes", url=url)
    return path, content
