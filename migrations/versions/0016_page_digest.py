"""The page cache keeps each body's SHA-256 (``harvest_pages.digest``).

On an unchanged re-run every page comes back as 304 Not Modified and is replayed from the cache. The
paging-loop guard and the page memory know a page by the SHA-256 of its body, which was worked out again
for every replayed page: about 20 ms for a 3.8 MB page, half of what a re-run spent on it. The hash of
a body is now kept with it when it is stored. Rows written before have none and are hashed as before,
until their page is fetched in full again.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ALTER on both databases: SQLite's batch mode would copy the table
    op.execute("ALTER TABLE harvest_pages ADD COLUMN digest VARCHAR(64)")


def downgrade() -> None:
    op.execute("ALTER TABLE harvest_pages DROP COLUMN digest")
