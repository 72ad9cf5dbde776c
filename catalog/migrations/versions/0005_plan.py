"""Plan and watch: the source of a course change, and a person's target dates per course
on a shortlist.

``courseevent.source`` names the source whose refresh or import recorded the change
(older events keep None: unknown, not guessed). ``shortlistitem.plan_start`` and
``shortlistitem.finish_by`` are the dates a person means to start and to finish a course
on a list; user data, None until set. Only columns are added: no row changes.

Revision ID: 0005_plan
Revises: 0004_course_vectors
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_plan"
down_revision = "0004_course_vectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("courseevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(), nullable=True))
    with op.batch_alter_table("shortlistitem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("finish_by", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shortlistitem", schema=None) as batch_op:
        batch_op.drop_column("finish_by")
        batch_op.drop_column("plan_start")
    with op.batch_alter_table("courseevent", schema=None) as batch_op:
        batch_op.drop_column("source")
