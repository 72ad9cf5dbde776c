"""Read-only summaries of the catalog's sources and runs (for `stats`, `sources`, the app)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.models import RefreshItem, RefreshRun, Source

SOURCE = Source.__table__  # type: ignore[attr-defined]
RUN = RefreshRun.__table__  # type: ignore[attr-defined]
ITEM = RefreshItem.__table__  # type: ignore[attr-defined]


def source_table(engine: Engine) -> list[tuple[Any, ...]]:
    """(source, live listings, last refresh, last state, last success) per known source."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                SOURCE.c.name,
                SOURCE.c.listing_count,
                SOURCE.c.last_refresh_at,
                SOURCE.c.last_state,
                SOURCE.c.last_success_at,
            ).order_by(SOURCE.c.name)
        ).all()
    return [tuple(r) for r in rows]


def recent_runs(engine: Engine, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest refresh runs, newest first."""
    stmt = sa.select(RUN).order_by(RUN.c.id.desc()).limit(limit)
    if source:
        stmt = stmt.where(RUN.c.source == source)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def run_errors(engine: Engine, run_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The per-item errors of one run."""
    stmt = (
        sa.select(ITEM.c.key, ITEM.c.stage, ITEM.c.error)
        .where(ITEM.c.run_id == run_id, ITEM.c.state == "errored")
        .order_by(ITEM.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]
