"""Helpers for plugin tests: the engine's real fetcher, a SourceInfo, and a way to drain ``records()``.

A ``Fetcher`` holds an httpx client bound to the event loop it was made in, so each one is made inside
its own ``asyncio.Runner`` and ``collect`` runs the harvester on that same loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from catalog.harvest.fetch import Fetcher, RetryPolicy
from harvesters.base import HarvestedRecord, Harvester, SourceInfo

_runners: dict[int, asyncio.Runner] = {}

FAST_RETRY = RetryPolicy(max_attempts=2, backoff=0.01, max_backoff=0.05)


@contextmanager
def real_fetcher(**options: Any) -> Iterator[Fetcher]:
    """The engine's Fetcher, allowed to reach the loopback replay server, with quick retries."""
    options.setdefault("allow_private_networks", True)
    options.setdefault("retry", FAST_RETRY)
    runner = asyncio.Runner()

    async def make() -> Fetcher:
        return Fetcher(**options)

    fetcher = runner.run(make())
    _runners[id(fetcher)] = runner
    try:
        yield fetcher
    finally:
        del _runners[id(fetcher)]
        runner.run(fetcher.aclose())
        runner.close()


def source(url: str, *, state: dict[str, Any] | None = None, **kwargs: Any) -> SourceInfo:
    return SourceInfo(id=1, name="test", url=url, state=state or {}, **kwargs)


async def _drain(records: AsyncIterator[HarvestedRecord], into: list[HarvestedRecord]) -> None:
    async for record in records:
        into.append(record)


def _run(harvester: Harvester[Any], into: list[HarvestedRecord]) -> None:
    runner = _runners.get(id(harvester.http))
    if runner is None:
        asyncio.run(_drain(harvester.records(), into))
    else:
        runner.run(_drain(harvester.records(), into))


def collect(harvester: Harvester[Any]) -> list[HarvestedRecord]:
    """Run a harvester's ``records()`` to the end."""
    found: list[HarvestedRecord] = []
    _run(harvester, found)
    return found


def collect_until_error(harvester: Harvester[Any]) -> tuple[list[HarvestedRecord], BaseException]:
    """The records yielded before ``records()`` raised, and what it raised (AssertionError if it did not)."""
    found: list[HarvestedRecord] = []
    try:
        _run(harvester, found)
    except Exception as exc:
        return found, exc
    raise AssertionError(f"records() did not raise; it yielded {len(found)} records")


def store_settings(store_url: str, **harvest: Any) -> Any:
    """Settings for an end-to-end run into a test store, fetching from the loopback replay server."""
    from catalog.settings import Settings

    return Settings(
        database={"url": store_url},
        harvest={"allow_private_networks": True, **harvest},
        catalog={"base_uri": "https://catalog.example/"},
    )


def load_municipalities_into(sessions: Any) -> None:
    """The municipality rows ``catalog db upgrade`` loads; records are tied to them by NIS code."""
    from catalog.db.engine import session_scope
    from catalog.db.sources import load_municipalities
    from catalog.services import municipality_rows

    with session_scope(sessions) as session:
        load_municipalities(session, municipality_rows())
