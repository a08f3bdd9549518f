"""Parts of a harvest run that stand apart from its flow: the source as the plugin sees it, the fetcher
the plugin is given (and which remembers the last URL, so an error can name the page), and how a failure
is told (its text, and whether it is worth retrying later)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.tables import HarvestJob, Source
from catalog.exceptions import CatalogError, NotFound
from catalog.settings import Settings
from harvesters.base import FetchedPage, Http, PageGuard, SourceInfo

__all__ = ["TrackingHttp", "error_text", "is_transient", "real_fetcher", "source_info"]


class TrackingHttp:
    """The plugin's fetcher, remembering the last URL asked for so an error can name the page."""

    def __init__(self, inner: Http) -> None:
        self.inner = inner
        self.last_url: str | None = None

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchedPage:
        self.last_url = url
        return await self.inner.get(url, params=params, headers=headers)

    async def post(
        self, url: str, *, content: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> FetchedPage:
        self.last_url = url
        return await self.inner.post(url, content=content, content_type=content_type, headers=headers)

    def page_guard(self) -> PageGuard:
        return self.inner.page_guard()


def source_info(session: Session, source_id: int) -> tuple[Source, SourceInfo]:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    last = session.scalars(
        select(HarvestJob.finished_at)
        .where(HarvestJob.source_id == source_id, HarvestJob.status == "succeeded")
        .order_by(HarvestJob.id.desc())
        .limit(1)
    ).first()
    info = SourceInfo(
        id=source.id,
        name=source.name,
        url=source.url,
        municipality=source.municipality_nis,
        last_success=last,
        state=dict(source.state or {}),
    )
    return source, info


@contextlib.asynccontextmanager
async def real_fetcher(
    settings: Settings, factory: sessionmaker[Session], source_id: int, dry_run: bool
) -> AsyncIterator[Http]:
    from catalog.harvest.fetch import Fetcher
    from catalog.harvest.pagecache import DbPageCache

    cache = DbPageCache(factory, source_id=source_id, read_only=dry_run)
    async with Fetcher.from_settings(settings, cache=cache) as fetcher:
        yield fetcher


def error_text(exc: BaseException, last_url: str | None) -> str:
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, CatalogError):
        text = f"{type(exc).__name__}: {text}"
    if last_url and last_url not in text:
        text += f" (last page asked for: {last_url})"
    return text[:4000]


def is_transient(exc: BaseException) -> bool:
    """The failure came from a portal that was unreachable, slow or overloaded (see ``FetchError``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "transient", False) is True:
            return True
        current = current.__cause__ or current.__context__
    return False
