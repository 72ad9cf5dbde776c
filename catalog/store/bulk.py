"""Bulk SQL of the store: the tables it writes, INSERT ... ON CONFLICT straight to the
driver, and the full-text index settings of a large load."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from catalog.models import Course, CourseEvent, Listing, Source

COURSE = Course.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]
EVENT = CourseEvent.__table__  # type: ignore[attr-defined]
SOURCE = Source.__table__  # type: ignore[attr-defined]

CHUNK = 500


def utcnow() -> datetime:
    return datetime.now(UTC)


class JSONText(sa.types.TypeDecorator[Any]):
    """A JSON column bound from text we already serialised (hashing needs it anyway);
    skips SQLAlchemy's second json.dumps, the largest cost of bulk loads."""

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: sa.Dialect) -> None:
        return None


def _insert(conn: Connection, table: sa.Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


_LISTING_REWRITE = (
    LISTING.update()
    .where(LISTING.c.id == sa.bindparam("b_id"))
    .values(
        record=sa.bindparam("record", type_=JSONText),
        raw=sa.bindparam("raw", type_=JSONText),
        url=sa.bindparam("url"),
        content_hash=sa.bindparam("content_hash"),
        missed_refreshes=0,
        status="active",
    )
)
_LISTING_CONFLICT = {
    name: f"excluded.{name}"
    for name in ("record", "raw", "content_hash", "last_seen", "status", "missed_refreshes")
}


def _bulk_upsert(
    conn: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    conflict: Sequence[str] | None,
    update: dict[str, str],
) -> None:
    """INSERT ... ON CONFLICT DO UPDATE for many rows (a plain INSERT when ``conflict`` is
    None), straight to the driver.

    Both dialects spell ON CONFLICT the same way; only the placeholder differs. Going
    past SQLAlchemy's per-row parameter processing halves the time of a bulk load.
    JSON columns arrive already serialised; SQLite gets datetimes in the format
    SQLAlchemy reads back.
    """
    columns = list(rows[0])
    sqlite_ = conn.dialect.name == "sqlite"
    mark = "?" if sqlite_ else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    if conflict is not None:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET " + ", ".join(
            f"{col} = {expr}" for col, expr in update.items()
        )
    get = itemgetter(*columns)
    params: list[Any] = (
        [get(row) for row in rows] if len(columns) > 1 else [(get(row),) for row in rows]
    )
    temporal = [i for i, c in enumerate(columns) if c in TEMPORAL_COLUMNS] if sqlite_ else []
    if temporal:  # converted column by column: most rows share "now"
        by_column = list(zip(*params, strict=True))
        cache: dict[Any, Any] = {None: None}
        for i in temporal:
            values = by_column[i]
            for value in set(values) - cache.keys():
                cache[value] = _sqlite_value(value)
            by_column[i] = tuple(map(cache.__getitem__, values))
        params = list(zip(*by_column, strict=True))
    conn.exec_driver_sql(sql, params)


TEMPORAL_COLUMNS = frozenset(
    {"price_rate_date", "start_date", "checked_on", "first_seen", "last_seen", "updated_at", "at"}
)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


# FTS5 settings while a large batch is indexed: a 16 MiB in-memory term hash (default
# 1 MiB) and merging 16 segments at a time (default 4) write far fewer intermediate
# segments; about a quarter less CPU for the index of 100k courses. Set back afterwards.
# Switched on once a step brings a full STEP of new courses.
FTS_BULK = {"hashsize": (16 * 1024 * 1024, 1024 * 1024), "automerge": (16, 4)}


def _fts_config(conn: Connection, *, bulk: bool) -> None:
    for name, (value, default) in FTS_BULK.items():
        conn.exec_driver_sql(
            "INSERT INTO course_fts (course_fts, rank) VALUES (?, ?)",
            (name, value if bulk else default),
        )


def _fts_index_after(conn: Connection, course_id: int) -> None:
    """SQLite: put the courses after ``course_id`` (the ones a step made) into the
    full-text index, in one statement."""
    conn.exec_driver_sql(
        "INSERT INTO course_fts (rowid, search_title, search_body) "
        "SELECT id, search_title, search_body FROM course WHERE id > ?",
        (course_id,),
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a batch is prepared and written.

    A load of 100k courses allocates millions of objects that all live until it ends and
    hold no reference cycles; the collector re-scanned them over and over, 15-20% of the
    load's time. Nested and concurrent use is safe: only whoever found the collector on
    turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
