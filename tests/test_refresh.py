"""The refresh pipeline end to end, on SQLite and PostgreSQL, with no network.

Three kinds of test:

* fake scrapers behind an in-memory fetcher: the pipeline's rules (scope, errors per stage,
  follow-up de-duplication and the page budget, stale/removed, the shrink guard, a source
  failing half-way, a failing source among others, the per-source lock);
* a fake scraper behind the real PoliteFetcher talking to a StubServer on 127.0.0.1:
  robots.txt, Crawl-delay, 429 + Retry-After, 500 then success, a timeout, 304 revalidation;
* every registered source refreshed end to end against the StubServer replaying the real
  responses of ``../shared/realdata`` (read in place; skipped where absent) and the hand-built
  fixtures of ``tests/fixtures/<source>/`` where no real response exists.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import store
from catalog.models import CourseEvent, Listing, RefreshItem, RefreshRun, Source
from catalog.refresh import (
    SourceLock,
    check_source,
    harvest,
    normalize_all,
    refresh_source,
    refresh_sources,
)
from scrapers import SOURCES, SourceEntry, scraper_class
from scrapers.base import FetchError, ParseResult, Request, Response, Scraper
from scrapers.http import FetchSettings, PoliteFetcher
from tests.support.httpserver import Reply, StubServer
from tests.support.overlap import Overlap

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]

LISTING = Listing.__table__  # type: ignore[attr-defined]
EVENT = CourseEvent.__table__  # type: ignore[attr-defined]
RUN = RefreshRun.__table__  # type: ignore[attr-defined]
ITEM = RefreshItem.__table__  # type: ignore[attr-defined]
SOURCE = Source.__table__  # type: ignore[attr-defined]


# -- a fake source and an in-memory fetcher --------------------------------------------------


class JsonScraper(Scraper):
    """Pages are JSON ``{"records": [...], "next": [relative or absolute URLs]}``.

    A page ``{"raise": "..."}`` makes parse raise (real parsers must not; the pipeline
    still copes); ``{"error": "..."}`` is a page the parser does not understand.
    """

    name = "fake"
    title = "Fake source"
    homepage = "http://fake.test/"
    endpoints: ClassVar[dict[str, str]] = {"start": "http://fake.test/p1"}

    def parse(self, content: bytes, url: str) -> ParseResult:
        data = json.loads(content)
        if "raise" in data:
            raise RuntimeError(data["raise"])
        if "error" in data:
            return ParseResult(errors=[data["error"]])
        follow = [Request(urljoin(url, u)) for u in data.get("next", [])]
        return ParseResult(records=data.get("records", []), follow=follow)


class DictFetcher:
    """Serves ``pages[url]`` (a dict as JSON, bytes, or an exception to raise)."""

    def __init__(self, pages: dict[str, Any]) -> None:
        self.pages = pages
        self.log: list[str] = []

    def fetch(self, request: Request) -> Response:
        self.log.append(request.url)
        page = self.pages.get(request.url)
        if page is None:
            raise FetchError(request.url, "HTTP 404")
        if isinstance(page, Exception):
            raise page
        body = page if isinstance(page, bytes) else json.dumps(page).encode()
        return Response(request.url, 200, body)


def ml(*ids: int, price: str | None = None) -> list[dict[str, Any]]:
    """In-scope raw records c<id> ("Machine Learning ...")."""
    out = []
    for i in ids:
        rec: dict[str, Any] = {"source_id": f"c{i}", "title": f"Machine Learning in Practice {i}"}
        if price:
            rec["price"] = price
        out.append(rec)
    return out


COOKING = {"source_id": "cook", "title": "Italian Cooking for Beginners"}


def site(*pages: list[dict[str, Any]], base: str = "http://fake.test/") -> dict[str, Any]:
    """Pages p1..pN chained by "next"."""
    out: dict[str, Any] = {}
    for n, records in enumerate(pages, start=1):
        page: dict[str, Any] = {"records": records}
        if n < len(pages):
            page["next"] = [f"p{n + 1}"]
        out[f"{base}p{n}"] = page
    return out


def run(engine: Engine, pages: dict[str, Any], **kwargs: Any) -> Any:
    return refresh_source(
        engine, "fake", fetcher=DictFetcher(pages), scraper=JsonScraper(), **kwargs
    )


def statuses(engine: Engine, source: str = "fake") -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(LISTING.c.source_id, LISTING.c.status).where(LISTING.c.source == source)
        )
        return {sid: status for sid, status in rows}


def events(engine: Engine) -> list[tuple[str, str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(EVENT.c.event, EVENT.c.old, EVENT.c.new).order_by(EVENT.c.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def run_row(engine: Engine, run_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(RUN).where(RUN.c.id == run_id)).one()._mapping)


def items(engine: Engine, run_id: int) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(ITEM.c.key, ITEM.c.stage, ITEM.c.error)
            .where(ITEM.c.run_id == run_id)
            .order_by(ITEM.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


# -- the pipeline's rules ---------------------------------------------------------------------


def test_new_source_imports_in_scope_and_records_each_stage_error(engine: Engine) -> None:
    pages = site(
        [*ml(1, 2), COOKING, {"source_id": "untitled"}, {"title": "Deep Learning, no id"}],
        [*ml(3)],
    )
    pages["http://fake.test/p2"]["next"] = ["p3", "p4", "p5"]
    pages["http://fake.test/p3"] = {"error": "table.courses not found"}
    pages["http://fake.test/p4"] = {"raise": "boom"}
    # p5 is missing: a 404
    seen: list[tuple[str, str, int, int]] = []
    report = run(engine, pages, progress=lambda *a: seen.append(a))

    assert report.state == "ok"
    assert (report.added, report.out_of_scope, report.pages) == (3, 1, 4)
    assert statuses(engine) == {"c1": "active", "c2": "active", "c3": "active"}
    stages = {(e.stage, e.key.rsplit("/", 1)[-1]) for e in report.errors}
    assert stages == {
        ("normalize", "untitled"),
        ("normalize", "p1"),
        ("parse", "p3"),
        ("parse", "p4"),
        ("fetch", "p5"),
    }
    assert all("\n" not in e.reason for e in report.errors)
    assert report.errored == 5 == len(items(engine, report.run_id))
    row = run_row(engine, report.run_id)
    assert (row["state"], row["added"], row["out_of_scope"], row["errored"]) == ("ok", 3, 1, 5)
    # pages that could not be fetched or read: the run did not see everything
    assert not report.complete
    assert "3 of 5 requests could not be fetched or read" in report.message
    stages_seen = {s for _, s, _, _ in seen}
    assert {"gather", "fetch", "normalize", "import"} <= stages_seen
    assert [(s, d, t) for _, s, d, t in seen if s == "fetch"][-1] == ("fetch", 5, 5)


def test_follow_ups_are_deduplicated_and_a_paging_loop_is_bounded(engine: Engine) -> None:
    pages = site(ml(1), ml(2))
    pages["http://fake.test/p2"]["next"] = ["p1", "http://fake.test/p2", "p1"]  # a loop
    fetcher = DictFetcher(pages)
    report = refresh_source(engine, "fake", fetcher=fetcher, scraper=JsonScraper())
    assert report.state == "ok" and report.complete
    assert fetcher.log == ["http://fake.test/p1", "http://fake.test/p2"]

    endless = {
        f"http://fake.test/p{n}": {"records": ml(n), "next": [f"p{n + 1}"]} for n in range(1, 60)
    }
    fetcher = DictFetcher(endless)
    report = refresh_source(engine, "fake", fetcher=fetcher, scraper=JsonScraper(), max_pages=10)
    assert len(fetcher.log) == 10
    assert not report.complete
    assert "page budget" in report.message
    assert any("stopped after 10 requests" in e.reason for e in report.errors)
    assert report.stale == 0  # an unfinished walk marks nothing


def test_unchanged_then_price_change_is_an_event(engine: Engine) -> None:
    first = run(engine, site(ml(1, 2, price="49 USD")))
    assert (first.added, first.updated) == (2, 0)
    second = run(engine, site(ml(1, 2, price="49 USD")))
    assert (second.added, second.updated, second.unchanged) == (0, 0, 2)
    third = run(engine, site([*ml(1, price="49 USD"), *ml(2, price="79 USD")]))
    assert (third.updated, third.unchanged) == (1, 1)
    assert ("price_changed", "49 USD", "79 USD") in events(engine)
    assert [e for e, _, _ in events(engine)].count("new") == 2


def test_a_source_failing_half_way_keeps_its_listings(engine: Engine) -> None:
    run(engine, site(ml(1, 2, 3), ml(4)))
    pages = site(ml(1, 2, 3), ml(4))
    pages["http://fake.test/p2"] = FetchError("http://fake.test/p2", "HTTP 503")
    report = run(engine, pages)
    assert report.state == "ok"
    assert not report.complete
    assert report.stale == 0
    assert "no listing was marked stale" in report.message
    assert statuses(engine) == dict.fromkeys(["c1", "c2", "c3", "c4"], "active")
    assert [(e.stage, e.reason) for e in report.errors] == [("fetch", "HTTP 503")]


def test_a_shrunken_source_is_a_failed_run_and_writes_nothing(engine: Engine) -> None:
    run(engine, site(ml(1, 2, 3, 4, 5)))
    before_events = events(engine)
    report = run(engine, site(ml(1, 2)))
    assert report.state == "failed"
    assert report.message == (
        "returned 2 listings, fewer than 50% of the 5 it had; kept the catalog as it was"
    )
    assert statuses(engine) == dict.fromkeys(["c1", "c2", "c3", "c4", "c5"], "active")
    assert events(engine) == before_events
    assert run_row(engine, report.run_id)["state"] == "failed"
    with engine.connect() as conn:
        src = conn.execute(sa.select(SOURCE).where(SOURCE.c.name == "fake")).one()
    assert (src.last_state, src.listing_count) == ("failed", 5)
    # a looser threshold lets the same answer through
    report = run(engine, site(ml(1, 2)), shrink_threshold=0.3)
    assert (report.state, report.stale) == ("ok", 3)


def test_stale_then_removed_after_three_refreshes_and_back(engine: Engine) -> None:
    run(engine, site(ml(1, 2, 3, 4)))
    for n in range(1, 4):
        report = run(engine, site(ml(1, 2, 3)))
        assert report.state == "ok" and report.complete
        assert (report.stale, report.removed) == ((1, 0) if n < 3 else (0, 1))
        assert statuses(engine)["c4"] == ("stale" if n < 3 else "removed")
    kinds = [e for e, _, _ in events(engine)]
    assert kinds.count("stale") == 1 and kinds.count("removed") == 1
    report = run(engine, site(ml(1, 2, 3, 4)))
    assert statuses(engine)["c4"] == "active"
    assert "returned" in [e for e, _, _ in events(engine)]
    # remove_after is the caller's to choose
    run(engine, site(ml(1, 2, 3)), remove_after=1)
    assert statuses(engine)["c4"] == "removed"


def test_a_record_that_fails_normalising_is_not_marked_missing(engine: Engine) -> None:
    run(engine, site(ml(1, 2, 3)))
    broken = [*ml(1, 2), {"source_id": "c3", "title": "  "}]
    report = run(engine, site(broken))
    assert report.complete and report.stale == 0
    assert statuses(engine)["c3"] == "active"
    assert [(e.key, e.stage) for e in report.errors] == [("c3", "normalize")]


def test_nothing_fetched_is_a_failed_run(engine: Engine) -> None:
    report = run(engine, {})
    assert report.state == "failed"
    assert report.message.startswith("nothing could be fetched from fake: HTTP 404")
    assert statuses(engine) == {}


def test_an_import_error_rolls_back_and_is_recorded(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, site(ml(1, 2)))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "mark_missing", broken)
    report = run(engine, site([*ml(1), {"source_id": "c2", "title": "Deep Learning II"}]))
    assert report.state == "failed"
    assert report.message == "import failed: RuntimeError: disk full"
    assert (report.updated, report.added) == (0, 0)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(LISTING.c.source_id, LISTING.c.record))
        titles = {sid: record["title"] for sid, record in rows}
    assert titles["c2"] == "Machine Learning in Practice 2"  # the update was rolled back
    assert ("fake", "import", "import failed: RuntimeError: disk full") in items(
        engine, report.run_id
    )
    assert run_row(engine, report.run_id)["state"] == "failed"


def test_a_failing_progress_callback_does_not_fail_the_run(engine: Engine) -> None:
    def bad(*args: Any) -> None:
        raise ValueError("display gone")

    assert run(engine, site(ml(1)), progress=bad).state == "ok"


# -- several sources ----------------------------------------------------------------------


class SourceA(JsonScraper):
    name = "fake-a"
    endpoints: ClassVar[dict[str, str]] = {"start": "http://a.test/p1"}


class SourceB(JsonScraper):
    name = "fake-b"
    endpoints: ClassVar[dict[str, str]] = {"start": "http://b.test/p1"}


class BrokenGather(JsonScraper):
    name = "fake-broken"
    endpoints: ClassVar[dict[str, str]] = {"start": "http://broken.test/p1"}

    def gather(self, fetcher: Any) -> Iterator[Request]:
        raise RuntimeError("catalog page changed: no buildId")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, cls in (("fake-a", SourceA), ("fake-b", SourceB), ("fake-broken", BrokenGather)):
        monkeypatch.setitem(SOURCES, name, SourceEntry(f"{__name__}:{cls.__name__}"))


def test_other_sources_update_when_one_fails(engine: Engine, registry: None) -> None:
    good = {**site(ml(1, 2), base="http://a.test/"), **site(ml(3), base="http://b.test/")}
    reports = refresh_sources(
        engine, ["fake-a", "fake-broken", "fake-b"], fetcher=DictFetcher(good)
    )
    assert [(r.source, r.state) for r in reports] == [
        ("fake-a", "ok"),
        ("fake-broken", "failed"),
        ("fake-b", "ok"),
    ]
    broken = reports[1]
    assert broken.message == (
        "nothing could be fetched from fake-broken: RuntimeError: catalog page changed: "
        "no buildId; kept the catalog as it was"
    )
    assert run_row(engine, broken.run_id)["state"] == "failed"
    assert statuses(engine, "fake-a") == {"c1": "active", "c2": "active"}
    assert statuses(engine, "fake-b") == {"c3": "active"}

    # source a breaks at the fetch stage; it keeps its listings, b still updates
    changed = {**site(ml(3, 4), base="http://b.test/")}
    reports = refresh_sources(engine, ["fake-a", "fake-b"], fetcher=DictFetcher(changed))
    assert [(r.source, r.state) for r in reports] == [("fake-a", "failed"), ("fake-b", "ok")]
    assert statuses(engine, "fake-a") == {"c1": "active", "c2": "active"}
    assert statuses(engine, "fake-b") == {"c3": "active", "c4": "active"}


def test_a_scraper_that_cannot_be_loaded_is_a_failed_run(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SOURCES, "fake-missing", SourceEntry("scrapers.not_written_yet:Nothing"))
    (report,) = refresh_sources(engine, ["fake-missing"], fetcher=DictFetcher({}))
    assert report.state == "failed"
    assert "ModuleNotFoundError" in report.message
    assert run_row(engine, report.run_id)["state"] == "failed"


def test_unknown_source_names_fail_before_any_work(engine: Engine) -> None:
    with pytest.raises(KeyError, match="unknown source 'nope'"):
        refresh_sources(engine, ["coursera", "nope"], fetcher=DictFetcher({}))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(RUN)).scalar() == 0


# -- one refresh per source at a time ------------------------------------------------------


def test_a_locked_source_is_skipped_and_the_others_go_on(engine: Engine, registry: None) -> None:
    pages = {**site(ml(1), base="http://a.test/"), **site(ml(2), base="http://b.test/")}
    with SourceLock(engine, "fake-a") as held:
        assert held.acquire()
        assert not SourceLock(engine, "fake-a").acquire()
        with SourceLock(engine, "fake-b") as other:
            assert other.acquire()  # other sources are free
        reports = refresh_sources(engine, ["fake-a", "fake-b"], fetcher=DictFetcher(pages))
    assert [(r.source, r.state) for r in reports] == [("fake-a", "skipped"), ("fake-b", "ok")]
    assert reports[0].message == "another refresh of fake-a is running"
    assert statuses(engine, "fake-a") == {}
    # released: the next refresh runs
    (again,) = refresh_sources(engine, ["fake-a"], fetcher=DictFetcher(pages))
    assert again.state == "ok", again


# -- several sources at once -----------------------------------------------------------------


def two_sites(one: StubServer, two: StubServer, delay: float = 0.0) -> dict[str, JsonScraper]:
    """fake-a on ``one`` (c1, c2 then c11, c12), fake-b on ``two`` (c3 then c13)."""
    for server, ids in ((one, (1, 2)), (two, (3,))):
        page1 = {"records": ml(*ids), "next": ["p2"]}
        server.route("/p1", Reply.json(page1, delay=delay, etag='"1"'))
        server.route("/p2", Reply.json({"records": ml(*(i + 10 for i in ids))}, delay=delay))
    return {
        "fake-a": SourceA({"start": one.url("/p1")}),
        "fake-b": SourceB({"start": two.url("/p1")}),
    }


def test_sources_refresh_concurrently_and_all_land(engine: Engine) -> None:
    calls: list[tuple[int, str, str]] = []
    with StubServer() as one, StubServer() as two:
        scrapers = two_sites(one, two, delay=0.2)
        with polite() as fetcher:
            reports = refresh_sources(
                engine, ["fake-a", "fake-b"], fetcher=fetcher, scrapers=scrapers,
                progress=lambda src, stage, *_: calls.append((threading.get_ident(), src, stage)),
            )  # fmt: skip
        log_one, log_two = one.log, two.log
    assert [(r.source, r.state, r.complete) for r in reports] == [
        ("fake-a", "ok", True),
        ("fake-b", "ok", True),
    ]
    assert set(statuses(engine, "fake-a")) == {"c1", "c2", "c11", "c12"}
    assert set(statuses(engine, "fake-b")) == {"c3", "c13"}
    # the two hosts were asked at the same time; each host one request at a time
    assert any(a.start < b.end and b.start < a.end for a in log_one for b in log_two)
    # progress comes on the caller's thread (a Streamlit page can only draw from there)
    assert {tid for tid, _, _ in calls} == {threading.get_ident()}
    assert sorted(src for _, src, stage in calls if stage == "done") == ["fake-a", "fake-b"]


def test_imports_of_concurrent_sources_take_turns(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.refresh import one_source

    imports = Overlap(monkeypatch, one_source, "import_records", hold=0.2)
    pages = {**site(ml(1, 2), base="http://a.test/"), **site(ml(3), base="http://b.test/")}
    scrapers = {"fake-a": SourceA(), "fake-b": SourceB()}
    reports = refresh_sources(
        engine, ["fake-a", "fake-b"], fetcher=DictFetcher(pages), scrapers=scrapers
    )
    assert [r.state for r in reports] == ["ok", "ok"]
    assert imports.most == 1


def test_a_failing_source_keeps_its_listings_while_the_other_updates(engine: Engine) -> None:
    with StubServer() as one, StubServer() as two:
        scrapers = two_sites(one, two)
        with polite(retries=0) as fetcher:
            refresh_sources(engine, ["fake-a", "fake-b"], fetcher=fetcher, scrapers=scrapers)
        one.route("/p2", Reply.json({"records": ml(11, 12, 14)}))
        two.route("/p1", Reply(status=500))
        with polite(retries=0) as fetcher:
            reports = refresh_sources(
                engine, ["fake-a", "fake-b"], fetcher=fetcher, scrapers=scrapers
            )
    assert [(r.source, r.state) for r in reports] == [("fake-a", "ok"), ("fake-b", "failed")]
    assert "HTTP 500" in (reports[1].message or "")
    assert statuses(engine, "fake-a") == dict.fromkeys(["c1", "c2", "c11", "c12", "c14"], "active")
    assert statuses(engine, "fake-b") == {"c3": "active", "c13": "active"}
    assert run_row(engine, reports[1].run_id)["state"] == "failed"


def test_an_interrupt_leaves_no_run_open_and_writes_nothing(engine: Engine) -> None:
    def interrupt(source: str, stage: str, done: int, total: int) -> None:
        raise KeyboardInterrupt

    with StubServer() as one, StubServer() as two:
        scrapers = two_sites(one, two, delay=0.2)
        with polite() as fetcher, pytest.raises(KeyboardInterrupt):
            refresh_sources(
                engine, ["fake-a", "fake-b"], fetcher=fetcher, scrapers=scrapers,
                progress=interrupt,
            )  # fmt: skip
    with engine.connect() as conn:
        states = set(conn.execute(sa.select(RUN.c.state)).scalars())
        messages = set(conn.execute(sa.select(RUN.c.message)).scalars())
    assert states == {"stopped"}  # an interrupt is no failure of the sources
    assert not any("KeyboardInterrupt" in (m or "") for m in messages)
    assert statuses(engine, "fake-a") == {} and statuses(engine, "fake-b") == {}


class BlockingFetcher(DictFetcher):
    """Holds every fetch until ``go`` is set, so a second refresh starts mid-run."""

    def __init__(self, pages: dict[str, Any]) -> None:
        super().__init__(pages)
        self.entered = threading.Event()
        self.go = threading.Event()

    def fetch(self, request: Request) -> Response:
        self.entered.set()
        assert self.go.wait(30)
        return super().fetch(request)


def test_two_refreshes_at_once_from_two_threads(engine: Engine) -> None:
    pages = site(ml(1, 2))
    slow = BlockingFetcher(pages)
    result: dict[str, Any] = {}
    worker = threading.Thread(
        target=lambda: result.update(first=run_with(engine, slow)), daemon=True
    )
    worker.start()
    assert slow.entered.wait(30)
    second = run(engine, pages)
    slow.go.set()
    worker.join(30)
    assert second.state == "skipped"
    assert second.message == "another refresh of fake is running"
    assert result["first"].state == "ok" and result["first"].added == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(RUN)).scalar() == 1


def run_with(engine: Engine, fetcher: Any) -> Any:
    return refresh_source(engine, "fake", fetcher=fetcher, scraper=JsonScraper())


HOLDER = """
import sys
from catalog.db import make_engine
from catalog.refresh import SourceLock
lock = SourceLock(make_engine(sys.argv[1]), sys.argv[2])
print("held" if lock.acquire() else "busy", flush=True)
sys.stdin.readline()
lock.release()
"""


def test_two_refreshes_at_once_from_two_processes(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, "fake"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "held"
        report = run(engine, site(ml(1)))
        assert (report.state, report.message) == ("skipped", "another refresh of fake is running")
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
    assert run(engine, site(ml(1))).state == "ok"


def test_a_lock_dies_with_its_process(engine: Engine) -> None:
    """A crashed refresh must not block its source for ever (flock / session lock)."""
    url = engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, "fake"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(30)
    for _ in range(50):  # the server notices the closed connection quickly, not instantly
        lock = SourceLock(engine, "fake")
        if lock.acquire():
            lock.release()
            break
        time.sleep(0.1)
    else:
        pytest.fail("the lock outlived its process")


# -- the real fetcher against a local server --------------------------------------------------


class FakeClock:
    """clock/sleep pair for PoliteFetcher: sleeping advances time instead of waiting."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds


