"""The refresh pipeline, in the manner of ckanext-harvest: gather -> fetch -> import.

Each stage is a plain function a test can call without any scheduler. A run of one
source is recorded as a RefreshRun with per-item results; the import stage writes a
source's listings in one transaction, so a failing source keeps what it had.

The whole pipeline of one source is :func:`refresh_source`:

    gather (scraper.gather) -> fetch (fetcher.fetch_many, follow-ups from parse, de-duplicated,
    bounded by a page budget) -> parse (scraper.parse) -> normalise (normalize_course) ->
    scope (topics.in_scope) -> import (:func:`import_records`)

Every failure of one page or record becomes an :class:`ItemError` (a RefreshItem row) and
the run goes on. Three rules keep a bad day at a source from damaging the catalog:

* listings are marked stale only after a run that saw the *whole* source (every request
  fetched and understood, the page budget not exhausted); otherwise nothing is marked;
* a run that returns far fewer listings than the source had (``shrink_threshold``) is a
  failed run, not a mass removal: nothing but the run record is written;
* one refresh per source at a time (:class:`SourceLock`): a file lock on SQLite, an
  advisory lock on PostgreSQL, so several ``courseradar refresh`` processes share the
  sources between them instead of refreshing one twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import store
from catalog.db import bump_version, data_dir, is_sqlite, write_tx
from catalog.models import Listing, RefreshItem, RefreshRun
from catalog.record import CourseRecord, RawCourse
from scrapers.base import Fetcher, FetchError, ParseResult, Request, Response, Scraper, as_list

if TYPE_CHECKING:
    from catalog.rates import Rates

RUN = RefreshRun.__table__  # type: ignore[attr-defined]
ITEM = RefreshItem.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]

_log = logging.getLogger(__name__)

# A source whose scraper does not say otherwise may cost at most this many requests per
# run: enough for a sitemap walk of a large platform, small enough to stop a paging loop.
DEFAULT_MAX_PAGES = 20_000
STAGES = ("gather", "fetch", "parse", "normalize", "import")

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


# Longer ids cannot be told apart in PostgreSQL's unique indexes (index rows are limited to
# ~2,700 bytes) and would fail the whole batch; no real source uses ids near this length.
MAX_SOURCE_ID_CHARS = 500
INTERRUPTED = "interrupted: the refresh process ended before the run finished (killed?)"


def close_interrupted_runs(engine: Engine, source: str) -> int:
    """Mark runs of ``source`` still 'running' as failed; returns how many.

    Only called with the source's lock held, so no live refresh owns such a run: it was
    left by a process that died without cleanup (kill -9, power loss, OOM killer). Its
    writes were rolled back with its transaction; only the run row would stay 'running'.
    """
    with write_tx(engine) as conn:
        result = conn.execute(
            RUN.update()
            .where(RUN.c.source == source, RUN.c.state == "running")
            .values(state="failed", finished_at=store.utcnow(), message=INTERRUPTED)
        )
    return int(result.rowcount or 0)


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
) -> RunReport:
    """The import stage: upsert ``records`` of ``source`` and record the run.

    ``full`` means the records are everything the source lists now, so listings not
    among them go stale (and are removed after ``remove_after`` such runs in a row);
    ``keep`` names source ids the source still lists but that could not be imported
    this time (they are not marked). Everything happens in one transaction: on any
    error nothing of this batch is written, the run is recorded as failed (with the
    item errors) and the exception is raised. A record whose source_id is longer than
    MAX_SOURCE_ID_CHARS is left out as an item error rather than failing the batch.

    ``records`` may be a generator: it is read step by step (on a worker thread of
    :func:`catalog.store.upsert_in`, so it must not use the database), and the import
    never holds all of it. ``errors`` and ``out_of_scope`` (a count, or the ids) are
    read once the input is exhausted, so a generator may still add to them.
    """
    too_long: list[ItemError] = []
    offered = 0

    def admitted() -> Iterator[CourseRecord]:
        nonlocal offered
        for rec in records:
            offered += 1
            sid = str(rec.source_id)
            if len(sid) <= MAX_SOURCE_ID_CHARS:
                yield rec
            else:
                too_long.append(
                    ItemError(
                        sid[:80] + "…",
                        "import",
                        f"source_id of {len(sid)} characters, more than "
                        f"{MAX_SOURCE_ID_CHARS}; not imported",
                    )
                )

    run_id = run_id if run_id is not None else start_run(engine, source)
    report = RunReport(source=source, run_id=run_id, state="ok")
    report.message = message
    report.complete = full
    now = store.utcnow()

    def settle() -> None:  # the counts the input gave, known once it has been read
        report.errors = [*errors, *too_long]
        report.errored = len(report.errors)
        report.out_of_scope = out_of_scope if isinstance(out_of_scope, int) else len(out_of_scope)
        report.gathered = gathered if gathered is not None else offered + report.out_of_scope

    try:
        with write_tx(engine) as conn:
            result = store.upsert_in(conn, source, admitted(), run_id=run_id, now=now)
            settle()
            report.added, report.merged = result.added, result.merged
            report.updated, report.unchanged = result.updated, result.unchanged
            if full:
                seen = set(result.seen) | {str(k) for k in keep}
                report.stale, report.removed = store.mark_missing(
                    conn, source, seen, run_id=run_id, now=now, remove_after=remove_after
                )
            _record_items(conn, run_id, report.errors)
            _finish(conn, run_id, report)
            store.set_source(conn, source, title=title, state="ok", at=now, success=True)
            bump_version(conn)
    except Exception as exc:
        settle()
        reason = one_line(f"import failed: {type(exc).__name__}: {exc}")
        report.state = "failed"
        report.message = reason
        report.added = report.merged = report.updated = report.unchanged = 0
        report.stale = report.removed = 0
        report.errors.append(ItemError(source, "import", reason))
        report.errored = len(report.errors)
        with write_tx(engine) as conn:
            _record_items(conn, run_id, report.errors)
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


def one_line(text: str, limit: int = 500) -> str:
    """A reason as one line of at most ``limit`` characters (RefreshItem.error, CLI output)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- one refresh per source at a time ---------------------------------------------------


