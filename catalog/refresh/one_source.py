"""One source end to end: lock, harvest, scope, import, and the run recorded.

Two rules keep a bad day at a source from damaging the catalog: a run that fetched nothing,
or far fewer listings than the source had (``shrink_threshold``), is a failed run and
writes nothing but its run record; and listings are marked stale only after a run that saw
the whole source. A source whose pages all equal the last complete run's is not parsed
again (:mod:`catalog.refresh.memo`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine

from catalog.refresh import memo
from catalog.refresh.harvesting import Harvest, harvest
from catalog.refresh.importing import import_records, import_unchanged, live_listing_count
from catalog.refresh.lock import SourceLock
from catalog.refresh.runs import (
    STOPPED,
    ItemError,
    Progress,
    RunReport,
    close_interrupted_runs,
    describe,
    one_line,
    record_failure,
    record_stopped,
    report_progress,
    start_run,
)
from catalog.refresh.scope import Normalized, Normalizer, current_rates
from scrapers.base import Fetcher, Request, Scraper

_log = logging.getLogger(__name__)

# Imports take turns within a process: SQLite allows one writer anyway, and on PostgreSQL
# a source's import must see the courses another source's import just added (dedupe).
_IMPORTS = threading.Lock()


def refresh_source(
    engine: Engine,
    name: str,
    *,
    fetcher: Fetcher,
    scraper: Scraper | None = None,
    shrink_threshold: float = 0.5,
    remove_after: int = 3,
    progress: Progress | None = None,
    max_pages: int | None = None,
    max_workers: int = 4,
    cancel: threading.Event | None = None,
) -> RunReport:
    """Refresh one source end to end and record the run; returns its report.

    Never raises for a bad page, record or source: a source that cannot be refreshed
    ends as a failed run with the reason in ``message`` and keeps what it had. Only an
    unreachable database (no run can be recorded) or an interrupt escapes; ``cancel``,
    set from another thread, is an interrupt at the next stage boundary (before anything
    is written).
    """
    lock = SourceLock(engine, name)
    if not lock.acquire():
        return RunReport(
            source=name, run_id=0, state="skipped", message=f"another refresh of {name} is running"
        )
    try:
        close_interrupted_runs(engine, name)
        run_id = start_run(engine, name)
        try:
            run = _Run(
                engine, name, run_id, fetcher=fetcher, scraper=scraper,
                shrink_threshold=shrink_threshold, remove_after=remove_after,
                progress=progress, cancel=cancel,
            )  # fmt: skip
            return run.run(max_pages=max_pages, max_workers=max_workers)
        except _ImportFailed as exc:
            return exc.report
        except BaseException as exc:
            report = _record_stop(engine, name, run_id, exc, title=getattr(scraper, "title", ""))
            if not isinstance(exc, Exception):
                raise
            return report
    finally:
        lock.release()


def _record_stop(
    engine: Engine, name: str, run_id: int, exc: BaseException, *, title: str
) -> RunReport:
    """The run ended by an exception, recorded as failed if possible; or it was stopped
    (Ctrl-C, the app's page left while it ran: Streamlit stops its script with a
    BaseException), recorded as stopped, which is no failure of the source."""
    if not isinstance(exc, Exception):
        stopped = RunReport(source=name, run_id=run_id, state="stopped", message=STOPPED)
        try:
            record_stopped(engine, stopped)
        except Exception:
            _log.warning("could not record the stopped run of %s", name, exc_info=True)
        return stopped
    reason = one_line(f"refresh failed: {describe(exc)}")
    report = RunReport(source=name, run_id=run_id, state="failed", message=reason)
    report.errors = [ItemError(name, "gather", reason)]
    report.errored = 1
    try:
        record_failure(engine, report, title=title)
    except Exception:
        _log.warning("could not record the failed run of %s", name, exc_info=True)
    return report


class _ImportFailed(Exception):
    def __init__(self, report: RunReport) -> None:
        super().__init__(report.message)
        self.report = report


class _Cancelled(KeyboardInterrupt):
    """Another thread asked the run to stop (an interrupt of refresh_sources)."""


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise _Cancelled


def _stoppable(progress: Progress | None, cancel: threading.Event | None) -> Progress | None:
    """``progress`` that first checks ``cancel``: the stages report often, so a cancelled
    run stops between two pages rather than after the last one."""
    if cancel is None:
        return progress

    def report(source: str, stage: str, done: int, total: int) -> None:
        _check(cancel)
        if progress is not None:
            progress(source, stage, done, total)

    return report


class _Run:
    """One run of one source, its lock held and its run row started."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        run_id: int,
        *,
        fetcher: Fetcher,
        scraper: Scraper | None,
        shrink_threshold: float,
        remove_after: int,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        if scraper is None:
            from scrapers import get_scraper

            scraper = get_scraper(name)
        self.engine, self.name, self.run_id = engine, name, run_id
        self.fetcher, self.scraper, self.title = fetcher, scraper, scraper.title
        self.shrink_threshold, self.remove_after = shrink_threshold, remove_after
        self.cancel = cancel
        self.progress = _stoppable(progress, cancel)
        self.before = _stats(fetcher)

    def run(self, *, max_pages: int | None, max_workers: int) -> RunReport:
        name, rates = self.name, current_rates()
        fingerprint = memo.pipeline_fingerprint(self.scraper, rates, memo.code_fingerprint())
        last = _usable_memo(self.engine, name, fingerprint)
        normalizer = Normalizer(source=name, rates=rates)
        got = harvest(
            self.scraper, self.fetcher, source=name, max_pages=max_pages, max_workers=max_workers,
            progress=self.progress, known=last.pages if last else None, sink=normalizer.add,
        )  # fmt: skip
        _check(self.cancel)
        if got.unchanged and last is not None:
            done = self.import_unchanged(got, last)
            if done is not None:
                return done
            got.parse_deferred(self.scraper)  # the catalog changed behind the memo: the full way
        report_progress(self.progress, name, "normalize", 0, len(got.records))
        norm = normalizer.result()  # normalised page by page while the pages came
        report_progress(self.progress, name, "normalize", len(got.records), len(got.records))
        return self.import_all(got, norm, fingerprint)

    def fetched(self) -> dict[str, int]:
        return _stats_delta(self.before, _stats(self.fetcher))

    def import_unchanged(self, got: Harvest, last: memo.Memo) -> RunReport | None:
        """Every page as the memo's run saw it: its outcome again, unless the catalog
        shrank behind it (then None, and the caller parses)."""
        if live_listing_count(self.engine, self.name) * self.shrink_threshold > len(last.seen):
            return None
        with _IMPORTS:
            _check(self.cancel)
            done = import_unchanged(
                self.engine, self.name, self.run_id, last, title=self.title,
                remove_after=self.remove_after, pages=got.pages,
            )  # fmt: skip
        if done is not None:
            done.fetch = self.fetched()
            report_progress(self.progress, self.name, "import", done.unchanged, done.unchanged)
        return done

    def import_all(self, got: Harvest, norm: Normalized, fingerprint: str) -> RunReport:
        errors = got.errors + norm.errors
        fetched = self.fetched()
        records = list(norm.records.values())
        refusal = self.refusal(got, errors, len(records))
        if refusal is not None:
            _forget(self.fetcher, got.fetched)  # every answer of a refused run
            report = _failed_report(self.name, self.run_id, refusal, errors, got, norm, fetched)
            record_failure(self.engine, report, title=self.title)
            return report
        _forget(self.fetcher, got.unread)
        _check(self.cancel)
        report_progress(self.progress, self.name, "import", 0, len(records))
        try:
            with _IMPORTS:
                _check(self.cancel)
                report = import_records(
                    self.engine, self.name, records, title=self.title, full=got.complete,
                    errors=errors, out_of_scope=len(norm.out_of_scope), run_id=self.run_id,
                    keep=norm.keep, remove_after=self.remove_after, gathered=norm.gathered,
                    message=_incomplete(got),
                    memo=memo.Memo(fingerprint, got.seen) if got.complete else None,
                )  # fmt: skip
        except Exception as exc:
            reason = one_line(f"import failed: {describe(exc)}")
            errors = [*errors, ItemError(self.name, "import", reason)]
            failed = _failed_report(self.name, self.run_id, reason, errors, got, norm, fetched)
            raise _ImportFailed(failed) from exc
        report.pages, report.fetch = got.pages, fetched
        report_progress(self.progress, self.name, "import", len(records), len(records))
        return report

    def refusal(self, got: Harvest, errors: list[ItemError], records: int) -> str | None:
        """Why the run must not be imported (it would empty or shrink the source), if so."""
        name = self.name
        if got.requested == 0 and not got.gather_failed:
            return f"{name} gave nothing to fetch (no endpoints configured?)"
        if got.pages == 0:
            first = next((e for e in errors if e.stage in ("gather", "fetch")), None)
            why = f": {first.reason}" if first else ""
            return f"nothing could be fetched from {name}{why}; kept the catalog as it was"
        live = live_listing_count(self.engine, name)
        if live and records < self.shrink_threshold * live:
            return (
                f"returned {records} listings, fewer than {self.shrink_threshold:.0%} of the "
                f"{live} it had; kept the catalog as it was"
            )
        return None


