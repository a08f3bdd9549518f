"""Importing a DCAT feed as one source's harvest, on SQLite and PostgreSQL (schema from Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any as Store

import pytest
from sqlalchemy import func, select

from catalog.db.jobs import list_job_records, list_jobs
from catalog.db.queries import count_datasets, get_dataset_by_uri
from catalog.db.tables import DatasetRow, Source
from catalog.exceptions import FeedError
from catalog.importer import import_feed
from catalog.rdf.parse import FeedReader, ParsedRecord, parse_feed
from catalog.services import export_catalog, import_demo, import_location, upgrade_database
from catalog.settings import Settings

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""


def feed(numbers: range | list[int], *, title: str = "Dataset", extra: str = "") -> str:
    parts = [PREFIXES]
    for n in numbers:
        parts.append(
            f"""<https://data.example.be/dataset/{n}> a dcat:Dataset ;
  dct:identifier "{n}" ; dct:title "{title} {n}"@nl ; dct:description "Beschrijving {n}"@nl ;
  dct:spatial <https://data.vlaanderen.be/id/gemeente/44021> ;
  dct:publisher [ a foaf:Agent ; foaf:name "Stad Gent" ] .
"""
        )
    return "\n".join(parts) + extra


@pytest.fixture
def settings(store: Store) -> Settings:
    s = Settings(
        database={"url": store.url},
        harvest={"batch_size": 4, "withdraw_threshold": 0.2},
        catalog={"base_uri": "https://catalog.example/"},
    )
    upgrade_database(settings=s)
    return s


def _import(tmp_path: Path, text: str, settings: Settings, **kw: object):  # type: ignore[no-untyped-def]
    path = tmp_path / "feed.ttl"
    path.write_text(text, encoding="utf-8")
    return import_location(str(path), settings=settings, **kw)  # type: ignore[arg-type]


def test_created_then_unchanged_then_updated(store: Store, settings: Settings, tmp_path: Path) -> None:
    first = _import(tmp_path, feed(range(10)), settings)
    assert first.counts["created"] == 10 and first.status == "succeeded"
    again = _import(tmp_path, feed(range(10)), settings)
    assert again.counts["unchanged"] == 10 and again.counts["created"] == 0
    changed = _import(tmp_path, feed(range(10), title="Nieuwe titel"), settings)
    assert changed.counts["updated"] == 10
    with store.sessions() as session:
        stored = get_dataset_by_uri(session, uri="https://data.example.be/dataset/3")
        assert stored is not None and stored.title == "Nieuwe titel 3"
        assert stored.municipality == "44021"
        assert session.execute(select(func.count()).select_from(Source)).scalar_one() == 1
        assert [job.status for job in list_jobs(session)] == ["succeeded"] * 3


def test_withdrawal_below_threshold_and_return(store: Store, settings: Settings, tmp_path: Path) -> None:
    _import(tmp_path, feed(range(10)), settings)
    report = _import(tmp_path, feed(range(1, 10)), settings)
    assert report.counts["withdrawn"] == 1
    with store.sessions() as session:
        assert count_datasets(session) == 9
        gone = get_dataset_by_uri(session, uri="https://data.example.be/dataset/0")
        assert gone is not None and gone.withdrawn and gone.withdrawn_reason
    back = _import(tmp_path, feed(range(10)), settings)
    assert back.counts["restored"] == 1 and back.counts["unchanged"] == 9
    with store.sessions() as session:
        assert count_datasets(session) == 10


def test_mass_withdrawal_is_held_until_confirmed(store: Store, settings: Settings, tmp_path: Path) -> None:
    _import(tmp_path, feed(range(10)), settings)
    held = _import(tmp_path, feed(range(5)), settings)
    assert held.status == "partial" and held.held_withdrawals == 5 and held.counts["withdrawn"] == 0
    assert "withdrawal held" in held.summary()
    with store.sessions() as session:
        assert count_datasets(session) == 10
    confirmed = _import(tmp_path, feed(range(5)), settings, confirm_withdrawal=True)
    assert confirmed.counts["withdrawn"] == 5
    with store.sessions() as session:
        assert count_datasets(session) == 5


def test_a_broken_record_fails_alone(store: Store, settings: Settings, tmp_path: Path) -> None:
    broken = """<https://data.example.be/dataset/bad> a dcat:Dataset ; dct:identifier "bad" ;
  dct:title "Kapot"@nl ; dct:issued "vorige dinsdag" ; dcat:temporal [ dcat:startDate "2020-05-01" ;
  dcat:endDate "2019-01-01" ] .
