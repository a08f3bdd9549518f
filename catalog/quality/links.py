"""Link checks: do the access and download URLs of the catalogue's distributions answer?

``check_links`` collects the URLs of live datasets (of one source, or all) whose cached result is missing
or older than ``quality.link_check_ttl_hours``, asks each one (HEAD; when the server will not answer a
HEAD, a GET of the first byte: ``Range: bytes=0-0``, body not read), stores the answers in
``link_checks`` and scores the datasets concerned again (``catalog.quality.store.recompute``).

Safety and politeness:

- every connection goes through the harvest fetcher's SSRF guard (``PinnedAsyncTransport`` with the
  ``NetworkPolicy`` of ``harvest.allow_private_networks``), redirect hops included: an internal address
  is refused before a socket is opened, and the link is recorded as refused;
- one host is asked one request at a time, ``quality.link_check_host_interval`` seconds apart, and at most
  ``quality.link_check_concurrency`` hosts at once;
- a 429 (Too Many Requests) is no verdict on the link: nothing is stored for it (it is checked again next
  run) and the rest of that host's links wait for the next run too.

A link *answers* when its final status (after redirects) is 2xx or 3xx.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.bulk import bulk_insert, in_values
from catalog.db.quality_tables import LinkCheck
from catalog.db.tables import DatasetRow, SourceRecord
from catalog.harvest._fetch_guard import NetworkPolicy, Resolver, UnsafeURL, resolve
from catalog.harvest._fetch_transport import PinnedAsyncTransport
from catalog.harvest.fetch import USER_AGENT
from catalog.quality.store import QualityTally, recompute
from catalog.settings import Settings

__all__ = ["LinkChecker", "LinkResult", "LinkRun", "check_links", "due_links", "store_results"]

_LINKS: Table = LinkCheck.__table__  # type: ignore[assignment]
_D: Table = DatasetRow.__table__  # type: ignore[assignment]
_SR: Table = SourceRecord.__table__  # type: ignore[assignment]
_HEAD_REFUSED = frozenset({400, 403, 405, 406, 500, 501})
"""HEAD answers that often mean "no HEAD here" rather than "no such resource": try a GET."""
_CHUNK = 1000
_MAX_ERROR = 500


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What one URL answered."""

    url: str
    status: int | None
    ok: bool
    error: str | None = None
    rate_limited: bool = False
    """429, or not asked because its host rate-limited this run: not stored."""


@dataclass
class LinkRun:
    """What ``check_links`` did."""

    checked: int = 0
    answered: int = 0
    failed: int = 0
    rate_limited: int = 0
    results: list[LinkResult] = field(default_factory=list)
    rescored: QualityTally = field(default_factory=QualityTally)


class LinkChecker:
    """Checks URLs through the SSRF guard, one request at a time per host, hosts in parallel."""

    def __init__(
        self,
        *,
        policy: NetworkPolicy,
        timeout: float = 10.0,
        host_interval: float = 1.0,
        concurrency: int = 8,
        max_redirects: int = 5,
        resolver: Resolver = resolve,
    ) -> None:
        self.timeout = timeout
        self.host_interval = host_interval
        self.concurrency = concurrency
        self._client = httpx.AsyncClient(
            transport=PinnedAsyncTransport(policy, resolver=resolver),
            follow_redirects=True,
            max_redirects=max_redirects,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
            trust_env=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings, **options: object) -> LinkChecker:
        quality, harvest = settings.quality, settings.harvest
        defaults: dict[str, object] = {
            "policy": NetworkPolicy(allow_private_networks=harvest.allow_private_networks),
            "timeout": quality.link_check_timeout,
            "host_interval": quality.link_check_host_interval,
            "concurrency": quality.link_check_concurrency,
            "max_redirects": harvest.max_redirects,
        }
        return cls(**{**defaults, **options})  # type: ignore[arg-type]

    async def aclose(self) -> None:
        await self._client.aclose()

    async def check(self, urls: Sequence[str]) -> list[LinkResult]:
        """Check ``urls`` (each once); results in the order of ``urls``."""
        by_host: dict[str, list[str]] = defaultdict(list)
        for url in dict.fromkeys(urls):
            by_host[urlsplit(url).netloc.lower()].append(url)
        gate = asyncio.Semaphore(self.concurrency)
        found: dict[str, LinkResult] = {}

        async def one_host(host_urls: list[str]) -> None:
            async with gate:
                last = 0.0
                for i, url in enumerate(host_urls):
                    wait = last + self.host_interval - time.monotonic()
                    if i and wait > 0:
                        await asyncio.sleep(wait)
                    last = time.monotonic()
                    result = await self._check_one(url)
                    found[url] = result
                    if result.rate_limited:
                        for rest in host_urls[i + 1 :]:
                            found[rest] = LinkResult(rest, None, False, "host rate-limited this run", True)
                        return

        await asyncio.gather(*(one_host(host_urls) for host_urls in by_host.values()))
        return [found[url] for url in dict.fromkeys(urls)]

    async def _check_one(self, url: str) -> LinkResult:
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return LinkResult(url, None, False, "only http(s) links can be checked")
        try:
            async with asyncio.timeout(self.timeout * 2):
                status = await self._status("HEAD", url)
                if status in _HEAD_REFUSED:
                    status = await self._status("GET", url)
        except UnsafeURL as exc:
            return LinkResult(url, None, False, f"refused: {exc}"[:_MAX_ERROR])
        except (TimeoutError, httpx.TimeoutException):
            return LinkResult(url, None, False, "timed out")
        except httpx.TooManyRedirects:
            return LinkResult(url, None, False, "too many redirects")
        except (httpx.HTTPError, OSError) as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, UnsafeURL):
                return LinkResult(url, None, False, f"refused: {cause}"[:_MAX_ERROR])
            return LinkResult(url, None, False, f"{type(exc).__name__}: {exc}"[:_MAX_ERROR])
        if status == 429:
            return LinkResult(url, 429, False, "rate limited (429): checked again next run", True)
        ok = 200 <= status < 400
        return LinkResult(url, status, ok, None if ok else f"HTTP {status}")

    async def _status(self, method: str, url: str) -> int:
        headers = {"Range": "bytes=0-0"} if method == "GET" else None
        async with self._client.stream(method, url, headers=headers) as response:
            return response.status_code


