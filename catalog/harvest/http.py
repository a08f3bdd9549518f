"""Synchronous safe fetching of one document given on the command line (``catalog import URL``).

The same guard as the harvest's ``catalog.harvest.fetch.Fetcher`` (``_fetch_guard``, one
implementation): only http(s); every connection, redirect hops included, goes only to addresses that are
not loopback, private, link-local, multicast, reserved or unspecified, unless
``harvest.allow_private_networks`` is on, and the address checked is the one connected to. Bodies are
streamed, decoded by the fetcher's bounded decoder and cut off at ``harvest.max_response_bytes``
(decoded bytes, so a gzip bomb stops at the cap); redirects are followed by hand, at most
``MAX_REDIRECTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from catalog.exceptions import FeedError
from catalog.harvest._fetch_body import ACCEPT_ENCODING
from catalog.harvest._fetch_collect import CappedBody
from catalog.harvest._fetch_guard import NetworkPolicy, UnsafeURL, check_scheme, check_url
from catalog.harvest._fetch_transport import PinnedTransport

__all__ = ["MAX_REDIRECTS", "FetchResult", "UnsafeURL", "check_url", "fetch"]

MAX_REDIRECTS = 5
USER_AGENT = "municipal-catalog/0.1"
RDF_ACCEPT = "text/turtle, application/rdf+xml, application/ld+json, application/n-triples;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class FetchResult:
    url: str
    """The final URL, after redirects."""
    status: int
    content_type: str | None
    content: bytes


def _read(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    headers = response.headers
    body = CappedBody(
        url,
        max_bytes,
        status=response.status_code,
        content_length=headers.get("content-length"),
        encoding=headers.get("content-encoding"),
    )
    for chunk in response.iter_raw():
        body.feed(chunk)
    return body.finish()


def fetch(
    url: str,
    *,
    max_bytes: int,
    allow_private_networks: bool = False,
    timeout: float = 60.0,
    accept: str = RDF_ACCEPT,
    policy: NetworkPolicy | None = None,
) -> FetchResult:
    """GET ``url`` with the SSRF guard on every hop and a size cap; raise ``FeedError`` on any failure.

    ``policy`` (tests: admit one loopback address) overrides ``allow_private_networks``.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    limits = httpx.Timeout(timeout, connect=min(timeout, 15.0))
    transport = PinnedTransport(policy or NetworkPolicy(allow_private_networks=allow_private_networks))
    with httpx.Client(
        transport=transport, follow_redirects=False, timeout=limits, headers=headers, trust_env=False
    ) as client:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_scheme(current)
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
                    return FetchResult(
                        url=current,
                        status=response.status_code,
                        content_type=response.headers.get("content-type"),
                        content=_read(current, response, max_bytes),
                    )
            except UnsafeURL as exc:
                raise UnsafeURL(f"refusing to fetch {current}: {exc}") from exc
            except httpx.HTTPError as exc:
                raise FeedError(f"cannot fetch {current}: {exc}") from exc
        raise FeedError(f"{url}: more than {MAX_REDIRECTS} redirects")
