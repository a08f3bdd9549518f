"""The metadata store's tables: SQLAlchemy 2 typed models on one ``DeclarativeBase``.

The schema is made only by the Alembic migrations in ``migrations/``; these models describe it.

Identity: a harvested record is keyed by (source, remote id) in ``source_records``; each such row points
to one ``datasets`` row, keyed by its public URI. The same URI reached from two sources is one dataset
with two source records. Exactly one source record *owns* a dataset (``is_owner``): the owner's record is
the canonical one kept in ``datasets.record``; the other copies are linked (their raw content and hash
are kept), never written over it. See ``catalog.db.upsert`` for the rules.

Facet tables (``dataset_theme`` ...) are narrow ``(dataset_id, value)`` tables that hold rows only for
datasets that are not withdrawn, so facet counts are a ``GROUP BY value`` on one small table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from catalog.db.types import JsonDocument, UtcDateTime

__all__ = [
    "DATASET_KINDS",
    "JOB_RECORD_ACTIONS",
    "JOB_STATUSES",
    "Base",
    "DatasetAccessRights",
    "DatasetFormat",
    "DatasetKeyword",
    "DatasetLanguage",
    "DatasetLicence",
    "DatasetMunicipality",
    "DatasetPublisher",
    "DatasetRow",
    "DatasetTheme",
    "HarvestJob",
    "HarvestJobRecord",
    "HarvestPage",
    "Municipality",
    "Organisation",
    "RawRecord",
    "Source",
    "SourceRecord",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DATASET_KINDS = ("Dataset", "DataService", "DatasetSeries")
JOB_STATUSES = ("queued", "running", "succeeded", "partial", "failed", "aborted")
JOB_RECORD_ACTIONS = (
    "created",
    "updated",
    "unchanged",
    "restored",
    "linked",
    "withdrawn",
    "failed",
    "skipped",
)

_Id = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit keys on PostgreSQL; SQLite wants exactly INTEGER for its rowid alias."""


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JsonDocument}


class Municipality(Base):
    """A Flemish municipality by NIS code; merged ones keep their row with ``merged_into`` set."""

    __tablename__ = "municipalities"

    nis: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(200))
    arrondissement: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[int | None] = mapped_column(Integer)
    """First year the municipality exists in this form (None: before the records begin)."""
    valid_until: Mapped[int | None] = mapped_column(Integer)
    """Last year it existed (None: it still exists)."""
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("municipalities.nis"))

    @property
    def uri(self) -> str:
        return f"https://data.vlaanderen.be/id/gemeente/{self.nis}"


class Organisation(Base):
    """A publisher or steward organisation (a city, an intermunicipal body, an agency)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    uri: Mapped[str | None] = mapped_column(String(2000), unique=True)
    email: Mapped[str | None] = mapped_column(String(300))
    homepage: Mapped[str | None] = mapped_column(String(2000))
    municipality_nis: Mapped[str | None] = mapped_column(ForeignKey("municipalities.nis"))
    created_at: Mapped[datetime]


class Source(Base):
    """A portal the catalogue harvests: its kind (harvester plugin name), URL and options."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(String(2000), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    municipality_nis: Mapped[str | None] = mapped_column(ForeignKey("municipalities.nis"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    schedule: Mapped[str | None] = mapped_column(String(100))
    """When to harvest (a cron expression); None: with the nightly run."""
    state: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    """What the source's harvester keeps between runs (e.g. an incremental high-water mark)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HarvestJob(Base):
    """One harvest run of one source; at most one job per source is running at a time."""

    __tablename__ = "harvest_jobs"
    __table_args__ = (
        CheckConstraint(_in("status", JOB_STATUSES), name="status"),
        Index(
            "uq_harvest_jobs_running_source",
            "source_id",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Counts: created, updated, unchanged, restored, linked, withdrawn, failed, skipped."""
    error: Mapped[str | None] = mapped_column(Text)
    heartbeat_at: Mapped[datetime | None]
    """Renewed while the job runs; a running job whose heartbeat stopped was killed and can be taken over."""
    abort_requested_at: Mapped[datetime | None]
    """Set when someone asks a running job to stop; the run notices at its next heartbeat (``aborted``)."""
    held_withdrawals: Mapped[int | None] = mapped_column(Integer)
    """Records a complete run did not withdraw because they were more than the allowed share."""


class SourceRecord(Base):
    """A record as one source gives it, keyed by (source, remote id), linked to its dataset."""

    __tablename__ = "source_records"
    __table_args__ = (
        UniqueConstraint("source_id", "remote_id"),
        Index(
            "uq_source_records_owner",
            "dataset_id",
            unique=True,
            sqlite_where=text("is_owner"),
            postgresql_where=text("is_owner"),
        ),
    )

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    remote_id: Mapped[str] = mapped_column(String(1000))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    is_owner: Mapped[bool] = mapped_column(Boolean)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the normalised record; None forces the next harvest to rewrite it."""
    raw_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the raw payload (kept in ``raw_records``), to notice a changed payload without reading it."""
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    last_job_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_jobs.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class RawRecord(Base):
    """The raw harvested payload of a source record, kept so records can be re-normalised.

    A table of its own so that touching a source record (``last_seen``) never rewrites the payload.
    """

    __tablename__ = "raw_records"

    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    """The payload, compressed as ``compression`` says (``catalog.db.types.pack_raw`` / ``unpack_raw``)."""
    raw_format: Mapped[str | None] = mapped_column(String(100))
    """Media type of the payload (``application/rdf+xml``, ``application/json`` ...)."""
    compression: Mapped[str | None] = mapped_column(String(10))
    """``zstd`` (what the store writes, migration 0015), ``zlib`` (migrations 0013-0014), or None for a
    payload stored as given."""


