"""Safe fetching of documents registered by stewards or given on the command line.

The guard against server-side request forgery: only http(s); every host, including each redirect target, is
resolved and refused when any of its addresses is loopback, private, link-local, multicast, reserved or
unspecified, unless ``harvest.allow_private_networks`` is on. Bodies are streamed and cut off at
``harvest.max_response_bytes``; redirects are followed by hand, at most ``MAX_REDIRECTS``.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from catalog.exceptions import FeedError, InputError

__all__ = ["MAX_REDIRECTS", "FetchResult", "UnsafeURL", "check_url", "fetch"]

MAX_REDIRECTS = 5
USER_AGENT = "municipal-catalog/0.1"
RDF_ACCEPT = "text/turtle, application/rdf+xml, application/ld+json, application/n-triples;q=0.9, */*;q=0.1"


class UnsafeURL(InputError):
    """A URL the catalogue refuses to fetch (scheme, or a host on an internal network)."""


@dataclass(frozen=True)
class FetchResult:
    url: str
    """The final URL, after redirects."""
    status: int
    content_type: str | None
    content: bytes


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, *, allow_private_networks: bool = False) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to an internal address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(f"only http and https URLs can be fetched, not {parts.scheme or 'a relative URL'!r}")
    host = parts.hostname
    if not host:
        raise UnsafeURL(f"URL has no host: {url}")
    if allow_private_networks:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise FeedError(f"cannot resolve host {host!r}: {exc}") from exc
    for info in infos:
        address = str(info[4][0])
        if _blocked(address):
            raise UnsafeURL(f"refusing to fetch {url}: {host} resolves to an internal address ({address})")


def fetch(
    url: str,
    *,
    max_bytes: int,
    allow_private_networks: bool = False,
    timeout: float = 60.0,
    accept: str = RDF_ACCEPT,
) -> FetchResult:
    """GET ``url`` with the SSRF guard on every hop and a size cap; raise ``FeedError`` on any failure."""
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    limits = httpx.Timeout(timeout, connect=min(timeout, 15.0))
    with httpx.Client(follow_redirects=False, timeout=limits, headers=headers, trust_env=False) as client:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private_networks=allow_private_networks)
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise FeedError(f"{current} redirects without a Location header")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise FeedError(f"{current} answered HTTP {response.status_code}")
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise FeedError(f"{current} is larger than the limit of {max_bytes} bytes")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FeedError(f"{current} is larger than the limit of {max_bytes} bytes")
                        chunks.append(chunk)
                    return FetchResult(
                        url=current,
                        status=response.status_code,
                        content_type=response.headers.get("content-type"),
                        content=b"".join(chunks),
                    )
            except httpx.HTTPError as exc:
                raise FeedError(f"cannot fetch {current}: {exc}") from exc
        raise FeedError(f"{url}: more than {MAX_REDIRECTS} redirects")