_:anon a dcat:Dataset ; dct:title "Zonder identificatie"@nl .
"""
    report = _import(tmp_path, feed(range(3), extra=broken), settings)
    assert report.counts["created"] >= 3
    assert report.counts["skipped"] == 1  # the blank node without an identifier
    with store.sessions() as session:
        assert count_datasets(session) == report.counts["created"]
        job = list_jobs(session)[0]
        assert job.stats["skipped"] == 1


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://x.example/d"><dct:title>&lol2;</dct:title></rdf:Description>
</rdf:RDF>"""
REMOTE_CONTEXT = b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "https://x.example/d"}'


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("feed.ttl", feed(range(3)).encode() + b"\n<https://x.example/a> dct:title .\n"),
        ("feed.rdf", BOMB),
        ("feed.jsonld", REMOTE_CONTEXT),
        ("feed.ttl", b""),
    ],
    ids=["malformed-turtle", "entity-bomb", "remote-context", "empty"],
)
def test_unreadable_feed_writes_nothing(
    store: Store, settings: Settings, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FeedError):
        import_location(str(path), settings=settings)
    with store.sessions() as session:
        assert count_datasets(session) == 0
        assert session.execute(select(func.count()).select_from(Source)).scalar_one() == 0


class _Crashing(FeedReader):
    """A reader that dies after ``after`` records, like a process killed mid-harvest."""

    def __init__(self, inner: FeedReader, after: int) -> None:
        self.__dict__.update(inner.__dict__)
        self._after = after

    def __iter__(self) -> Iterator[ParsedRecord]:
        for i, record in enumerate(super().__iter__()):
            if i == self._after:
                raise RuntimeError("killed")
            yield record


def test_a_run_cut_off_keeps_what_was_read_and_withdraws_nothing(store: Store, settings: Settings) -> None:
    from catalog.db.engine import session_scope
    from catalog.db.sources import create_source

    with session_scope(store.sessions) as session:
        source_id = create_source(session, name="s", kind="dcat", url="https://data.example.be/feed").id
    full = parse_feed(feed(range(10)).encode(), format="turtle")
    import_feed(store.sessions, source_id=source_id, reader=full, batch_size=4)
    crashing = _Crashing(parse_feed(feed(range(10), title="Nieuw").encode(), format="turtle"), after=6)
    cut = import_feed(store.sessions, source_id=source_id, reader=crashing, batch_size=4)
    assert cut.status == "failed" and cut.counts["withdrawn"] == 0
    with store.sessions() as session:
        assert count_datasets(session) == 10  # nothing withdrawn by the cut-off run
        titles = session.execute(select(DatasetRow.title)).scalars().all()
        # the whole batch of 4, then the 2 records read before the error (whole records, kept)
        assert sum(t.startswith("Nieuw") for t in titles) == 6
        assert list_jobs(session)[0].status == "failed"
        assert "killed" in (list_jobs(session)[0].error or "")
    again = import_feed(
        store.sessions,
        source_id=source_id,
        reader=parse_feed(feed(range(10), title="Nieuw").encode()),
        batch_size=4,
    )
    assert again.status == "succeeded" and again.counts["updated"] == 4 and again.counts["unchanged"] == 6


def test_demo_catalogue_loads_and_exports(store: Store, settings: Settings, tmp_path: Path) -> None:
    report = import_demo(settings)
    assert report.counts["created"] >= 40 and report.status == "succeeded", report.summary()
    assert import_demo(settings).counts["unchanged"] == report.counts["created"]
    out = tmp_path / "export.nt"
    with out.open("wb") as handle:
        count = export_catalog(handle, format="ntriples", settings=settings)
    assert count == report.counts["created"]
    reread = parse_feed(out, format="ntriples")
    assert reread.record_count == count
    assert reread.feed.catalog is not None
    with store.sessions() as session:
        minted = (
            session.execute(select(DatasetRow.uri).where(DatasetRow.uri.like("https://catalog.example/%")))
            .scalars()
            .all()
        )
    exported_subjects = {parsed.subject for parsed in reread}
    assert set(minted) <= exported_subjects  # minted URIs are the ones the export uses


def test_failures_are_in_the_job_log(store: Store, settings: Settings, tmp_path: Path) -> None:
    report = _import(
        tmp_path, feed(range(2), extra='_:x a dcat:Dataset ; dct:title "geen id"@nl .'), settings
    )
    with store.sessions() as session:
        job = list_jobs(session)[0]
        assert job.id == report.job_id
        assert job.stats["created"] == 2
        assert list_job_records(session, job_id=job.id, action="failed") == []