class HarvestJobRecord(Base):
    """What a job did with one remote record (and why, when it failed or was skipped)."""

    __tablename__ = "harvest_job_records"
    __table_args__ = (CheckConstraint(_in("action", JOB_RECORD_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("harvest_jobs.id", ondelete="CASCADE"), index=True)
    remote_id: Mapped[str | None] = mapped_column(String(1000))
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    source_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_records.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(2000))
    """Where the original record can be seen (a page or API URL)."""


class HarvestPage(Base):
    """The last response for one URL of a source, for conditional GET (ETag, Last-Modified).

    ``content`` is the body compressed with zstd (zlib in rows of earlier versions), replayed when the
    server answers 304 Not Modified.
    """

    __tablename__ = "harvest_pages"
    __table_args__ = (PrimaryKeyConstraint("source_id", "url"),)

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    etag: Mapped[str | None] = mapped_column(String(1000))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_type: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the body (hex); None in rows written before migration 0016."""
    fetched_at: Mapped[datetime]
    produced: Mapped[bytes | None] = mapped_column(LargeBinary)
    """What the page produced when last read in full (zlib-compressed JSON: body hash, options fingerprint,
    next link, remote ids), so an unchanged page need not be parsed again; see
    ``catalog.harvest.pagememory``."""


class DatasetRow(Base):
    """A catalogued resource (dcat:Dataset, dcat:DataService or dcat:DatasetSeries) by public URI."""

    __tablename__ = "datasets"
    __table_args__ = (CheckConstraint(_in("kind", DATASET_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(_Id, primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    """The public id, short and stable (derived from the URI or from source URL + remote id)."""
    uri: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    record: Mapped[str] = mapped_column(Text)
    """The canonical record as JSON (``model_dump_json`` of the owner's record, ``None`` values left out)."""
    content_hash: Mapped[str] = mapped_column(String(64))
    # indexed by migrations: on PostgreSQL one index each, on SQLite (withdrawn_at, ...) (0003, 0014)
    title: Mapped[str | None] = mapped_column(String(1000))
    modified: Mapped[datetime | None]
    municipality_nis: Mapped[str | None] = mapped_column(ForeignKey("municipalities.nis"), index=True)
    first_seen: Mapped[datetime]
    # when a harvest last saw it is its source records' newest ``last_seen`` (migration 0012)
    updated_at: Mapped[datetime] = mapped_column(index=True)
    """When the canonical record last changed (created, updated, restored or withdrawn)."""
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    search_title: Mapped[str | None] = mapped_column(Text)
    """Searchable text, folded (see ``catalog.search.text``): the titles, preferred language first."""
    search_keywords: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str | None] = mapped_column(Text)
    """The descriptions."""
    search_stems: Mapped[str | None] = mapped_column(Text)
    """The light stems of every word of the three columns above."""


def _facet_args(*value_columns: str) -> tuple[Any, ...]:
    """Key (dataset_id, value...) to rewrite one dataset's rows; index (value..., dataset_id) for counts."""
    return (
        PrimaryKeyConstraint("dataset_id", *value_columns),
        Index(None, *value_columns, "dataset_id"),
        {"sqlite_with_rowid": False},  # the primary key is the table: one B-tree fewer per row
    )


def _facet_dataset_id() -> Mapped[int]:
    return mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))


class DatasetTheme(Base):
    """A theme IRI of a dataset (EU data-theme)."""

    __tablename__ = "dataset_theme"
    __table_args__ = _facet_args("value")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(String(500))


class DatasetFormat(Base):
    """A distribution format IRI of a dataset (EU file-type, else the IANA media type)."""

    __tablename__ = "dataset_format"
    __table_args__ = _facet_args("value")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(String(500))


class DatasetLicence(Base):
    """A licence IRI of a dataset or of one of its distributions."""

    __tablename__ = "dataset_licence"
    __table_args__ = _facet_args("value")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(String(500))


class DatasetKeyword(Base):
    """A keyword of a dataset with its language tag ("" when untagged)."""

    __tablename__ = "dataset_keyword"
    __table_args__ = _facet_args("value", "lang")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(String(500))
    lang: Mapped[str] = mapped_column(String(20))


class DatasetMunicipality(Base):
    """The municipality (NIS code) a dataset belongs to."""

    __tablename__ = "dataset_municipality"
    __table_args__ = _facet_args("value")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(ForeignKey("municipalities.nis"))


class DatasetPublisher(Base):
    """A dataset's publisher: its URI, else ``name:`` + its name in lower case; with a display label."""

    __tablename__ = "dataset_publisher"
    __table_args__ = _facet_args("value")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str | None] = mapped_column(String(500))


class DatasetLanguage(Base):
    """A language IRI of a dataset (EU language authority table)."""

    __tablename__ = "dataset_language"
    __table_args__ = _facet_args("value")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(String(500))


class DatasetAccessRights(Base):
    """The access rights IRI of a dataset (EU access-right: PUBLIC, RESTRICTED, NON_PUBLIC)."""

    __tablename__ = "dataset_access_rights"
    __table_args__ = _facet_args("value")
    dataset_id: Mapped[int] = _facet_dataset_id()
    value: Mapped[str] = mapped_column(String(500))
