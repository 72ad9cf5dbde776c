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

:func:`refresh_sources` runs the sources concurrently, one thread each, through one
fetcher that paces every host whoever asks; their imports take turns. A source whose
pages all come back as the last complete run saw them (304 or the same bytes), with the
same code, taxonomy, rates and scraper configuration, is not parsed again: the run marks
the same listings seen and missing from what that run recorded
(:mod:`catalog.refresh_memo`).
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import refresh_memo, store
from catalog.db import bump_version, data_dir, is_sqlite, write_tx
from catalog.models import Listing, RefreshItem, RefreshRun
from catalog.record import CourseRecord, RawCourse
from catalog.refresh_memo import PageSeen, digest, page_key
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
    memo: refresh_memo.Memo | None = None,
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

    ``memo`` (pages and fingerprint of a complete run) is completed with the outcome and
    kept for the next run (see :mod:`catalog.refresh_memo`); without one the source's
    memo is dropped.
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
                report.stale, report.removed = store.mark_missing(
                    conn, source, {*result.seen, *map(str, keep)}, run_id=run_id, now=now,
                    remove_after=remove_after,
                )  # fmt: skip
            _record_items(conn, run_id, report.errors)
            _finish(conn, run_id, report)
            store.set_source(conn, source, title=title, state="ok", at=now, success=True)
            bump_version(conn)
            if memo is not None and full:
                memo.run_id, memo.seen = run_id, refresh_memo.ids(result.seen)
                memo.keep = refresh_memo.ids(keep)
                memo.out_of_scope, memo.gathered = report.out_of_scope, report.gathered
                memo.errors = [(e.key, e.stage, e.reason) for e in report.errors]
                memo.state = refresh_memo.listing_state(conn, source)
                refresh_memo.save(conn, source, memo)
            else:
                refresh_memo.forget(conn, source)
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
            refresh_memo.forget(conn, source)
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
    whole source. ``seen`` is every page fetched, by :func:`~catalog.refresh_memo.page_key`.

    ``unchanged`` (only with ``known`` pages given to :func:`harvest`): every page was the
    one known, so none was parsed; their responses wait in ``deferred`` in case the
    caller parses after all (:meth:`parse_deferred`).
    """

    records: list[tuple[str, RawCourse]] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    requested: int = 0
    pages: int = 0
    failed: int = 0
    gather_failed: bool = False
    truncated: bool = False
    seen: dict[str, PageSeen] = field(default_factory=dict)
    deferred: list[tuple[Request, Response]] = field(default_factory=list)
    unchanged: bool = False
    # called with each page's records as they are parsed (the refresh normalises them)
    sink: Callable[[list[tuple[str, RawCourse]]], None] | None = field(default=None, repr=False)

    @property
    def complete(self) -> bool:
        return not (self.failed or self.gather_failed or self.truncated)

    def parse_deferred(self, scraper: Scraper) -> None:
        """Parse the pages left unparsed, in the order they came (their follow-ups were
        fetched already: a page equal to the known one points where it pointed then)."""
        pending, self.deferred, self.unchanged = self.deferred, [], False
        for req, resp in pending:
            _parse_into(self, scraper, req, resp, lambda _req: None)


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
    known: Mapping[str, PageSeen] | None = None,
    sink: Callable[[list[tuple[str, RawCourse]]], None] | None = None,
) -> Harvest:
    """Gather, fetch and parse one source; never raises for a bad page.

    Requests are fetched in waves: what gather yields, then what those pages point to,
    and so on; each wave goes through ``fetcher.fetch_many`` (hosts in parallel, each
    host paced by the fetcher) when the fetcher has it. A request seen before (same
    method, URL and body) is not fetched again, and at most ``max_pages`` requests are
    made, so a paging loop ends.

    ``known`` pages (the last complete run's, from its memo) are not parsed while every
    page comes back as it was: the walk follows the known follow-ups instead. The first
    page that differs, fails or is new parses every page held back and the rest as usual.
    ``sink`` gets each page's records as soon as they are parsed.
    """
    name = source or scraper.name
    budget = max_pages or int(getattr(scraper, "page_budget", 0) or 0) or DEFAULT_MAX_PAGES
    out = Harvest(sink=sink)
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

    holding = known is not None

    def take(req: Request, resp: Response) -> None:
        nonlocal holding
        key, sha = page_key(req), digest(resp.content)
        url = resp.url or req.url
        page = known.get(key) if holding and known is not None else None
        if page is not None and page.digest == sha and page.url == url:
            out.deferred.append((req, resp))
            out.seen[key] = page
            for again in page.follow:
                enqueue(again)
            return
        if holding:
            holding = False
            out.parse_deferred(scraper)
        follow = _parse_into(out, scraper, req, resp, enqueue)
        out.seen[key] = PageSeen(url, sha, follow)

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
                take(req, outcome)
            _report(progress, name, "fetch", done, len(seen))
    out.requested = len(seen)
    if holding and out.complete and known is not None and set(out.seen) == set(known):
        out.unchanged = True
    else:
        out.parse_deferred(scraper)
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
) -> list[Request]:
    """Parse one page into ``out``; returns the follow-ups it gave."""
    try:
        result = scraper.parse(resp.content, resp.url or req.url)
        if not isinstance(result, ParseResult):
            raise TypeError(f"parse returned {type(result).__name__}, not ParseResult")
    except Exception as exc:  # parse must not raise; if it does, the page is unread
        out.failed += 1
        out.errors.append(ItemError(req.url, "parse", one_line(_describe(exc))))
        return []
    for reason in result.errors:
        out.errors.append(ItemError(req.url, "parse", one_line(reason)))
    if result.errors and not result.records and not result.follow:
        out.failed += 1  # a page that could not be understood at all: listings unseen
    page = [(req.url, raw) for raw in result.records]
    out.records.extend(page)
    if out.sink is not None and page:
        out.sink(page)
    for follow in result.follow:
        enqueue(follow)
    return list(result.follow)


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
    normalizer = Normalizer(source=source, rates=rates, scope=scope)
    normalizer.add(items)
    return normalizer.result()


class Normalizer:
    """:func:`normalize_all` a page at a time, so a refresh normalises the records of one
    page while the fetcher waits for the next."""

    def __init__(
        self,
        *,
        source: str,
        rates: Rates | None = None,
        scope: Callable[[CourseRecord], bool] | None = record_in_scope,
    ) -> None:
        self.source, self.rates, self.scope = source, rates, scope
        self.out = Normalized()

    def add(self, items: Iterable[tuple[str, RawCourse]]) -> None:
        from catalog.normalize import normalize_course

        out, scope = self.out, self.scope
        for key, raw in items:
            try:
                rec = normalize_course(raw, source=self.source, rates=self.rates)
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
                reason = one_line(f"scope: {_describe(exc)}")
                out.errors.append(ItemError(sid, "normalize", reason))
                out.keep.add(sid)
                continue
            if wanted:
                out.records[sid] = rec
                out.out_of_scope.discard(sid)
            else:
                out.out_of_scope.add(sid)
                out.records.pop(sid, None)

    def result(self) -> Normalized:
        """What was added so far; ``keep`` leaves out ids a later record imported."""
        self.out.keep -= set(self.out.records)
        return self.out


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
            return _run(
                engine, name, run_id, fetcher=fetcher, scraper=scraper,
                shrink_threshold=shrink_threshold, remove_after=remove_after,
                progress=progress, max_pages=max_pages, max_workers=max_workers,
                cancel=cancel,
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


# Imports take turns within a process: SQLite allows one writer anyway, and on PostgreSQL
# a source's import must see the courses another source's import just added (dedupe).
_IMPORTS = threading.Lock()


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
    cancel: threading.Event | None = None,
) -> RunReport:
    if scraper is None:
        from scrapers import get_scraper

        scraper = get_scraper(name)
    title = scraper.title
    progress = _stoppable(progress, cancel)
    before = _stats(fetcher)
    rates = current_rates()
    fingerprint = refresh_memo.pipeline_fingerprint(scraper, rates, refresh_memo.code_fingerprint())
    last = _usable_memo(engine, name, fingerprint)
    normalizer = Normalizer(source=name, rates=rates)
    got = harvest(
        scraper, fetcher, source=name, max_pages=max_pages, max_workers=max_workers,
        progress=progress, known=last.pages if last else None, sink=normalizer.add,
    )  # fmt: skip
    _check(cancel)
    if got.unchanged and last is not None:
        if live_listing_count(engine, name) * shrink_threshold <= len(last.seen):
            with _IMPORTS:
                _check(cancel)
                done = _import_unchanged(
                    engine, name, run_id, last, title=title, remove_after=remove_after,
                    pages=got.pages,
                )  # fmt: skip
            if done is not None:
                done.fetch = _stats_delta(before, _stats(fetcher))
                _report(progress, name, "import", done.unchanged, done.unchanged)
                return done
        got.parse_deferred(scraper)  # the catalog changed behind the memo: the full way
    _report(progress, name, "normalize", 0, len(got.records))
    norm = normalizer.result()  # normalised page by page while the pages came
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
    _check(cancel)
    _report(progress, name, "import", 0, len(records))
    try:
        with _IMPORTS:
            _check(cancel)
            report = import_records(
                engine, name, records, title=title, full=got.complete, errors=errors,
                out_of_scope=len(norm.out_of_scope), run_id=run_id, keep=norm.keep,
                remove_after=remove_after, gathered=norm.gathered, message=message,
                memo=refresh_memo.Memo(fingerprint, got.seen) if got.complete else None,
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
    """A failed run writes its run row, its item errors and the source's state only (and
    drops the source's memo: the next run parses in full)."""
    now = store.utcnow()
    with write_tx(engine) as conn:
        _record_items(conn, report.run_id, report.errors)
        _finish(conn, report.run_id, report)
        store.set_source(conn, report.source, title=title, state="failed", at=now, success=False)
        refresh_memo.forget(conn, report.source)


def _usable_memo(engine: Engine, source: str, fingerprint: str) -> refresh_memo.Memo | None:
    """The source's memo if the pipeline and the source's listings are as it says."""
    with engine.connect() as conn:
        last = refresh_memo.load(conn, source)
        if last is None or last.fingerprint != fingerprint:
            return None
        return last if refresh_memo.listing_state(conn, source) == last.state else None


def _import_unchanged(
    engine: Engine,
    source: str,
    run_id: int,
    last: refresh_memo.Memo,
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
        if refresh_memo.listing_state(conn, source) != last.state:
            return None
        for at in range(0, len(last.seen), 500):
            conn.execute(
                LISTING.update()
                .where(
                    LISTING.c.source == source, LISTING.c.source_id.in_(last.seen[at : at + 500])
                )
                .values(last_seen=now, missed_refreshes=0)
            )
        report.stale, report.removed = store.mark_missing(
            conn, source, {*last.seen, *last.keep}, run_id=run_id, now=now,
            remove_after=remove_after,
        )  # fmt: skip
        _record_items(conn, run_id, report.errors)
        _finish(conn, run_id, report)
        store.set_source(conn, source, title=title, state="ok", at=now, success=True)
        if report.stale or report.removed:
            bump_version(conn)
        last.run_id, last.state = run_id, refresh_memo.listing_state(conn, source)
        refresh_memo.save(conn, source, last)
    return report


def _stats(fetcher: Any) -> dict[str, int]:
    stats = getattr(fetcher, "stats", None)
    as_dict = getattr(stats, "as_dict", None)
    if as_dict is None:
        return {}
    return {k: v for k, v in as_dict().items() if isinstance(v, int)}


def _stats_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items()}


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
    one source's waits and CPU overlap another's. Imports take turns (:data:`_IMPORTS`).
    ``progress`` is always called on the calling thread, and the reports come in the
    order of ``names``.
    """
    from scrapers import SOURCES, UnknownSource

    given = dict(scrapers or {})
    todo = list(dict.fromkeys(names)) if names else list(given or SOURCES)
    for name in todo:
        if name not in SOURCES and name not in given:
            raise UnknownSource(name)
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
                _report(progress, name, "done", 1, 1)
        else:
            refresh_memo.code_fingerprint()  # once, before the threads all want it
            _in_parallel(todo, one, progress, min(parallel, len(todo)), reports, cancel)
    finally:
        if own:
            close = getattr(shared, "close", None)
            if close is not None:
                close()
    return [reports[name] for name in todo]


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
                _report(progress, source, "done", 1, 1)
            else:
                _report(progress, source, stage, done, total)
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
