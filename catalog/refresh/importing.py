"""Import: store the records of one run, a step at a time, and record the run.

Each full step of STEP records is a transaction of its own (:func:`catalog.db.stepped_tx`),
so a long import never keeps a note or a refresh out for more than a step; the last step
and the run's bookkeeping (stale marking, run row, source state, memo) are one
transaction, so a run of fewer than STEP records is all or nothing. On an error the open
step is rolled back and whole steps written before it stay: a failing import never wipes
or marks anything (stale marking happens only in the final transaction of a run that
read its whole input), and its run row says failed with what was written.
:func:`import_unchanged` is the import of a run whose pages all equal the last complete
run's, from that run's memo.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import store
from catalog.db import bump_version, commit_step, stepped_tx, write_tx
from catalog.models import Listing
from catalog.record import CourseRecord
from catalog.refresh.memo import Memo, forget, ids, listing_state, save
from catalog.refresh.runs import (
    ItemError,
    RunReport,
    describe,
    finish_run,
    one_line,
    record_failed_run,
    record_items,
    start_run,
)

LISTING = Listing.__table__  # type: ignore[attr-defined]

# Longer ids cannot be told apart in PostgreSQL's unique indexes (index rows are limited to
# ~2,700 bytes) and would fail the whole batch; no real source uses ids near this length.
MAX_SOURCE_ID_CHARS = 500


def import_records(
    engine: Engine,
    source: str,
    records: Iterable[CourseRecord],
    *,
    title: str = "",
    full: bool = False,
    errors: Sequence[ItemError] = (),
    out_of_scope: int | Collection[str] = 0,
    run_id: int | None = None,
    keep: Collection[str] = (),
    remove_after: int = 3,
    gathered: int | None = None,
    message: str | None = None,
    memo: Memo | None = None,
) -> RunReport:
    """The import stage: upsert ``records`` of ``source`` and record the run.

    ``full`` means the records are everything the source lists now, so listings not
    among them go stale (and are removed after ``remove_after`` such runs in a row);
    ``keep`` names source ids the source still lists but that could not be imported
    this time (they are not marked). Full steps are committed as they are written (see
    the module docstring): on any error the open step is rolled back, the run is
    recorded as failed (with the item errors and the counts of the steps that stay) and
    the exception is raised. A record whose source_id is longer than
    MAX_SOURCE_ID_CHARS is left out as an item error rather than failing the batch.

    ``records`` may be a generator: it is read step by step (on a worker thread of
    :func:`catalog.store.upsert_in`, so it must not use the database), and the import
    never holds all of it. ``errors`` and ``out_of_scope`` (a count, or the ids) are
    read once the input is exhausted, so a generator may still add to them.

    ``memo`` (pages and fingerprint of a complete run) is kept for the next run (see
    :mod:`catalog.refresh.memo`); without one the source's memo is dropped.
    """
    run_id = run_id if run_id is not None else start_run(engine, source)
    report = RunReport(source=source, run_id=run_id, state="ok", message=message, complete=full)
    batch = _Batch(records, errors, out_of_scope, gathered)
    now = store.utcnow()
    try:
        with stepped_tx(engine) as conn:

            def checkpoint(so_far: store.UpsertResult) -> None:
                commit_step(conn)
                batch.committed = dataclasses.replace(so_far, seen=[])

            result = store.upsert_in(
                conn, source, batch.admitted(), run_id=run_id, now=now, checkpoint=checkpoint
            )
            batch.settle(report)
            seen = {*result.seen, *map(str, keep)} if full else None
            _record_success(
                conn, report, result, seen, title=title, at=now, remove_after=remove_after
            )
            _keep_memo(conn, report, memo if full else None, seen=result.seen, keep=keep)
    except Exception as exc:
        batch.settle(report)
        _record_failed_import(engine, report, exc, title=title, at=now, kept=batch.committed)
        raise
    return report


def _record_success(
    conn: sa.Connection,
    report: RunReport,
    result: store.UpsertResult,
    seen: set[str] | None,
    *,
    title: str,
    at: datetime,
    remove_after: int,
) -> None:
    """The counts of a written import, stale marking of a full one (``seen``: what the
    source still lists), its item errors, and the run and source recorded as ok."""
    report.added, report.merged = result.added, result.merged
    report.updated, report.unchanged = result.updated, result.unchanged
    if seen is not None:
        report.stale, report.removed = store.mark_missing(
            conn, report.source, seen, run_id=report.run_id, now=at, remove_after=remove_after
        )
    record_items(conn, report.run_id, report.errors)
    finish_run(conn, report.run_id, report)
    store.set_source(conn, report.source, title=title, state="ok", at=at, success=True)
    bump_version(conn)


class _Batch:
    """The records of one import and the counts the caller gives beside them."""

    def __init__(
        self,
        records: Iterable[CourseRecord],
        errors: Sequence[ItemError],
        out_of_scope: int | Collection[str],
        gathered: int | None,
    ) -> None:
        self.records, self.errors = records, errors
        self.out_of_scope, self.gathered = out_of_scope, gathered
        self.offered = 0
        self.too_long: list[ItemError] = []
        self.committed: store.UpsertResult | None = None  # the counts of committed steps

    def admitted(self) -> Iterator[CourseRecord]:
        """The records, less those whose id is too long to store (each an ItemError)."""
        for rec in self.records:
            self.offered += 1
            sid = str(rec.source_id)
            if len(sid) <= MAX_SOURCE_ID_CHARS:
                yield rec
            else:
                self.too_long.append(
                    ItemError(
                        sid[:80] + "…",
                        "import",
                        f"source_id of {len(sid)} characters, more than "
                        f"{MAX_SOURCE_ID_CHARS}; not imported",
                    )
                )

    def settle(self, report: RunReport) -> None:
        """The counts the input gave, known once it has been read."""
        report.errors = [*self.errors, *self.too_long]
        report.errored = len(report.errors)
        out = self.out_of_scope
        report.out_of_scope = out if isinstance(out, int) else len(out)
        given = self.gathered
        report.gathered = given if given is not None else self.offered + report.out_of_scope


def _keep_memo(
    conn: sa.Connection,
    report: RunReport,
    memo: Memo | None,
    *,
    seen: Iterable[str],
    keep: Iterable[str],
) -> None:
    """Complete ``memo`` with the run's outcome and keep it; without one, drop the source's."""
    if memo is None:
        forget(conn, report.source)
        return
    memo.run_id, memo.seen = report.run_id, ids(seen)
    memo.keep = ids(keep)
    memo.out_of_scope, memo.gathered = report.out_of_scope, report.gathered
    memo.errors = [(e.key, e.stage, e.reason) for e in report.errors]
    memo.state = listing_state(conn, report.source)
    save(conn, report.source, memo)


def _record_failed_import(
    engine: Engine,
    report: RunReport,
    exc: Exception,
    *,
    title: str,
    at: datetime,
    kept: store.UpsertResult | None,
) -> None:
    """The open step was rolled back: the run is failed with the reason, counting the
    steps committed before it (``kept``); nothing was marked stale."""
    reason = one_line(f"import failed: {describe(exc)}")
    report.state = "failed"
    report.message = reason
    report.added = report.merged = report.updated = report.unchanged = 0
    report.stale = report.removed = 0
    report.errors.append(ItemError(report.source, "import", reason))
    report.errored = len(report.errors)
    if kept is not None:
        report.added, report.merged = kept.added, kept.merged
        report.updated, report.unchanged = kept.updated, kept.unchanged
        written = kept.added + kept.merged + kept.updated + kept.unchanged
        report.message = one_line(
            f"{reason}; the {written} listings written before it stay; no listing was marked stale"
        )
    with write_tx(engine) as conn:
        record_failed_run(conn, report, title=title, at=at)
        if kept is not None:
            bump_version(conn)  # the steps that stay are news to the search snapshot


def live_listing_count(engine: Engine, source: str) -> int:
    """Listings of ``source`` the catalog shows (active or stale)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(LISTING)
                .where(LISTING.c.source == source, LISTING.c.status != "removed")
            ).scalar_one()
        )


