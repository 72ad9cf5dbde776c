"""Sources in parallel: one thread per source, one shared fetcher, imports taking turns.

Each source is its own host(s), paced by the shared fetcher whoever asks, so one source's
waits and CPU overlap another's; progress is relayed to the calling thread (a Streamlit
page can only draw from there), and Ctrl-C stops every source before it writes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.engine import Engine

from catalog.refresh import memo
from catalog.refresh.one_source import refresh_source
from catalog.refresh.runs import (
    ItemError,
    Progress,
    RunReport,
    describe,
    one_line,
    record_failure,
    report_progress,
    start_run,
)
from scrapers.base import Fetcher, Scraper

_log = logging.getLogger(__name__)


# Sources refreshed at once by refresh_sources: each is its own host(s), paced by the shared
# fetcher, and a source's thread mostly waits for answers; sources beyond this wait their turn.
MAX_PARALLEL_SOURCES = 16


def refresh_sources(
    engine: Engine,
    names: Iterable[str] | None = None,
    *,
    fetcher: Fetcher | None = None,
    cache_path: Path | None = None,
    progress: Progress | None = None,
    max_workers: int = 4,
    scrapers: Mapping[str, Scraper] | None = None,
    parallel: int = MAX_PARALLEL_SOURCES,
) -> list[RunReport]:
    """Refresh several sources (default: every registered one), ``parallel`` at a time.

    A failing source is recorded as failed and the others go on; a source another
    process is refreshing is skipped. Unknown names raise ``UnknownSource`` before any
    work starts (a typo should not look like a failed refresh). ``scrapers`` gives ready
    scrapers by name (endpoints pointed elsewhere, say; without ``names``, just those
    sources are refreshed); other names come from the registry. Without a ``fetcher``,
    one :class:`~scrapers.http.PoliteFetcher` with the HTTP cache at ``cache_path``
    (default ``<data dir>/http-cache.sqlite``) serves all sources and is closed at the end.

    Sources run concurrently, one thread each: they are different hosts, and the fetcher
    still paces each host (one request at a time, its delays) whichever source asks, so
    one source's waits and CPU overlap another's. Imports take turns (one_source's
    ``_IMPORTS``). ``progress`` is always called on the calling thread, and the reports
    come in the order of ``names``.
    """
    given = dict(scrapers or {})
    todo = _names(names, given)
    own = fetcher is None
    if fetcher is None:
        from catalog.fetching import make_fetcher

        fetcher = make_fetcher(cache_path=cache_path)
    shared: Fetcher = fetcher
    cancel = threading.Event()

    def one(name: str, relay: Progress | None) -> RunReport:
        try:
            return refresh_source(
                engine, name, fetcher=shared, scraper=given.get(name), progress=relay,
                max_workers=max_workers, cancel=cancel,
            )  # fmt: skip
        except Exception as exc:  # the run could not even be recorded
            return _unrecorded_failure(engine, name, exc)

    reports: dict[str, RunReport] = {}
    try:
        if min(parallel, len(todo)) <= 1:
            for name in todo:
                reports[name] = one(name, progress)
                report_progress(progress, name, "done", 1, 1)
        else:
            memo.code_fingerprint()  # once, before the threads all want it
            _in_parallel(todo, one, progress, min(parallel, len(todo)), reports, cancel)
    finally:
        close = getattr(shared, "close", None) if own else None
        if close is not None:
            close()
    return [reports[name] for name in todo]


def _names(names: Iterable[str] | None, given: Mapping[str, Scraper]) -> list[str]:
    """The sources to refresh, each once; ``UnknownSource`` for a name nothing can refresh."""
    from scrapers import SOURCES, UnknownSource

    todo = list(dict.fromkeys(names)) if names else list(given or SOURCES)
    for name in todo:
        if name not in SOURCES and name not in given:
            raise UnknownSource(name)
    return todo


def _in_parallel(
    todo: list[str],
    one: Callable[[str, Progress | None], RunReport],
    progress: Progress | None,
    workers: int,
    reports: dict[str, RunReport],
    cancel: threading.Event,
) -> None:
    """Run ``one`` per source in a thread pool; relay progress to this thread.

    On an interrupt here (Ctrl-C arrives on the main thread) sources not started are
    dropped and running ones stop before they write (their runs end as interrupted).
    """
    events: queue.SimpleQueue[tuple[str, str, int, int]] = queue.SimpleQueue()

    def relay(source: str, stage: str, done: int, total: int) -> None:
        events.put((source, stage, done, total))

    def work(name: str) -> RunReport:
        try:
            return one(name, relay if progress is not None else None)
        finally:
            events.put((name, _FINISHED, 0, 0))

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="refresh")
    try:
        futures = {name: pool.submit(work, name) for name in todo}
        finished = 0
        while finished < len(todo):
            try:  # a timeout, so that Ctrl-C is seen here at once
                source, stage, done, total = events.get(timeout=0.5)
            except queue.Empty:
                continue
            if stage == _FINISHED:
                finished += 1
                report_progress(progress, source, "done", 1, 1)
            else:
                report_progress(progress, source, stage, done, total)
        for name, future in futures.items():
            reports[name] = future.result()
    except BaseException:
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


_FINISHED = "\0finished"


def _unrecorded_failure(engine: Engine, name: str, exc: Exception) -> RunReport:
    reason = one_line(f"refresh failed: {describe(exc)}")
    report = RunReport(source=name, run_id=0, state="failed", message=reason)
    report.errors, report.errored = [ItemError(name, "gather", reason)], 1
    try:
        report.run_id = start_run(engine, name)
        record_failure(engine, report)
    except Exception:
        _log.warning("could not record the failed run of %s", name, exc_info=True)
    return report
