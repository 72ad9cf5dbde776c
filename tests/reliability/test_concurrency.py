"""Concurrency: searches during refreshes, a second refresh refused, two sessions editing lists.

Why: the app keeps answering while a scheduled refresh writes, a user may start
`courseradar refresh` while the scheduler runs one, and two browser tabs (two Streamlit
sessions) may edit the same shortlist. None of that may produce an error a person sees
("database is locked" included) or lose an edit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from catalog import shortlists
from catalog.db import make_engine
from catalog.refresh import refresh_sources
from catalog.search import Query, search
from tests.reliability import support
from tests.support.httpserver import Reply

pytestmark = pytest.mark.reliability

SEARCH_THREADS = 3
SEARCH_PROCESSES = 2
REFRESHES = 4
LOOP = Path(__file__).resolve().with_name("search_loop.py")
QUERIES = [
    Query(text="deep learning workshop"),
    Query(text="künstlichen intelligenz", sort="newest"),
    Query(costs=("free",), languages=("de", "en")),
    Query(text="rev", per_page=50, sort="duration"),
    Query(),
]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _publish_env(site: support.Site, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in site.env().items():
        monkeypatch.setenv(key, value)


def test_searches_run_without_error_while_refreshes_write(
    engine: Engine,
    tmp_path: Path,
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Threads sharing the app's engine and separate processes search throughout four
    refreshes that rewrite every listing; not one search may fail."""
    dialect = engine.dialect.name
    with support.Site(futurelearn=120, xikolo=5) as site:
        _publish_env(site, monkeypatch)
        with support.fast_fetcher(autothrottle=False) as fetcher:
            assert {
                r.state for r in refresh_sources(engine, list(site.SOURCES), fetcher=fetcher)
            } == {"ok"}

        stop = threading.Event()
        refreshing = threading.Event()
        counts = {"searches": 0, "during_refresh": 0}
        errors: list[str] = []
        lock = threading.Lock()

        def searcher(n: int) -> None:
            i = n
            while not stop.is_set():
                query = QUERIES[i % len(QUERIES)]
                i += 1
                try:
                    result = search(engine, query)
                    assert result.total >= len(result.rows)
                except Exception as exc:
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:300])
                with lock:
                    counts["searches"] += 1
                    counts["during_refresh"] += refreshing.is_set()

        stop_file = tmp_path / "stop"
        procs = [
            subprocess.Popen(
                [sys.executable, str(LOOP), _url(engine), str(stop_file)],
                stdout=subprocess.PIPE,
                text=True,
                env=support.cli_env({}),
            )
            for _ in range(SEARCH_PROCESSES)
        ]
        for p in procs:  # every process is searching before the first write
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        threads = [threading.Thread(target=searcher, args=(n,)) for n in range(SEARCH_THREADS)]
        for t in threads:
            t.start()
        reports: list[Any] = []
        started = time.monotonic()
        try:
            for version in range(2, 2 + REFRESHES):
                site.publish(version)
                refreshing.set()
                with support.fast_fetcher(autothrottle=False) as fetcher:
                    reports += refresh_sources(engine, list(site.SOURCES), fetcher=fetcher)
                refreshing.clear()
        finally:
            took = time.monotonic() - started
            stop.set()
            stop_file.touch()
            for t in threads:
                t.join(timeout=60)
            outputs = [json.loads(p.communicate(timeout=60)[0]) for p in procs]

    assert [r.state for r in reports] == ["ok"] * (2 * REFRESHES), [r.message for r in reports]
    assert support.versions(engine, "futurelearn")["listing_versions"] == [1 + REFRESHES]
    process_errors = [e for out in outputs for e in out["errors"]]
    assert errors == [] and process_errors == []
    assert counts["during_refresh"] > 0
    assert all(out["searches"] > 0 for out in outputs)
    support.record(
        f"concurrency: searches during refreshes ({dialect})",
        refreshes=REFRESHES,
        refresh_seconds=round(took, 1),
        thread_searches=counts["searches"],
        thread_searches_while_refreshing=counts["during_refresh"],
        process_searches=sum(out["searches"] for out in outputs),
        errors=len(errors) + sum(out["errored"] for out in outputs),
    )