def served(server: StubServer, *pages: list[dict[str, Any]], **reply: Any) -> JsonScraper:
    """Serve pages /p1../pN chained by "next"; a JsonScraper pointed at them."""
    for n, records in enumerate(pages, start=1):
        page: dict[str, Any] = {"records": records}
        if n < len(pages):
            page["next"] = [f"p{n + 1}"]
        server.route(f"/p{n}", Reply.json(page, **reply))
    return JsonScraper({"start": server.url("/p1")})


def polite(tmp_path: Path | None = None, **kwargs: Any) -> PoliteFetcher:
    kwargs.setdefault("backoff_factor", 0)
    cache = tmp_path / "http-cache.sqlite" if tmp_path is not None else None
    hooks = {k: kwargs.pop(k) for k in ("clock", "sleep") if k in kwargs}
    return PoliteFetcher(FetchSettings(cache_path=cache, **kwargs), **hooks)


def test_robots_disallow_is_obeyed_and_keeps_the_catalog(engine: Engine) -> None:
    with StubServer() as server:
        scraper = served(server, ml(1, 2))
        with polite() as fetcher:
            assert refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper).added == 2
        server.robots("User-agent: *\nDisallow: /p1\n")
        server.clear_log()
        with polite() as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        assert [r.path for r in server.log] == ["/robots.txt"]
    assert report.state == "failed"
    assert "disallowed by robots.txt" in report.message
    assert statuses(engine) == {"c1": "active", "c2": "active"}


