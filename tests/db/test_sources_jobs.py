from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from catalog.db.repository import (
    JobRecord,
    JobRunning,
    add_job_record,
    add_job_records,
    create_organisation,
    create_source,
    finish_job,
    get_job,
    get_source,
    get_source_by_url,
    list_job_records,
    list_jobs,
    list_municipalities,
    list_sources,
    load_municipalities,
    queue_job,
    start_job,
    update_source,
)
from catalog.exceptions import StoreError

from .conftest import MUNICIPALITIES


def test_municipalities_loaded_with_mergers(session: Session, municipalities: list[dict]) -> None:
    rows = {m.nis: m for m in list_municipalities(session)}
    assert set(rows) == {m["nis"] for m in MUNICIPALITIES}
    assert rows["44011"].merged_into == "44083"
    assert rows["44021"].uri == "https://data.vlaanderen.be/id/gemeente/44021"
    assert {m.nis for m in list_municipalities(session, current_only=True)} == {"44021", "11002", "44083"}


def test_loading_municipalities_again_updates(session: Session, municipalities: list[dict]) -> None:
    load_municipalities(session, [{"nis": "44021", "name": "Stad Gent", "province": "Oost-Vlaanderen"}])
    session.commit()
    gent = {m.nis: m for m in list_municipalities(session)}["44021"]
    assert gent.name == "Stad Gent"
    assert len(list_municipalities(session)) == len(MUNICIPALITIES)


def test_sources_crud(session: Session, municipalities: list[dict]) -> None:
    org = create_organisation(
        session, name="Stad Gent", uri="https://stad.gent/id/organisatie", municipality="44021"
    )
    source = create_source(
        session, name="Gent ODS", kind="opendatasoft", url="https://data.stad.gent", options={"rows": 100},
        municipality="44021", organisation_id=org.id,
    )  # fmt: skip
    create_source(session, name="Antwerpen", kind="arcgis", url="https://portaal.antwerpen.be", active=False)
    session.commit()
    got = get_source(session, id=source.id)
    assert got is not None and got.options == {"rows": 100} and got.municipality_nis == "44021"
    by_url = get_source_by_url(session, url="https://data.stad.gent")
    assert by_url is not None and by_url.id == source.id
    assert get_source_by_url(session, url="https://elders.example") is None
    assert [s.name for s in list_sources(session)] == ["Gent ODS", "Antwerpen"]
    assert [s.name for s in list_sources(session, active=True)] == ["Gent ODS"]
    update_source(session, id=source.id, options={"rows": 50}, active=False)
    session.commit()
    session.expire_all()
    got = get_source(session, id=source.id)
    assert got is not None and got.options == {"rows": 50} and got.active is False
    assert got.created_at.tzinfo is not None


def test_duplicate_source_name_is_refused_and_session_stays_usable(session: Session, source_id: int) -> None:
    with pytest.raises(StoreError):
        create_source(session, name="Gent", kind="dcat", url="https://other.example")
    assert get_source(session, id=source_id) is not None


def test_job_lifecycle_and_report(session: Session, source_id: int) -> None:
    queued = queue_job(session, source_id=source_id)
    job = start_job(session, source_id=source_id, job_id=queued.id)
    assert job.status == "running" and job.started_at is not None
    add_job_record(session, job_id=job.id, remote_id="r1", action="failed", reason="no title")
    add_job_records(
        session, job_id=job.id, records=[JobRecord("r2", "created"), JobRecord("r3", "skipped", "no id")]
    )
    finish_job(session, job_id=job.id, status="partial", stats={"created": 1, "failed": 1, "skipped": 1})
    session.commit()
    done = get_job(session, id=job.id)
    assert done is not None and done.status == "partial" and done.finished_at is not None
    assert done.stats["created"] == 1 and done.stats["withdrawn"] == 0
    assert [r.remote_id for r in list_job_records(session, job_id=job.id)] == ["r1", "r2", "r3"]
    failed = list_job_records(session, job_id=job.id, action="failed")
    assert [(r.remote_id, r.reason) for r in failed] == [("r1", "no title")]
    assert [j.id for j in list_jobs(session, source_id=source_id)] == [job.id]


def test_two_running_jobs_for_one_source_are_refused(session: Session, source_id: int) -> None:
    first = start_job(session, source_id=source_id)
    session.commit()
    with pytest.raises(JobRunning):
        start_job(session, source_id=source_id)
    finish_job(session, job_id=first.id, status="succeeded", stats={})
    session.commit()
    assert start_job(session, source_id=source_id).status == "running"


def test_bad_status_action_and_stats_are_refused(session: Session, source_id: int) -> None:
    job = start_job(session, source_id=source_id)
    with pytest.raises(ValueError):
        finish_job(session, job_id=job.id, status="running", stats={})
    with pytest.raises(ValueError):
        finish_job(session, job_id=job.id, status="failed", stats={"bogus": 1})
    with pytest.raises(ValueError):
        add_job_record(session, job_id=job.id, remote_id="r", action="exploded")
