"""The streamed upsert of one source's records, a step of STEP records at a time.

The input is read and serialised a step at a time on a worker thread while the database
writes (and SQLite indexes) the previous step, so a load of any size holds about two
steps and the two cores overlap instead of taking turns.

With a ``checkpoint`` (:func:`catalog.refresh.importing.import_records` gives one), every
full step ends whole: the courses its merged listings joined are recomputed, FTS5's bulk
settings are set back, and the checkpoint commits it, so another writer gets the lock
between two steps. A step shorter than STEP is the last one and stays open for the
caller's bookkeeping, so an input of fewer than STEP records is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from catalog.db import bump_version, write_tx
from catalog.record import CourseRecord
from catalog.store.bulk import (
    _LISTING_CONFLICT,
    _LISTING_REWRITE,
    COURSE,
    EVENT,
    LISTING,
    _bulk_upsert,
    _chunks,
    _fts_config,
    _fts_index_after,
    paused_gc,
    utcnow,
)
from catalog.store.matching import _matcher, _others_exist
from catalog.store.merging import merge
from catalog.store.serialise import _course_row, _Item, _listing_row, _listing_update, _serialise
from catalog.store.status import recompute_courses

# Records serialised and written per step: the work per record is the same, but the input
# is read one step at a time, so a load of any size holds about two steps (~9 KB per
# serialised record), never the whole input.
STEP = 2000


@dataclass
class UpsertResult:
    """What one batch did, in ckanext-harvest's terms."""

    added: int = 0  # new courses
    merged: int = 0  # new listings of courses another source already had
    updated: int = 0
    unchanged: int = 0
    seen: list[str] = field(default_factory=list)  # source ids, in order of first appearance

    @property
    def added_or_merged(self) -> int:
        return self.added + self.merged


def upsert_records(
    engine: Engine,
    source: str,
    records: Iterable[CourseRecord],
    *,
    run_id: int | None = None,
    now: datetime | None = None,
    dedupe: bool = True,
) -> UpsertResult:
    """Upsert one source's records in one transaction. See the package docstring."""
    with write_tx(engine) as conn:
        result = upsert_in(conn, source, records, run_id=run_id, now=now, dedupe=dedupe)
        bump_version(conn)
    return result


def upsert_in(
    conn: Connection,
    source: str,
    records: Iterable[CourseRecord],
    *,
    run_id: int | None = None,
    now: datetime | None = None,
    dedupe: bool = True,
    checkpoint: Callable[[UpsertResult], None] | None = None,
) -> UpsertResult:
    """The body of :func:`upsert_records` inside a caller's transaction; ``checkpoint``
    (called with the counts so far) commits each full step (see the module docstring)."""
    with paused_gc():
        return _upsert_in(
            conn, source, records, run_id=run_id, now=now, dedupe=dedupe, checkpoint=checkpoint
        )


@dataclass
class _Step:
    """One step of the input, serialised and sorted into what the database must do.

    Made by :func:`_prepare` without the database, so it can run on a worker thread while
    the database indexes the previous step; carried out by :func:`_write`.
    """

    touched: list[int] = field(default_factory=list)  # listing ids seen unchanged
    changed: list[dict[str, Any]] = field(default_factory=list)  # known listings to rewrite
    fresh: list[_Item] = field(default_factory=list)  # listings new to the catalog
    again: list[_Item] = field(default_factory=list)  # ids an earlier step already had
    courses: list[dict[str, Any]] | None = None  # rows for ``fresh``, once matched
    listings: list[dict[str, Any]] = field(default_factory=list)
    recompute: set[int] = field(default_factory=set)
    added: int = 0
    merged: int = 0
    updated: int = 0
    unchanged: int = 0
    last: bool = False  # fewer than STEP records: the input ended with this step


@dataclass
class _Batch:
    """What the steps of one upsert share. Steps are prepared one after the other."""

    source: str
    now: datetime
    existing: dict[str, Any]  # source_id -> (id, course_id, content_hash, status)
    seen: dict[str, None] = field(default_factory=dict)  # ids in order of first appearance
    matcher: Any = None
    matcher_due: bool = False  # other sources have courses; match once there are new ones
    checkpoint: Callable[[UpsertResult], None] | None = None  # commits a full step