def test_crawl_delay_paces_the_pages(engine: Engine) -> None:
    clock = FakeClock()
    with StubServer() as server:
        server.robots("User-agent: *\nCrawl-delay: 5\n")
        scraper = served(server, ml(1), ml(2), ml(3))
        with polite(clock=clock.clock, sleep=clock.sleep) as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    assert report.state == "ok" and report.added == 3
    # robots.txt, then 3 pages: each page waited for the 5 s Crawl-delay
    assert len([s for s in clock.sleeps if s > 4.5]) == 3, clock.sleeps


def test_429_with_retry_after_then_success(engine: Engine) -> None:
    clock = FakeClock()
    with StubServer() as server:
        scraper = served(server, ml(1, 2))
        ok = Reply.json({"records": ml(1, 2)})
        server.route("/p1", Reply(status=429, headers={"Retry-After": "7"}), ok)
        with polite(clock=clock.clock, sleep=clock.sleep) as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
            assert fetcher.stats.retries == 1
        assert [r.status for r in server.requests_to("/p1")] == [429, 200]
    assert report.state == "ok" and report.complete and report.added == 2
    assert 7 in clock.sleeps


def test_500_then_success(engine: Engine) -> None:
    with StubServer() as server:
        scraper = served(server, ml(1))
        server.route("/p1", Reply(status=500), Reply(status=500), Reply.json({"records": ml(1)}))
        with polite(retries=3) as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        assert [r.status for r in server.requests_to("/p1")] == [500, 500, 200]
    assert report.state == "ok" and report.complete and not report.errors


