"""A source recovers on the first healthy refresh after its provider's fault (issue 18).

Why: a provider (or its broken edge cache) serves an empty, shrunken, garbled or cut-off
answer for a while under its usual validator (ETag). The refresh rightly refuses it and
keeps the catalog; but if the refused body stays in the HTTP cache, the next refresh
revalidates it, gets 304 and reuses the bad body: the source fails again and again after
the provider is well. A response that a run rejected must not be reused.

The local server here changes mode between runs and keeps its ETag in every mode: good
(honours If-None-Match) -> fault (a broken edge: ignores If-None-Match and answers 200 with
the bad body under the same ETag) -> good again. The third refresh must be ``ok`` with the
listings of the first, on SQLite and PostgreSQL, with the real PoliteFetcher and its
HTTP cache on disk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from catalog.refresh import refresh_sources
from tests.reliability import support
from tests.support.httpserver import LoggedRequest, Reply, StubServer

pytestmark = pytest.mark.reliability

FEED_COUNT = 40
ETAG = '"feed-v1"'  # the validator never changes: the edge cache's fault


def _good() -> bytes:
    return json.dumps(support.futurelearn_feed(FEED_COUNT, 1)).encode()


FEED_FAULTS: dict[str, Callable[[], bytes]] = {
    "empty list": lambda: b"[]",
    "shrunken list": lambda: json.dumps(support.futurelearn_feed(4, 1)).encode(),
    "garbage": lambda: bytes(range(256)) * 8,
    "truncated JSON": lambda: _good()[: len(_good()) // 2],
    "empty body": lambda: b"",
}


class Provider:
    """futurelearn's feed with one ETag whatever the mode; ``mode`` picks the body."""

    def __init__(self, server: StubServer) -> None:
        self.server, self.mode = server, "good"
        server.robots("User-agent: *\nAllow: /\n")
        server.route("/feeds/courses", self.answer)

    def answer(self, _request: LoggedRequest) -> Reply:
        if self.mode == "good":  # honours If-None-Match: 304 for the ETag it gave
            return Reply(body=_good(), headers={"Content-Type": "application/json"}, etag=ETAG)
        # the broken edge: ignores If-None-Match, answers 200 with the bad body, same ETag
        headers = {"Content-Type": "application/json", "ETag": ETAG}
        return Reply(body=FEED_FAULTS[self.mode](), headers=headers)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> Iterator[Provider]:
    with StubServer() as server:
        for key, value in support.endpoint_env(
            "futurelearn", {"start": server.url("/feeds/courses")}
        ).items():
            monkeypatch.setenv(key, value)
        yield Provider(server)


def _refresh(engine: Engine, cache: Path, sources: list[str]) -> dict[str, str]:
    with support.fast_fetcher(cache, retries=1, autothrottle=False) as fetcher:
        reports = refresh_sources(engine, sources, fetcher=fetcher)
    return {r.source: r.state for r in reports}


@pytest.mark.parametrize("fault", list(FEED_FAULTS))
def test_a_rejected_answer_is_not_reused_from_the_http_cache(
    engine: Engine, provider: Provider, tmp_path: Path, fault: str
) -> None:
    cache = tmp_path / "http-cache.sqlite"
    assert _refresh(engine, cache, ["futurelearn"]) == {"futurelearn": "ok"}
    before = support.listings(engine, "futurelearn")
    assert len(before) == FEED_COUNT

    provider.mode = fault
    assert _refresh(engine, cache, ["futurelearn"]) == {"futurelearn": "failed"}
    assert support.listings(engine, "futurelearn") == before

    provider.mode = "good"
    provider.server.clear_log()
    states = _refresh(engine, cache, ["futurelearn"])
    assert states == {"futurelearn": "ok"}, support.runs(engine, "futurelearn")[-1]["message"]
    assert set(support.listings(engine, "futurelearn")) == set(before)
    # The recovering refresh asked for the whole body (no validator of the refused one).
    feed = provider.server.requests_to("/feeds/courses")
    assert feed and "if-none-match" not in feed[0].headers
    # And a healthy answer stays cached: the refresh after it revalidates with a 304.
    provider.server.clear_log()
    assert _refresh(engine, cache, ["futurelearn"]) == {"futurelearn": "ok"}
    assert [r.status for r in provider.server.requests_to("/feeds/courses")] == [304]
    support.bump("recovery", f"{engine.dialect.name} faults recovered")


def test_a_500_for_one_page_of_several_recovers(
    engine: Engine, site: support.Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    clean_env: Path,
) -> None:  # fmt: skip
    """xikolo is six pages (one per platform), each with its ETag; one answers 500 once."""
    for key, value in site.env(["xikolo"]).items():
        monkeypatch.setenv(key, value)
    cache = tmp_path / "http-cache.sqlite"
    assert _refresh(engine, cache, ["xikolo"]) == {"xikolo": "ok"}
    before = support.listings(engine, "xikolo")
    platform = next(iter(site.endpoints("xikolo")))
    good = site.server._find("GET", f"/{platform}/api/v2/courses")
    assert good is not None
    site.server.route(f"/{platform}/api/v2/courses", Reply(status=500))
    _refresh(engine, cache, ["xikolo"])
    assert "1 of 6 requests" in (support.runs(engine, "xikolo")[-1]["message"] or "")
    assert set(support.listings(engine, "xikolo")) == set(before)

    site.publish(1)  # the platform is well again, same ETags as the first run
    assert _refresh(engine, cache, ["xikolo"]) == {"xikolo": "ok"}
    last = support.runs(engine, "xikolo")[-1]
    assert last["state"] == "ok" and not last["message"], last
    assert set(support.listings(engine, "xikolo")) == set(before)
