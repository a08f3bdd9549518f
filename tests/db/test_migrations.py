from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

import catalog.db.auth_tables
import catalog.db.quality_tables
import catalog.db.web_sessions  # noqa: F401  (the models of every table, for the comparison below)
from catalog.db import migrate
from catalog.db.engine import make_engine
from catalog.db.tables import Base

TABLES = {
    "municipalities",
    "organisations",
    "sources",
    "harvest_jobs",
    "harvest_job_records",
    "harvest_pages",
    "datasets",
    "source_records",
    "raw_records",
    "dataset_theme",
    "dataset_format",
    "dataset_licence",
    "dataset_keyword",
    "dataset_municipality",
    "dataset_publisher",
    "dataset_language",
    "dataset_access_rights",
    "api_tokens",
    "audit_log",
    "dataset_quality",
    "link_checks",
    "harvest_job_quality",
    "web_sessions",
}
QUEUE_TABLES = {
    "procrastinate_jobs",
    "procrastinate_workers",
    "procrastinate_periodic_defers",
    "procrastinate_events",
}
"""The harvest workers' queue (migration 0008, PostgreSQL only): procrastinate's schema, not our models."""


def _expected(url: str) -> set[str]:
    return TABLES | QUEUE_TABLES if url.startswith("postgresql") else TABLES


SEARCH_INDEX = "dataset_search"
"""The SQLite FTS5 index (virtual table and shadow tables), made by migration 0003 outside the models."""


def _is_search_index(name: str) -> bool:
    """The FTS5 tables, and the SQLite-only covering indexes ``ix_datasets_search_*`` (migration 0003)."""
    return name == SEARCH_INDEX or name.startswith(
        (SEARCH_INDEX + "_", "ix_datasets_search_", "ix_dataset_search_")
    )


BY_BACKEND = {"ix_datasets_title", "ix_datasets_modified"}
"""Indexes whose shape differs by database (migration 0014: PostgreSQL only), so the models leave them out."""


def _outside_models(name: str) -> bool:
    """Made by migrations, described by no model: the SQLite search index, the workers' queue, the
    indexes that differ by database."""
    return _is_search_index(name) or "procrastinate_" in name or name in BY_BACKEND


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if not _is_search_index(name)}
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_at_head(empty_db_url: str) -> None:
    assert migrate.current_revision(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) == _expected(empty_db_url)
    assert migrate.current_revision(empty_db_url) == migrate.head_revision()


