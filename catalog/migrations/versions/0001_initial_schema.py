"""Initial schema: courses, listings, runs, shortlists, saved searches, full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course",
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("provider", sa.String(), nullable=True),
        sa.Column("platform", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=True),
        sa.Column("cost", sa.String(), nullable=True),
        sa.Column("price_amount", sa.Float(), nullable=True),
        sa.Column("price_currency", sa.String(), nullable=True),
        sa.Column("price_eur", sa.Float(), nullable=True),
        sa.Column("price_rate_date", sa.Date(), nullable=True),
        sa.Column("price_is_estimate", sa.Boolean(), nullable=False),
        sa.Column("certificate", sa.String(), nullable=True),
        sa.Column("hours_min", sa.Float(), nullable=True),
        sa.Column("hours_max", sa.Float(), nullable=True),
        sa.Column("weeks", sa.Float(), nullable=True),
        sa.Column("hours_per_week_min", sa.Float(), nullable=True),
        sa.Column("hours_per_week_max", sa.Float(), nullable=True),
        sa.Column("pace", sa.String(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("rating_count", sa.Integer(), nullable=True),
        sa.Column("enrollments", sa.Integer(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("subtitle_languages", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("search_title", sa.String(), nullable=False),
        sa.Column("search_body", sa.String(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_course_key"),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_provider"), ["provider"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_status"), ["status"], unique=False)

    op.create_table(
        "meta",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "refreshrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("gathered", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("errored", sa.Integer(), nullable=False),
        sa.Column("out_of_scope", sa.Integer(), nullable=False),
        sa.Column("stale", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("refreshrun", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refreshrun_source"), ["source"], unique=False)

    op.create_table(
        "savedsearch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_viewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "shortlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "source",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("last_refresh_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_state", sa.String(), nullable=True),
        sa.Column("listing_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "courseevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("old", sa.String(), nullable=True),
        sa.Column("new", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["refreshrun.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("courseevent", schema=None) as batch_op:
        batch_op.create_index("ix_event_at", ["at"], unique=False)
        batch_op.create_index("ix_event_course", ["course_id"], unique=False)

    op.create_table(
        "listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("missed_refreshes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "source_id", name="uq_listing_source_id"),
    )
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.create_index("ix_listing_course", ["course_id"], unique=False)

    op.create_table(
        "refreshitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["refreshrun.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("refreshitem", schema=None) as batch_op:
        batch_op.create_index("ix_item_run", ["run_id"], unique=False)

    op.create_table(
        "shortlistitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shortlist_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
        ),
        sa.ForeignKeyConstraint(["shortlist_id"], ["shortlist.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shortlist_id", "course_id", name="uq_shortlist_course"),
    )
    with op.batch_alter_table("shortlistitem", schema=None) as batch_op:
        batch_op.create_index("ix_shortlistitem_list", ["shortlist_id"], unique=False)

    op.execute("INSERT INTO meta (key, value) VALUES ('catalog_version', '0')")
    _create_fulltext()


def _create_fulltext() -> None:
    """SQLite: an FTS5 table over the folded search columns. catalog.store indexes new
    courses itself in one INSERT ... SELECT after a bulk insert (twice as fast as a
    per-row trigger); triggers keep updates and deletes in step. A prefix index of
    length 3 serves the prefix queries catalog.search makes for words of 3+ letters.
    PostgreSQL: a generated, weighted tsvector with a GIN index."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE course_fts USING fts5(search_title, search_body, "
            "content='course', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='3')"
        )
        op.execute(
            "CREATE TRIGGER course_fts_ad AFTER DELETE ON course BEGIN "
            "INSERT INTO course_fts(course_fts, rowid, search_title, search_body) "
            "VALUES ('delete', old.id, old.search_title, old.search_body); END"
        )
        op.execute(
            "CREATE TRIGGER course_fts_au AFTER UPDATE OF search_title, search_body ON course "
            "BEGIN "
            "INSERT INTO course_fts(course_fts, rowid, search_title, search_body) "
            "VALUES ('delete', old.id, old.search_title, old.search_body); "
            "INSERT INTO course_fts(rowid, search_title, search_body) "
            "VALUES (new.id, new.search_title, new.search_body); END"
        )
    else:
        op.execute(
            "ALTER TABLE course ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', search_title), 'A') || "
            "setweight(to_tsvector('simple', search_body), 'D')) STORED"
        )
        op.execute("CREATE INDEX ix_course_tsv ON course USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS course_fts")
    with op.batch_alter_table("shortlistitem", schema=None) as batch_op:
        batch_op.drop_index("ix_shortlistitem_list")

    op.drop_table("shortlistitem")
    with op.batch_alter_table("refreshitem", schema=None) as batch_op:
        batch_op.drop_index("ix_item_run")

    op.drop_table("refreshitem")
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_course")

    op.drop_table("listing")
    with op.batch_alter_table("courseevent", schema=None) as batch_op:
        batch_op.drop_index("ix_event_course")
        batch_op.drop_index("ix_event_at")

    op.drop_table("courseevent")
    op.drop_table("source")
    op.drop_table("shortlist")
    op.drop_table("savedsearch")
    with op.batch_alter_table("refreshrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refreshrun_source"))

    op.drop_table("refreshrun")
    op.drop_table("meta")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_status"))
        batch_op.drop_index(batch_op.f("ix_course_source"))
        batch_op.drop_index(batch_op.f("ix_course_provider"))

    op.drop_table("course")
