"""Quality in the store, on SQLite and PostgreSQL: scored on import, kept when unchanged, tallied per job,
recomputed after link checks, summed up per source, municipality and province."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, select, update

from catalog.db.quality_tables import DatasetQuality, HarvestJobQuality, LinkCheck
from catalog.db.tables import Base, DatasetRow, Source
from catalog.model import Dataset
from catalog.quality.aggregate import aggregate, common_problems, grouped, score_histogram
from catalog.quality.score import score_record
from catalog.quality.store import recompute, validate_record
from catalog.services import import_location, upgrade_database
from catalog.settings import Settings, get_settings
from tests.quality.quality_support import BARE_URI, RICH_ACCESS, RICH_DOWNLOAD, RICH_URI, write_feed

BASE = "https://files.example.be"


@pytest.fixture(autouse=True)
def _default_quality_settings(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("CATALOG_QUALITY__SCORE_ON_HARVEST", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _settings(store: Any) -> Settings:
    return Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})


def _import(store: Any, tmp_path: Path, **options: str) -> Any:
    path = write_feed(tmp_path, BASE, **options)
    return import_location(str(path), name="quality", municipality="44021", settings=_settings(store))


def _rows(store: Any) -> dict[str, DatasetQuality]:
    with store.sessions() as session:
        query = select(DatasetRow.uri, DatasetQuality).join(
            DatasetQuality, DatasetQuality.dataset_id == DatasetRow.id
        )
        return {uri: quality for uri, quality in session.execute(query)}


def _expected(store: Any, uri: str, links: dict[str, bool] | None = None) -> Any:
    with store.sessions() as session:
        text = session.scalars(select(DatasetRow.record).where(DatasetRow.uri == uri)).one()
    record = Dataset.model_validate_json(text)
    return score_record(record, findings=validate_record(record), links=links or {})


def test_import_scores_every_written_record_and_tallies_the_job(store: Any, tmp_path: Path) -> None:
    upgrade_database(settings=_settings(store))
    report = _import(store, tmp_path)
    assert report.counts["created"] == 2
    rows = _rows(store)
    assert set(rows) == {RICH_URI, BARE_URI}
    rich, bare = rows[RICH_URI], rows[BARE_URI]
    expected = _expected(store, RICH_URI)
    assert rich.score == expected.total
    assert {d: getattr(rich, d) for d in expected.dimensions} == expected.dimensions
    # everything but the two "answers" criteria (80 points) and perhaps compliance (30)
    assert 295 <= rich.score <= 325 and rich.band == "good"
    assert not rich.links_checked  # its URLs were never checked: the score says so
    assert bare.band == "bad" and bare.score <= 30
    assert bare.links_checked  # no distribution, nothing to check
    assert isinstance(rich.findings, list) and rich.job_id == report.job_id
    with store.sessions() as session:
        tally = session.get(HarvestJobQuality, report.job_id)
        assert tally is not None
        assert (tally.scored, tally.good, tally.bad, tally.excellent, tally.sufficient) == (2, 1, 1, 0, 0)
        assert tally.violations == rich.violations + bare.violations


def test_unchanged_records_keep_their_score_and_changed_ones_are_scored_again(
    store: Any, tmp_path: Path
) -> None:
    upgrade_database(settings=_settings(store))
    _import(store, tmp_path)
    first = {uri: (q.computed_at, q.job_id) for uri, q in _rows(store).items()}
    again = _import(store, tmp_path)
    assert again.counts["unchanged"] == 2
    assert {uri: (q.computed_at, q.job_id) for uri, q in _rows(store).items()} == first
    with store.sessions() as session:
        assert session.get(HarvestJobQuality, again.job_id) is None  # nothing scored by that run
    changed = _import(store, tmp_path, rich_title="Fietstellingen per uur")
    assert changed.counts["updated"] == 1
    rows = _rows(store)
    assert rows[RICH_URI].job_id == changed.job_id and rows[RICH_URI].computed_at > first[RICH_URI][0]
    assert (rows[BARE_URI].computed_at, rows[BARE_URI].job_id) == first[BARE_URI]


def test_scoring_can_be_switched_off(store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_QUALITY__SCORE_ON_HARVEST", "false")
    get_settings.cache_clear()
    upgrade_database(settings=_settings(store))
    assert _import(store, tmp_path).counts["created"] == 2
    assert _rows(store) == {}
    tally = recompute(store.sessions)
    assert tally.scored == 2 and tally.bands["good"] == 1 and tally.bands["bad"] == 1
    assert set(_rows(store)) == {RICH_URI, BARE_URI}


def test_recompute_takes_the_link_checks_into_account(store: Any, tmp_path: Path) -> None:
    upgrade_database(settings=_settings(store))
    _import(store, tmp_path)
    before = _rows(store)[RICH_URI].score
    links = {BASE + RICH_ACCESS: True, BASE + RICH_DOWNLOAD: True}
    now = datetime.now(UTC)
    with store.sessions() as session:
        session.add_all(LinkCheck(url=u, status=200, ok=ok, checked_at=now) for u, ok in links.items())
        session.commit()
    assert recompute(store.sessions).scored == 2
    rich = _rows(store)[RICH_URI]
    assert rich.score == before + 80 == _expected(store, RICH_URI, links).total
    assert rich.links_checked and rich.accessibility == 100
    with store.sessions() as session:  # a dead download link loses its 30 points
        session.execute(
            update(LinkCheck).where(LinkCheck.url == BASE + RICH_DOWNLOAD).values(ok=False, status=404)
        )
        session.commit()
        pk = session.scalars(select(DatasetRow.id).where(DatasetRow.uri == RICH_URI)).one()
    assert recompute(store.sessions, dataset_ids=[pk]).scored == 1
    assert _rows(store)[RICH_URI].accessibility == 70


def test_aggregates_per_source_municipality_province_and_publisher(store: Any, tmp_path: Path) -> None:
    upgrade_database(settings=_settings(store))
    _import(store, tmp_path)
    rows = _rows(store)
    average = round((rows[RICH_URI].score + rows[BARE_URI].score) / 2, 1)
    with store.sessions() as session:
        source_id = session.scalars(select(Source.id).where(Source.name == "quality")).one()
        overall = aggregate(session)
        assert overall.datasets == 2 and overall.average == average
        assert overall.bands == {"excellent": 0, "good": 1, "sufficient": 0, "bad": 1}
        assert aggregate(session, source_id=source_id) == overall
        assert aggregate(session, municipality="44021") == overall  # Gent, given on import
        assert aggregate(session, province="Oost-Vlaanderen") == overall
        assert aggregate(session, municipality="11002").datasets == 0  # Antwerp: nothing
        assert aggregate(session, source_id=source_id + 1).average is None
        provinces = grouped(session, "province")
        assert [(g.key, g.datasets, g.average) for g in provinces] == [("Oost-Vlaanderen", 2, average)]
        sources = grouped(session, "source")
        assert [(g.key, g.label, g.datasets) for g in sources] == [(str(source_id), "quality", 2)]
        publishers = grouped(session, "publisher")
        assert [(g.label, g.datasets) for g in publishers] == [("Stad Gent", 1)]
        assert [g.key for g in grouped(session, "municipality")] == ["44021"]
        histogram = dict(score_histogram(session))
        assert sum(histogram.values()) == 2 and histogram[0] == 1
        problems = common_problems(session)
        assert all(p.datasets >= 1 for p in problems)
        # a withdrawn dataset leaves the aggregates
        session.execute(
            update(DatasetRow).where(DatasetRow.uri == BARE_URI).values(withdrawn_at=datetime.now(UTC))
        )
        assert aggregate(session).datasets == 1
        session.rollback()


def test_quality_rows_go_with_their_dataset(store: Any, tmp_path: Path) -> None:
    upgrade_database(settings=_settings(store))
    _import(store, tmp_path)
    with store.sessions() as session:
        session.execute(delete(DatasetRow).where(DatasetRow.uri == BARE_URI))
        session.commit()
    assert set(_rows(store)) == {RICH_URI}


def test_the_quality_models_match_migration_0006(empty_db_url: str) -> None:
    from catalog.db.engine import make_engine
    from catalog.db.migrate import upgrade

    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    ours = {"dataset_quality", "link_checks", "harvest_job_quality"}
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    def table_of(entry: Any) -> str | None:
        item = entry[0] if isinstance(entry, list) else entry
        for part in item[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(getattr(part, "table", None), "name", None)
            if table in ours or name in ours:
                return table or name
        return None

    assert [d for d in diff if table_of(d) is not None] == []


def test_the_harvest_report_sums_up_what_scoring_found(store: Any, tmp_path: Path) -> None:
    upgrade_database(settings=_settings(store))
    report = _import(store, tmp_path)
    assert report.quality["scored"] == 2 and report.quality["good"] == 1 and report.quality["bad"] == 1
    assert "quality: scored 2 (excellent 0, good 1, sufficient 0, bad 1);" in report.summary()
    assert _import(store, tmp_path).quality["scored"] == 0  # nothing written, nothing scored


def test_score_written_follows_the_settings_it_is_given(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.orm import Session

    from catalog.quality.store import score_written

    on, off = _settings(store), _settings(store).model_copy(deep=True)
    off.quality.score_on_harvest = False
    monkeypatch.setenv("CATALOG_QUALITY__SCORE_ON_HARVEST", "false")
    get_settings.cache_clear()
    with Session() as session:
        assert score_written(session, [], job_id=None) is None  # the process's settings: off
        assert score_written(session, [], job_id=None, settings=off) is None
        tally = score_written(session, [], job_id=None, settings=on)
        assert tally is not None and tally.scored == 0
