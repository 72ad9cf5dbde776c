"""Refresh of every source from recorded responses, twice: a first run and an incremental one.

The real responses in ../shared/realdata and the hand-built fixtures in tests/fixtures are
served by :mod:`benchmarks.replay_server` (another process; one port per host, so the
hosts of one source, like the six Xikolo platforms, are paced apart as they are live) with
50 ms added to every answer. All sources are refreshed by
:func:`catalog.refresh.refresh_sources` (concurrently, as ``courseradar refresh`` does)
through one :class:`~scrapers.http.PoliteFetcher` with its HTTP cache on disk, into an
empty SQLite catalog; then again with a new fetcher on the same cache, as next week's
scheduled run would.

Figures: courses per second, CPU seconds (this process: fetch threads, parse, normalise,
upsert) per 1,000 records parsed, and elapsed time against the politeness floor.

The floor of one host is ``PoliteFetcher.stats.politeness_floor[host]``: the sum, over its
requests after the first, of the gap the pacing rules forced between the previous
request's start and this one's (AutoThrottle's delay, which follows the latency, or the
Crawl-delay after the answer), whether or not the fetcher had to sleep for it. A host's
requests cannot span less. Sources (hosts) are fetched concurrently, so the run's floor is
the largest of them, the critical path (*floor*); the sum over hosts (*summed floor*) is
what a run that fetched one source after the other could not beat, kept beside it.

AutoThrottle's delay follows the latency the fetcher *measures* (from sending a request to
its answer's headers), and a fetch thread that waits for the GIL while another source
parses reads the headers late, so a busy process raises its own floor. *Ideal floor* is
the critical path at the replay server's latency alone: ``(requests to the busiest host -
1) x 50 ms``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
FIXTURES = ROOT / "tests" / "fixtures"
LATENCY = 0.05

JSON = "application/json"
HTML = "text/html; charset=utf-8"
VND = "application/vnd.api+json"
EMPTY_COURSERA = '{"elements": [], "paging": {}, "linked": {}}'
EMPTY_XIKOLO = '{"data": [], "links": {}, "meta": {}}'
XIKOLO_OTHERS = ("opensap", "moochouse", "lernencloud", "openwho", "kicampus")


def _route(path_query: str, source: Path | str, content_type: str, **extra: Any) -> dict[str, Any]:
    path, _, query = path_query.partition("?")
    route: dict[str, Any] = {"path": path, "query": query, "type": content_type, **extra}
    if isinstance(source, Path):
        if not source.is_file():
            raise FileNotFoundError(f"recorded response missing: {source}")
        route["file"] = str(source)
    else:
        route["body"] = source
    return route


def plans() -> dict[str, dict[str, Any]]:
    """Per source: the routes its site serves, its endpoints (``@base`` = the site's URL)
    and the scraper's options. Mirrors the end-to-end plans of tests/test_refresh.py."""
    r, f = REALDATA, FIXTURES
    cc = {"https://www.classcentral.com": "@base"}
    hpi = {"https://open.hpi.de": "@base"}
    classcentral = r / "classcentral-MODIFIED-hindi-translated"
    schemaorg_pages = ("einfuehrung-ki", "ml-fuer-alle/", "ki-grundlagen2025", "llm-praxis2024")
    return {
        "coursera": {
            "routes": [
                _route(
                    "/api/courses.v1?start=0",
                    r / "coursera/coursera_api_courses.v1_start0_2016.json",
                    JSON,
                ),
                _route(
                    "/api/courses.v1?start=100",
                    r / "coursera/coursera_api_courses.v1_start100_2016.json",
                    JSON,
                ),
                _route(
                    "/api/onDemandSpecializations.v1?start=0",
                    f / "coursera/specializations_page.json",
                    JSON,
                ),
                _route("/api/onDemandSpecializations.v1?start=100", EMPTY_COURSERA, JSON),
            ],
            "endpoints": {
                "courses": "@base/api/courses.v1",
                "specializations": "@base/api/onDemandSpecializations.v1",
            },
        },
        "edx": {  # the real 2016 search API answer where the sitemap would be
            "routes": [_route("/sitemap-0.xml", r / "edx/edx_search_api_all_2016.json", JSON)],
            "endpoints": {"sitemap": "@base/sitemap-0.xml", "site": "@base"},
        },
        "udacity": {
            "routes": [
                _route(
                    "/api/unified-catalog/search",
                    r / "udacity/udacity_public-api_v0_courses_2017.json",
                    JSON,
                    method="POST",
                ),
            ],
            "endpoints": {"search": "@base/api/unified-catalog/search", "web": "@base"},
        },
        "microsoft-learn": {
            "routes": [_route("/api/catalog/", f / "microsoft-learn/catalog_ai_subset.json", JSON)],
            "endpoints": {"start": "@base/api/catalog/?locale=en-us&type=certifications"},
        },
        "classcentral": {
            "routes": [
                _route(
                    "/subject/data-science",
                    classcentral / "classcentral_subject_data-science_2023_TRANSLATED.html",
                    HTML,
                    rewrite=cc,
                ),
                _route(
                    "/subject/data-science?page=2",
                    f / "classcentral/subject_machine_learning_page2.html",
                    HTML,
                    rewrite=cc,
                ),
            ],
            "endpoints": {"subject": "@base/subject/{slug}"},
            "options": {"subjects": ["data-science"], "max_pages": 2},
        },
        "futurelearn": {
            "routes": [
                _route(
                    "/feeds/courses", r / "futurelearn/futurelearn_api_v1_courses_2017.json", JSON
                )
            ],
            "endpoints": {"start": "@base/feeds/courses"},
        },
        "mit-ocw": {
            "routes": [
                _route(
                    "/api/v1/courses/?offset=100", '{"count": 2, "next": null, "results": []}', JSON
                ),
                _route(
                    "/api/v1/courses/?platform=ocw",
                    f / "mit-ocw/learn_api_courses_page.json",
                    JSON,
                    rewrite={"https://api.learn.mit.edu": "@base"},
                ),
            ],
            "endpoints": {"start": "@base/api/v1/courses/?platform=ocw&limit=100", "site": "@base"},
        },
        "schemaorg": {  # three sites, as live: KI-Campus, openHPI and NBIS
            "routes": [
                _route(
                    "/sitemap.xml",
                    f / "schemaorg/kicampus_sitemap.xml",
                    "application/xml",
                    rewrite={"https://ki-campus.org": "@base"},
                ),
                *(
                    _route(f"/courses/{slug}", f / "schemaorg/kicampus_course_page.html", HTML)
                    for slug in schemaorg_pages[:2]
                ),
            ],
            "sites": {
                "openhpi": [
                    _route("/courses", f / "schemaorg/openhpi_listing.html", HTML, rewrite=hpi),
                    *(
                        _route(f"/courses/{slug}", f / "schemaorg/kicampus_course_page.html", HTML)
                        for slug in schemaorg_pages[2:]
                    ),
                ],
                "nbis": [
                    _route(
                        "/nbis/courses.jsonld",
                        r / "schemaorg-course-other/nbis_course_instances_jsonld.json",
                        "application/ld+json",
                    ),
                ],
            },
            "endpoints": {
                "kicampus_sitemap": "@base/sitemap.xml",
                "openhpi_courses": "@openhpi/courses",
                "nbis": "@nbis/nbis/courses.jsonld",
            },
        },
        "xikolo": {  # openHPI, and the other platforms each on a site of its own, empty
            "routes": [
                _route("/api/v2/courses?page[number]=2", EMPTY_XIKOLO, VND),
                _route("/api/v2/courses", f / "xikolo/openhpi_courses.json", VND, rewrite=hpi),
            ],
            "sites": {key: [_route("/api/v2/courses", EMPTY_XIKOLO, VND)] for key in XIKOLO_OTHERS},
            "endpoints": {"openhpi": "@base", **{key: f"@{key}" for key in XIKOLO_OTHERS}},
        },
    }


class ReplayServer:
    """The replay server subprocess: started with the plans, stopped by closing its stdin."""

    def __init__(self, sites: dict[str, list[dict[str, Any]]], latency: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.replay_server"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"latency": latency, "sites": sites}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the replay server did not start")
        self.ports: dict[str, int] = json.loads(line)

    def base(self, site: str) -> str:
        return f"http://127.0.0.1:{self.ports[site]}"

    def counts(self) -> dict[str, list[int]]:
        """Per site: requests answered and of those 304s, as the server saw them."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return dict(json.loads(self.proc.stdout.readline()))

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@contextmanager
def replay_server(latency: float = LATENCY) -> Iterator[tuple[ReplayServer, dict[str, Any]]]:
    plan = plans()
    sites = {name: p["routes"] for name, p in plan.items()}
    for name, p in plan.items():  # a source's other hosts, one port each as live
        sites.update({f"{name}@{site}": routes for site, routes in p.get("sites", {}).items()})
    server = ReplayServer(sites, latency)
    try:
        yield server, plan
    finally:
        server.stop()


@dataclass
class RunFigures:
    """One refresh of every source."""

    elapsed: float
    cpu: float
    parsed: int  # distinct listings the sources returned (in scope or not)
    imported: int  # added + merged + updated + unchanged
    added: int
    unchanged: int
    pages: int
    requests: int  # exchanges that reached the server (robots.txt included)
    revalidated: int  # answered 304
    cache_hits: int  # answered from the cache without asking
    floor: float  # the critical path: the largest host's forced gaps (hosts run concurrently)
    floor_sum: float  # the same summed over hosts
    ideal_floor: float  # the critical path at the server's latency alone
    floor_by_host: dict[str, float] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    incomplete: dict[str, str] = field(default_factory=dict)  # source -> why
    server_requests: int = 0
    server_304: int = 0

    @property
    def cached_share(self) -> float:
        asked = self.requests + self.cache_hits
        return (self.revalidated + self.cache_hits) / asked if asked else float("nan")


def _refresh_all(
    engine: Any, server: ReplayServer, plan: dict[str, Any], cache: Path
) -> RunFigures:
    from catalog.refresh import refresh_sources
    from scrapers import scraper_class
    from scrapers.http import FetchSettings, PoliteFetcher

    fetcher = PoliteFetcher(FetchSettings(cache_path=cache))
    scrapers = {}
    for name, p in plan.items():
        endpoints = {}
        for key, value in p["endpoints"].items():
            for site in p.get("sites", {}):  # "@openhpi/courses": that site's own port
                value = value.replace(f"@{site}", server.base(f"{name}@{site}"))
            endpoints[key] = value.replace("@base", server.base(name))
        scrapers[name] = scraper_class(name)(endpoints, **p.get("options", {}))
    before = server.counts()
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        reports = refresh_sources(engine, list(plan), fetcher=fetcher, scrapers=scrapers)
    finally:
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        fetcher.close()
    after = server.counts()
    stats = fetcher.stats
    return RunFigures(
        elapsed=elapsed,
        cpu=cpu,
        parsed=sum(r.gathered for r in reports),
        imported=sum(r.added + r.merged + r.updated + r.unchanged for r in reports),
        added=sum(r.added + r.merged for r in reports),
        unchanged=sum(r.unchanged for r in reports),
        pages=sum(r.pages for r in reports),
        requests=stats.requests,
        revalidated=stats.revalidated,
        cache_hits=stats.cache_hits,
        floor=max(stats.politeness_floor.values(), default=0.0),
        floor_sum=sum(stats.politeness_floor.values()),
        ideal_floor=max(max(after[n][0] - before[n][0] - 1, 0) for n in after) * LATENCY,
        floor_by_host=dict(stats.politeness_floor),
        states={r.source: r.state for r in reports},
        incomplete={r.source: r.message or "" for r in reports if not r.complete},
        server_requests=sum(after[n][0] - before[n][0] for n in after),
        server_304=sum(after[n][1] - before[n][1] for n in after),
    )


def run(latency: float = LATENCY) -> tuple[RunFigures, RunFigures]:
    """First refresh into an empty catalog, then the incremental one; cleans up after."""
    from catalog.bootstrap import open_catalog

    with tempfile.TemporaryDirectory(prefix="courseradar-refresh-") as tmp:
        old = os.environ.get("COURSERADAR_DATA_DIR")
        os.environ["COURSERADAR_DATA_DIR"] = tmp  # rates and locks stay in here
        engine = open_catalog(f"sqlite:///{tmp}/catalog.sqlite3", seed=False)
        try:
            with replay_server(latency) as (server, plan):
                cache = Path(tmp) / "http-cache.sqlite"
                first = _refresh_all(engine, server, plan, cache)
                second = _refresh_all(engine, server, plan, cache)
        finally:
            engine.dispose()
            if old is None:
                os.environ.pop("COURSERADAR_DATA_DIR", None)
            else:
                os.environ["COURSERADAR_DATA_DIR"] = old
    for figures in (first, second):
        failed = {k: v for k, v in figures.states.items() if v != "ok"}
        if failed:
            raise RuntimeError(f"refresh failed for {failed}")
        if figures.incomplete:  # the figures would be of a smaller catalog
            raise RuntimeError(f"refresh did not see every page: {figures.incomplete}")
    return first, second


def run_in_process(latency: float = LATENCY) -> tuple[RunFigures, RunFigures]:
    """:func:`run` in a new interpreter, as ``courseradar refresh`` starts one: the first
    run then pays for the imports a refresh pays for (requests-cache's alone ~0.3 s)."""
    from benchmarks.child import run_module

    pair = run_module("benchmarks.refresh_bench", str(latency), what="the refresh benchmark")
    first, second = (RunFigures(**figures) for figures in pair)
    return first, second


if __name__ == "__main__":
    pair = run(float(sys.argv[1]) if len(sys.argv) > 1 else LATENCY)
    print(json.dumps([asdict(figures) for figures in pair]))