def _upsert_in(
    conn: Connection,
    source: str,
    records: Iterable[CourseRecord],
    *,
    run_id: int | None,
    now: datetime | None,
    dedupe: bool,
    checkpoint: Callable[[UpsertResult], None] | None,
) -> UpsertResult:
    existing = _existing_listings(conn, source)
    batch = _Batch(source, now or utcnow(), existing)
    batch.matcher_due = dedupe and _others_exist(conn, source)
    batch.checkpoint = checkpoint
    result = UpsertResult()
    recompute: set[int] = set()
    bulk_fts = _write_steps(conn, batch, iter(records), result, recompute, run_id)
    if bulk_fts:
        _fts_config(conn, bulk=False)
    if recompute:
        recompute_courses(
            conn, sorted(recompute), run_id=run_id, now=batch.now, source=batch.source
        )
    result.seen = list(batch.seen)
    return result


def _existing_listings(conn: Connection, source: str) -> dict[str, Any]:
    """The source's listings in the catalog, by source id."""
    return {
        row.source_id: row
        for row in conn.execute(
            sa.select(
                LISTING.c.id,
                LISTING.c.source_id,
                LISTING.c.course_id,
                LISTING.c.content_hash,
                LISTING.c.status,
            ).where(LISTING.c.source == source)
        )
    }


def _write_steps(
    conn: Connection,
    batch: _Batch,
    source_iter: Iterator[CourseRecord],
    result: UpsertResult,
    recompute: set[int],
    run_id: int | None,
) -> bool:
    """Prepare and write every step; returns whether FTS5's bulk settings were switched on.

    While SQLite builds a step's full-text index (one statement that releases the GIL),
    the worker reads and prepares the next step: the two cores overlap instead of taking
    turns. Nothing else runs beside the executemany calls, whose per-row GIL hand-over
    would otherwise stall them.
    """
    sqlite_ = conn.dialect.name == "sqlite"
    bulk_fts = False
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="upsert") as pool:
        step = _next_step(batch, source_iter)
        while step is not None:
            if step.courses is None:  # the first new listings: match them from here on
                batch.matcher, batch.matcher_due = _matcher(conn, batch.source), False
                _match(batch, step)
            if sqlite_ and not bulk_fts and len(step.courses or ()) >= STEP:
                _fts_config(conn, bulk=True)
                bulk_fts = True
            index_from = _write(conn, batch, step, result, recompute, run_id)
            upcoming = pool.submit(_next_step, batch, source_iter)
            if sqlite_ and index_from is not None:
                _fts_index_after(conn, index_from)
            if batch.checkpoint is not None and not step.last:
                _end_step(conn, batch, result, recompute, run_id, bulk_fts=bulk_fts)
                bulk_fts = False
            step = upcoming.result()
    return bulk_fts


def _end_step(
    conn: Connection,
    batch: _Batch,
    result: UpsertResult,
    recompute: set[int],
    run_id: int | None,
    *,
    bulk_fts: bool,
) -> None:
    """Make the written steps whole (their merged courses recomputed, FTS5's settings
    back to normal) and commit them through the batch's checkpoint."""
    if recompute:
        recompute_courses(conn, sorted(recompute), run_id=run_id, now=batch.now)
        recompute.clear()
    if bulk_fts:
        _fts_config(conn, bulk=False)
    assert batch.checkpoint is not None
    batch.checkpoint(result)


def _next_step(batch: _Batch, records: Iterator[CourseRecord]) -> _Step | None:
    chunk = list(islice(records, STEP))
    if not chunk:
        return None
    step = _prepare(batch, chunk)
    step.last = len(chunk) < STEP
    return step


def _prepare(batch: _Batch, chunk: list[CourseRecord]) -> _Step:
    """Serialise a step and sort it against what the catalog holds (no database)."""
    step = _Step()
    latest: dict[str, CourseRecord] = {}
    for rec in chunk:  # an id twice: the last record wins, in the place of the first
        latest[str(rec.source_id)] = rec
    for sid, rec in latest.items():
        item = _serialise(rec)
        if sid in batch.seen:
            step.again.append(item)
            continue
        batch.seen[sid] = None
        old = batch.existing.get(sid)
        if old is None:
            step.fresh.append(item)
        elif old.content_hash == item.digest and old.status == "active":
            step.touched.append(old.id)
            step.unchanged += 1
        else:
            step.changed.append(_listing_update(item, old.id))
            step.recompute.add(old.course_id)
            if old.content_hash == item.digest:
                step.unchanged += 1  # only its status changes: it is back
            else:
                step.updated += 1
    if not (step.fresh and batch.matcher_due):
        _match(batch, step)
    return step