def import_unchanged(
    engine: Engine,
    source: str,
    run_id: int,
    last: Memo,
    *,
    title: str,
    remove_after: int,
    pages: int,
) -> RunReport | None:
    """The import of a run whose pages all equal the last complete run's, without them.

    Parsing them would give the same records, all unchanged: so the same listings are
    marked seen, the same ones missing (stale, then removed) and the same item errors
    recorded, in one transaction. None (and nothing written) if the source's listings
    changed since the memo was written.
    """
    now = store.utcnow()
    report = RunReport(source=source, run_id=run_id, state="ok", complete=True, pages=pages)
    report.errors = [ItemError(*e) for e in last.errors]
    report.errored, report.unchanged = len(report.errors), len(last.seen)
    report.out_of_scope, report.gathered = last.out_of_scope, last.gathered
    since = f" since run {last.run_id}" if last.run_id else ""
    report.message = f"every page unchanged{since} ({pages} fetched); not parsed again"
    with write_tx(engine) as conn:
        if listing_state(conn, source) != last.state:
            return None
        _mark_seen(conn, source, last.seen, now)
        report.stale, report.removed = store.mark_missing(
            conn, source, {*last.seen, *last.keep}, run_id=run_id, now=now,
            remove_after=remove_after,
        )  # fmt: skip
        record_items(conn, run_id, report.errors)
        finish_run(conn, run_id, report)
        store.set_source(conn, source, title=title, state="ok", at=now, success=True)
        if report.stale or report.removed:
            bump_version(conn)
        last.run_id, last.state = run_id, listing_state(conn, source)
        save(conn, source, last)
    return report


def _mark_seen(conn: sa.Connection, source: str, seen: list[str], now: datetime) -> None:
    for at in range(0, len(seen), 500):
        conn.execute(
            LISTING.update()
            .where(LISTING.c.source == source, LISTING.c.source_id.in_(seen[at : at + 500]))
            .values(last_seen=now, missed_refreshes=0)
        )
