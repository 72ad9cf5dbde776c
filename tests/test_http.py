"""scrapers.http.PoliteFetcher against a local server: robots.txt, pacing, retries, cache, limits.

Every test talks to tests.support.httpserver.StubServer on 127.0.0.1; no real host is ever
contacted. Timing checks read the server's own log; schedule checks use an injected clock.
"""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scrapers.base import FetchError, Request, Response
from scrapers.http import DEFAULT_USER_AGENT, FetchSettings, PoliteFetcher, autothrottle_delay
from tests.support.httpserver import LoggedRequest, Reply, StubServer
from tests.support.overlap import Overlap

MB = 1024 * 1024

MakeFetcher = Callable[..., PoliteFetcher]


@pytest.fixture
def server() -> Iterator[StubServer]:
    with StubServer() as s:
        yield s


@pytest.fixture
def server2() -> Iterator[StubServer]:
    with StubServer() as s:
        yield s


@pytest.fixture
def make_fetcher() -> Iterator[MakeFetcher]:
    made: list[PoliteFetcher] = []

    def make(**kwargs: Any) -> PoliteFetcher:
        options: dict[str, Any] = {
            "retries": 1,
            "backoff_factor": 0.01,
            "connect_timeout": 2,
            "read_timeout": 2,
        }
        options.update(kwargs)
        hooks = {k: options.pop(k) for k in ("clock", "sleep") if k in options}
        fetcher = PoliteFetcher(FetchSettings(**options), **hooks)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