def _match(batch: _Batch, step: _Step) -> None:
    """Rows for the step's new listings: a new course each, or a listing of a course
    another source already has (``batch.matcher``)."""
    source, now = batch.source, batch.now
    courses: list[dict[str, Any]] = []
    for item in step.fresh:
        data = item.data
        key = f"{source}:{item.source_id}"
        target = None
        if batch.matcher is not None:
            target = batch.matcher.find(
                data.get("url"), data.get("provider"), data.get("title"), data.get("kind")
            )
        if target is None:
            courses.append(_course_row(merge([(source, data)]), source, item, key, now))
            step.added += 1
        else:
            step.recompute.add(target)
            step.merged += 1
        step.listings.append(_listing_row(source, item, key, target, now))
    step.courses = courses


def _write(
    conn: Connection,
    batch: _Batch,
    step: _Step,
    result: UpsertResult,
    recompute: set[int],
    run_id: int | None,
) -> int | None:
    """Carry out a prepared step; returns the course id after which new courses start
    (for the full-text index), or None when the step made no course."""
    now = batch.now
    result.added += step.added
    result.merged += step.merged
    result.updated += step.updated
    result.unchanged += step.unchanged
    recompute |= step.recompute
    for chunk in _chunks(step.touched):
        conn.execute(
            LISTING.update()
            .where(LISTING.c.id.in_(chunk))
            .values(last_seen=now, missed_refreshes=0)
        )
    if step.changed:
        conn.execute(_LISTING_REWRITE.values(last_seen=now), step.changed)
    index_from = None
    key_to_id: dict[str, int] = {}
    if step.courses:
        index_from, key_to_id = _write_courses(conn, step.courses, now, (run_id, batch.source))
    if step.listings:
        for row in step.listings:
            key = row.pop("key")
            if row["course_id"] is None:
                row["course_id"] = key_to_id[key]
        _bulk_upsert(conn, LISTING, step.listings, ["source", "source_id"], _LISTING_CONFLICT)
    if step.again:  # rare: a source listing an id twice, steps apart; the last one wins
        recompute.update(_rewrite_again(conn, batch, step.again))
    return index_from


def _write_courses(
    conn: Connection,
    courses: list[dict[str, Any]],
    now: datetime,
    run: tuple[int | None, str],
) -> tuple[int, dict[str, int]]:
    """Insert new courses and their "new" events; returns the largest course id before
    them and the new ids by course key."""
    index_from = int(
        conn.execute(sa.select(sa.func.coalesce(sa.func.max(COURSE.c.id), 0))).scalar() or 0
    )
    _bulk_upsert(
        conn,
        COURSE,
        courses,
        ["key"],
        {"last_seen": "excluded.last_seen", "status": "'active'"},
    )
    keys = [c["key"] for c in courses]
    key_to_id: dict[str, int] = {}
    for chunk in _chunks(keys):
        key_to_id.update(
            conn.execute(sa.select(COURSE.c.key, COURSE.c.id).where(COURSE.c.key.in_(chunk))).all()
        )
    run_id, source = run
    events = [
        {"course_id": key_to_id[k], "run_id": run_id, "source": source, "at": now, "event": "new"}
        for k in keys
    ]
    _bulk_upsert(conn, EVENT, events, None, {})
    return index_from, key_to_id


def _rewrite_again(conn: Connection, batch: _Batch, again: list[_Item]) -> Iterable[int]:
    """Rewrite listings an earlier step already wrote; returns their courses' ids."""
    ids: dict[str, int] = dict(
        conn.execute(
            sa.select(LISTING.c.source_id, LISTING.c.id).where(
                LISTING.c.source == batch.source,
                LISTING.c.source_id.in_([item.source_id for item in again]),
            )
        ).all()
    )
    rows = [_listing_update(item, ids[item.source_id]) for item in again]
    conn.execute(_LISTING_REWRITE.values(last_seen=batch.now), rows)
    return conn.execute(
        sa.select(LISTING.c.course_id).where(LISTING.c.id.in_(list(ids.values())))
    ).scalars()
