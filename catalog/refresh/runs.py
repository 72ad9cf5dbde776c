"""Run records: a RefreshRun row per run of a source, a RefreshItem row per failed object.

A run is started ``running`` before any work, and finished ``ok`` or ``failed`` with its
counts, or ``stopped`` when it was interrupted (Ctrl-C, the app's page left while it ran:
not a failure, the source keeps its state); a run left ``running`` by a process that died
is closed by the next refresh of the source (:func:`close_interrupted_runs`). Also here:
the one-line reasons and the progress callback every stage shares.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import store
from catalog.db import write_tx
from catalog.models import RefreshItem, RefreshRun, Source
from catalog.refresh import memo
from scrapers.base import FetchError

RUN = RefreshRun.__table__  # type: ignore[attr-defined]
ITEM = RefreshItem.__table__  # type: ignore[attr-defined]
SOURCE = Source.__table__  # type: ignore[attr-defined]

_log = logging.getLogger(__name__)

STAGES = ("gather", "fetch", "parse", "normalize", "import")
INTERRUPTED = "interrupted: the refresh process ended before the run finished (killed?)"
STOPPED = "stopped before it finished (interrupted, or the page that ran it was left)"

# progress(source, stage, done, total): stage is one of STAGES or "done"; total may grow
# while follow-up pages are discovered.
Progress = Callable[[str, str, int, int], None]


@dataclass
class ItemError:
    """One object that failed, with the stage it failed in and why."""

    key: str
    stage: str
    reason: str


@dataclass
class RunReport:
    """What a run did: the counts of its RefreshRun row plus the errors.

    ``state`` is ok, failed or skipped (another refresh of the source held its lock; no
    run row is written then and ``run_id`` is 0).
    """

    source: str
    run_id: int
    state: str
    added: int = 0
    merged: int = 0
    updated: int = 0
    unchanged: int = 0
    errored: int = 0
    out_of_scope: int = 0
    stale: int = 0
    removed: int = 0
    message: str | None = None
    errors: list[ItemError] = field(default_factory=list)
    gathered: int = 0  # distinct listings the source returned (in scope or not)
    pages: int = 0  # responses fetched
    complete: bool = False  # the run saw the whole source (so missing listings were marked)
    fetch: dict[str, int] = field(default_factory=dict)  # fetcher counters spent on this run


def start_run(engine: Engine, source: str) -> int:
    with write_tx(engine) as conn:
        key = conn.execute(
            RUN.insert().values(source=source, started_at=store.utcnow(), state="running")
        ).inserted_primary_key
    assert key is not None
    return int(key[0])


def close_interrupted_runs(engine: Engine, source: str) -> int:
    """Mark runs of ``source`` still 'running' as failed; returns how many.

    Only called with the source's lock held, so no live refresh owns such a run: it was
    left by a process that died without cleanup (kill -9, power loss, OOM killer). Its
    open step was rolled back with its transaction (whole steps of a long import stay,
    nothing was marked stale); only the run row would stay 'running'.
    """
    with write_tx(engine) as conn:
        result = conn.execute(
            RUN.update()
            .where(RUN.c.source == source, RUN.c.state == "running")
            .values(state="failed", finished_at=store.utcnow(), message=INTERRUPTED)
        )
    return int(result.rowcount or 0)


def record_items(conn: sa.Connection, run_id: int, errors: Sequence[ItemError]) -> None:
    if errors:
        conn.execute(
            ITEM.insert(),
            [
                {
                    "run_id": run_id,
                    "key": e.key[:2000],
                    "stage": e.stage,
                    "state": "errored",
                    "error": e.reason[:2000],
                }
                for e in errors
            ],
        )


def finish_run(conn: sa.Connection, run_id: int, report: RunReport) -> None:
    conn.execute(
        RUN.update()
        .where(RUN.c.id == run_id)
        .values(
            finished_at=store.utcnow(),
            state=report.state,
            gathered=report.gathered,
            added=report.added + report.merged,
            updated=report.updated,
            unchanged=report.unchanged,
            errored=report.errored,
            out_of_scope=report.out_of_scope,
            stale=report.stale,
            removed=report.removed,
            message=report.message,
        )
    )


def record_failed_run(conn: sa.Connection, report: RunReport, *, title: str, at: datetime) -> None:
    """A failed run writes its run row, its item errors and the source's state only (and
    drops the source's memo: the next run parses in full)."""
    record_items(conn, report.run_id, report.errors)
    finish_run(conn, report.run_id, report)
    store.set_source(conn, report.source, title=title, state="failed", at=at, success=False)
    memo.forget(conn, report.source)


def record_stopped(engine: Engine, report: RunReport) -> None:
    """A stopped run: its run row is closed as ``stopped``; the source keeps its state
    (a person leaving a page is no failure of the source), its memo is dropped."""
    with write_tx(engine) as conn:
        finish_run(conn, report.run_id, report)
        memo.forget(conn, report.source)


def source_exists(engine: Engine, source: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(SOURCE.c.name).where(SOURCE.c.name == source)).first()
            is not None
        )


def forget_source(engine: Engine, source: str) -> None:
    """Remove every trace of a source that never held a listing: its runs, their items
    and its row (a file import that failed before it wrote anything)."""
    from catalog.models import Listing

    listing = Listing.__table__  # type: ignore[attr-defined]
    with write_tx(engine) as conn:
        if conn.execute(sa.select(listing.c.id).where(listing.c.source == source)).first():
            return
        runs = sa.select(RUN.c.id).where(RUN.c.source == source)
        conn.execute(ITEM.delete().where(ITEM.c.run_id.in_(runs)))
        conn.execute(RUN.delete().where(RUN.c.source == source))
        conn.execute(SOURCE.delete().where(SOURCE.c.name == source))
        memo.forget(conn, source)


def record_failure(engine: Engine, report: RunReport, *, title: str = "") -> None:
    """:func:`record_failed_run` in a transaction of its own."""
    now = store.utcnow()
    with write_tx(engine) as conn:
        record_failed_run(conn, report, title=title, at=now)


def one_line(text: str, limit: int = 500) -> str:
    """A reason as one line of at most ``limit`` characters (RefreshItem.error, CLI output)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PlainError(Exception):
    """An error whose message is said as it is, never with its class name."""


def describe(exc: BaseException) -> str:
    if isinstance(exc, FetchError):
        return exc.reason
    if isinstance(exc, PlainError):
        return str(exc).strip()
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def report_progress(
    progress: Progress | None, source: str, stage: str, done: int, total: int
) -> None:
    """Tell the front end; a display problem never fails a refresh."""
    if progress is None:
        return
    try:
        progress(source, stage, done, total)
    except Exception:
        _log.debug("progress callback failed", exc_info=True)
