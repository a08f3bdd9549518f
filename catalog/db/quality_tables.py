"""Tables of metadata quality (schema by migration ``0006``): scores, link checks, job summaries.

``dataset_quality`` is one row per scored dataset, rewritten whenever the dataset's record is written
(created, updated, restored) or recomputed; ``link_checks`` caches each checked URL's answer;
``harvest_job_quality`` is what one harvest job scored. See ``catalog.quality.store``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db.tables import Base
from catalog.db.types import JsonDocument

__all__ = ["BANDS", "DatasetQuality", "HarvestJobQuality", "LinkCheck"]

BANDS = ("excellent", "good", "sufficient", "bad")
"""The MQA rating bands, best first."""

_Id = BigInteger().with_variant(Integer(), "sqlite")


class DatasetQuality(Base):
    """A dataset's MQA score (total and per dimension), band and validation findings."""

    __tablename__ = "dataset_quality"
    __table_args__ = (CheckConstraint("band IN ('excellent', 'good', 'sufficient', 'bad')", name="band"),)

    dataset_id: Mapped[int] = mapped_column(
        _Id, ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Float, index=True)
    findability: Mapped[float] = mapped_column(Float)
    accessibility: Mapped[float] = mapped_column(Float)
    interoperability: Mapped[float] = mapped_column(Float)
    reusability: Mapped[float] = mapped_column(Float)
    contextuality: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(20), index=True)
    violations: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    findings: Mapped[Any] = mapped_column(JsonDocument)
    """The validator's findings: objects with focus, path, severity, message, message_nl, value, shape."""
    links_checked: Mapped[bool] = mapped_column(Boolean)
    """True when every access and download URL had a link-check result when the score was computed."""
    job_id: Mapped[int | None] = mapped_column(_Id, ForeignKey("harvest_jobs.id", ondelete="SET NULL"))
    computed_at: Mapped[datetime]


class LinkCheck(Base):
    """The last answer of one access or download URL."""

    __tablename__ = "link_checks"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    status: Mapped[int | None] = mapped_column(Integer)
    """The HTTP status of the last answer; None when no answer came (refused, timed out)."""
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime]


class HarvestJobQuality(Base):
    """What a harvest job scored: datasets per band, violations and warnings found."""

    __tablename__ = "harvest_job_quality"

    job_id: Mapped[int] = mapped_column(
        _Id, ForeignKey("harvest_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    scored: Mapped[int] = mapped_column(Integer)
    excellent: Mapped[int] = mapped_column(Integer)
    good: Mapped[int] = mapped_column(Integer)
    sufficient: Mapped[int] = mapped_column(Integer)
    bad: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