class FakeTime:
    """An injected clock that only moves when the fetcher sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def paths(server: StubServer) -> list[str]:
    return [r.bare_path for r in server.log]


def host_of(server: StubServer) -> str:
    return f"127.0.0.1:{server.port}"


# -- basics ------------------------------------------------------------------------------------


def test_plain_200(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/page", Reply.html("<h1>Kurs</h1>"))
    response = make_fetcher().fetch(Request(server.url("/page")))
    assert isinstance(response, Response)
    assert response.status == 200
    assert response.content == b"<h1>Kurs</h1>"
    assert response.url == server.url("/page")
    assert response.headers["content-type"].startswith("text/html")
    assert response.from_cache is False
    assert paths(server) == ["/robots.txt", "/page"]


def test_user_agent_always_sent_and_request_headers_honoured(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/api", Reply.json({"ok": True}))
    headers = (("User-Agent", "Mozilla/5.0 pretending"), ("Accept", "application/json"))
    make_fetcher().fetch(Request(server.url("/api"), headers=headers))
    assert len(server.log) == 2
    assert all(r.user_agent == DEFAULT_USER_AGENT for r in server.log)
    api = server.requests_to("/api")[0]
    assert api.headers["accept"] == "application/json"
    assert api.headers["accept-encoding"] == "gzip, deflate"


def test_post_with_json_body(server: StubServer, make_fetcher: MakeFetcher) -> None:
    def echo(req: LoggedRequest) -> Reply:
        return Reply.json({"method": req.method, "query": json.loads(req.body)})

    server.route("/search", echo, method="POST")
    body = json.dumps({"searchText": "machine learning", "page": 0}).encode()
    request = Request(
        server.url("/search"),
        method="POST",
        headers=(("Content-Type", "application/json"),),
        body=body,
    )
    response = make_fetcher().fetch(request)
    assert json.loads(response.content) == {
        "method": "POST",
        "query": {"searchText": "machine learning", "page": 0},
    }
    logged = server.requests_to("/search")[0]
    assert logged.body == body
    assert logged.headers["content-type"] == "application/json"


def test_gzip_body_is_decoded(server: StubServer, make_fetcher: MakeFetcher) -> None:
    text = "Deep Learning " * 500
    server.route("/z", Reply.text(text, gzip=True))
    response = make_fetcher().fetch(Request(server.url("/z")))
    assert response.content == text.encode()
    assert "content-encoding" not in response.headers


# -- robots.txt --------------------------------------------------------------------------------


def test_robots_disallow_is_obeyed(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.robots("User-agent: *\nDisallow: /private\n")
    server.route("/public", Reply.html("ok"))
    fetcher = make_fetcher()
    with pytest.raises(FetchError) as info:
        fetcher.fetch(Request(server.url("/private/page")))
    assert info.value.reason == "disallowed by robots.txt"
    assert info.value.url == server.url("/private/page")
    assert fetcher.fetch(Request(server.url("/public"))).content == b"ok"
    assert "/private/page" not in paths(server)
    assert paths(server).count("/robots.txt") == 1  # once per host per fetcher
    assert fetcher.stats.disallowed == 1


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [
        ("User-agent: CourseRadar\nDisallow: /\n\nUser-agent: *\nAllow: /\n", False),
        ("User-agent: OtherBot\nDisallow: /\n", True),
        ("User-agent: github\nDisallow: /\n", True),  # our UA mentions github.com: no match
    ],
)
def test_robots_groups_match_our_product_token(
    server: StubServer, make_fetcher: MakeFetcher, robots: str, allowed: bool
) -> None:
    server.robots(robots)
    server.route("/x", Reply.html("x"))
    fetcher = make_fetcher()
    if allowed:
        assert fetcher.fetch(Request(server.url("/x"))).status == 200
    else:
        with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
            fetcher.fetch(Request(server.url("/x")))
        assert "/x" not in paths(server)


def test_robots_404_allows_all(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/page", Reply.html("ok"))
    fetcher = make_fetcher()
    assert fetcher.fetch(Request(server.url("/page"))).content == b"ok"
    assert [(r.bare_path, r.status) for r in server.log] == [("/robots.txt", 404), ("/page", 200)]
    assert fetcher.stats.robots_notes == {}


@pytest.mark.parametrize(
    ("robots_reply", "note"),
    [
        (Reply.text("no", status=401), "robots.txt HTTP 401"),
        (Reply.text("no", status=403), "robots.txt HTTP 403"),
        (Reply.text("oops", status=500), "robots.txt HTTP 500"),
        (Reply(reset=True), "robots.txt unreachable: connection failed"),
    ],
)
def test_robots_failures_disallow_all(
    server: StubServer, make_fetcher: MakeFetcher, robots_reply: Reply, note: str
) -> None:
    server.route("/robots.txt", robots_reply)
    server.route("/page", Reply.html("ok"))
    fetcher = make_fetcher(retries=0)
    for _ in range(2):
        with pytest.raises(FetchError) as info:
            fetcher.fetch(Request(server.url("/page")))
        assert info.value.reason.startswith("disallowed by robots.txt (")
    assert "/page" not in paths(server)
    assert paths(server) == ["/robots.txt"]  # the verdict holds for the whole run
    assert fetcher.stats.robots_notes[server.base_url].startswith(note)


def test_obey_robots_false_skips_robots(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.robots("User-agent: *\nDisallow: /\n")
    server.route("/page", Reply.html("ok"))
    assert make_fetcher(obey_robots=False).fetch(Request(server.url("/page"))).status == 200
    assert paths(server) == ["/page"]


# -- pacing ------------------------------------------------------------------------------------


def test_crawl_delay_spaces_requests(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.robots("User-agent: *\nCrawl-delay: 0.3\n")
    server.route("/a", Reply.html("a"))
    server.route("/b", Reply.html("b"))
    fetcher = make_fetcher()
    fetcher.fetch(Request(server.url("/a")))
    fetcher.fetch(Request(server.url("/b")))
    robots, a, b = server.log
    assert (robots.bare_path, a.bare_path, b.bare_path) == ("/robots.txt", "/a", "/b")
    assert a.start - robots.end >= 0.29
    assert b.start - a.end >= 0.29
    assert fetcher.stats.politeness_floor[host_of(server)] >= 0.5


def test_pacing_schedule_with_injected_clock(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.robots("User-agent: *\nCrawl-delay: 10\n")
    for p in ("/a", "/b", "/c"):
        server.route(p, Reply.html(p))
    fake = FakeTime()
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep, autothrottle=False)
    for p in ("/a", "/b", "/c"):
        fetcher.fetch(Request(server.url(p)))
    assert fake.sleeps == [10.0, 10.0, 10.0]  # robots -> a -> b -> c
    assert fetcher.stats.politeness_floor == {host_of(server): 30.0}
    assert fetcher.delay_for(server.url("/")) == 10.0


def slow_replies(fake: FakeTime, latency: float, reply: Reply) -> Callable[[Any], Reply]:
    """A route whose every answer takes ``latency`` seconds of the fake clock."""

    def answer(_request: Any) -> Reply:
        fake.now += latency
        return reply

    return answer


def test_own_delay_counts_from_the_start_of_the_previous_request(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    """min_delay / AutoThrottle space request *starts* (Scrapy's DOWNLOAD_DELAY): the 0.5 s
    the server takes to answer is part of the 2 s, not added to it."""
    fake = FakeTime()
    server.route("/robots.txt", slow_replies(fake, 0.5, Reply.text("User-agent: *\nAllow: /\n")))
    for p in ("/a", "/b"):
        server.route(p, slow_replies(fake, 0.5, Reply.html(p)))
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep, min_delay=2.0, autothrottle=False)
    fetcher.fetch(Request(server.url("/a")))
    fetcher.fetch(Request(server.url("/b")))
    assert fake.sleeps == [1.5, 1.5]  # robots -> a -> b, 2 s from start to start
    assert fetcher.stats.politeness_floor == {host_of(server): 4.0}


def test_autothrottle_delay_hides_the_latency(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    fake = FakeTime()
    server.route("/robots.txt", slow_replies(fake, 0.5, Reply.text("User-agent: *\n")))
    for p in ("/a", "/b"):
        server.route(p, slow_replies(fake, 0.5, Reply.html(p)))
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep)
    fetcher.fetch(Request(server.url("/a")))
    fetcher.fetch(Request(server.url("/b")))
    assert fetcher.delay_for(server.url("/")) == 0.5  # the delay follows the latency...
    assert fake.sleeps == []  # ...which already spaced the starts by 0.5 s
    assert fetcher.stats.politeness_floor == {host_of(server): 1.0}


def test_autothrottle_follows_the_server_not_our_own_time(
    server: StubServer, make_fetcher: MakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Latency is from sending the request to the answer's headers (as Scrapy measures it):
    time we spend after them (storing the page in the HTTP cache, waiting for the GIL) is
    not the server's and must not slow the pacing down."""
    fake = FakeTime()
    server.route("/robots.txt", slow_replies(fake, 0.5, Reply.text("User-agent: *\n")))
    server.route("/a", slow_replies(fake, 0.5, Reply.html("a")))
    real = PoliteFetcher._new_session

    def busy_client(self: PoliteFetcher) -> Any:
        session = real(self)
        session.hooks["response"].append(lambda *args, **kwargs: fake.sleep(1.0))
        return session

    monkeypatch.setattr(PoliteFetcher, "_new_session", busy_client)
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep)
    response = fetcher.fetch(Request(server.url("/a")))
    assert fetcher.delay_for(server.url("/")) == 0.5
    assert response.elapsed == 0.5