def test_a_timeout_is_a_fetch_error_and_marks_nothing(engine: Engine) -> None:
    with StubServer() as server:
        scraper = served(server, ml(1, 2, 3), ml(4))
        with polite(read_timeout=0.3, retries=0) as fetcher:
            refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
            server.route("/p2", Reply.json({"records": ml(4)}, delay=2))
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    assert report.state == "ok" and not report.complete
    assert [(e.stage, e.key.rsplit("/", 1)[-1]) for e in report.errors] == [("fetch", "p2")]
    assert "timed out" in report.errors[0].reason
    assert report.stale == 0
    assert statuses(engine)["c4"] == "active"


def test_second_refresh_revalidates_with_304(engine: Engine, tmp_path: Path) -> None:
    with StubServer() as server:
        scraper = served(server, ml(1, 2), ml(3), etag='"v1"')
        with polite(tmp_path) as fetcher:
            first = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        server.clear_log()
        with polite(tmp_path) as fetcher:  # a new process next week: the cache is on disk
            second = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        pages = [r for r in server.log if r.path != "/robots.txt"]
    assert first.added == 3
    assert [r.status for r in pages] == [304, 304]
    assert all(r.headers.get("if-none-match") == '"v1"' for r in pages)
    assert second.fetch["revalidated"] == 2
    assert (second.state, second.unchanged, second.updated, second.stale) == ("ok", 3, 0, 0)


