"""The full catalogue dumps (``dump.nt.gz``, ``dump.ttl.gz``) from a cache of compressed blocks.

Serialising a record from its stored JSON (``write_stored``) still costs about a tenth of a
millisecond, most of it reading the JSON, and compressing it as much again: too slow to dump 100,000
datasets on every request. So a dump is built from *blocks*:
the live datasets whose key falls in one range of ``BLOCK_SIZE`` keys, serialised once and kept as
one gzip member in a cache directory under a name that holds the block's fingerprint (a hash of
the key sum, count and latest change time of its datasets, the format, the base URI and the writer version).
A request first reads the keys and change times (one narrow indexed walk) and plans the blocks
(see ``plan_dump``); then it streams a freshly written header member (prefixes and the
catalogue's own description) followed by every block, read from the cache or, when a block
changed, serialised, written to the cache and streamed at the same time. Only the blocks a
harvest touched are ever rebuilt, and the cached dump streams at disk speed. After a harvest run
that changed datasets, ``refresh_after_harvest`` rebuilds those blocks in the harvesting process, so
no download waits for them (``harvest.refresh_dumps``).

A gzip file may hold several members one after the other (RFC 1952); ``gzip -d``, ``zcat``,
Python's ``gzip`` module and the usual HTTP clients read them as one stream.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import make_engine, make_session_factory
from catalog.db.tables import DatasetRow
from catalog.rdf.serialize import write_stored
from catalog.services import catalog_description
from catalog.settings import Settings

if TYPE_CHECKING:
    from catalog.harvest.report import HarvestReport

__all__ = [
    "BLOCK_SIZE",
    "CHANGING_COUNTS",
    "DUMP_FORMATS",
    "DUMP_GZIP_LEVEL",
    "Block",
    "DumpPlan",
    "default_cache_dir",
    "plan_dump",
    "refresh_after_harvest",
    "refresh_dump_cache",
    "write_dump",
]

BLOCK_SIZE = 500
"""Dataset keys per block: small enough that a harvest's changes rebuild little, large enough
that blocks compress well."""
DUMP_FORMATS = ("ntriples", "turtle")
"""Formats whose documents can be cut into blocks and put back together by concatenation."""
DUMP_SQLITE_CACHE_KIB = 2048
"""SQLite page cache while a dump reads records (it reads each once, so a cache does not help)."""
DUMP_GZIP_LEVEL = 6
"""zlib level of the blocks (the download's and ``refresh_dump_cache``'s)."""
WRITER_VERSION = "1"
"""Bump when the RDF mapping changes, so cached blocks are rebuilt."""

_log = logging.getLogger(__name__)
_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_d = _DATASETS.c


@dataclass(frozen=True, slots=True)
class Block:
    """Live datasets with keys in ``[number * BLOCK_SIZE, (number + 1) * BLOCK_SIZE)``."""

    number: int
    fingerprint: str
    count: int
    """Datasets in the key range, withdrawn ones included."""


@dataclass(frozen=True, slots=True)
class DumpPlan:
    """What a dump will hold: its blocks, and an ETag for the whole."""

    format: str
    blocks: tuple[Block, ...]
    etag: str


def default_cache_dir(settings: Settings) -> Path:
    """``server.dump_cache_dir`` when set; else next to a SQLite file (``catalog.db.dump-cache``); else under
    the system's temporary directory."""
    if settings.server.dump_cache_dir:
        return Path(settings.server.dump_cache_dir).expanduser()
    url = make_url(settings.database.url)
    database = url.database or ""
    if (
        url.get_backend_name() == "sqlite"
        and database
        and database != ":memory:"
        and not database.startswith("file:")
    ):
        path = Path(database).expanduser()
        return path.with_name(path.name + ".dump-cache")
    key = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "catalog-dump-cache" / key


def _salt(format: str, settings: Settings) -> bytes:
    return f"{WRITER_VERSION}\x1f{format}\x1f{settings.catalog.base_uri}".encode()


