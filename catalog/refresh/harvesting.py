"""Harvest: gather -> fetch -> parse for one source, in the manner of ckanext-harvest.

A plain function of a scraper and a fetcher (no database, no scheduler), so a test can call
it alone. A bad page never raises: it becomes an :class:`ItemError` and the walk goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from catalog.record import RawCourse
from catalog.refresh.memo import PageSeen, digest, page_key
from catalog.refresh.runs import ItemError, Progress, describe, one_line, report_progress
from scrapers.base import Fetcher, FetchError, ParseResult, Request, Response, Scraper

# A source whose scraper does not say otherwise may cost at most this many requests per
# run: enough for a sitemap walk of a large platform, small enough to stop a paging loop.
DEFAULT_MAX_PAGES = 20_000


@dataclass
class Harvest:
    """What the gather, fetch and parse stages of one source produced.

    ``records`` pairs each raw record with the URL of the page it came from. ``failed``
    counts requests that could not be fetched or whose page could not be read at all;
    ``truncated`` says the page budget ran out. Either means the run did not see the
    whole source. ``seen`` is every page fetched, by :func:`~catalog.refresh.memo.page_key`.

    ``unchanged`` (only with ``known`` pages given to :func:`harvest`): every page was the
    one known, so none was parsed; their responses wait in ``deferred`` in case the
    caller parses after all (:meth:`parse_deferred`).

    ``fetched`` is every request that got a page (with the URL it ended at, after
    redirects), ``unread`` those whose page could not be read at all: what a caller that
    refuses the run (or a page) drops from the HTTP cache.
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
    fetched: list[Request] = field(default_factory=list)
    unread: list[Request] = field(default_factory=list)
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
    walk = _Walk(out, scraper, name=name, budget=budget, known=known, progress=progress)
    walk.gather(fetcher)
    walk.fetch_waves(fetcher, max_workers)
    out.requested = len(walk.seen)
    if walk.holding and out.complete and known is not None and set(out.seen) == set(known):
        out.unchanged = True
    else:
        out.parse_deferred(scraper)
    return out


class _Walk:
    """The requests of one harvest: de-duplicated, bounded by the page budget, fetched in
    waves; while ``holding``, pages equal to the ``known`` ones are held back unparsed."""

    def __init__(
        self,
        out: Harvest,
        scraper: Scraper,
        *,
        name: str,
        budget: int,
        known: Mapping[str, PageSeen] | None,
        progress: Progress | None,
    ) -> None:
        self.out, self.scraper, self.name, self.budget = out, scraper, name, budget
        self.known, self.progress = known, progress
        self.holding = known is not None
        self.seen: set[tuple[str, str, bytes]] = set()
        self.wave: list[Request] = []
        self.dropped = 0

    def enqueue(self, req: Request) -> None:
        key = _request_key(req)
        if key in self.seen:
            return
        if len(self.seen) >= self.budget:
            if not self.dropped:
                self.out.errors.append(
                    ItemError(
                        req.url,
                        "fetch",
                        f"stopped after {self.budget} requests (the page budget of {self.name}); "
                        "this and further pages were not fetched",
                    )
                )
            self.dropped += 1
            self.out.truncated = True
            return
        self.seen.add(key)
        self.wave.append(req)

    def gather(self, fetcher: Fetcher) -> None:
        scraper = self.scraper
        try:
            for req in scraper.gather(fetcher):
                self.enqueue(req)
                report_progress(self.progress, self.name, "gather", len(self.seen), len(self.seen))
        except Exception as exc:
            self.out.gather_failed = True
            key = scraper.endpoint.get("start") or next(iter(scraper.endpoint.values()), self.name)
            self.out.errors.append(ItemError(key, "gather", one_line(describe(exc))))

    def fetch_waves(self, fetcher: Fetcher, max_workers: int) -> None:
        out, done = self.out, 0
        while self.wave:
            current, self.wave = self.wave, []
            for req, outcome in _fetch_all(fetcher, current, max_workers):
                done += 1
                if isinstance(outcome, FetchError):
                    out.failed += 1
                    out.errors.append(ItemError(req.url, "fetch", one_line(outcome.reason)))
                else:
                    out.pages += 1
                    self.take(req, outcome)
                report_progress(self.progress, self.name, "fetch", done, len(self.seen))

    def take(self, req: Request, resp: Response) -> None:
        """One fetched page: held back if it is the known one, else parsed (and so is
        everything held back before it)."""
        out, known = self.out, self.known
        key, sha = page_key(req), digest(resp.content)
        url = resp.url or req.url
        out.fetched.append(_final(req, resp))
        page = known.get(key) if self.holding and known is not None else None
        if page is not None and page.digest == sha and page.url == url:
            out.deferred.append((req, resp))
            out.seen[key] = page
            for again in page.follow:
                self.enqueue(again)
            return
        if self.holding:
            self.holding = False
            out.parse_deferred(self.scraper)
        follow = _parse_into(out, self.scraper, req, resp, self.enqueue)
        out.seen[key] = PageSeen(url, sha, follow)


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
            yield req, FetchError(req.url, one_line(describe(exc)))


def _final(req: Request, resp: Response) -> Request:
    """``req`` as sent to the URL its answer came from (the one the HTTP cache keeps)."""
    url = resp.url or req.url
    return req if url == req.url else replace(req, url=url)


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
        out.unread.append(_final(req, resp))
        out.errors.append(ItemError(req.url, "parse", one_line(describe(exc))))
        return []
    for reason in result.errors:
        out.errors.append(ItemError(req.url, "parse", one_line(reason)))
    if result.errors and not result.records and not result.follow:
        out.failed += 1  # a page that could not be understood at all: listings unseen
        out.unread.append(_final(req, resp))
    page = [(req.url, raw) for raw in result.records]
    out.records.extend(page)
    if out.sink is not None and page:
        out.sink(page)
    for follow in result.follow:
        enqueue(follow)
    return list(result.follow)