# -- an unchanged source is not parsed again ---------------------------------------------------


class CountingScraper(JsonScraper):
    """Counts parse calls per page path. Options are public attributes (configuration,
    part of the fingerprint); the count is private (run state, not)."""

    def __init__(self, endpoints: dict[str, str] | None = None, **options: Any) -> None:
        super().__init__(endpoints)
        self.options = options
        self._parsed: list[str] = []

    @property
    def parsed(self) -> list[str]:
        return self._parsed

    def parse(self, content: bytes, url: str) -> ParseResult:
        self._parsed.append(urlsplit(url).path)
        return super().parse(content, url)


def serve_pages(server: StubServer, *pages: list[dict[str, Any]], version: str = "1") -> None:
    """/p1../pN chained by "next", each with an ETag (so a second fetch is a 304)."""
    for n, records in enumerate(pages, start=1):
        page: dict[str, Any] = {"records": records}
        if n < len(pages):
            page["next"] = [f"p{n + 1}"]
        server.route(f"/p{n}", Reply.json(page, etag=f'"{n}-{version}"'))


def refresh_twice_unchanged(
    engine: Engine, tmp_path: Path, server: StubServer, **options: Any
) -> tuple[CountingScraper, Any, Any]:
    broken = {"source_id": "c9", "title": " "}  # a normalise error, the same every time
    serve_pages(server, [*ml(1, 2), broken], ml(3))
    scraper = CountingScraper({"start": server.url("/p1")}, **options)
    with polite(tmp_path) as fetcher:
        first = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    with polite(tmp_path) as fetcher:  # next week's run: a new fetcher on the same cache
        second = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    return scraper, first, second


def listing_rows(engine: Engine, source: str = "fake") -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                LISTING.c.source_id, LISTING.c.status, LISTING.c.missed_refreshes,
                LISTING.c.last_seen, LISTING.c.content_hash,
            ).where(LISTING.c.source == source)
        )  # fmt: skip
        return {r[0]: tuple(r[1:]) for r in rows}


def test_an_unchanged_source_is_not_parsed_again(engine: Engine, tmp_path: Path) -> None:
    with StubServer() as server:
        scraper, first, second = refresh_twice_unchanged(engine, tmp_path, server)
        answered = [r.status for r in server.log if r.path != "/robots.txt"]
    assert scraper.parsed == ["/p1", "/p2"]  # the first run only
    assert answered == [200, 200, 304, 304]
    assert (first.state, first.added, first.complete) == ("ok", 3, True)
    assert (second.state, second.complete) == ("ok", True)
    assert (second.added, second.updated, second.unchanged, second.stale) == (0, 0, 3, 0)
    assert (second.gathered, second.pages) == (first.gathered, 2)
    assert "not parsed again" in (second.message or "")
    # the run still says what happened, the same item errors included
    row = run_row(engine, second.run_id)
    assert (row["state"], row["unchanged"], row["gathered"]) == ("ok", 3, first.gathered)
    assert items(engine, second.run_id) == items(engine, first.run_id) != []
    assert [(e.key, e.stage) for e in second.errors] == [("c9", "normalize")]


