"""A covering index for the search snapshot (SQLite).

catalog.search loads the facet and sort columns of every course into memory whenever
the catalog changes. Read from the table, SQLite steps through every wide course page
(~280 MB at 100k courses, descriptions included); this index holds just those columns
(~16 MB at 100k), led by id so that the snapshot's ORDER BY id reads it in order. It only
adds an index: no row of any table changes.

PostgreSQL gets none: its JSON columns have no b-tree operator class, and b-tree entries
are capped at ~2.7 KB, so one long provider name would make an insert fail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The columns catalog.search.snapshot_sql reads, as of this revision; a later change to the
# snapshot's columns needs a migration of its own (tests/test_catalog.py checks the plan).
COLUMNS = (
    "id, topics, languages, sources, cost, certificate, level, kind, provider, pace, "
    "status, price_eur, hours_min, hours_max, rating, enrollments, start_date, first_seen"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_course_snapshot ON course ({COLUMNS})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_course_snapshot")
