"""What each page of a source produced last time, so an unchanged page (HTTP 304) is not parsed again.

Kept in ``harvest_pages.produced`` beside the page's cached body: the body's SHA-256, a fingerprint of
the plugin's kind and options (and whatever else shapes the records), the page's next link and the remote
ids it yielded. ``recall`` trusts it only when all of these still hold and every one of those ids is an
active source record of the source with a content hash (so none failed, was withdrawn or was marked for
rewriting since); anything uncertain means "parse the page". The engine writes what a page produced
(``remember``) only after a run that read its listing to the end, and only for pages whose every record
was stored; the other pages it reads lose their memory (``forget``).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.bulk import in_values
from catalog.db.engine import session_scope
from catalog.db.tables import HarvestPage, SourceRecord
from catalog.exceptions import CatalogError
from catalog.harvest._fetch_types import page_digest
from catalog.harvest.report import LoggedRecord
from catalog.harvest.sync import BatchWriter
from harvesters.base import FetchedPage, KnownPage, PageRead, UnchangedPage

__all__ = ["DbPageMemory", "ReadPage", "RunPages", "body_hash", "fingerprint"]

_CHUNK = 1000
_PAGES: Table = HarvestPage.__table__  # type: ignore[assignment]
_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]


def _software() -> str:
    try:
        return version("municipal-catalog")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def fingerprint(kind: str, options: Mapping[str, Any], **context: Any) -> str:
    """A hash of what shapes a page's records besides its body: the plugin's kind and options, the
    ``context`` given (defaults such as the municipality) and the catalogue's version (a new release may
    map records differently, so its first run reads every page)."""
    data = {"kind": kind, "options": options, "software": _software(), **context}
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ReadPage:
    """A page parsed in this run and the remote ids it yielded (``clean`` while all were stored)."""

    body_hash: str
    next_url: str | None
    remote_ids: list[str]
    clean: bool = True


class DbPageMemory:
    """The ``PageMemory`` of ``harvesters.base`` for one source, in ``harvest_pages.produced``."""

    def __init__(self, factory: sessionmaker[Session], *, source_id: int, fingerprint: str) -> None:
        self.factory = factory
        self.source_id = source_id
        self.fingerprint = fingerprint
        self.recalled: dict[str, KnownPage] = {}
        """Pages recalled in this run, by URL (the engine takes their remote ids from here)."""

    def recall(self, page: FetchedPage) -> KnownPage | None:
        with self.factory() as session:
            row = session.get(HarvestPage, (self.source_id, page.url))
            if row is None or row.produced is None:
                return None
            try:
                data = json.loads(zlib.decompress(row.produced))
                if data["fingerprint"] != self.fingerprint or data["body"] != body_hash(page):
                    return None
                ids = tuple(str(i) for i in data["ids"])
                next_url = data["next"]
            except (zlib.error, ValueError, KeyError, TypeError):
                return None
            if next_url is not None and not isinstance(next_url, str):
                return None
            if len(set(ids)) != len(ids) or self._stored(session, ids) != len(ids):
                return None
        known = KnownPage(ids, next_url)
        self.recalled[page.url] = known
        return known

    def _stored(self, session: Session, ids: tuple[str, ...]) -> int:
        sr = _LINKS.c
        count = 0
        for start in range(0, len(ids), _CHUNK):
            query = select(func.count()).where(
                sr.source_id == self.source_id,
                in_values(session, sr.remote_id, ids[start : start + _CHUNK]),
                sr.withdrawn_at.is_(None),
                sr.content_hash.is_not(None),
            )
            count += int(session.execute(query).scalar_one())
        return count

    def remember(self, pages: Mapping[str, ReadPage]) -> None:
        """Keep what the clean pages produced; forget the others'. One transaction."""
        with session_scope(self.factory) as session:
            for url, read in pages.items():
                produced = None
                if read.clean:
                    data = {
                        "fingerprint": self.fingerprint,
                        "body": read.body_hash,
                        "next": read.next_url,
                        "ids": read.remote_ids,
                    }
                    produced = zlib.compress(json.dumps(data).encode(), 6)
                self._set(session, [url], produced)

    def forget(self, urls: Iterable[str]) -> None:
        """Drop the memory of these pages (read again in a run that did not end well)."""
        with session_scope(self.factory) as session:
            self._set(session, list(urls), None)

    def _set(self, session: Session, urls: list[str], produced: bytes | None) -> None:
        hp = _PAGES.c
        for start in range(0, len(urls), _CHUNK):
            session.execute(
                update(_PAGES)
                .where(hp.source_id == self.source_id, hp.url.in_(urls[start : start + _CHUNK]))
                .values(produced=produced)
            )


def body_hash(page: FetchedPage) -> str:
    """The SHA-256 of a page's body, as ``ReadPage.body_hash`` keeps it (hex; the fetcher's own digest)."""
    return page_digest(page).hex()


class RunPages:
    """The pages of one run: the remote ids of the page being read, and the pages read so far."""

    def __init__(self, memory: DbPageMemory | None) -> None:
        self.memory = memory
        self.current: list[str] = []
        self.read: dict[str, ReadPage] = {}

    def page_read(self, item: PageRead) -> None:
        """The records yielded since the last page mark came from ``item.page``."""
        current, self.current = self.current, []
        self.read[item.page.url] = ReadPage(body_hash(item.page), item.next_url, current)

    def unchanged(self, item: UnchangedPage, writer: BatchWriter, seen: set[str]) -> None:
        """Touch the records the skipped page produced last time (those not seen earlier in this run)."""
        known = self.memory.recalled.pop(item.url, None) if self.memory is not None else None
        if known is None:
            raise CatalogError(f"the harvester skipped page {item.url}, which the engine does not know")
        fresh = [remote_id for remote_id in known.remote_ids if remote_id not in seen]
        if len(fresh) < len(known.remote_ids):
            reason = "listed more than once in this run; the first one was kept"
            again = [r for r in known.remote_ids if r in seen]
            writer.log([LoggedRecord(r, "skipped", reason, item.url) for r in again])
        seen.update(fresh)
        writer.touch(fresh)

    def keep(self, writer: BatchWriter, *, success: bool) -> None:
        """Remember the clean pages (after a successful gather); forget the others."""
        if self.memory is None or writer.dry_run or not self.read:
            return
        for read in self.read.values():
            read.clean = read.clean and writer.troubled.isdisjoint(read.remote_ids)
        if success:
            self.memory.remember(self.read)
        else:
            self.memory.forget(url for url, read in self.read.items() if not read.clean)