def test_an_unchanged_source_is_still_marked_seen(engine: Engine, tmp_path: Path) -> None:
    with StubServer() as server:
        serve_pages(server, ml(1, 2))
        scraper = CountingScraper({"start": server.url("/p1")})
        with polite(tmp_path) as fetcher:
            refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        before = listing_rows(engine)
        with polite(tmp_path) as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    after = listing_rows(engine)
    assert report.unchanged == 2 and scraper.parsed == ["/p1"]
    for sid in ("c1", "c2"):
        status, missed, seen, digest = after[sid]
        assert (status, missed, digest) == ("active", 0, before[sid][3])
        assert seen > before[sid][2]


def test_a_changed_page_parses_the_source_again(engine: Engine, tmp_path: Path) -> None:
    with StubServer() as server:
        scraper, _, _ = refresh_twice_unchanged(engine, tmp_path, server)
        serve_pages(server, [*ml(1, 2)], [*ml(3, price="49 USD")], version="2")
        with polite(tmp_path) as fetcher:
            third = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    assert scraper.parsed == ["/p1", "/p2", "/p1", "/p2"]
    assert (third.updated, third.unchanged, third.stale) == (1, 2, 0)
    assert "not parsed" not in (third.message or "")


def test_a_code_taxonomy_or_rates_change_parses_again(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.refresh import memo, one_source

    with StubServer() as server:
        scraper, _, _ = refresh_twice_unchanged(engine, tmp_path, server)
        assert scraper.parsed == ["/p1", "/p2"]
        # what shapes the records changed: a scraper, the normaliser or the taxonomy file
        monkeypatch.setattr(memo, "code_fingerprint", lambda: "another version")
        with polite(tmp_path) as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        assert scraper.parsed == ["/p1", "/p2"] * 2
        assert (report.unchanged, report.updated) == (3, 0)
        # newer exchange rates
        monkeypatch.setattr(one_source, "current_rates", lambda: _rates_of("2030-01-02"))
        with polite(tmp_path) as fetcher:
            refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        assert scraper.parsed == ["/p1", "/p2"] * 3
        # the scraper's own options
        other = CountingScraper({"start": server.url("/p1")}, subjects=["other"])
        with polite(tmp_path) as fetcher:
            refresh_source(engine, "fake", fetcher=fetcher, scraper=other)
        assert other.parsed == ["/p1", "/p2"]


def _rates_of(day: str) -> Any:
    from datetime import date

    from catalog.rates import Rates

    return Rates(date.fromisoformat(day), {"USD": 1.1})


def test_the_fingerprint_covers_scrapers_normaliser_and_taxonomy() -> None:
    from catalog.refresh.memo import fingerprint_files

    names = {f"{p.parent.name}/{p.name}" for p in fingerprint_files()}
    assert {
        "normalize/course.py", "topics/taxonomy.py", "store/serialise.py", "data/taxonomy.toml",
        "scrapers/base.py", "scrapers/coursera.py", "scrapers/extract.py",
    } <= names  # fmt: skip


def test_stale_and_removed_marking_is_the_same_when_pages_are_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    with StubServer() as server:
        serve_pages(server, ml(1, 2, 3), ml(4))
        scraper = CountingScraper({"start": server.url("/p1")})
        reports = []
        with polite(tmp_path) as fetcher:
            refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        serve_pages(server, ml(1, 2, 3), [], version="2")  # c4 is gone
        for _ in range(3):
            with polite(tmp_path) as fetcher:
                reports.append(refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper))
            rows = listing_rows(engine)
            assert rows["c4"][:2] == (
                ("stale", len(reports)) if len(reports) < 3 else ("removed", 3)
            )
    assert scraper.parsed == ["/p1", "/p2", "/p1", "/p2"]  # runs 3 and 4 were not parsed
    assert [(r.stale, r.removed, r.unchanged) for r in reports] == [(1, 0, 3), (1, 0, 3), (0, 1, 3)]
    assert [e for e, _, _ in events(engine)].count("removed") == 1
    assert {sid: row[0] for sid, row in listing_rows(engine).items()} == {
        "c1": "active", "c2": "active", "c3": "active", "c4": "removed",
    }  # fmt: skip


def test_a_listing_that_failed_normalising_is_kept_over_unchanged_runs(
    engine: Engine, tmp_path: Path
) -> None:
    with StubServer() as server:
        serve_pages(server, ml(1, 2, 3))
        scraper = CountingScraper({"start": server.url("/p1")})
        with polite(tmp_path) as fetcher:
            refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        serve_pages(server, [*ml(1, 2), {"source_id": "c3", "title": " "}], version="2")
        for _ in range(4):
            with polite(tmp_path) as fetcher:
                report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
            assert report.stale == report.removed == 0
    assert scraper.parsed == ["/p1", "/p1"]
    assert listing_rows(engine)["c3"][:2] == ("active", 0)


def test_a_catalog_changed_behind_the_run_is_parsed_again(engine: Engine, tmp_path: Path) -> None:
    with StubServer() as server:
        scraper, _, _ = refresh_twice_unchanged(engine, tmp_path, server)
        with engine.begin() as conn:  # someone edited a listing since
            conn.execute(
                LISTING.update().where(LISTING.c.source_id == "c1").values(content_hash="edited")
            )
        with polite(tmp_path) as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    assert scraper.parsed == ["/p1", "/p2"] * 2
    assert (report.updated, report.unchanged) == (1, 2)
    assert listing_rows(engine)["c1"][3] != "edited"


def test_after_an_incomplete_run_the_next_one_parses(engine: Engine, tmp_path: Path) -> None:
    with StubServer() as server:
        serve_pages(server, ml(1, 2), ml(3))
        scraper = CountingScraper({"start": server.url("/p1")})
        with polite(tmp_path) as fetcher:
            refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        server.route("/p2", Reply(status=500))
        with polite(tmp_path, retries=0) as fetcher:
            broken = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
        serve_pages(server, ml(1, 2), ml(3))
        with polite(tmp_path) as fetcher:
            report = refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper)
    assert not broken.complete
    assert scraper.parsed == ["/p1", "/p2", "/p1", "/p1", "/p2"]
    assert (report.state, report.complete, report.unchanged) == ("ok", True, 3)