def _live_records(session: Session, source_id: int | None) -> Iterable[tuple[int, str, str]]:
    query = select(_D.c.id, _D.c.kind, _D.c.record).where(_D.c.withdrawn_at.is_(None), _D.c.kind == "Dataset")
    if source_id is not None:
        owned = select(_SR.c.dataset_id).where(_SR.c.source_id == source_id, _SR.c.is_owner)
        query = query.where(_D.c.id.in_(owned))
    return session.execute(query.order_by(_D.c.id).execution_options(yield_per=1000))


def due_links(
    session: Session,
    *,
    source_id: int | None = None,
    ttl: timedelta,
    limit: int | None = None,
    now: datetime | None = None,
) -> dict[str, set[int]]:
    """URL -> dataset pks, for the URLs of live datasets with no result younger than ``ttl``."""
    now = now or datetime.now(UTC)
    urls: dict[str, set[int]] = defaultdict(set)
    for pk, _kind, text in _live_records(session, source_id):
        # the stored canonical JSON (``Dataset`` field names): no model validation needed to read URLs
        for distribution in json.loads(text).get("distribution", ()):
            for url in (*distribution.get("access_url", ()), *distribution.get("download_url", ())):
                urls[url].add(pk)
    fresh: set[str] = set()
    wanted = sorted(urls)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(_LINKS.c.url).where(
            in_values(session, _LINKS.c.url, chunk), _LINKS.c.checked_at > now - ttl
        )
        fresh.update(session.scalars(query))
    due = [url for url in wanted if url not in fresh]
    if limit is not None:
        due = due[:limit]
    return {url: urls[url] for url in due}


def store_results(session: Session, results: Sequence[LinkResult], *, now: datetime | None = None) -> None:
    """Replace the cached results of these URLs (rate-limited ones are not stored)."""
    now = now or datetime.now(UTC)
    kept = [r for r in results if not r.rate_limited and len(r.url) <= 2000]
    urls = [r.url for r in kept]
    for start in range(0, len(urls), _CHUNK):
        session.execute(delete(_LINKS).where(in_values(session, _LINKS.c.url, urls[start : start + _CHUNK])))
    rows = [(r.url, r.status, r.ok, r.error, now) for r in kept]
    bulk_insert(session, _LINKS, ("url", "status", "ok", "error", "checked_at"), rows)


async def check_links(
    factory: sessionmaker[Session],
    checker: LinkChecker,
    *,
    source_id: int | None = None,
    limit: int | None = None,
    ttl: timedelta = timedelta(days=7),
) -> LinkRun:
    """Check the due links (of one source, at most ``limit``), store the answers, rescore their datasets."""
    with factory() as session:
        due = due_links(session, source_id=source_id, ttl=ttl, limit=limit)
    results = await checker.check(list(due))
    with factory() as session:
        store_results(session, results)
        session.commit()
    run = LinkRun(results=results)
    for result in results:
        if result.rate_limited:
            run.rate_limited += 1
        else:
            run.checked += 1
            run.answered += result.ok
            run.failed += not result.ok
    touched = sorted({pk for r in results if not r.rate_limited for pk in due[r.url]})
    if touched:
        run.rescored = recompute(factory, dataset_ids=touched)
    return run