def test_second_refresh_is_refused_cleanly(
    engine: Engine,
    tmp_path: Path,
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While one refresh of a source runs, another one (in process, or the CLI) skips it
    with a one-line reason and writes nothing; the first one finishes normally."""
    with support.Site(futurelearn=20, xikolo=2, delay=0.0) as site:
        _publish_env(site, monkeypatch)
        release = threading.Event()

        def slow_feed(request: Any) -> Reply:
            release.wait(30)  # the site answers when the test has tried the second refresh
            return Reply.json(support.futurelearn_feed(20, 1))

        site.publish_feed(slow_feed)
        first: list[Any] = []

        def run_first() -> None:
            with support.fast_fetcher(read_timeout=40) as fetcher:
                first.extend(refresh_sources(engine, ["futurelearn"], fetcher=fetcher))

        thread = threading.Thread(target=run_first)
        thread.start()
        try:
            assert support.wait_for(lambda: site.server.requests_to("/feeds/courses"), 20)
            runs_before = support.runs(engine, "futurelearn")
            with support.fast_fetcher() as fetcher:
                second = refresh_sources(engine, ["futurelearn"], fetcher=fetcher)
            env = {
                "COURSERADAR_DATA_DIR": str(clean_env),
                "COURSERADAR_DATABASE_URL": _url(engine),
                **site.env(["futurelearn"]),
            }
            done = support.cli("refresh", "--source", "futurelearn", env=env)
            runs_after = support.runs(engine, "futurelearn")
        finally:
            release.set()
            thread.join(timeout=60)

    assert [(r.state, r.message) for r in second] == [
        ("skipped", "another refresh of futurelearn is running")
    ]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "another refresh of futurelearn is running" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert len(runs_after) == len(runs_before) == 1  # the refused ones wrote no run
    assert [r.state for r in first] == ["ok"]
    assert len(support.listings(engine, "futurelearn")) == 20
    support.bump("concurrency: second refresh refused", f"{engine.dialect.name} (library + CLI)")


def test_two_sessions_editing_shortlists_lose_nothing(engine: Engine) -> None:
    """Two app sessions (threads, each with its own engine and so its own connections)
    add, annotate, reorder and remove on one shared list and one list each, at once."""
    from catalog.record import CourseRecord
    from catalog.refresh import import_records

    records = [
        CourseRecord(source="test", source_id=f"c{i}", title=f"Machine Learning Topic {i}")
        for i in range(60)
    ]
    import_records(engine, "test", records, full=True)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM course ORDER BY id")]
    shared = shortlists.new_list(engine, "Shared")
    url = _url(engine)
    errors: list[str] = []
    ops = [0, 0]
    barrier = threading.Barrier(2)

    def session(n: int) -> None:
        eng = None
        mine = [cid for k, cid in enumerate(ids) if k % 2 == n]
        try:  # a failure before the barrier is recorded too, and frees the other session
            eng = make_engine(url)
            own = shortlists.new_list(eng, f"Session {n}")
            barrier.wait()
            for k, cid in enumerate(mine):
                shortlists.add(eng, shared, [cid])
                shortlists.set_note(eng, shared, cid, f"note from session {n} on {cid}")
                shortlists.add(eng, own, [cid])
                ops[n] += 3
                if k % 3 == 0:
                    shortlists.move(eng, shared, cid, "top")
                    shortlists.move(eng, own, cid, 1)
                    ops[n] += 2
                if k % 5 == 4:  # take one off again and put it back at the end
                    shortlists.remove(eng, shared, [cid])
                    shortlists.add(eng, shared, [cid])
                    shortlists.set_note(eng, shared, cid, f"note from session {n} on {cid}")
                    ops[n] += 3
        except Exception as exc:
            barrier.abort()
            errors.append(f"session {n}: {type(exc).__name__}: {exc}"[:300])
        finally:
            if eng is not None:
                eng.dispose()

    threads = [threading.Thread(target=session, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    items = shortlists.items(engine, shared)
    assert sorted(i["id"] for i in items) == sorted(ids)
    assert [i["position"] for i in items] == list(range(1, len(ids) + 1))
    for item in items:
        n = ids.index(item["id"]) % 2
        assert item["note"] == f"note from session {n} on {item['id']}"
    with engine.connect() as conn:
        positions = conn.exec_driver_sql(
            "SELECT shortlist_id, position, count(*) FROM shortlistitem "
            "GROUP BY shortlist_id, position HAVING count(*) > 1"
        ).all()
    assert positions == []  # no two items share a place
    for n in range(2):
        own = shortlists.items(engine, f"Session {n}")
        assert sorted(i["id"] for i in own) == sorted(ids[n::2])
    support.record(
        f"concurrency: two sessions on shortlists ({engine.dialect.name})",
        operations=sum(ops),
        lost_items=0,
        lost_notes=0,
        errors=len(errors),
    )