def plan_dump(session: Session, settings: Settings, format: str, *, block_size: int = BLOCK_SIZE) -> DumpPlan:
    """Fingerprint each block by how many datasets it holds, their key sum and their latest change.

    ``updated_at`` is set to the time of every change the catalogue makes to a dataset (created,
    updated, restored or withdrawn), so any change to a block moves its latest ``updated_at``.
    The database aggregates (key, updated_at) from their index alone, without reading records, so
    planning 100,000 datasets is one quick query. Withdrawn datasets count too: their withdrawal
    changes their block's fingerprint.
    """
    if format not in DUMP_FORMATS:
        raise ValueError(f"no dump in {format!r}; expected one of {DUMP_FORMATS}")
    number = (_d.id // block_size).label("number")
    query = (
        select(number, func.count(), func.sum(_d.id), func.max(_d.updated_at))
        .group_by(number)
        .order_by(number)
    )
    salt = _salt(format, settings)
    whole = hashlib.sha256(salt)
    blocks: list[Block] = []
    for block_number, count, key_sum, latest in session.execute(query):
        key = f"\x1f{block_number}\x1f{count}\x1f{key_sum}\x1f{latest.isoformat()}"
        fingerprint = hashlib.sha256(salt + key.encode()).hexdigest()[:32]
        blocks.append(Block(int(block_number), fingerprint, int(count)))
        whole.update(f"{block_number}:{fingerprint}".encode())
    return DumpPlan(format, tuple(blocks), f'"{whole.hexdigest()[:32]}"')


def _gzip(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


class _Stored(NamedTuple):
    """What a block needs of a stored dataset (``StoredJson``): read without the other columns."""

    uri: str
    kind: str
    record_json: str


def _document(records: list[_Stored], settings: Settings, format: str) -> bytes:
    out = BytesIO()
    write_stored(
        out,
        records,
        format=format,
        catalog=catalog_description(settings),
        base_uri=settings.catalog.base_uri,
        chunk_records=len(records) + 1,
    )
    return out.getvalue()


def _block_records(session: Session, block: Block, block_size: int) -> list[_Stored]:
    """The block's live datasets. On SQLite the connection's page cache is kept small meanwhile: a
    dump reads every record once, and a cache the size of the store's default (64 MiB per
    connection) would only keep the server's memory high after the dump."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        before = session.execute(text("PRAGMA cache_size")).scalar_one()
        session.execute(text(f"PRAGMA cache_size=-{DUMP_SQLITE_CACHE_KIB}"))
    try:
        low, high = block.number * block_size, (block.number + 1) * block_size
        query = (
            select(_d.uri, _d.kind, _d.record)
            .where(_d.id >= low, _d.id < high, _d.withdrawn_at.is_(None))
            .order_by(_d.id)
        )
        return [_Stored(*row) for row in session.execute(query)]
    finally:
        if sqlite:
            session.execute(text(f"PRAGMA cache_size={int(before)}"))
        session.rollback()


def _build_block(
    session: Session, settings: Settings, format: str, block: Block, head: bytes, level: int, block_size: int
) -> bytes:
    """The block as one gzip member: its records' statements and the catalogue's links to them."""
    document = _document(_block_records(session, block, block_size), settings, format)
    if not document.startswith(head):  # pragma: no cover - the writer always starts with the head
        raise RuntimeError("block document does not start with the catalogue head")
    return _gzip(document[len(head) :], level)


def _store(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and drop older versions of the same block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".gz")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    number = path.name.split("-", 1)[0]
    for old in path.parent.glob(f"{number}-*.gz"):
        if old != path:
            old.unlink(missing_ok=True)


def _block_name(block: Block) -> str:
    return f"{block.number:07d}-{block.fingerprint}.gz"


def _read_chunks(path: Path, size: int = 256 * 1024) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(size):
            yield chunk


def write_dump(
    out: BinaryIO,
    plan: DumpPlan,
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    cache_dir: Path,
    gzip_level: int = DUMP_GZIP_LEVEL,
    block_size: int = BLOCK_SIZE,
) -> int:
    """Write the planned dump to ``out`` as gzip members; return how many blocks had to be built."""
    head = _document([], settings, plan.format)
    out.write(_gzip(head, gzip_level))
    directory = cache_dir / plan.format
    built = 0
    with sessions() as session:
        for block in plan.blocks:
            path = directory / _block_name(block)
            try:
                for chunk in _read_chunks(path):
                    out.write(chunk)
                continue
            except FileNotFoundError:
                pass
            data = _build_block(session, settings, plan.format, block, head, gzip_level, block_size)
            built += 1
            with contextlib.suppress(OSError):  # a read-only or full disk only costs speed
                _store(path, data)
            out.write(data)
    return built


def refresh_dump_cache(
    settings: Settings, *, formats: tuple[str, ...] = DUMP_FORMATS, cache_dir: Path | None = None
) -> dict[str, int]:
    """Build the blocks that changed since the last dump and drop the ones no longer needed.

    Meant to run after a harvest (see ``refresh_after_harvest``) or from cron, so the next download
    streams from the cache at full speed. Blocks already in the cache are not read; memory holds one
    block's records at a time, whatever the catalogue's size. Returns how many blocks were built per
    format.
    """
    cache_dir = cache_dir or default_cache_dir(settings)
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    sessions = make_session_factory(engine)
    built: dict[str, int] = {}
    try:
        for format in formats:
            with sessions() as session:
                plan = plan_dump(session, settings, format)
                head = _document([], settings, format)
                directory = cache_dir / format
                built[format] = 0
                for block in plan.blocks:
                    path = directory / _block_name(block)
                    if path.exists():
                        continue
                    data = _build_block(session, settings, format, block, head, DUMP_GZIP_LEVEL, BLOCK_SIZE)
                    _store(path, data)
                    built[format] += 1
            wanted = {_block_name(block) for block in plan.blocks}
            for path in directory.glob("*.gz"):
                if path.name not in wanted and not path.name.startswith(".tmp-"):
                    path.unlink(missing_ok=True)
    finally:
        engine.dispose()
    return built


CHANGING_COUNTS = ("created", "updated", "restored", "linked", "withdrawn")
"""Report counts of a harvest run that change what the dumps hold."""


def refresh_after_harvest(
    settings: Settings, reports: Iterable[HarvestReport | None]
) -> dict[str, int] | None:
    """After harvest runs, rebuild the dump blocks they changed so no download waits for them.

    Does nothing when ``harvest.refresh_dumps`` is off, or when no run (dry runs aside) created,
    updated, restored, linked or withdrew anything. Never raises: a refresh that fails is logged,
    and the next download (or ``catalog dump refresh``) builds the blocks instead. Returns the blocks
    built per format, or ``None`` when nothing was refreshed.
    """
    if not settings.harvest.refresh_dumps:
        return None
    changed = [
        report
        for report in reports
        if report is not None and not report.dry_run and any(report.counts[key] for key in CHANGING_COUNTS)
    ]
    if not changed:
        return None
    started = time.perf_counter()
    try:
        built = refresh_dump_cache(settings)
    except Exception:
        _log.exception("could not refresh the download dumps after a harvest; the next download builds them")
        return None
    _log.info(
        "dump blocks refreshed after the harvest of %s in %.1f s: %s",
        ", ".join(report.source_name for report in changed),
        time.perf_counter() - started,
        built,
    )
    return built