def test_downgrade_to_base_then_upgrade_again(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    migrate.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == set()
    assert migrate.current_revision(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) == _expected(empty_db_url)


def _name(diff: tuple[object, ...]) -> str:
    return str(getattr(diff[1], "name", ""))


def test_migrations_match_the_models(empty_db_url: str) -> None:
    """The models and the migrations describe the same schema (no autogenerate diff)."""
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
            outside = {"remove_table", "remove_index"}  # made by migration 0003, not described by the models
            assert [d for d in diff if not (d[0] in outside and _outside_models(_name(d)))] == []
    finally:
        engine.dispose()


def test_sqlite_file_directory_is_created_and_pragmas_set(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'catalog.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        engine.dispose()


def test_the_search_index_is_made_again_with_the_three_letter_prefix_index_only(tmp_path) -> None:
    """Migration 0010 on a store with datasets: the live ones are found again (by word and by a
    three-letter prefix), a withdrawn one is not, and the index keeps no two-letter prefix index."""
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    migrate.upgrade(url, "0009")
    engine = make_engine(url)
    columns = "slug, uri, kind, record, content_hash, title, first_seen, last_seen, updated_at"
    now = "'2026-01-01 00:00:00'"
    try:
        with engine.begin() as connection:
            for n, withdrawn in ((1, None), (2, None), (3, now)):
                connection.exec_driver_sql(
                    f"INSERT INTO datasets ({columns}, search_title, withdrawn_at) VALUES ('s{n}', "
                    f"'https://d.example/{n}', 'Dataset', '{{}}', 'h{n}', 'Fietspaden {n}', {now}, {now}, "
                    f"{now}, 'fietspaden gent', {withdrawn or 'NULL'})"
                )
        migrate.upgrade(url)
        with engine.connect() as connection:
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'dataset_search'"
            ).scalar_one()
            assert "prefix='3'" in sql
            found = connection.exec_driver_sql(
                "SELECT rowid FROM dataset_search WHERE dataset_search MATCH 'fie*' ORDER BY rowid"
            ).scalars()
            assert list(found) == [1, 2]
            word = "SELECT count(*) FROM dataset_search WHERE dataset_search MATCH 'gent'"
            assert connection.exec_driver_sql(word).scalar_one() == 2
        migrate.downgrade(url, "0009")
        with engine.connect() as connection:
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'dataset_search'"
            ).scalar_one()
            assert "prefix='2 3'" in sql
            assert connection.exec_driver_sql(word).scalar_one() == 2
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "empty_db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_postgresql_documents_move_out_of_line_and_carry_marked_titles_and_keywords(
    empty_db_url: str,
) -> None:
    """Migration 0011 on a store with datasets: every live dataset's document is made again with its
    title and keyword lexemes marked (``T:``, ``K:``) and stored out of line, as are the documents the
    triggers write afterwards (a new dataset, a changed title); a withdrawn dataset has none; the unmarked
    words are found as before; downgrade takes the marks away, keeps the words, and the rows in line."""
    migrate.upgrade(empty_db_url, "0010")
    engine = make_engine(empty_db_url)
    columns = "slug, uri, kind, record, content_hash, title, first_seen, last_seen, updated_at"
    now = "'2026-01-01 00:00:00'"
    marked = "SELECT dataset_id FROM dataset_search WHERE document @@ CAST(:q AS tsquery) ORDER BY dataset_id"

    def add(connection: Any, n: int, withdrawn: str | None = None) -> None:
        connection.exec_driver_sql(
            f"INSERT INTO datasets (id, {columns}, search_title, search_keywords, search_text, withdrawn_at) "
            f"VALUES ({n}, 's{n}', 'https://d.example/{n}', 'Dataset', '{{\"language\": []}}', 'h{n}', "
            f"'Fietspaden {n}', {now}, {now}, {now}, 'fietspaden gent', 'mobiliteit', "
            f"'over parkeren in {n}', {withdrawn or 'NULL'})"
        )

    def out_of_line(connection: Any) -> int:
        """How many documents the table's TOAST relation holds (each fits one chunk)."""
        toast = connection.exec_driver_sql(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'dataset_search'::regclass"
        ).scalar_one()
        return int(connection.exec_driver_sql(f"SELECT count(DISTINCT chunk_id) FROM {toast}").scalar_one())

    def ids(connection: Any, q: str) -> list[int]:
        return list(connection.execute(text(marked), {"q": q}).scalars())

    try:
        with engine.begin() as connection:
            for n, withdrawn in ((1, None), (2, None), (3, now)):
                add(connection, n, withdrawn)
            assert out_of_line(connection) == 0
        migrate.upgrade(empty_db_url, "0011")
        with engine.begin() as connection:
            queries = (
                "'T:fietspaden'", "'T:fiets':*", "'K:mobiliteit'", "'T:mobiliteit'", "'K:parkeren'",
                "parkeren", "fietspaden",
            )  # fmt: skip
            assert {q: ids(connection, q) for q in queries} == {
                "'T:fietspaden'": [1, 2],
                "'T:fiets':*": [1, 2],
                "'K:mobiliteit'": [1, 2],
                "'T:mobiliteit'": [],
                "'K:parkeren'": [],
                "parkeren": [1, 2],
                "fietspaden": [1, 2],
            }
            assert out_of_line(connection) == 2
            add(connection, 4)
            connection.exec_driver_sql("UPDATE datasets SET search_title = 'bomen' WHERE id = 1")
        with engine.connect() as connection:
            assert (ids(connection, "'T:bomen'"), ids(connection, "'T:fietspaden'")) == ([1], [2, 4])
            assert out_of_line(connection) == 3
        migrate.downgrade(empty_db_url, "0010")
        with engine.connect() as connection:
            assert ids(connection, "'T:bomen'") == []
            assert (ids(connection, "bomen"), ids(connection, "fietspaden")) == ([1], [2, 4])
            assert out_of_line(connection) == 0
    finally:
        engine.dispose()