def test_crawl_delay_still_counts_from_the_end_of_the_answer(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    """robots.txt's Crawl-delay is the pause between one answer and the next request."""
    fake = FakeTime()
    robots = Reply.text("User-agent: *\nCrawl-delay: 2\n")
    server.route("/robots.txt", slow_replies(fake, 0.5, robots))
    for p in ("/a", "/b"):
        server.route(p, slow_replies(fake, 0.5, Reply.html(p)))
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep, min_delay=1.0, autothrottle=False)
    fetcher.fetch(Request(server.url("/a")))
    fetcher.fetch(Request(server.url("/b")))
    assert fake.sleeps == [2.0, 2.0]
    assert fetcher.stats.politeness_floor == {host_of(server): 5.0}  # 2 x (0.5 + 2)


def test_a_retry_counts_as_the_start_the_next_request_is_paced_from(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    fake = FakeTime()
    server.route("/robots.txt", slow_replies(fake, 0.5, Reply.text("User-agent: *\n")))
    busy = Reply(status=503, headers={"Retry-After": "3"})
    server.route("/a", slow_replies(fake, 0.5, busy), slow_replies(fake, 0.5, Reply.html("a")))
    server.route("/b", slow_replies(fake, 0.5, Reply.html("b")))
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep, min_delay=2.0, autothrottle=False)
    fetcher.fetch(Request(server.url("/a")))
    fetcher.fetch(Request(server.url("/b")))
    # robots at 1000; /a at 1002, 503; Retry-After 3; /a again at 1005.5; /b 2 s after that
    assert fake.sleeps == [1.5, 3.0, 1.5]
    assert [r.status for r in server.requests_to("/a")] == [503, 200]
    assert fetcher.stats.politeness_floor == {host_of(server): 7.0}


