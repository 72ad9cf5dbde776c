"""Cross-source matching for a load: the dedupe matcher over the courses other sources
already list, so a new listing can join the course it belongs to."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalog.store.bulk import COURSE


def _others_exist(conn: Connection, source: str) -> bool:
    """Whether some other source lists courses (else a load has nothing to merge into)."""
    others = COURSE.c.key.not_like(f"{source}:%")
    return conn.execute(sa.select(COURSE.c.id).where(others).limit(1)).first() is not None


def _matcher(conn: Connection, source: str) -> Any:
    """A dedupe matcher over the courses that some other source already lists; built
    only once a load brings new listings (a refresh of known ones never needs it)."""
    from catalog.dedupe import MatchEntry, Matcher

    others = COURSE.c.key.not_like(f"{source}:%")
    rows = conn.execute(
        sa.select(
            COURSE.c.id, COURSE.c.url, COURSE.c.provider, COURSE.c.title, COURSE.c.kind
        ).where(others)
    )
    return Matcher(MatchEntry(r.id, r.url, r.provider, r.title, r.kind) for r in rows)
