"""The page cache in the store, for conditional GET from one run to the next (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from sqlalchemy import func, select, update

from catalog.db.engine import session_scope
from catalog.db.sources import create_source
from catalog.db.tables import HarvestPage, Source
from catalog.db.types import zstd_compress
from catalog.harvest.fetch import CachedPage
from catalog.harvest.pagecache import DbPageCache, clear_pages

Store = Any
URL = "https://portal.example.org/catalog.ttl?page=2"


def _source(store: Store, name: str = "Portaal") -> int:
    with session_scope(store.sessions) as session:
        source = create_source(session, name=name, kind="dcat", url="https://portal.example.org/catalog.ttl")
        session.flush()
        return source.id


def _rows(store: Store) -> int:
    with store.sessions() as session:
        return int(session.execute(select(func.count()).select_from(HarvestPage)).scalar_one())


def test_put_then_get_keeps_validators_and_body(store: Store) -> None:
    cache = DbPageCache(store.sessions, source_id=_source(store))
    assert cache.get(URL) is None
    body = b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n" * 1000
    page = CachedPage(etag='"abc"', last_modified="Wed, 21 Oct 2026 07:28:00 GMT", content=body,
                      content_type="text/turtle; charset=utf-8")  # fmt: skip
    cache.put(URL, page)
    assert cache.get(URL) == page
    with_digest = CachedPage(
        page.etag, page.last_modified, body, page.content_type, hashlib.sha256(body).digest()
    )
    cache.put(URL, with_digest)
    assert cache.get(URL) == with_digest, "the body's digest is kept with it"
    with store.sessions() as session:
        stored = session.scalars(select(HarvestPage.content)).one()
        assert len(stored) < len(body) / 10, "the body is kept compressed"
    cache.put(URL, CachedPage('"def"', None, b"new", None))
    assert cache.get(URL) == CachedPage('"def"', None, b"new", None)
    assert _rows(store) == 1 and len(cache) == 1


def test_a_body_kept_by_an_earlier_version_as_zlib_is_still_read(store: Store) -> None:
    cache = DbPageCache(store.sessions, source_id=_source(store))
    body = b'<https://d.example/1> <http://purl.org/dc/terms/title> "Bomen" .\n' * 500
    cache.put(URL, CachedPage('"1"', None, b"placeholder", "text/turtle"))  # then as zlib, below
    with session_scope(store.sessions) as session:
        session.execute(update(HarvestPage).values(content=zlib.compress(body, 1)))
    assert cache.get(URL) == CachedPage('"1"', None, body, "text/turtle")  # no digest: hashed when replayed
    with session_scope(store.sessions) as session:
        session.execute(update(HarvestPage).values(digest="f" * 63 + "g"))
    assert cache.get(URL) == CachedPage('"1"', None, body, "text/turtle"), "a damaged digest is not used"


def test_pages_belong_to_their_source(store: Store) -> None:
    one, two = _source(store, "Een"), _source(store, "Twee")
    DbPageCache(store.sessions, source_id=one).put(URL, CachedPage('"1"', None, b"one", None))
    assert DbPageCache(store.sessions, source_id=two).get(URL) is None
    with session_scope(store.sessions) as session:
        assert clear_pages(session, source_id=one) == 1
    assert DbPageCache(store.sessions, source_id=one).get(URL) is None


def test_read_only_cache_keeps_new_pages_in_memory(store: Store) -> None:
    source_id = _source(store)
    DbPageCache(store.sessions, source_id=source_id).put(URL, CachedPage('"1"', None, b"one", None))
    dry = DbPageCache(store.sessions, source_id=source_id, read_only=True)
    assert dry.get(URL) == CachedPage('"1"', None, b"one", None)
    dry.put(URL, CachedPage('"2"', None, b"two", None))
    assert dry.get(URL) == CachedPage('"2"', None, b"two", None)
    assert DbPageCache(store.sessions, source_id=source_id).get(URL) == CachedPage('"1"', None, b"one", None)


def test_damaged_copy_and_overlong_url_are_misses(store: Store) -> None:
    source_id = _source(store)
    cache = DbPageCache(store.sessions, source_id=source_id)
    cache.put(URL, CachedPage('"1"', None, b"one", None))
    with session_scope(store.sessions) as session:
        session.execute(update(HarvestPage).values(content=b"not zlib"))
    assert cache.get(URL) is None
    with session_scope(store.sessions) as session:  # a zstd frame cut short
        session.execute(update(HarvestPage).values(content=zstd_compress(b"one" * 100)[:-4]))
    assert cache.get(URL) is None
    long_url = "https://portal.example.org/?" + "q" * 2100
    cache.put(long_url, CachedPage('"1"', None, b"one", None))
    assert cache.get(long_url) is None


def test_pages_go_with_their_source(store: Store) -> None:
    source_id = _source(store)
    DbPageCache(store.sessions, source_id=source_id).put(URL, CachedPage('"1"', None, b"one", None))
    with session_scope(store.sessions) as session:
        source = session.get(Source, source_id)
        session.delete(source)
    assert _rows(store) == 0


def test_page_memory_recalls_only_the_same_body_and_fingerprint(store: Store) -> None:
    from catalog.harvest.fetch import Response
    from catalog.harvest.pagememory import DbPageMemory, ReadPage, body_hash

    source_id = _source(store)
    DbPageCache(store.sessions, source_id=source_id).put(URL, CachedPage('"1"', None, b"body", None))
    page = Response(URL, 304, {}, b"body", None, from_cache=True)
    memory = DbPageMemory(store.sessions, source_id=source_id, fingerprint="a")
    memory.remember({URL: ReadPage(body_hash(page), "?page=3", [])})
    known = memory.recall(page)
    assert known is not None and known.next_url == "?page=3" and known.remote_ids == ()
    assert memory.recall(Response(URL, 304, {}, b"other body", None, from_cache=True)) is None
    assert DbPageMemory(store.sessions, source_id=source_id, fingerprint="b").recall(page) is None
    memory.remember({URL: ReadPage(body_hash(page), None, ["never stored"])})
    assert memory.recall(page) is None, "a remote id the store does not hold: the page is parsed"
    memory.forget([URL])
    with store.sessions() as session:
        assert session.scalars(select(HarvestPage.produced)).one() is None