class SourceLock:
    """Held while a source refreshes, so no two refreshes of one source overlap.

    SQLite: a file lock ``locks/<source>.lock`` beside the database file (the data dir for
    the default database), which covers every process on this machine. PostgreSQL: a
    session advisory lock ``pg_try_advisory_lock(hashtext('courseradar:' || source))`` on
    a connection of its own, held for the whole run, which covers every machine using the
    server; if the process dies the server drops the lock with the connection. A catalog
    in a schema other than ``public`` adds the schema to the key, so two catalogs in one
    database (the test suite's schemas, say) do not block each other.

    ``acquire`` never waits: a refresh that finds its source busy is skipped, not queued.
    """

    def __init__(self, engine: Engine, source: str) -> None:
        self.engine = engine
        self.source = source
        self._file: Any = None
        self._conn: sa.Connection | None = None
        self._key: str | None = None

    @property
    def path(self) -> Path:
        """The lock file used on SQLite."""
        return lock_dir(self.engine) / f"{_safe_name(self.source)}.lock"

    def acquire(self) -> bool:
        """Take the lock if it is free; False (at once) if another refresh holds it."""
        if is_sqlite(self.engine):
            from filelock import FileLock, Timeout

            path = self.path
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(path), timeout=0)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                return False
            self._file = lock
            return True
        conn = self.engine.connect()
        # Out of the pool: closing it ends the session, and with it the lock, even if this
        # object is dropped without release(); a pooled session would keep the lock.
        conn.detach()
        try:
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
            key = "courseradar:" + ("" if schema in (None, "public") else f"{schema}:")
            self._key = key + self.source
            got = conn.execute(
                sa.text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": self._key}
            ).scalar()
            conn.commit()  # the lock is the session's; no transaction stays open
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        """Give the lock back (a no-op when not held)."""
        if self._file is not None:
            self._file.release()
            self._file = None
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.rollback()
                conn.execute(
                    sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": self._key}
                )
                conn.commit()
            except Exception:
                _log.warning("could not unlock %s; closing the session", self.source)
            finally:
                conn.close()  # detached: the session ends here

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_dir(engine: Engine) -> Path:
    """Where the SQLite lock files live: ``locks/`` beside the database file."""
    database = engine.url.database
    if is_sqlite(engine) and database and database != ":memory:" and "mode=memory" not in database:
        return (
            Path(database.removeprefix("file:").split("?")[0]).expanduser().resolve().parent
            / "locks"
        )
    return data_dir() / "locks"