def test_a_datasets_last_seen_comes_from_its_source_records(empty_db_url: str) -> None:
    """Migration 0012 drops ``datasets.last_seen``; what the store says of a dataset is the newest
    ``last_seen`` of its source records (its first sighting when it has none), and downgrade puts the
    column back with that value."""
    from catalog.db.queries import get_dataset
    from catalog.db.sources import create_source

    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    columns = "slug, uri, kind, record, content_hash, title, first_seen, updated_at"
    try:
        with Session(engine) as session:
            source_id = create_source(session, name="a", kind="dcat", url="https://a.example/").id
            session.commit()
        with engine.begin() as connection:
            for n in (1, 2):
                connection.exec_driver_sql(
                    f"INSERT INTO datasets (id, {columns}) VALUES ({n}, 's{n}', 'https://d.example/{n}', "
                    f"'Dataset', '{{}}', 'h{n}', 't', '2026-01-0{n} 00:00:00', '2026-01-01 00:00:00')"
                )
            for remote, seen in (("r1", "2026-02-01 00:00:00"), ("r2", "2026-03-01 00:00:00")):
                connection.exec_driver_sql(
                    "INSERT INTO source_records (source_id, remote_id, dataset_id, is_owner, first_seen, "
                    f"last_seen) VALUES ({source_id}, '{remote}', 1, {remote == 'r1'}, "
                    f"'2026-01-01 00:00:00', '{seen}')"
                )
        with Session(engine) as session:
            one, two = get_dataset(session, id="s1"), get_dataset(session, id="s2")
            assert one is not None and two is not None
            assert one.last_seen == datetime(2026, 3, 1, tzinfo=UTC)
            assert two.last_seen == two.first_seen == datetime(2026, 1, 2, tzinfo=UTC)
        migrate.downgrade(empty_db_url, "0011")
        with engine.connect() as connection:
            seen = connection.exec_driver_sql("SELECT id, last_seen FROM datasets ORDER BY id").all()
            assert [(n, str(value)[:10]) for n, value in seen] == [(1, "2026-03-01"), (2, "2026-01-02")]
    finally:
        engine.dispose()


_RAW_ROWS = "SELECT remote_id, raw, compression FROM raw_records JOIN source_records ON id = source_record_id"


def _old_raw_row(engine: Any, raw: bytes, compression: str | None) -> int:
    """A source with one dataset (remote id ``r1``) whose raw payload was stored by an earlier version,
    written in SQL as that version's schema has it; the source's id."""
    from catalog.db.sources import create_source

    with Session(engine) as session:
        source_id = create_source(session, name="a", kind="dcat", url="https://a.example/").id
        session.commit()
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO datasets (id, slug, uri, kind, record, content_hash, title, first_seen, "
            "updated_at) VALUES (100, 's1', 'https://d.example/1', 'Dataset', '{}', 'h', 't', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO source_records (id, source_id, remote_id, dataset_id, is_owner, first_seen, "
            f"last_seen) VALUES (100, {source_id}, 'r1', 100, true, '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00')"
        )
        if compression is None:  # the schema before migration 0013 has no compression column
            insert = "INSERT INTO raw_records (source_record_id, raw, raw_format) VALUES (100, :raw, 'x')"
        else:
            insert = (
                "INSERT INTO raw_records (source_record_id, raw, raw_format, compression) "
                f"VALUES (100, :raw, 'x', '{compression}')"
            )
        connection.execute(text(insert), {"raw": raw})
    return source_id


def _store_and_read_raw(engine: Any, source_id: int, payload: bytes) -> dict[str, bytes]:
    """Store a second dataset (``r2``) with ``payload`` as the store does now; every payload read back."""
    from catalog.db.queries import iter_raw_records
    from catalog.db.upsert import UpsertItem, upsert_records
    from tests.db.conftest import make_dataset

    with Session(engine) as session:
        item = UpsertItem("r2", make_dataset(2), payload, "application/n-triples")
        upsert_records(session, source_id=source_id, items=[item], base_uri="https://cat.example")
        session.commit()
        return {p.remote_id: p.raw for p in iter_raw_records(session, source_id=source_id)}


