"""The refresh pipeline, in the manner of ckanext-harvest: gather -> fetch -> import.

Each stage is a plain function a test can call without any scheduler. A run of one
source is recorded as a RefreshRun with per-item results; the import stage writes a
source's listings in one transaction, so a failing source keeps what it had.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import store
from catalog.db import bump_version, write_tx
from catalog.models import RefreshItem, RefreshRun
from catalog.record import CourseRecord

RUN = RefreshRun.__table__  # type: ignore[attr-defined]
ITEM = RefreshItem.__table__  # type: ignore[attr-defined]


@dataclass
class ItemError:
    """One object that failed, with the stage it failed in and why."""

    key: str
    stage: str
    reason: str


@dataclass
class RunReport:
    """What a run did: the counts of its RefreshRun row plus the errors."""

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


def start_run(engine: Engine, source: str) -> int:
    with write_tx(engine) as conn:
        key = conn.execute(
            RUN.insert().values(source=source, started_at=store.utcnow(), state="running")
        ).inserted_primary_key
    assert key is not None
    return int(key[0])


def import_records(
    engine: Engine,
    source: str,
    records: Sequence[CourseRecord],
    *,
    title: str = "",
    full: bool = False,
    errors: Sequence[ItemError] = (),
    out_of_scope: int = 0,
    run_id: int | None = None,
) -> RunReport:
    """The import stage: upsert ``records`` of ``source`` and record the run.

    ``full`` means the records are everything the source lists now, so listings not
    among them go stale (and are removed after several such runs). Everything happens
    in one transaction: on any error nothing of this batch is written and the run is
    recorded as failed.
    """
    run_id = run_id if run_id is not None else start_run(engine, source)
    report = RunReport(source=source, run_id=run_id, state="ok", out_of_scope=out_of_scope)
    report.errors = list(errors)
    report.errored = len(report.errors)
    now = store.utcnow()
    try:
        with write_tx(engine) as conn:
            result = store.upsert_in(conn, source, records, run_id=run_id, now=now)
            report.added, report.merged = result.added, result.merged
            report.updated, report.unchanged = result.updated, result.unchanged
            if full:
                seen = {str(r.source_id) for r in records}
                report.stale, report.removed = store.mark_missing(
                    conn, source, seen, run_id=run_id, now=now
                )
            _record_items(conn, run_id, report.errors)
            _finish(conn, run_id, report)
            store.set_source(conn, source, title=title, state="ok", at=now, success=True)
            bump_version(conn)
    except Exception as exc:
        report.state = "failed"
        report.message = f"import failed: {type(exc).__name__}: {exc}".splitlines()[0][:500]
        with write_tx(engine) as conn:
            _finish(conn, run_id, report)
            store.set_source(conn, source, title=title, state="failed", at=now, success=False)
        raise
    return report


def _record_items(conn: sa.Connection, run_id: int, errors: Sequence[ItemError]) -> None:
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


def _finish(conn: sa.Connection, run_id: int, report: RunReport) -> None:
    conn.execute(
        RUN.update()
        .where(RUN.c.id == run_id)
        .values(
            finished_at=store.utcnow(),
            state=report.state,
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