def _safe_name(source: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", source) or "_"


# -- gather, fetch, parse ---------------------------------------------------------------


@dataclass
class Harvest:
    """What the gather, fetch and parse stages of one source produced.

    ``records`` pairs each raw record with the URL of the page it came from. ``failed``
    counts requests that could not be fetched or whose page could not be read at all;
    ``truncated`` says the page budget ran out. Either means the run did not see the
    whole source.
    """

    records: list[tuple[str, RawCourse]] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    requested: int = 0
    pages: int = 0
    failed: int = 0
    gather_failed: bool = False
    truncated: bool = False

    @property
    def complete(self) -> bool:
        return not (self.failed or self.gather_failed or self.truncated)


def _request_key(req: Request) -> tuple[str, str, bytes]:
    """Follow-ups are de-duplicated by URL; a POST search API pages by body, so the body
    (and the method) are part of the key."""
    return (req.method.upper(), req.url, req.body or b"")


def harvest(
    scraper: Scraper,
    fetcher: Fetcher,
    *,
    source: str | None = None,
    max_pages: int | None = None,
    max_workers: int = 4,
    progress: Progress | None = None,
) -> Harvest:
    """Gather, fetch and parse one source; never raises for a bad page.

    Requests are fetched in waves: what gather yields, then what those pages point to,
    and so on; each wave goes through ``fetcher.fetch_many`` (hosts in parallel, each
    host paced by the fetcher) when the fetcher has it. A request seen before (same
    method, URL and body) is not fetched again, and at most ``max_pages`` requests are
    made, so a paging loop ends.
    """
    name = source or scraper.name
    budget = max_pages or int(getattr(scraper, "page_budget", 0) or 0) or DEFAULT_MAX_PAGES
    out = Harvest()
    seen: set[tuple[str, str, bytes]] = set()
    wave: list[Request] = []
    dropped = 0

    def enqueue(req: Request) -> None:
        nonlocal dropped
        key = _request_key(req)
        if key in seen:
            return
        if len(seen) >= budget:
            if not dropped:
                out.errors.append(
                    ItemError(
                        req.url,
                        "fetch",
                        f"stopped after {budget} requests (the page budget of {name}); "
                        "this and further pages were not fetched",
                    )
                )
            dropped += 1
            out.truncated = True
            return
        seen.add(key)
        wave.append(req)

    try:
        for req in scraper.gather(fetcher):
            enqueue(req)
            _report(progress, name, "gather", len(seen), len(seen))
    except Exception as exc:
        out.gather_failed = True
        key = scraper.endpoint.get("start") or next(iter(scraper.endpoint.values()), name)
        out.errors.append(ItemError(key, "gather", one_line(_describe(exc))))

    done = 0
    while wave:
        current, wave = wave, []
        for req, outcome in _fetch_all(fetcher, current, max_workers):
            done += 1
            if isinstance(outcome, FetchError):
                out.failed += 1
                out.errors.append(ItemError(req.url, "fetch", one_line(outcome.reason)))
            else:
                out.pages += 1
                _parse_into(out, scraper, req, outcome, enqueue)
            _report(progress, name, "fetch", done, len(seen))
    out.requested = len(seen)
    return out


def _fetch_all(
    fetcher: Fetcher, requests: list[Request], max_workers: int
) -> Iterator[tuple[Request, Response | FetchError]]:
    fetch_many = getattr(fetcher, "fetch_many", None)
    if fetch_many is not None:
        yield from fetch_many(requests, max_workers=max_workers)
        return
    for req in requests:
        try:
            yield req, fetcher.fetch(req)
        except FetchError as exc:
            yield req, exc
        except Exception as exc:  # a fetcher outside scrapers.http may raise anything
            yield req, FetchError(req.url, one_line(_describe(exc)))


def _parse_into(
    out: Harvest,
    scraper: Scraper,
    req: Request,
    resp: Response,
    enqueue: Callable[[Request], None],
) -> None:
    try:
        result = scraper.parse(resp.content, resp.url or req.url)
        if not isinstance(result, ParseResult):
            raise TypeError(f"parse returned {type(result).__name__}, not ParseResult")
    except Exception as exc:  # parse must not raise; if it does, the page is unread
        out.failed += 1
        out.errors.append(ItemError(req.url, "parse", one_line(_describe(exc))))
        return
    for reason in result.errors:
        out.errors.append(ItemError(req.url, "parse", one_line(reason)))
    if result.errors and not result.records and not result.follow:
        out.failed += 1  # a page that could not be understood at all: listings unseen
    out.records.extend((req.url, raw) for raw in result.records)
    for follow in result.follow:
        enqueue(follow)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FetchError):
        return exc.reason
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _report(progress: Progress | None, source: str, stage: str, done: int, total: int) -> None:
    """Tell the front end; a display problem never fails a refresh."""
    if progress is None:
        return
    try:
        progress(source, stage, done, total)
    except Exception:
        _log.debug("progress callback failed", exc_info=True)


