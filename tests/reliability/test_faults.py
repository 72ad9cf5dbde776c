"""Faults injected by a local server during a refresh: nothing is lost, the error is recorded.

Why: a source's site will misbehave — 500s, rate limits, hangs, resets, half bodies, junk,
a body of 50 MB, a redirect loop, a robots.txt that shuts us out, or an answer that
suddenly lists almost nothing. The promise is that a refresh still finishes, the other
sources still update, the failing source keeps every listing it had (same ids, same
content, same last_seen), and the run says what went wrong in RefreshRun/RefreshItem.

Each scenario: refresh futurelearn (its own StubServer) and xikolo (the shared Site) once
with good data; then publish new xikolo data, program the fault on futurelearn's feed
and refresh both again with the real PoliteFetcher (default size and redirect limits,
a 0.5 s read timeout and one retry so hangs end quickly).
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.models import Source
from catalog.refresh import refresh_sources
from tests.reliability import support
from tests.support.httpserver import Reply, StubServer

pytestmark = pytest.mark.reliability

SOURCE = Source.__table__  # type: ignore[attr-defined]
FEED_COUNT = 40
FIFTY_MB = 50 * 1024 * 1024


@dataclass(frozen=True)
class Fault:
    """What the feed answers on the second refresh, and a word the recorded error must hold."""

    name: str
    program: Callable[[StubServer], None]
    expect: str


def _feed(server: StubServer, *replies: Reply) -> None:
    server.route("/feeds/courses", *replies)


def _good_feed(count: int = FEED_COUNT) -> bytes:
    return json.dumps(support.futurelearn_feed(count, 1)).encode()


def _redirect_loop(server: StubServer) -> None:
    _feed(server, Reply.redirect("/loop/a"))
    server.route("/loop/a", Reply.redirect("/loop/b"))
    server.route("/loop/b", Reply.redirect("/loop/a"))


def _robots_disallow(server: StubServer) -> None:
    server.robots("User-agent: *\nDisallow: /\n")


def _big(chunked: bool) -> Callable[[StubServer], None]:
    def program(server: StubServer) -> None:
        body = b"[" + b" " * (FIFTY_MB - 2) + b"]"
        _feed(server, Reply(body=body, chunked=chunked, chunk_size=1024 * 1024))

    return program


def _gzip_bomb(server: StubServer) -> None:
    # 50 MB of spaces compress to ~50 KB: the size limit must count decoded bytes.
    bomb = gzip.compress(b"[" + b" " * (FIFTY_MB - 2) + b"]", compresslevel=9)
    _feed(
        server,
        Reply(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}),
    )


FAULTS = [
    Fault("http 500", lambda s: _feed(s, Reply(status=500)), "HTTP 500"),
    Fault("http 503 then 404", lambda s: _feed(s, Reply(status=503), Reply(status=404)), "HTTP"),
    Fault(
        "429 with Retry-After 1 s, always",
        lambda s: _feed(s, Reply(status=429, headers={"Retry-After": "1"})),
        "HTTP 429",
    ),
    Fault(
        "429 with Retry-After 1 h",
        lambda s: _feed(s, Reply(status=429, headers={"Retry-After": "3600"})),
        "retry after",
    ),
    Fault(
        "timeout (answer after 1.5 s, read timeout 0.5 s)",
        lambda s: _feed(s, Reply(body=_good_feed(), delay=1.5)),
        "timed out",
    ),
    Fault("connection reset", lambda s: _feed(s, Reply(reset=True)), "connection"),
    Fault(
        "truncated body",
        lambda s: _feed(s, Reply(body=_good_feed(), truncate=300)),
        "connection",
    ),
    Fault(
        "garbage body",
        lambda s: _feed(s, Reply(body=bytes(range(256)) * 40, headers={"Content-Type": "x/y"})),
        "fewer than",
    ),
    Fault(
        "HTML challenge page instead of JSON",
        lambda s: _feed(s, Reply.html("<html><body>Just a moment...</body></html>")),
        "fewer than",
    ),
    Fault(
        "invalid UTF-8",
        lambda s: _feed(s, Reply(body=_good_feed().replace(b"Deep", b"D\xff\xfep"))),
        "fewer than",
    ),
    Fault("empty 200", lambda s: _feed(s, Reply(body=b"")), "fewer than"),
    Fault(
        "wrong JSON types",
        lambda s: _feed(
            s, Reply.json([{"uuid": 5, "name": ["x"]}, "course", 3, None, {"uuid": {}}])
        ),
        "fewer than",
    ),
    Fault("50 MB body with Content-Length", _big(chunked=False), "larger than"),
    Fault("50 MB body, chunked", _big(chunked=True), "larger than"),
    Fault("gzip bomb (50 MB decoded)", _gzip_bomb, "larger than"),
    Fault("redirect loop", _redirect_loop, "too many redirects"),
    Fault("robots.txt disallows everything", _robots_disallow, "robots.txt"),
    Fault("0% of the listings", lambda s: _feed(s, Reply.json([])), "fewer than"),
    Fault(
        "10% of the listings",
        lambda s: _feed(s, Reply.json(support.futurelearn_feed(FEED_COUNT // 10, 2))),
        "fewer than",
    ),
]


@pytest.fixture
def feed_server() -> Iterator[StubServer]:
    """futurelearn's own host, so its robots.txt can differ from the other source's."""
    with StubServer() as server:
        server.robots("User-agent: *\nAllow: /\n")
        _feed(server, Reply(body=_good_feed(), headers={"Content-Type": "application/json"}))
        yield server


def _refresh(engine: Engine, tmp_path: Path) -> dict[str, str]:
    # Default size and redirect limits; short timeouts and one retry so hangs end quickly.
    with support.fast_fetcher(
        tmp_path / "http-cache.sqlite", read_timeout=0.5, retries=1, autothrottle=False
    ) as fetcher:
        reports = refresh_sources(engine, ["futurelearn", "xikolo"], fetcher=fetcher)
    return {r.source: r.state for r in reports}


def _source_state(engine: Engine, name: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(SOURCE.c.last_state).where(SOURCE.c.name == name)).scalar()


def test_every_fault_keeps_the_catalog_and_records_the_error(
    engine: Engine,
    site: support.Site,
    feed_server: StubServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: Path,
    subtests: pytest.Subtests,
) -> None:
    """One catalog goes through every fault in turn: futurelearn must come out of all of
    them exactly as the first good refresh left it, while xikolo updates every time."""
    for key, value in {
        **site.env(["xikolo"]),
        **support.endpoint_env("futurelearn", {"start": feed_server.url("/feeds/courses")}),
    }.items():
        monkeypatch.setenv(key, value)
    dialect = engine.dialect.name

    assert _refresh(engine, tmp_path) == {"futurelearn": "ok", "xikolo": "ok"}
    before = support.listings(engine, "futurelearn")
    courses_before = support.course_rows(engine, "futurelearn")
    assert len(before) == FEED_COUNT

    for version, fault in enumerate(FAULTS, start=2):
        with subtests.test(fault.name):
            site.publish(version)
            fault.program(feed_server)
            started = time.monotonic()
            try:
                states = _refresh(engine, tmp_path)
            finally:
                feed_server.robots("User-agent: *\nAllow: /\n")
                _feed(feed_server, Reply(body=_good_feed()))
            took = time.monotonic() - started

            # The refresh finished, the failing source failed alone, the other one updated.
            assert states == {"futurelearn": "failed", "xikolo": "ok"}
            assert support.versions(engine, "xikolo")["listing_versions"] == [version]
            # Nothing of the failing source was lost or touched.
            assert support.listings(engine, "futurelearn") == before
            assert support.course_rows(engine, "futurelearn") == courses_before
            assert support.integrity_problems(engine) == []
            # The run says what happened, in one line.
            run = support.runs(engine, "futurelearn")[-1]
            assert run["state"] == "failed" and run["finished_at"] is not None
            errors = [i["error"] for i in support.run_items(engine, run["id"])]
            recorded = " | ".join([run["message"] or "", *errors])
            assert fault.expect.lower() in recorded.lower(), recorded
            assert all("\n" not in e for e in errors)
            assert _source_state(engine, "futurelearn") == "failed"

            support.bump("faults", f"{dialect} scenarios passed")
            support.record(
                f"fault: {fault.name}",
                **{
                    f"{dialect} seconds": round(took, 1),
                    "recorded": support.one_line(recorded, 160),
                    "listings kept": len(before),
                },
            )

    # After all that, a good feed refreshes as usual.
    site.publish(len(FAULTS) + 2)
    assert _refresh(engine, tmp_path) == {"futurelearn": "ok", "xikolo": "ok"}
    assert support.versions(engine, "futurelearn")["listing_versions"] == [1]
    assert set(support.listings(engine, "futurelearn")) == set(before)