def test_check_source_follows_links_to_course_data() -> None:
    with StubServer() as server:
        server.route("/p1", Reply.json({"next": ["p2"]}))
        server.route("/p2", Reply.json({"records": ml(1)}))
        server.route("/bad", Reply.json({"error": "no course table"}))
        with polite() as fetcher:
            good = check_source(JsonScraper({"start": server.url("/p1")}), fetcher)
            bad = check_source(JsonScraper({"start": server.url("/bad")}), fetcher)
            gone = check_source(JsonScraper({"start": server.url("/gone")}), fetcher)
    assert (good.ok, good.reason, good.url) == (True, "1 record(s) read", server.url("/p2"))
    assert (bad.ok, bad.reason) == (False, "parse error: no course table")
    assert (gone.ok, gone.reason) == (False, "fetch failed: HTTP 404")


# -- every source end to end ----------------------------------------------------------------


class LocalOnly:
    """Wraps the fetcher of an end-to-end test: a URL off the local server is never fetched
    (it becomes a FetchError and is remembered, and the test fails on it)."""

    def __init__(self, inner: PoliteFetcher, server: StubServer) -> None:
        self.inner = inner
        self.base = server.base_url + "/"
        self.blocked: list[str] = []

    @property
    def stats(self) -> Any:
        return self.inner.stats

    def fetch(self, request: Request) -> Response:
        if not request.url.startswith(self.base):
            self.blocked.append(request.url)
            raise FetchError(request.url, "blocked by the test: not the local server")
        return self.inner.fetch(request)

    def fetch_many(
        self, requests: Iterable[Request], max_workers: int = 4
    ) -> Iterator[tuple[Request, Response | FetchError]]:
        local = []
        for req in requests:
            if req.url.startswith(self.base):
                local.append(req)
            else:
                self.blocked.append(req.url)
                yield req, FetchError(req.url, "blocked by the test: not the local server")
        yield from self.inner.fetch_many(local, max_workers=max_workers)

    def __enter__(self) -> LocalOnly:
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.close()


class Plan:
    """What one source's end-to-end test serves: bodies per path (and query), the
    endpoints pointing at them, and constructor options for the scraper."""

    def __init__(self, server: StubServer) -> None:
        self.server = server
        self.endpoints: dict[str, str] = {}
        self.options: dict[str, Any] = {}
        self.pages: list[tuple[bytes, str]] = []  # (body, url) a direct parse should see
        self.by_path: dict[str, dict[str, bytes]] = {}
        self.uses_get = True

    def body(self, path: Path, rewrite: dict[str, str] | None = None) -> bytes:
        if not path.is_file():
            where = "real data" if REALDATA in path.parents else "fixture"
            pytest.skip(f"{where} not available here: {path}")
        data = path.read_bytes()
        for old, new in (rewrite or {}).items():  # point the body's links at the server
            data = data.replace(old.encode(), new.encode())
        return data

    def serve(
        self, path_query: str, body: bytes, content_type: str, method: str | None = None
    ) -> None:
        """Serve ``body`` at ``path_query``; the query's ``param=value`` picks the body."""
        path, _, query = path_query.partition("?")
        variants = self.by_path.setdefault(path, {})
        variants[query] = body
        self.pages.append((body, self.server.url(path_query)))

        def answer(req: Any) -> Reply:
            got = parse_qs(urlsplit(req.path).query)
            for want, data in sorted(variants.items(), key=lambda kv: -len(kv[0])):
                wanted = parse_qs(want)
                if all(got.get(k) == v for k, v in wanted.items()):
                    return Reply(
                        body=data, headers={"Content-Type": content_type}, etag=f'"{len(data)}"'
                    )
            return Reply.text("no such page", status=404)

        self.server.route(path, answer, method=method)


JSON = "application/json"
HTML = "text/html; charset=utf-8"
EMPTY_COURSERA = b'{"elements": [], "paging": {}, "linked": {}}'


def plan_coursera(p: Plan) -> None:
    p.serve(
        "/api/courses.v1?start=0",
        p.body(REALDATA / "coursera/coursera_api_courses.v1_start0_2016.json"),
        JSON,
    )
    p.serve(
        "/api/courses.v1?start=100",
        p.body(REALDATA / "coursera/coursera_api_courses.v1_start100_2016.json"),
        JSON,
    )
    p.serve(
        "/api/onDemandSpecializations.v1?start=0",
        p.body(FIXTURES / "coursera/specializations_page.json"),
        JSON,
    )
    p.serve("/api/onDemandSpecializations.v1?start=100", EMPTY_COURSERA, JSON)
    p.endpoints = {
        "courses": p.server.url("/api/courses.v1"),
        "specializations": p.server.url("/api/onDemandSpecializations.v1"),
    }


def plan_edx(p: Plan) -> None:
    # The real 2016 search API answer, served where the sitemap would be: the edX parser
    # tells the format from the content.
    p.serve("/sitemap-0.xml", p.body(REALDATA / "edx/edx_search_api_all_2016.json"), JSON)
    p.endpoints = {"sitemap": p.server.url("/sitemap-0.xml"), "site": p.server.base_url}


def plan_udacity(p: Plan) -> None:
    body = p.body(REALDATA / "udacity/udacity_public-api_v0_courses_2017.json")
    p.serve("/api/unified-catalog/search", body, JSON, method="POST")
    p.endpoints = {"search": p.server.url("/api/unified-catalog/search"), "web": p.server.base_url}
    p.uses_get = False


def plan_microsoft_learn(p: Plan) -> None:
    p.serve("/api/catalog/", p.body(FIXTURES / "microsoft-learn/catalog_ai_subset.json"), JSON)
    p.endpoints = {"start": p.server.url("/api/catalog/?locale=en-us&type=certifications")}


def plan_classcentral(p: Plan) -> None:
    site_url = {"https://www.classcentral.com": p.server.base_url}
    folder = REALDATA / "classcentral-MODIFIED-hindi-translated"
    real = folder / "classcentral_subject_data-science_2023_TRANSLATED.html"
    p.serve("/subject/data-science", p.body(real, site_url), HTML)
    page2 = p.body(FIXTURES / "classcentral/subject_machine_learning_page2.html", site_url)
    p.serve("/subject/data-science?page=2", page2, HTML)
    p.endpoints = {"subject": p.server.url("/subject/{slug}")}
    p.options = {"subjects": ["data-science"], "max_pages": 2}


def plan_futurelearn(p: Plan) -> None:
    p.serve(
        "/feeds/courses",
        p.body(REALDATA / "futurelearn/futurelearn_api_v1_courses_2017.json"),
        JSON,
    )
    p.endpoints = {"start": p.server.url("/feeds/courses")}