# -- normalise and scope ----------------------------------------------------------------


def rates_path() -> Path:
    """Where ``courseradar rates update`` keeps the user's newer ECB file."""
    return data_dir() / "ecb_rates.xml"


def current_rates() -> Rates:
    """The newest rates available: the user's copy when newer than the shipped file."""
    from catalog.rates import load_rates

    return load_rates(rates_path())


def record_in_scope(record: CourseRecord) -> bool:
    """The scope rule on a normalised record (categories come from its raw values)."""
    from catalog.topics import in_scope

    categories = as_list(record.raw.get("categories")) if isinstance(record.raw, dict) else []
    return in_scope(record.title, record.description, record.skills, categories)


@dataclass
class Normalized:
    """Records ready for import, by source id, and what did not make it."""

    records: dict[str, CourseRecord] = field(default_factory=dict)
    out_of_scope: set[str] = field(default_factory=set)
    keep: set[str] = field(default_factory=set)  # seen, but not importable this time
    errors: list[ItemError] = field(default_factory=list)

    @property
    def gathered(self) -> int:
        return len(set(self.records) | self.out_of_scope | self.keep)


def normalize_all(
    items: Iterable[tuple[str, RawCourse]],
    *,
    source: str,
    rates: Rates | None = None,
    scope: Callable[[CourseRecord], bool] | None = record_in_scope,
) -> Normalized:
    """Normalise raw records and apply the scope rule; a bad record is an ItemError.

    A source id seen twice keeps the last record (the detail page after the listing).
    ``scope=None`` imports everything.
    """
    from catalog.normalize import normalize_course

    out = Normalized()
    for key, raw in items:
        try:
            rec = normalize_course(raw, source=source, rates=rates)
        except Exception as exc:  # normalize_course promises not to raise; be sure
            sid = str(raw.get("source_id") or "") if isinstance(raw, dict) else ""
            out.errors.append(ItemError(sid or key, "normalize", one_line(_describe(exc))))
            if sid:
                out.keep.add(sid)
            continue
        sid = str(rec.source_id or "").strip()
        if not sid:
            title = f" ({rec.title[:80]})" if rec.title else ""
            out.errors.append(ItemError(key, "normalize", f"record without a source_id{title}"))
            continue
        if not rec.title:
            out.errors.append(ItemError(sid, "normalize", "record without a title"))
            out.keep.add(sid)
            continue
        try:
            wanted = scope is None or scope(rec)
        except Exception as exc:
            out.errors.append(ItemError(sid, "normalize", one_line(f"scope: {_describe(exc)}")))
            out.keep.add(sid)
            continue
        if wanted:
            out.records[sid] = rec
            out.out_of_scope.discard(sid)
        else:
            out.out_of_scope.add(sid)
            out.records.pop(sid, None)
    out.keep -= set(out.records)
    return out


