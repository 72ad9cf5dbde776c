"""Sentence embeddings of the courses, for meaning-based search and similar courses.

One row per course: the model (name and version) that made the vector, the hash of the
text it was made from (a course whose text or model changed is embedded again), and the
vector as float16 bytes in a plain binary column (no pgvector). It only adds a table.

Revision ID: 0004_course_vectors
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_course_vectors"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_vector",
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("course.id"), primary_key=True),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("text_hash", sa.String(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("course_vector")