def test_min_delay_applies_without_robots(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/a", Reply.html("a"))
    fake = FakeTime()
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep, min_delay=2.5, autothrottle=False)
    fetcher.fetch(Request(server.url("/a")))
    fetcher.fetch(Request(server.url("/a")))
    assert fake.sleeps == [2.5, 2.5]


def test_wait_longer_than_max_delay_is_refused(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    server.robots("User-agent: *\nCrawl-delay: 100\n")
    server.route("/a", Reply.html("a"))
    fake = FakeTime()
    fetcher = make_fetcher(clock=fake.clock, sleep=fake.sleep, max_delay=60)
    with pytest.raises(FetchError, match="more than max_delay"):
        fetcher.fetch(Request(server.url("/a")))
    assert fake.sleeps == []
    assert "/a" not in paths(server)


# -- retries -----------------------------------------------------------------------------------


def test_429_retry_after_then_success(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/busy", Reply(status=429, headers={"Retry-After": "1"}), Reply.text("ok"))
    fetcher = make_fetcher(retries=3)
    assert fetcher.fetch(Request(server.url("/busy"))).content == b"ok"
    first, second = server.requests_to("/busy")
    assert (first.status, second.status) == (429, 200)
    assert second.start - first.end >= 0.95
    assert fetcher.stats.retries == 1
    assert fetcher.stats.politeness_floor[host_of(server)] >= 1.0


def test_retry_after_beyond_max_delay_fails_instead_of_sleeping(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/busy", Reply(status=503, headers={"Retry-After": "3600"}))
    fake = FakeTime()
    fetcher = make_fetcher(retries=3, max_delay=30, sleep=fake.sleep)
    with pytest.raises(FetchError) as info:
        fetcher.fetch(Request(server.url("/busy")))
    assert "retry after 3600 s" in info.value.reason
    assert "max_delay 30 s" in info.value.reason
    assert all(s < 30 for s in fake.sleeps)
    assert len(server.requests_to("/busy")) == 1


def test_500_then_200(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/flaky", Reply(status=500), Reply.text("ok"))
    assert make_fetcher().fetch(Request(server.url("/flaky"))).content == b"ok"
    assert [r.status for r in server.requests_to("/flaky")] == [500, 200]


def test_post_is_retried_on_503(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/search", Reply(status=503), Reply.json({"hits": []}), method="POST")
    request = Request(server.url("/search"), method="POST", body=b"{}")
    assert make_fetcher().fetch(request).status == 200
    assert len(server.requests_to("/search")) == 2


def test_404_is_not_retried(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/gone", Reply.text("nope", status=404))
    fetcher = make_fetcher(retries=3)
    with pytest.raises(FetchError) as info:
        fetcher.fetch(Request(server.url("/gone")))
    assert info.value.reason == "HTTP 404"
    assert len(server.requests_to("/gone")) == 1
    assert fetcher.stats.retries == 0


def test_503_after_all_retries(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/down", Reply(status=503))
    with pytest.raises(FetchError, match="HTTP 503"):
        make_fetcher(retries=2).fetch(Request(server.url("/down")))
    assert len(server.requests_to("/down")) == 3


# -- failures become FetchError ----------------------------------------------------------------


def test_read_timeout(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/slow", Reply.text("late", delay=1.5))
    fetcher = make_fetcher(read_timeout=0.5, retries=0)
    with pytest.raises(FetchError) as info:
        fetcher.fetch(Request(server.url("/slow")))
    assert info.value.reason.startswith("timed out after 0.5 s")


def test_body_that_stalls_times_out(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/drip", Reply.text("x" * 200, chunked=True, chunk_size=100, chunk_delay=1.5))
    with pytest.raises(FetchError) as info:
        make_fetcher(read_timeout=0.5, retries=0).fetch(Request(server.url("/drip")))
    assert info.value.reason.startswith("timed out after 0.5 s")


def test_connection_refused(make_fetcher: MakeFetcher) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    with pytest.raises(FetchError) as info:
        make_fetcher(retries=0, obey_robots=False).fetch(Request(url))
    assert info.value.reason == "connection failed: connection refused"
    with pytest.raises(FetchError) as info:
        make_fetcher(retries=0).fetch(Request(url))
    assert info.value.reason.startswith("disallowed by robots.txt (robots.txt unreachable")


def test_connection_reset_is_retried_then_reported(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/reset", Reply(reset=True))
    fetcher = make_fetcher(retries=1)
    with pytest.raises(FetchError, match="connection failed"):
        fetcher.fetch(Request(server.url("/reset")))
    assert len(server.requests_to("/reset")) == 2
    assert fetcher.stats.requests == 2  # robots.txt and the failed page
    assert fetcher.stats.retries == 1


def test_truncated_body(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/cut", Reply.text("x" * 10_000, truncate=100))
    with pytest.raises(FetchError) as info:
        make_fetcher().fetch(Request(server.url("/cut")))
    assert info.value.reason.startswith("connection broken while reading the body")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://127.0.0.1/file",
        "file:///etc/passwd",
        "data:text/plain,hi",
        "/relative/path",
        "http:///no-host",
        "http://127.0.0.1:99999/bad-port",
    ],
)
def test_only_http_urls(make_fetcher: MakeFetcher, url: str) -> None:
    fetcher = make_fetcher()
    with pytest.raises(FetchError) as info:
        fetcher.fetch(Request(url))
    assert info.value.url == url
    assert fetcher.stats.requests == 0


def test_bad_header_becomes_fetch_error(server: StubServer, make_fetcher: MakeFetcher) -> None:
    with pytest.raises(FetchError):
        make_fetcher().fetch(Request(server.url("/x"), headers=(("X-Bad", "a\r\nb"),)))


def test_closed_fetcher(server: StubServer) -> None:
    with PoliteFetcher() as fetcher:
        pass
    with pytest.raises(FetchError, match="closed"):
        fetcher.fetch(Request(server.url("/x")))


# -- size and redirect limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"x" * (2 * MB)),  # Content-Length says it up front
        Reply(body=b"x" * (2 * MB), chunked=True),  # no Content-Length: counted while reading
        Reply(body=b"x" * (2 * MB), gzip=True),  # small on the wire, 2 MB decoded
    ],
    ids=["content-length", "chunked", "gzip"],
)
def test_size_limit(server: StubServer, make_fetcher: MakeFetcher, reply: Reply) -> None:
    server.route("/big", reply)
    fetcher = make_fetcher(max_bytes=MB)
    with pytest.raises(FetchError) as info:
        fetcher.fetch(Request(server.url("/big")))
    assert info.value.reason == f"response larger than {MB} bytes"
    assert len(server.requests_to("/big")) == 1


def test_head_is_not_held_to_content_length(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/big", Reply(body=b"x" * (2 * MB)))
    response = make_fetcher(max_bytes=MB).fetch(Request(server.url("/big"), method="HEAD"))
    assert response.status == 200
    assert response.content == b""


def test_redirect_is_followed(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/old", Reply.redirect("/new", status=301))
    server.route("/new", Reply.html("new"))
    response = make_fetcher().fetch(Request(server.url("/old")))
    assert response.url == server.url("/new")
    assert response.content == b"new"


def test_failure_after_redirect_names_the_requested_url(
    server: StubServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/old", Reply.redirect("/broken"))
    server.route("/broken", Reply(status=500))
    with pytest.raises(FetchError) as info:
        make_fetcher(retries=0).fetch(Request(server.url("/old")))
    assert info.value.url == server.url("/old")
    assert info.value.reason == f"HTTP 500 at {server.url('/broken')}"


def test_redirect_loop(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/a", Reply.redirect("/b"))
    server.route("/b", Reply.redirect("/a"))
    with pytest.raises(FetchError) as info:
        make_fetcher(max_redirects=5).fetch(Request(server.url("/a")))
    assert info.value.reason == "too many redirects (more than 5)"
    assert len(server.requests_to("/a")) + len(server.requests_to("/b")) == 6


def test_redirect_to_other_host_obeys_its_robots(
    server: StubServer, server2: StubServer, make_fetcher: MakeFetcher
) -> None:
    server2.robots("User-agent: *\nDisallow: /\n")
    server.route("/go", Reply.redirect(server2.url("/target")))
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt") as info:
        make_fetcher().fetch(Request(server.url("/go")))
    assert info.value.url == server.url("/go")
    assert paths(server2) == ["/robots.txt"]


# -- HTTP cache --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "request_header"),
    [
        ({"etag": '"v1"'}, "if-none-match"),
        ({"last_modified": "Wed, 21 Oct 2026 07:28:00 GMT"}, "if-modified-since"),
    ],
)
def test_revalidation_costs_a_304(
    server: StubServer,
    make_fetcher: MakeFetcher,
    tmp_path: Path,
    validator: dict[str, str],
    request_header: str,
) -> None:
    server.route("/course", Reply.html("<p>Intro to ML</p>", **validator))
    cache = tmp_path / "http.sqlite"
    first_run = make_fetcher(cache_path=cache)
    first = first_run.fetch(Request(server.url("/course")))
    assert first.from_cache is False
    first_run.close()

    second_run = make_fetcher(cache_path=cache)  # the next scheduled refresh
    second = second_run.fetch(Request(server.url("/course")))
    assert second.from_cache is True
    assert second.status == 200
    assert second.content == first.content
    initial, conditional = server.requests_to("/course")
    assert request_header not in initial.headers
    assert conditional.headers[request_header] == next(iter(validator.values()))
    assert conditional.status == 304
    assert second_run.stats.revalidated == 1
    assert second_run.stats.cache_hits == 0


def test_changed_page_replaces_cached_copy(
    server: StubServer, make_fetcher: MakeFetcher, tmp_path: Path
) -> None:
    server.route(
        "/course",
        Reply.html("v1", etag='"v1"'),
        Reply.html("v2", etag='"v2"'),
    )
    fetcher = make_fetcher(cache_path=tmp_path / "http.sqlite")
    url = server.url("/course")
    assert fetcher.fetch(Request(url)).content == b"v1"
    changed = fetcher.fetch(Request(url))
    assert (changed.content, changed.from_cache) == (b"v2", False)
    again = fetcher.fetch(Request(url))
    assert (again.content, again.from_cache) == (b"v2", True)
    assert [r.status for r in server.requests_to("/course")] == [200, 200, 304]


def test_response_without_validator_is_refetched(
    server: StubServer, make_fetcher: MakeFetcher, tmp_path: Path
) -> None:
    server.route("/page", Reply.html("x"))
    fetcher = make_fetcher(cache_path=tmp_path / "http.sqlite")
    for _ in range(2):
        assert fetcher.fetch(Request(server.url("/page"))).from_cache is False
    assert all("if-none-match" not in r.headers for r in server.requests_to("/page"))


def test_cache_shared_by_concurrent_workers(
    server: StubServer, server2: StubServer, make_fetcher: MakeFetcher, tmp_path: Path
) -> None:
    for s in (server, server2):
        for i in range(4):
            s.route(f"/c{i}", Reply.html(f"course {i}", etag=f'"{i}"'))
    requests = [Request(s.url(f"/c{i}")) for i in range(4) for s in (server, server2)]
    fetcher = make_fetcher(cache_path=tmp_path / "http.sqlite")
    first = list(fetcher.fetch_many(requests, max_workers=4))
    second = list(fetcher.fetch_many(requests, max_workers=4))
    assert all(isinstance(o, Response) and not o.from_cache for _, o in first)
    assert all(isinstance(o, Response) and o.from_cache for _, o in second)
    assert {o.content for _, o in second if isinstance(o, Response)} == {
        f"course {i}".encode() for i in range(4)
    }
    assert fetcher.stats.revalidated == 8


def test_sessions_on_a_fresh_cache_open_one_at_a_time(
    server: StubServer,
    server2: StubServer,
    make_fetcher: MakeFetcher,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two sessions opening a new cache file at once: one's switch to WAL fails with
    "database is locked" (seen when all sources refresh at once)."""
    sessions = Overlap(monkeypatch, PoliteFetcher, "_new_session")
    for s in (server, server2):
        s.route("/c", Reply.html("course", etag='"1"'))
    fetcher = make_fetcher(cache_path=tmp_path / "http.sqlite")
    got = list(fetcher.fetch_many([Request(server.url("/c")), Request(server2.url("/c"))]))
    assert [isinstance(o, Response) for _, o in got] == [True, True]
    assert sessions.most == 1


# -- concurrency and AutoThrottle --------------------------------------------------------------


def test_fetch_many_runs_hosts_concurrently_but_never_overlaps_one_host(
    server: StubServer, server2: StubServer, make_fetcher: MakeFetcher
) -> None:
    for s in (server, server2):
        s.route("/slow", Reply.text("x", delay=0.15))
    requests = [Request(s.url(f"/slow?i={i}")) for i in range(3) for s in (server, server2)]
    requests.append(Request("javascript:void(0)"))
    fetcher = make_fetcher(autothrottle=False)
    results = list(fetcher.fetch_many(requests, max_workers=4))

    assert sorted(r.url for r, _ in results) == sorted(r.url for r in requests)
    outcomes = {r.url: outcome for r, outcome in results}
    assert isinstance(outcomes.pop("javascript:void(0)"), FetchError)
    assert all(isinstance(o, Response) and o.content == b"x" for o in outcomes.values())

    for s in (server, server2):
        log = sorted(s.log, key=lambda r: r.start)
        assert all(later.start >= earlier.end for earlier, later in itertools.pairwise(log))
    one, two = server.requests_to("/slow"), server2.requests_to("/slow")
    assert any(a.start < b.end and b.start < a.end for a in one for b in two)


def test_autothrottle_follows_latency(server: StubServer, make_fetcher: MakeFetcher) -> None:
    server.route("/slow", Reply.text("slow", delay=0.3))
    server.route("/missing", Reply.text("no", status=404))
    fetcher = make_fetcher(target_concurrency=1.0)
    assert fetcher.delay_for(server.url("/")) == 0.0
    fetcher.fetch(Request(server.url("/slow")))
    raised = fetcher.delay_for(server.url("/"))
    assert raised >= 0.3
    with pytest.raises(FetchError):
        fetcher.fetch(Request(server.url("/missing")))
    assert fetcher.delay_for(server.url("/")) == raised  # a fast error does not lower it


def test_autothrottle_step() -> None:
    def step(old: float, latency: float, status: int = 200, **kw: float) -> float:
        limits = {"target_concurrency": 1.0, "min_delay": 0.0, "max_delay": 60.0, **kw}
        return autothrottle_delay(old, latency, status, **limits)

    assert step(0.0, 1.0) == 1.0  # a slower server is followed at once
    assert step(2.0, 0.0) == 1.0  # a faster one halfway
    assert step(2.0, 0.0, status=500) == 2.0  # errors never lower the delay
    assert step(2.0, 0.0, status=304) == 2.0
    assert step(1.0, 4.0, status=503) == 4.0  # but may raise it
    assert step(0.0, 100.0) == 60.0  # never above max_delay
    assert step(0.0, 0.0, min_delay=0.5) == 0.5  # never below the minimum
    assert step(0.0, 1.0, target_concurrency=2.0) == 0.5


# -- stats -------------------------------------------------------------------------------------


def test_stats(server: StubServer, make_fetcher: MakeFetcher, tmp_path: Path) -> None:
    server.robots("User-agent: *\nDisallow: /private\n")
    server.route("/page", Reply.html("12345", etag='"e"'))
    server.route("/flaky", Reply(status=502), Reply.text("ok"))
    fetcher = make_fetcher(cache_path=tmp_path / "c.sqlite")
    fetcher.fetch(Request(server.url("/page")))
    fetcher.fetch(Request(server.url("/page")))  # 304
    fetcher.fetch(Request(server.url("/flaky")))
    for path in ("/private", "/missing"):
        with pytest.raises(FetchError):
            fetcher.fetch(Request(server.url(path)))
    stats = fetcher.stats.as_dict()
    robots_len = len(b"User-agent: *\nDisallow: /private\n")
    assert stats["requests"] == 5  # robots, page, page (304), flaky, missing
    assert stats["retries"] == 1
    assert stats["revalidated"] == 1
    assert stats["cache_hits"] == 0
    assert stats["bytes"] == robots_len + len(b"12345") + len(b"ok") + len(b"not found")
    assert stats["errors"] == 2
    assert stats["disallowed"] == 1
    assert set(stats["politeness_floor"]) <= {host_of(server)}