# -- the pipeline -----------------------------------------------------------------------


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
) -> RunReport:
    """Refresh one source end to end and record the run; returns its report.

    Never raises for a bad page, record or source: a source that cannot be refreshed
    ends as a failed run with the reason in ``message`` and keeps what it had. Only an
    unreachable database (no run can be recorded) or an interrupt escapes.
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
            return _run(
                engine, name, run_id, fetcher=fetcher, scraper=scraper,
                shrink_threshold=shrink_threshold, remove_after=remove_after,
                progress=progress, max_pages=max_pages, max_workers=max_workers,
            )  # fmt: skip
        except _ImportFailed as exc:
            return exc.report
        except BaseException as exc:
            reason = (
                "interrupted"
                if isinstance(exc, KeyboardInterrupt | SystemExit)
                else one_line(f"refresh failed: {_describe(exc)}")
            )
            report = RunReport(source=name, run_id=run_id, state="failed", message=reason)
            report.errors = [ItemError(name, "gather", reason)]
            report.errored = 1
            try:
                _record_failure(engine, report, title=getattr(scraper, "title", ""))
            except Exception:
                _log.warning("could not record the failed run of %s", name, exc_info=True)
            if not isinstance(exc, Exception):
                raise
            return report
    finally:
        lock.release()


class _ImportFailed(Exception):
    def __init__(self, report: RunReport) -> None:
        super().__init__(report.message)
        self.report = report


def _run(
    engine: Engine,
    name: str,
    run_id: int,
    *,
    fetcher: Fetcher,
    scraper: Scraper | None,
    shrink_threshold: float,
    remove_after: int,
    progress: Progress | None,
    max_pages: int | None,
    max_workers: int,
) -> RunReport:
    if scraper is None:
        from scrapers import get_scraper

        scraper = get_scraper(name)
    title = scraper.title
    before = _stats(fetcher)
    got = harvest(
        scraper, fetcher, source=name, max_pages=max_pages, max_workers=max_workers,
        progress=progress,
    )  # fmt: skip
    _report(progress, name, "normalize", 0, len(got.records))
    norm = normalize_all(got.records, source=name, rates=current_rates())
    _report(progress, name, "normalize", len(got.records), len(got.records))
    errors = got.errors + norm.errors
    fetched = _stats_delta(before, _stats(fetcher))
    records = list(norm.records.values())

    def failed(message: str) -> RunReport:
        report = RunReport(source=name, run_id=run_id, state="failed", message=message)
        report.errors, report.errored = errors, len(errors)
        report.gathered, report.pages, report.fetch = norm.gathered, got.pages, fetched
        report.out_of_scope = len(norm.out_of_scope)
        _record_failure(engine, report, title=title)
        return report

    if got.requested == 0 and not got.gather_failed:
        return failed(f"{name} gave nothing to fetch (no endpoints configured?)")
    if got.pages == 0:
        first = next((e for e in errors if e.stage in ("gather", "fetch")), None)
        why = f": {first.reason}" if first else ""
        return failed(f"nothing could be fetched from {name}{why}; kept the catalog as it was")
    live = live_listing_count(engine, name)
    if live and len(records) < shrink_threshold * live:
        return failed(
            f"returned {len(records)} listings, fewer than {shrink_threshold:.0%} of the "
            f"{live} it had; kept the catalog as it was"
        )
    message = None
    if not got.complete:
        parts = []
        if got.failed:
            parts.append(f"{got.failed} of {got.requested} requests could not be fetched or read")
        if got.gather_failed:
            parts.append("gather stopped early")
        if got.truncated:
            parts.append("the page budget ran out")
        message = (
            "; ".join(parts) + "; the run did not see the whole source, so no listing was "
            "marked stale"
        )
    _report(progress, name, "import", 0, len(records))
    try:
        report = import_records(
            engine, name, records, title=title, full=got.complete, errors=errors,
            out_of_scope=len(norm.out_of_scope), run_id=run_id, keep=norm.keep,
            remove_after=remove_after, gathered=norm.gathered, message=message,
        )  # fmt: skip
    except Exception as exc:
        report = RunReport(source=name, run_id=run_id, state="failed")
        report.message = one_line(f"import failed: {_describe(exc)}")
        report.errors = [*errors, ItemError(name, "import", report.message)]
        report.errored = len(report.errors)
        report.gathered, report.pages, report.fetch = norm.gathered, got.pages, fetched
        report.out_of_scope = len(norm.out_of_scope)
        raise _ImportFailed(report) from exc
    report.pages, report.fetch = got.pages, fetched
    _report(progress, name, "import", len(records), len(records))
    return report


def _record_failure(engine: Engine, report: RunReport, *, title: str = "") -> None:
    """A failed run writes its run row, its item errors and the source's state only."""
    now = store.utcnow()
    with write_tx(engine) as conn:
        _record_items(conn, report.run_id, report.errors)
        _finish(conn, report.run_id, report)
        store.set_source(conn, report.source, title=title, state="failed", at=now, success=False)


def _stats(fetcher: Any) -> dict[str, int]:
    stats = getattr(fetcher, "stats", None)
    as_dict = getattr(stats, "as_dict", None)
    if as_dict is None:
        return {}
    return {k: v for k, v in as_dict().items() if isinstance(v, int)}


