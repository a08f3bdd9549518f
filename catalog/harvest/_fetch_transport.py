"""httpx transports that resolve, check and connect in one step (the SSRF guard's address pinning).

httpcore opens every connection through a network backend's ``connect_tcp(host, port)``. The backends
here resolve ``host`` themselves, refuse the whole host when any of its addresses is internal (see
``NetworkPolicy``), and connect to the addresses they checked: there is no second lookup between the check
and the connection for a rebinding DNS server to answer differently. TLS is untouched: httpcore still
starts it with ``server_hostname`` set to the URL's host, so SNI is sent and the certificate is verified
against the host name, not the address. Connections are pooled per host name, so a kept-alive
connection is only reused for the name it was checked and verified for.

Limits, stated: no proxy is ever used (``trust_env=False``; a proxy would resolve names itself, out of
the guard's reach); the addresses of one name are tried one after the other, not raced; and the pinning
replaces httpx's private ``_pool`` attribute, which is checked when a transport is made (an httpx that
moved it makes the fetcher refuse to start rather than connect unchecked). Measured: a certificate for
``portal.test`` served on 127.0.0.1 verifies for ``https://portal.test`` on the pinned address, fails for
another name on the same address, and fails untrusted (``tests/harvest/test_fetch_guard.py``).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from functools import lru_cache

import anyio
import httpcore
import httpx

from catalog.exceptions import FeedError
from catalog.harvest._fetch_guard import NetworkPolicy, Resolver, resolve, resolve_sync

__all__ = ["PinnedAsyncTransport", "PinnedTransport"]

_SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.001)


@lru_cache(maxsize=1)
def _default_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~70 ms; a context is safe to share between clients.
    return httpx.create_ssl_context(verify=True, trust_env=False)


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    return _default_context() if verify else httpx.create_ssl_context(verify=False, trust_env=False)


class _PinnedAsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: NetworkPolicy, resolver: Resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with anyio.fail_after(timeout):
                addresses = await self._resolver(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except FeedError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        self._policy.check_addresses(host, addresses)
        last: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, _remaining(deadline), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used by the harvester")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PinnedSyncBackend(httpcore.NetworkBackend):
    def __init__(self, policy: NetworkPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve_sync(host, port)
        except FeedError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        self._policy.check_addresses(host, addresses)
        last: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never used by the harvester")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _expect_pool(transport: object, kind: type) -> None:
    # The transports replace httpx's connection pool (a private attribute) with one on a pinned backend.
    # Should a new httpx keep its pool elsewhere, refuse to run rather than connect unchecked.
    if not isinstance(getattr(transport, "_pool", None), kind):
        raise RuntimeError(
            "this httpx version keeps its connection pool elsewhere: connections cannot be pinned"
        )


class PinnedAsyncTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose connections go only to addresses ``policy`` permits."""

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        resolver: Resolver = resolve,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20),
    ) -> None:
        context = _ssl_context(verify)
        super().__init__(verify=context, trust_env=False, limits=limits)
        _expect_pool(self, httpcore.AsyncConnectionPool)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedAsyncBackend(policy, resolver),
        )


class PinnedTransport(httpx.HTTPTransport):
    """The synchronous ``PinnedAsyncTransport`` (for ``catalog import URL``)."""

    def __init__(self, policy: NetworkPolicy, *, verify: ssl.SSLContext | bool = True) -> None:
        limits = httpx.Limits(max_connections=10, max_keepalive_connections=5)
        context = _ssl_context(verify)
        super().__init__(verify=context, trust_env=False, limits=limits)
        _expect_pool(self, httpcore.ConnectionPool)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedSyncBackend(policy),
        )
