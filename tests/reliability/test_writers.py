"""Writers beside a long import: a note or a refresh waits at most a step, never fails (issue 20).

Why: an import of 100,000 rows held SQLite's write lock (BEGIN IMMEDIATE) for its whole
minute; a ``shortlist note`` started meanwhile failed after the 30 s busy timeout with
"database is locked", and so did a refresh. An import now commits step by step, so
another writer gets in between two steps.

The deterministic half: the import's input stops in the middle (its reader waits on an
event) while the test writes a note and refreshes a source through engines whose busy
timeout is one second; with the lock held for the whole import, both failed. The
measured half (``test_long_import_beside_notes_and_a_refresh``): a real import, note
writes in a loop and refreshes at once, 0 errors, the longest write wait reported;
COURSERADAR_RELIABILITY_ROWS sets the import's size (default 6,000; 100,000 is the
issue's figure).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import shortlists
from catalog.db import make_engine
from catalog.record import CourseRecord
from catalog.refresh import import_records, refresh_sources
from catalog.store import upsert as upsert_module
from tests.reliability import support

pytestmark = pytest.mark.reliability

ROWS = int(os.environ.get("COURSERADAR_RELIABILITY_ROWS", "6000"))


def _record(i: int) -> CourseRecord:
    return CourseRecord(
        source="import:big",
        source_id=f"big-{i}",
        title=f"Machine Learning Seminar {i}",
        url=f"https://example.org/ml/{i}",
        description="Neural networks and deep learning in practice.",
    )


def _impatient(engine: Engine) -> Engine:
    """Another engine on the same catalog; on SQLite with a busy timeout of 1 s (the
    import's lock was SQLite's problem; PostgreSQL writes rows, not the file)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return make_engine(url, connect_args={"timeout": 1.0})
    return make_engine(url)


def _noted_course(engine: Engine) -> tuple[int, int]:
    import_records(engine, "test", [_seed()], full=True)
    with engine.connect() as conn:
        course = int(conn.execute(sa.text("SELECT min(id) FROM course")).scalar_one())
    listed = shortlists.new_list(engine, "Reading")
    shortlists.add(engine, listed, [course])
    return listed, course


def _seed() -> CourseRecord:
    return CourseRecord(source="test", source_id="seed", title="Deep Learning Basics")


def test_a_note_and_a_refresh_get_in_while_an_import_is_between_steps(
    engine: Engine, site: support.Site, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    monkeypatch.setattr(upsert_module, "STEP", 100)
    for key, value in site.env(["futurelearn"]).items():
        monkeypatch.setenv(key, value)
    listed, course = _noted_course(engine)
    reached, release = threading.Event(), threading.Event()

    def rows() -> Iterator[CourseRecord]:
        for i in range(500):
            if i == 250:  # two steps written, the third being read
                reached.set()
                release.wait(60)
            yield _record(i)

    outcome: list[Any] = []
    thread = threading.Thread(
        target=lambda: outcome.append(import_records(engine, "import:big", rows()))
    )
    thread.start()
    other = _impatient(engine)
    try:
        assert reached.wait(60)
        shortlists.set_note(other, listed, course, "read before Friday")
        with support.fast_fetcher(autothrottle=False) as fetcher:
            reports = refresh_sources(other, ["futurelearn"], fetcher=fetcher)
    finally:
        release.set()
        thread.join(60)
        other.dispose()
    assert [(r.state, r.message) for r in reports] == [("ok", None)]
    assert [(r.state, r.added) for r in outcome] == [("ok", 500)]
    assert shortlists.items(engine, listed)[0]["note"] == "read before Friday"
    assert support.integrity_problems(engine) == []


def test_an_import_that_breaks_off_keeps_whole_steps_and_marks_nothing_stale(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step is a transaction: what an import wrote before it broke off stays, whole and
    consistent; nothing is marked stale; the run says failed, with what it wrote."""
    monkeypatch.setattr(upsert_module, "STEP", 100)
    old = [_record(i) for i in range(1000, 1050)]
    import_records(engine, "import:big", old, full=True)

    def rows() -> Iterator[CourseRecord]:
        for i in range(250):
            yield _record(i)
        raise OSError("Input/output error")

    with pytest.raises(OSError):
        import_records(engine, "import:big", rows(), full=True)
    listings = support.listings(engine, "import:big")
    assert len(listings) == 50 + 200  # the old ones and two whole steps
    assert {row["status"] for row in listings.values()} == {"active"}
    assert support.integrity_problems(engine) == []
    run = support.runs(engine, "import:big")[-1]
    assert run["state"] == "failed" and run["added"] == 200
    assert "200 listings written before it stay" in run["message"], run["message"]


def test_long_import_beside_notes_and_a_refresh(
    engine: Engine, site: support.Site, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    for key, value in site.env().items():
        monkeypatch.setenv(key, value)
    listed, course = _noted_course(engine)
    errors: list[str] = []
    waits: list[float] = []
    done = threading.Event()

    def importer() -> None:
        try:
            import_records(engine, "import:big", (_record(i) for i in range(ROWS)))
        except Exception as exc:
            errors.append(f"import: {exc}"[:300])
        finally:
            done.set()

    other = make_engine(engine.url.render_as_string(hide_password=False))
    thread = threading.Thread(target=importer)
    started = time.monotonic()
    thread.start()
    notes = refreshes = 0
    try:
        while not done.is_set():
            began = time.monotonic()
            try:
                shortlists.set_note(other, listed, course, f"note {notes}")
                notes += 1
            except Exception as exc:
                errors.append(f"note: {exc}"[:300])
            waits.append(time.monotonic() - began)
            if notes % 10 == 5:
                with support.fast_fetcher(autothrottle=False) as fetcher:
                    reports = refresh_sources(other, site.SOURCES, fetcher=fetcher)
                states = {r.state for r in reports}
                refreshes += 1
                if states != {"ok"}:
                    errors.append(f"refresh: {states}")
            time.sleep(0.02)
    finally:
        thread.join(600)
        other.dispose()
    took = time.monotonic() - started
    assert errors == []
    assert len(support.listings(engine, "import:big")) == ROWS
    assert support.integrity_problems(engine) == []
    waits.sort()
    support.record(
        f"writers beside an import of {ROWS} rows ({engine.dialect.name})",
        import_seconds=round(took, 1),
        notes=notes,
        refreshes=refreshes,
        errors=len(errors),
        note_wait_p50_ms=round(1000 * waits[len(waits) // 2], 1) if waits else None,
        note_wait_max_ms=round(1000 * waits[-1], 1) if waits else None,
    )