def _forget(fetcher: Fetcher, requests: list[Request]) -> None:
    """Drop answers the run refused from the fetcher's HTTP cache (where it has one), so
    the next run fetches them whole instead of revalidating a bad body with a 304 (a
    provider's broken edge may serve it under its usual ETag)."""
    forget = getattr(fetcher, "forget", None)
    if forget is None or not requests:
        return
    try:
        forget(requests)
    except Exception:  # the cache is an optimisation: never fail a run over it
        _log.warning("could not drop refused answers from the HTTP cache", exc_info=True)


def _incomplete(got: Harvest) -> str | None:
    """The run's message when it did not see the whole source; None when it did."""
    if got.complete:
        return None
    parts = []
    if got.failed:
        parts.append(f"{got.failed} of {got.requested} requests could not be fetched or read")
    if got.gather_failed:
        parts.append("gather stopped early")
    if got.truncated:
        parts.append("the page budget ran out")
    return (
        "; ".join(parts) + "; the run did not see the whole source, so no listing was marked stale"
    )


def _failed_report(
    name: str,
    run_id: int,
    message: str,
    errors: list[ItemError],
    got: Harvest,
    norm: Normalized,
    fetched: dict[str, int],
) -> RunReport:
    report = RunReport(source=name, run_id=run_id, state="failed", message=message)
    report.errors, report.errored = errors, len(errors)
    report.gathered, report.pages, report.fetch = norm.gathered, got.pages, fetched
    report.out_of_scope = len(norm.out_of_scope)
    return report


def _usable_memo(engine: Engine, source: str, fingerprint: str) -> memo.Memo | None:
    """The source's memo if the pipeline and the source's listings are as it says."""
    with engine.connect() as conn:
        last = memo.load(conn, source)
        if last is None or last.fingerprint != fingerprint:
            return None
        return last if memo.listing_state(conn, source) == last.state else None


def _stats(fetcher: Any) -> dict[str, int]:
    stats = getattr(fetcher, "stats", None)
    as_dict = getattr(stats, "as_dict", None)
    if as_dict is None:
        return {}
    return {k: v for k, v in as_dict().items() if isinstance(v, int)}


def _stats_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items()}
