"""Initial schema: municipalities, organisations, sources, jobs, datasets, source and raw records, facets.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 05:51:25.369185
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('municipalities',
    sa.Column('nis', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('province', sa.String(length=200), nullable=True),
    sa.Column('arrondissement', sa.String(length=200), nullable=True),
    sa.Column('valid_from', sa.Integer(), nullable=True),
    sa.Column('valid_until', sa.Integer(), nullable=True),
    sa.Column('merged_into', sa.String(length=5), nullable=True),
    sa.ForeignKeyConstraint(['merged_into'], ['municipalities.nis'], name=op.f('fk_municipalities_merged_into_municipalities')),
    sa.PrimaryKeyConstraint('nis', name=op.f('pk_municipalities'))
    )
    op.create_table('datasets',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slug', sa.String(length=32), nullable=False),
    sa.Column('uri', sa.String(length=2000), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=True),
    sa.Column('modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('municipality_nis', sa.String(length=5), nullable=True),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('Dataset', 'DataService', 'DatasetSeries')", name=op.f('ck_datasets_kind')),
    sa.ForeignKeyConstraint(['municipality_nis'], ['municipalities.nis'], name=op.f('fk_datasets_municipality_nis_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datasets')),
    sa.UniqueConstraint('slug', name=op.f('uq_datasets_slug')),
    sa.UniqueConstraint('uri', name=op.f('uq_datasets_uri'))
    )
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datasets_modified'), ['modified'], unique=False)
        batch_op.create_index(batch_op.f('ix_datasets_municipality_nis'), ['municipality_nis'], unique=False)
        batch_op.create_index(batch_op.f('ix_datasets_title'), ['title'], unique=False)
        batch_op.create_index(batch_op.f('ix_datasets_updated_at'), ['updated_at'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('uri', sa.String(length=2000), nullable=True),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.Column('homepage', sa.String(length=2000), nullable=True),
    sa.Column('municipality_nis', sa.String(length=5), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_nis'], ['municipalities.nis'], name=op.f('fk_organisations_municipality_nis_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('uri', name=op.f('uq_organisations_uri'))
    )
    op.create_table('dataset_format',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_format_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'value', name=op.f('pk_dataset_format')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('dataset_format', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_format_value_dataset_id'), ['value', 'dataset_id'], unique=False)

    op.create_table('dataset_keyword',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.Column('lang', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_keyword_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'value', 'lang', name=op.f('pk_dataset_keyword')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('dataset_keyword', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_keyword_value_lang_dataset_id'), ['value', 'lang', 'dataset_id'], unique=False)

    op.create_table('dataset_licence',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_licence_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'value', name=op.f('pk_dataset_licence')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('dataset_licence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_licence_value_dataset_id'), ['value', 'dataset_id'], unique=False)

    op.create_table('dataset_municipality',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_municipality_dataset_id_datasets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['value'], ['municipalities.nis'], name=op.f('fk_dataset_municipality_value_municipalities')),
    sa.PrimaryKeyConstraint('dataset_id', 'value', name=op.f('pk_dataset_municipality')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('dataset_municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_municipality_value_dataset_id'), ['value', 'dataset_id'], unique=False)

    op.create_table('dataset_publisher',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.String(length=2000), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_publisher_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'value', name=op.f('pk_dataset_publisher')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('dataset_publisher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_publisher_value_dataset_id'), ['value', 'dataset_id'], unique=False)

    op.create_table('dataset_theme',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_theme_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'value', name=op.f('pk_dataset_theme')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('dataset_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_theme_value_dataset_id'), ['value', 'dataset_id'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('municipality_nis', sa.String(length=5), nullable=True),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('schedule', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_nis'], ['municipalities.nis'], name=op.f('fk_sources_municipality_nis_municipalities')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_sources_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_sources_name'))
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_url'), ['url'], unique=False)

    op.create_table('harvest_jobs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stats', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'partial', 'failed', 'aborted')", name=op.f('ck_harvest_jobs_status')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_harvest_jobs_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_jobs'))
    )
    with op.batch_alter_table('harvest_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_jobs_source_id'), ['source_id'], unique=False)
        batch_op.create_index('uq_harvest_jobs_running_source', ['source_id'], unique=True, sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))

    op.create_table('source_records',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('remote_id', sa.String(length=1000), nullable=False),
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('is_owner', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('raw_hash', sa.String(length=64), nullable=True),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_job_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_source_records_dataset_id_datasets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_job_id'], ['harvest_jobs.id'], name=op.f('fk_source_records_last_job_id_harvest_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_records_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_records')),
    sa.UniqueConstraint('source_id', 'remote_id', name=op.f('uq_source_records_source_id_remote_id'))
    )
    with op.batch_alter_table('source_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_records_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index('uq_source_records_owner', ['dataset_id'], unique=True, sqlite_where=sa.text('is_owner'), postgresql_where=sa.text('is_owner'))

    op.create_table('raw_records',
    sa.Column('source_record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('raw_format', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['source_record_id'], ['source_records.id'], name=op.f('fk_raw_records_source_record_id_source_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_record_id', name=op.f('pk_raw_records'))
    )
    op.create_table('harvest_job_records',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('job_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('remote_id', sa.String(length=1000), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('source_record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.CheckConstraint("action IN ('created', 'updated', 'unchanged', 'restored', 'linked', 'withdrawn', 'failed', 'skipped')", name=op.f('ck_harvest_job_records_action')),
    sa.ForeignKeyConstraint(['job_id'], ['harvest_jobs.id'], name=op.f('fk_harvest_job_records_job_id_harvest_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_record_id'], ['source_records.id'], name=op.f('fk_harvest_job_records_source_record_id_source_records'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_job_records'))
    )
    with op.batch_alter_table('harvest_job_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_job_records_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_harvest_job_records_source_record_id'), ['source_record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('harvest_job_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_job_records_source_record_id'))
        batch_op.drop_index(batch_op.f('ix_harvest_job_records_job_id'))

    op.drop_table('harvest_job_records')
    op.drop_table('raw_records')
    with op.batch_alter_table('source_records', schema=None) as batch_op:
        batch_op.drop_index('uq_source_records_owner', sqlite_where=sa.text('is_owner'), postgresql_where=sa.text('is_owner'))
        batch_op.drop_index(batch_op.f('ix_source_records_dataset_id'))

    op.drop_table('source_records')
    with op.batch_alter_table('harvest_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_harvest_jobs_running_source', sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))
        batch_op.drop_index(batch_op.f('ix_harvest_jobs_source_id'))

    op.drop_table('harvest_jobs')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_url'))

    op.drop_table('sources')
    with op.batch_alter_table('dataset_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_theme_value_dataset_id'))

    op.drop_table('dataset_theme')
    with op.batch_alter_table('dataset_publisher', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_publisher_value_dataset_id'))

    op.drop_table('dataset_publisher')
    with op.batch_alter_table('dataset_municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_municipality_value_dataset_id'))

    op.drop_table('dataset_municipality')
    with op.batch_alter_table('dataset_licence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_licence_value_dataset_id'))

    op.drop_table('dataset_licence')
    with op.batch_alter_table('dataset_keyword', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_keyword_value_lang_dataset_id'))

    op.drop_table('dataset_keyword')
    with op.batch_alter_table('dataset_format', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_format_value_dataset_id'))

    op.drop_table('dataset_format')
    op.drop_table('organisations')
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_datasets_updated_at'))
        batch_op.drop_index(batch_op.f('ix_datasets_title'))
        batch_op.drop_index(batch_op.f('ix_datasets_municipality_nis'))
        batch_op.drop_index(batch_op.f('ix_datasets_modified'))

    op.drop_table('datasets')
    op.drop_table('municipalities')