def _stats_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items()}


def refresh_sources(
    engine: Engine,
    names: Iterable[str] | None = None,
    *,
    fetcher: Fetcher | None = None,
    cache_path: Path | None = None,
    progress: Progress | None = None,
    max_workers: int = 4,
) -> list[RunReport]:
    """Refresh several sources (default: every registered one), one after the other.

    A failing source is recorded as failed and the next one runs; a source another
    process is refreshing is skipped. Unknown names raise ``UnknownSource`` before any
    work starts (a typo should not look like a failed refresh). Without a ``fetcher``,
    one :class:`~scrapers.http.PoliteFetcher` with the HTTP cache at ``cache_path``
    (default ``<data dir>/http-cache.sqlite``) serves all sources and is closed at the end.
    Sources run one after the other: each host is paced anyway, and several processes
    can share the sources through the locks when a refresh must go faster.
    """
    from scrapers import SOURCES, UnknownSource

    todo = list(dict.fromkeys(names)) if names else list(SOURCES)
    for name in todo:
        if name not in SOURCES:
            raise UnknownSource(name)
    own = fetcher is None
    if fetcher is None:
        from catalog.fetching import make_fetcher

        fetcher = make_fetcher(cache_path=cache_path)
    reports: list[RunReport] = []
    try:
        for name in todo:
            try:
                report = refresh_source(
                    engine, name, fetcher=fetcher, progress=progress, max_workers=max_workers
                )
            except Exception as exc:  # the run could not even be recorded
                report = _unrecorded_failure(engine, name, exc)
            reports.append(report)
            _report(progress, name, "done", 1, 1)
    finally:
        if own:
            close = getattr(fetcher, "close", None)
            if close is not None:
                close()
    return reports


def _unrecorded_failure(engine: Engine, name: str, exc: Exception) -> RunReport:
    reason = one_line(f"refresh failed: {_describe(exc)}")
    report = RunReport(source=name, run_id=0, state="failed", message=reason)
    report.errors, report.errored = [ItemError(name, "gather", reason)], 1
    try:
        report.run_id = start_run(engine, name)
        _record_failure(engine, report)
    except Exception:
        _log.warning("could not record the failed run of %s", name, exc_info=True)
    return report


# -- is the format still understood? ------------------------------------------------------


@dataclass
class CheckResult:
    """Outcome of :func:`check_source`: did one small page still parse into records?"""

    source: str
    ok: bool
    reason: str
    url: str = ""
    records: int = 0


def check_source(scraper: Scraper, fetcher: Fetcher, *, max_hops: int = 3) -> CheckResult:
    """Fetch the scraper's ``check_request()`` and parse it: ok when records came and no error.

    A first page that only points on (a sitemap, a listing of links) is followed through
    its first follow-up, at most ``max_hops`` requests in all, so the check reaches a page
    with course data. For ``courseradar sources check``: tells a user with internet
    whether each source's format still holds.
    """
    name = scraper.name
    try:
        req = scraper.check_request()
    except Exception as exc:
        return CheckResult(name, False, one_line(f"no check request: {_describe(exc)}"))
    for _ in range(max(1, max_hops)):
        try:
            resp = fetcher.fetch(req)
        except FetchError as exc:
            return CheckResult(name, False, one_line(f"fetch failed: {exc.reason}"), req.url)
        except Exception as exc:
            return CheckResult(name, False, one_line(f"fetch failed: {_describe(exc)}"), req.url)
        try:
            result = scraper.parse(resp.content, resp.url or req.url)
        except Exception as exc:
            return CheckResult(name, False, one_line(f"parse raised {_describe(exc)}"), req.url)
        if result.errors:
            more = f" (+{len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
            got = f"; {len(result.records)} record(s) read" if result.records else ""
            reason = one_line(f"parse error: {result.errors[0]}{more}{got}")
            return CheckResult(name, False, reason, req.url, len(result.records))
        if result.records:
            n = len(result.records)
            return CheckResult(name, True, f"{n} record(s) read", req.url, n)
        if not result.follow:
            return CheckResult(name, False, "the page parsed to no records", req.url)
        req = result.follow[0]
    return CheckResult(name, False, f"no records within {max_hops} requests", req.url)