def plan_mit_ocw(p: Plan) -> None:
    rewrite = {"https://api.learn.mit.edu": p.server.base_url}
    page = p.body(FIXTURES / "mit-ocw/learn_api_courses_page.json", rewrite)
    p.serve("/api/v1/courses/?offset=100", b'{"count": 2, "next": null, "results": []}', JSON)
    p.serve("/api/v1/courses/?platform=ocw", page, JSON)
    p.endpoints = {
        "start": p.server.url("/api/v1/courses/?platform=ocw&limit=100"),
        "site": p.server.base_url,
    }


def plan_schemaorg(p: Plan) -> None:
    base = p.server.base_url
    sitemap = p.body(FIXTURES / "schemaorg/kicampus_sitemap.xml", {"https://ki-campus.org": base})
    listing = p.body(FIXTURES / "schemaorg/openhpi_listing.html", {"https://open.hpi.de": base})
    course = p.body(FIXTURES / "schemaorg/kicampus_course_page.html")
    p.serve("/sitemap.xml", sitemap, "application/xml")
    p.serve("/courses", listing, HTML)
    for slug in ("einfuehrung-ki", "ml-fuer-alle/", "ki-grundlagen2025", "llm-praxis2024"):
        p.serve(f"/courses/{slug}", course, HTML)
    nbis = p.body(REALDATA / "schemaorg-course-other/nbis_course_instances_jsonld.json")
    p.serve("/nbis/courses.jsonld", nbis, "application/ld+json")
    p.endpoints = {
        "kicampus_sitemap": p.server.url("/sitemap.xml"),
        "openhpi_courses": p.server.url("/courses"),
        "nbis": p.server.url("/nbis/courses.jsonld"),
    }


def plan_xikolo(p: Plan) -> None:
    # openHPI at the server's root (its paging links are root-relative), the other
    # platforms under a prefix each, answering with no courses.
    empty = b'{"data": [], "links": {}, "meta": {}}'
    vnd = "application/vnd.api+json"
    for key in scraper_class("xikolo").endpoints:
        if key != "openhpi":
            p.endpoints[key] = p.server.url(f"/{key}")
            p.serve(f"/{key}/api/v2/courses", empty, vnd)
    p.endpoints["openhpi"] = p.server.base_url
    rewrite = {"https://open.hpi.de": p.server.base_url}
    page = p.body(FIXTURES / "xikolo/openhpi_courses.json", rewrite)
    p.serve("/api/v2/courses?page[number]=2", empty, vnd)
    p.serve("/api/v2/courses", page, vnd)


PLANS: dict[str, Callable[[Plan], None]] = {
    "coursera": plan_coursera,
    "edx": plan_edx,
    "udacity": plan_udacity,
    "microsoft-learn": plan_microsoft_learn,
    "classcentral": plan_classcentral,
    "futurelearn": plan_futurelearn,
    "mit-ocw": plan_mit_ocw,
    "schemaorg": plan_schemaorg,
    "xikolo": plan_xikolo,
}


def test_every_registered_source_has_an_end_to_end_plan() -> None:
    assert set(SOURCES) <= set(PLANS)


@pytest.mark.parametrize("source", sorted(PLANS))
def test_source_end_to_end_against_recorded_responses(
    engine: Engine, tmp_path: Path, source: str
) -> None:
    try:
        cls = scraper_class(source)
    except ImportError as exc:
        pytest.skip(f"scraper of {source} not written yet: {exc}")
    with StubServer() as server:
        server.robots("User-agent: *\nAllow: /\n")
        plan = Plan(server)
        PLANS[source](plan)
        assert set(cls.endpoints) <= set(plan.endpoints), "every endpoint must be local"
        scraper = cls(plan.endpoints, **plan.options)
        assert scraper.hosts == [f"127.0.0.1:{server.port}"]

        # What the pipeline must import: every served body parsed directly.
        direct = [
            (url, raw) for body, url in plan.pages for raw in scraper.parse(body, url).records
        ]
        expected = set(normalize_all(direct, source=source).records)
        assert expected, "the plan must contain in-scope courses"

        with LocalOnly(polite(tmp_path), server) as fetcher:
            first = refresh_source(engine, source, fetcher=fetcher, scraper=scraper)
            assert fetcher.blocked == []
        assert (first.state, first.complete) == ("ok", True), (first.message, first.errors[:3])
        assert set(statuses(engine, source)) == expected
        assert first.added == len(expected)
        assert first.pages == len({url for _, url in plan.pages})

        server.clear_log()
        with LocalOnly(polite(tmp_path), server) as fetcher:
            second = refresh_source(engine, source, fetcher=fetcher, scraper=scraper)
        assert (second.state, second.complete) == ("ok", True)
        assert (second.added, second.updated, second.stale) == (0, 0, 0)
        assert second.unchanged == len(expected)
        if plan.uses_get:
            assert second.fetch["revalidated"] == first.pages
            assert {r.status for r in server.log if r.path != "/robots.txt"} == {304}


def test_records_are_normalised_while_the_next_page_is_awaited(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog import normalize

    order: list[str] = []
    real = normalize.normalize_course

    def logged(raw: Any, **kwargs: Any) -> Any:
        order.append(f"normalise {raw['source_id']}")
        return real(raw, **kwargs)

    class Logged(DictFetcher):
        def fetch(self, request: Request) -> Response:
            order.append(f"fetch {request.url.rsplit('/', 1)[-1]}")
            return super().fetch(request)

    monkeypatch.setattr(normalize, "normalize_course", logged)
    report = refresh_source(
        engine, "fake", fetcher=Logged(site(ml(1), ml(2))), scraper=JsonScraper()
    )
    assert report.added == 2
    assert order == ["fetch p1", "normalise c1", "fetch p2", "normalise c2"]


def test_harvest_is_a_plain_function() -> None:
    """The stages run without a database or a scheduler (ckanext-harvest's habit)."""
    got = harvest(JsonScraper(), DictFetcher(site(ml(1), [COOKING])))
    assert got.complete and got.pages == 2
    assert [raw["source_id"] for _, raw in got.records] == ["c1", "cook"]
    norm = normalize_all(got.records, source="fake")
    assert (set(norm.records), norm.out_of_scope) == ({"c1"}, {"cook"})
