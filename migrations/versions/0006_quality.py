"""Metadata quality: each dataset's MQA score and findings, link-check results, per-job quality summary.

``dataset_quality`` holds one row per scored dataset (``catalog.quality.score``): the total and the five
dimension points, the band, the validator's findings (JSON), whether the accessibility points rest on link
checks, and when it was computed. ``link_checks`` caches the answer of each access or download URL (status,
ok, error, when) for ``catalog check-links``. ``harvest_job_quality`` sums up what a harvest job scored:
datasets per band, violations and warnings.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BANDS = ("excellent", "good", "sufficient", "bad")
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")


def upgrade() -> None:
    bands = ", ".join(f"'{band}'" for band in BANDS)
    op.create_table(
        "dataset_quality",
        sa.Column("dataset_id", _ID, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in DIMENSIONS),
        sa.Column("band", sa.String(20), nullable=False),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("findings", _JSON, nullable=False),
        sa.Column("links_checked", sa.Boolean(), nullable=False),
        sa.Column("job_id", _ID, nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"band IN ({bands})", name=op.f("ck_dataset_quality_band")),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_quality_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["harvest_jobs.id"], name=op.f("fk_dataset_quality_job_id_harvest_jobs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_dataset_quality")),
    )  # fmt: skip
    op.create_index(op.f("ix_dataset_quality_score"), "dataset_quality", ["score"])
    op.create_index(op.f("ix_dataset_quality_band"), "dataset_quality", ["band"])
    op.create_table(
        "link_checks",
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_link_checks")),
    )
    op.create_table(
        "harvest_job_quality",
        sa.Column("job_id", _ID, nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        *(sa.Column(band, sa.Integer(), nullable=False) for band in BANDS),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["harvest_jobs.id"], name=op.f("fk_harvest_job_quality_job_id_harvest_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_harvest_job_quality")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("harvest_job_quality")
    op.drop_table("link_checks")
    op.drop_index(op.f("ix_dataset_quality_band"), table_name="dataset_quality")
    op.drop_index(op.f("ix_dataset_quality_score"), table_name="dataset_quality")
    op.drop_table("dataset_quality")
