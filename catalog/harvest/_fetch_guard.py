"""The SSRF guard shared by the synchronous ``fetch`` and the async ``Fetcher``: one implementation.

A URL is fetched only over http(s), and only from hosts whose addresses are all public, unless the policy
allows private networks (or names the address in ``allowed_networks``, which is how tests admit their
loopback server and nothing else). The check is made where the connection is opened
(``catalog.harvest._fetch_transport``), on the very addresses the socket then connects to, so a name that
resolves to a public address when checked and to an internal one a moment later (DNS rebinding) never
reaches the internal one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from catalog.exceptions import FeedError, InputError

__all__ = [
    "NetworkPolicy",
    "Resolver",
    "UnsafeURL",
    "check_scheme",
    "check_url",
    "is_internal",
    "resolve",
    "resolve_sync",
]

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Resolves ``(host, port)`` to IP address strings (``asyncio`` ``getaddrinfo`` by default)."""

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(InputError):
    """A URL the catalogue refuses to fetch (scheme, or a host on an internal network)."""


def _parse_address(address: str) -> IPAddress:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_internal(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    ip = _parse_address(address)
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


@dataclass(frozen=True)
class NetworkPolicy:
    """Which addresses may be connected to."""

    allow_private_networks: bool = False
    """Allow every address (``harvest.allow_private_networks``: tests and closed networks only)."""
    allowed_networks: tuple[IPNetwork, ...] = ()
    """Internal networks allowed all the same (``127.0.0.1/32`` for a test's own server)."""

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> NetworkPolicy:
        """A policy that refuses internal addresses except those in ``networks`` (CIDR strings)."""
        return cls(allowed_networks=tuple(ipaddress.ip_network(n) for n in networks))

    def permits(self, address: str) -> bool:
        if self.allow_private_networks or not is_internal(address):
            return True
        ip = _parse_address(address)
        return any(ip in network for network in self.allowed_networks)

    def check_addresses(self, host: str, addresses: Sequence[str], *, url: str | None = None) -> None:
        """Raise ``UnsafeURL`` when any of ``host``'s addresses is refused (a mixed answer is suspect)."""
        for address in addresses:
            if not self.permits(address):
                reason = f"{host} resolves to an internal address ({address})"
                raise UnsafeURL(f"refusing to fetch {url}: {reason}" if url else reason)


def check_scheme(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an http(s) URL; ``UnsafeURL`` for any other scheme, no host, or no URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        explicit_port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"refusing to fetch {url!r}: not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(
            f"refusing to fetch {url}: only http and https URLs can be fetched, "
            f"not {parts.scheme or 'a relative URL'!r}"
        )
    if not host:
        raise UnsafeURL(f"URL has no host: {url}")
    return parts.scheme, host, explicit_port or (443 if parts.scheme == "https" else 80)


def _addresses(infos: Iterable[tuple[object, ...]]) -> list[str]:
    seen: dict[str, None] = {}
    for info in infos:
        sockaddr = info[4]
        assert isinstance(sockaddr, tuple)
        seen.setdefault(str(sockaddr[0]), None)
    return list(seen)


def resolve_sync(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (distinct, in resolver order); ``FeedError`` when it does not resolve."""
    try:
        return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (OSError, UnicodeError) as exc:
        raise FeedError(f"cannot resolve host {host!r}: {exc}") from exc


async def resolve(host: str, port: int) -> list[str]:
    """Async ``resolve_sync`` on the running loop's resolver."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FeedError(f"cannot resolve host {host!r}: {exc}") from exc
    return _addresses(infos)


def check_url(url: str, *, allow_private_networks: bool = False) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to an internal address.

    A check ahead of time, for a quick answer to a steward; the fetchers check again on connecting.
    """
    _, host, port = check_scheme(url)
    policy = NetworkPolicy(allow_private_networks=allow_private_networks)
    if allow_private_networks:
        return
    policy.check_addresses(host, resolve_sync(host, port), url=url)