def _stored_raw(engine: Any) -> dict[str, tuple[bytes, str | None]]:
    """Each remote id's payload as stored, and its ``compression``."""
    with engine.connect() as connection:
        return {remote: (bytes(raw), how) for remote, raw, how in connection.execute(text(_RAW_ROWS))}


def test_raw_payloads_are_compressed_and_older_ones_still_read(empty_db_url: str) -> None:
    """Migration 0013 adds ``raw_records.compression``: a payload stored before it (as given) reads back
    unchanged, one the store writes now is compressed, and downgrade stores both as given again."""
    migrate.upgrade(empty_db_url, "0012")
    engine = make_engine(empty_db_url)
    before = b'<https://d.example/1> <http://purl.org/dc/terms/title> "Bomen" .\n'
    line = b'<https://d.example/2> <http://purl.org/dc/terms/title> "T%d" .\n'
    now = b"".join(line % n for n in range(200))
    try:
        source_id = _old_raw_row(engine, before, None)
        migrate.upgrade(empty_db_url)
        assert _store_and_read_raw(engine, source_id, now) == {"r1": before, "r2": now}
        stored = _stored_raw(engine)
        assert stored["r1"] == (before, None)
        assert stored["r2"][1] == "zstd" and len(stored["r2"][0]) < len(now) / 4
        migrate.downgrade(empty_db_url, "0012")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT raw FROM raw_records").all()
            assert sorted(bytes(raw) for (raw,) in rows) == [before, now]
            assert "compression" not in {c["name"] for c in inspect(connection).get_columns("raw_records")}
    finally:
        engine.dispose()


def test_zlib_payloads_still_read_after_zstd_and_downgrade_recompresses(empty_db_url: str) -> None:
    """Migration 0015: payloads stored as zlib (migrations 0013-0014) read back unchanged beside the zstd
    ones the store writes now; downgrade turns the zstd ones into zlib, which the older code reads."""
    migrate.upgrade(empty_db_url, "0014")
    engine = make_engine(empty_db_url)
    line = b'<https://d.example/%d> <http://purl.org/dc/terms/title> "Titel %d" .\n'
    old, new = (b"".join(line % (k, n) for n in range(150)) for k in (1, 2))
    try:
        source_id = _old_raw_row(engine, zlib.compress(old, 1, 13), "zlib")
        migrate.upgrade(empty_db_url)
        assert _store_and_read_raw(engine, source_id, new) == {"r1": old, "r2": new}
        stored = _stored_raw(engine)
        assert stored["r1"][1] == "zlib"
        assert stored["r2"][1] == "zstd" and len(stored["r2"][0]) < len(new) / 4
        migrate.downgrade(empty_db_url, "0014")
        stored = _stored_raw(engine)
        assert {remote: how for remote, (_, how) in stored.items()} == {"r1": "zlib", "r2": "zlib"}
        assert {remote: zlib.decompress(raw) for remote, (raw, _) in stored.items()} == {"r1": old, "r2": new}
    finally:
        engine.dispose()


def test_live_titles_and_dates_are_read_from_one_index_each(empty_db_url: str) -> None:
    """Migration 0014: SQLite keeps one index per order, the covering ``(withdrawn_at, ...)`` one, and
    reads the live datasets' titles and dates (the search index, ``modified_since``) from it without
    touching the rows; PostgreSQL keeps its plain indexes."""
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            names = {index["name"] for index in inspect(connection).get_indexes("datasets")}
            if engine.dialect.name == "postgresql":
                assert {"ix_datasets_title", "ix_datasets_modified"} <= names
                return
            assert not names & {"ix_datasets_title", "ix_datasets_modified"}
            queries = {
                "ix_datasets_search_live_title": "SELECT id, title FROM datasets WHERE withdrawn_at IS NULL",
                "ix_datasets_search_live_modified": "SELECT id, modified FROM datasets "
                "WHERE withdrawn_at IS NULL AND modified >= '2026-01-01'",
            }
            for index, query in queries.items():
                plan = " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
                assert f"USING COVERING INDEX {index}" in plan, plan
        migrate.downgrade(empty_db_url, "0013")
        with engine.connect() as connection:
            names = {index["name"] for index in inspect(connection).get_indexes("datasets")}
            assert {"ix_datasets_title", "ix_datasets_modified"} <= names
    finally:
        engine.dispose()
