"""Politeness, checked from what the test server saw: robots.txt, pacing, User-Agent.

Why: CourseRadar promises to be a welcome guest — obey robots.txt (Disallow and
Crawl-delay/Request-rate), one request at a time per host, back off when asked
(Retry-After) and always say who it is. The only trustworthy witness is the server's own
log of arrival and answer times, so these tests read that log after a real refresh: the
`courseradar refresh` command as a user runs it, and the library with a Request-rate.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from catalog.refresh import refresh_sources
from scrapers.http import DEFAULT_USER_AGENT
from tests.reliability import support
from tests.support.httpserver import LoggedRequest, Reply

pytestmark = pytest.mark.reliability

TOLERANCE = 0.01  # seconds: clocks of the server log vs the fetcher's own


def check_log(
    log: list[LoggedRequest], delay: float, disallowed: tuple[str, ...]
) -> dict[str, float]:
    """The log's requests are polite; returns the smallest gap between two of them."""
    assert log, "no request arrived"
    for request in log:
        assert request.user_agent == DEFAULT_USER_AGENT, request.user_agent
        assert "courseradar" in request.user_agent.lower()
        assert not request.bare_path.startswith(disallowed), request.path
    ordered = sorted(log, key=lambda r: r.start)
    gaps = []
    for before, after in itertools.pairwise(ordered):
        assert after.start >= before.end, "two requests to one host at once"
        gaps.append(after.start - before.end)
    assert min(gaps, default=delay) >= delay - TOLERANCE, sorted(gaps)[:3]
    return {"requests": len(log), "smallest_gap_seconds": round(min(gaps, default=0.0), 3)}


def test_cli_refresh_obeys_robots_crawl_delay_and_retry_after(clean_env: Path) -> None:
    robots = (
        "User-agent: *\nCrawl-delay: 0.25\nDisallow: /private\nDisallow: /openwho/\n"
        "\nUser-agent: SomeOtherBot\nDisallow: /\n"
    )
    with support.Site(futurelearn=10, xikolo=2, robots=robots) as site:
        site.publish_feed(Reply.redirect("/private/feed"))  # a hop into a disallowed path
        site.server.route(
            "/opensap/api/v2/courses",
            Reply(status=503, headers={"Retry-After": "1"}),
            Reply.json(support.xikolo_page("opensap", 2, 1)),
        )
        env = {"COURSERADAR_DATA_DIR": str(clean_env), **site.env()}
        done = support.cli("refresh", "--source", "futurelearn", "--source", "xikolo", env=env)
        log = site.server.log
    assert done.returncode == 1, done.stdout + done.stderr  # futurelearn failed: disallowed
    assert "disallowed by robots.txt" in done.stdout
    figures = check_log(log, 0.25, ("/private", "/openwho/"))
    assert [r.path for r in log].count("/robots.txt") == 1  # once per run and host
    sap = [r for r in log if r.bare_path == "/opensap/api/v2/courses"]
    assert len(sap) == 2 and sap[1].start - sap[0].end >= 1.0 - TOLERANCE  # Retry-After: 1
    support.record("politeness: courseradar refresh (Crawl-delay 0.25 s)", **figures)


def test_library_refresh_obeys_request_rate(
    engine: Engine, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    robots = "User-agent: CourseRadar\nRequest-rate: 4/1s\nDisallow: /kicampus\n"
    with support.Site(futurelearn=10, xikolo=2, robots=robots) as site:
        for key, value in site.env().items():
            monkeypatch.setenv(key, value)
        with support.fast_fetcher() as fetcher:
            reports = refresh_sources(engine, list(site.SOURCES), fetcher=fetcher)
        log = site.server.log
    figures = check_log(log, 0.25, ("/kicampus",))
    assert [r.state for r in reports] == ["ok", "ok"]
    xikolo = reports[1]
    assert any("disallowed by robots.txt" in e.reason for e in xikolo.errors)
    run = support.runs(engine, "xikolo")[-1]
    assert "disallowed" in json.dumps([i["error"] for i in support.run_items(engine, run["id"])])
    support.record(
        f"politeness: library refresh (Request-rate 4/1s, {engine.dialect.name})", **figures
    )


# -- retries keep the host's pacing; a host that never answers is given up (issue 20) --------


class FakeTime:
    """A clock that only moves when the fetcher sleeps."""

    def __init__(self) -> None:
        self.now, self.sleeps = 1000.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.mark.parametrize(
    ("robots", "options", "failure", "wait"),
    [
        ("User-agent: *\nCrawl-delay: 2\n", {}, Reply(status=503), 2.0),
        ("User-agent: *\n", {"min_delay": 1.5}, Reply(status=500), 1.5),
        (
            "User-agent: *\nCrawl-delay: 3\n",
            {},
            Reply(status=429, headers={"Retry-After": "1"}),
            3.0,
        ),
        (
            "User-agent: *\nCrawl-delay: 1\n",
            {},
            Reply(status=429, headers={"Retry-After": "4"}),
            4.0,
        ),
        ("User-agent: *\nCrawl-delay: 2\n", {}, Reply(reset=True), 2.0),
    ],
)
def test_a_retry_waits_at_least_the_hosts_delay(
    robots: str, options: dict[str, float], failure: Reply, wait: float
) -> None:
    from scrapers.base import Request
    from scrapers.http import FetchSettings, PoliteFetcher
    from tests.support.httpserver import StubServer

    fake = FakeTime()
    settings = FetchSettings(retries=2, backoff_factor=0.0, autothrottle=False, **options)
    with StubServer() as server, PoliteFetcher(settings, clock=fake.clock, sleep=fake.sleep) as f:
        server.robots(robots)
        server.route("/a", failure, Reply.html("a"))
        assert f.fetch(Request(server.url("/a"))).content == b"a"
        assert [r.bare_path for r in server.log] == ["/robots.txt", "/a", "/a"]
    # the first sleep separates robots.txt from /a; the second one is the retry's
    assert len(fake.sleeps) == 2 and fake.sleeps[1] >= wait, fake.sleeps


def test_a_host_that_never_answers_is_given_up_for_the_run() -> None:
    from scrapers.base import FetchError, Request
    from scrapers.http import FetchSettings, PoliteFetcher
    from tests.support.httpserver import StubServer

    settings = FetchSettings(retries=1, read_timeout=0.3, backoff_factor=0.0, autothrottle=False)
    with StubServer() as server, PoliteFetcher(settings) as fetcher:
        server.robots("User-agent: *\n")
        for path in ("/a", "/b", "/c"):
            server.route(path, Reply.html("late", delay=2.0))
        with pytest.raises(FetchError, match="timed out"):
            fetcher.fetch(Request(server.url("/a")))
        for path in ("/b", "/c"):
            with pytest.raises(FetchError, match="gave up on host") as refused:
                fetcher.fetch(Request(server.url(path)))
            assert "timed out" in refused.value.reason
        assert [r.bare_path for r in server.log] == ["/robots.txt", "/a", "/a"]
