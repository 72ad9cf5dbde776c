"""Shared pieces of the reliability suite: local sites, catalog snapshots, integrity checks.

Everything the suite serves is built here by hand from the formats the scrapers document
(the FutureLearn courses feed, the Xikolo JSON:API) — no real response is copied. A
:class:`Site` serves both sources from one StubServer on 127.0.0.1 and can publish a new
*version* of every listing (the version is part of each title), which is how the crash
tests tell "before the run" from "after the run" for every row.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import catalog.models  # noqa: F401  (registers every table on SQLModel.metadata)
from catalog.models import Course, Listing, RefreshItem, RefreshRun
from scrapers import get_scraper, scraper_class
from scrapers.http import FetchSettings, PoliteFetcher
from tests.support.httpserver import Reply, StubServer

ROOT = Path(__file__).resolve().parents[2]
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"

COURSE = Course.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]
RUN = RefreshRun.__table__  # type: ignore[attr-defined]
ITEM = RefreshItem.__table__  # type: ignore[attr-defined]

XIKOLO_PLATFORMS = ("openhpi", "opensap", "moochouse", "lernencloud", "openwho", "kicampus")

# -- figures -------------------------------------------------------------------------------

FIGURES: dict[str, dict[str, Any]] = {}


def record(section: str, **values: Any) -> None:
    """Keep a measured figure; the suite prints them all at the end (see conftest)."""
    FIGURES.setdefault(section, {}).update(values)


def one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bump(section: str, key: str, by: int = 1) -> None:
    """Add to a counted figure."""
    bucket = FIGURES.setdefault(section, {})
    bucket[key] = int(bucket.get(key, 0)) + by


# -- hand-built source documents ----------------------------------------------------------


def futurelearn_feed(count: int, version: int, *, first: int = 0) -> list[dict[str, Any]]:
    """A FutureLearn courses feed (shape of scrapers/futurelearn.py's docstring), by hand."""
    return [
        {
            "uuid": f"fl-{i}",
            "name": f"Deep Learning Workshop {i} rev{version}",
            "url": f"https://www.futurelearn.com/courses/deep-learning-{i}",
            "language": "en",
            "hours_per_week": 3,
            "has_certificates": True,
            "categories": ["Data Science"],
            "organisation": {"name": "Example University"},
            "description": f"Neural networks in practice, revision {version}.",
            "runs": [{"start_date": "2026-03-02", "duration_in_weeks": 4}],
        }
        for i in range(first, first + count)
    ]


def xikolo_page(platform: str, count: int, version: int) -> dict[str, Any]:
    """One Xikolo JSON:API courses page (shape of scrapers/xikolo.py's docstring), by hand."""
    return {
        "data": [
            {
                "id": f"{platform}-{i}",
                "type": "courses",
                "attributes": {
                    "title": f"Maschinelles Lernen {platform} {i} rev{version}",
                    "slug": f"{platform}-ml-{i}",
                    "abstract": f"Grundlagen der künstlichen Intelligenz, Revision {version}.",
                    "language": "de",
                    "status": "self-paced",
                    "certificates": {
                        "confirmation_of_participation": {"available": True},
                        "record_of_achievement": {"available": True},
                    },
                },
            }
            for i in range(count)
        ],
        "links": {},
    }


def version_of(title: str) -> int | None:
    """The revision a served title carries ("... rev3" -> 3)."""
    tail = title.rsplit(" rev", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else None


# -- a local site for futurelearn and xikolo --------------------------------------------------


class Site:
    """One StubServer serving futurelearn's feed and the six Xikolo platforms' APIs.

    ``publish(version)`` makes every listing carry that revision; ``delay`` slows each
    answer down (so a refresh is long enough to be interrupted or searched during).
    """

    SOURCES = ("futurelearn", "xikolo")

    def __init__(
        self,
        *,
        futurelearn: int = 40,
        xikolo: int = 5,
        robots: str = "User-agent: *\nAllow: /\n",
        delay: float = 0.0,
    ) -> None:
        self.counts = {"futurelearn": futurelearn, "xikolo": xikolo}
        self.server = StubServer()
        self.robots = robots
        self.delay = delay
        self.version = 0

    def start(self) -> Self:
        self.server.start()
        self.server.robots(self.robots)
        self.publish(1)
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return self.server.url(path)

    def publish(self, version: int) -> None:
        """Serve revision ``version`` of every listing from now on."""
        self.version = version
        self.publish_feed(
            Reply.json(
                futurelearn_feed(self.counts["futurelearn"], version),
                delay=self.delay,
                etag=f'"fl-{version}"',
            )
        )
        for platform in XIKOLO_PLATFORMS:
            self.server.route(
                f"/{platform}/api/v2/courses",
                Reply.json(
                    xikolo_page(platform, self.counts["xikolo"], version),
                    delay=self.delay,
                    headers={"Content-Type": "application/vnd.api+json"},
                    etag=f'"{platform}-{version}"',
                ),
            )

    def publish_feed(self, *replies: Any) -> None:
        """Program what the futurelearn feed answers (faults, hostile feeds)."""
        self.server.route("/feeds/courses", *replies)

    def endpoints(self, source: str) -> dict[str, str]:
        if source == "futurelearn":
            return {"start": self.url("/feeds/courses")}
        if source == "xikolo":
            return {p: self.url(f"/{p}") for p in XIKOLO_PLATFORMS}
        raise KeyError(source)

    def env(self, sources: Iterable[str] = SOURCES) -> dict[str, str]:
        """COURSERADAR_ENDPOINT_* for every endpoint of ``sources`` (all local)."""
        out: dict[str, str] = {}
        for source in sources:
            out.update(endpoint_env(source, self.endpoints(source)))
        return out

    def expected(self, source: str) -> int:
        return self.counts[source] * (len(XIKOLO_PLATFORMS) if source == "xikolo" else 1)


def endpoint_env(source: str, endpoints: dict[str, str]) -> dict[str, str]:
    """Env overrides for ``source``; every endpoint it has must be covered and local."""
    missing = set(scraper_class(source).endpoints) - set(endpoints)
    assert not missing, f"{source}: endpoints {missing} would reach a real host"
    for url in endpoints.values():
        assert urlsplit(url).hostname == "127.0.0.1", url
    prefix = "COURSERADAR_ENDPOINT_" + source.upper().replace("-", "_") + "_"
    return {prefix + name.upper(): url for name, url in endpoints.items()}


def local_scraper(source: str, endpoints: dict[str, str]) -> Any:
    """A scraper whose every endpoint is overridden (asserted local)."""
    endpoint_env(source, endpoints)
    scraper = get_scraper(source, endpoints=endpoints)
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in scraper.endpoint.values())
    return scraper


def fast_fetcher(cache: Path | None = None, **kwargs: Any) -> PoliteFetcher:
    """A PoliteFetcher with the default limits but short waits, so faults end quickly."""
    options: dict[str, Any] = {
        "read_timeout": 1.0,
        "connect_timeout": 1.0,
        "retries": 2,
        "backoff_factor": 0.05,
        "max_delay": 3.0,
        "cache_path": cache,
    }
    options.update(kwargs)
    return PoliteFetcher(FetchSettings(**options))


# -- the catalog as data ----------------------------------------------------------------------


def listings(engine: Engine, source: str) -> dict[str, dict[str, Any]]:
    """Every listing of ``source`` by source_id: ids, hash, status, last_seen, title."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                LISTING.c.source_id,
                LISTING.c.id,
                LISTING.c.course_id,
                LISTING.c.content_hash,
                LISTING.c.status,
                LISTING.c.last_seen,
                LISTING.c.record,
            ).where(LISTING.c.source == source)
        ).all()
    out = {}
    for r in rows:
        rec = r.record if isinstance(r.record, dict) else json.loads(r.record)
        out[r.source_id] = {
            "id": r.id,
            "course_id": r.course_id,
            "content_hash": r.content_hash,
            "status": r.status,
            "last_seen": str(r.last_seen),
            "title": rec.get("title"),
        }
    return out


def course_rows(engine: Engine, source: str) -> dict[int, dict[str, Any]]:
    """Courses whose primary listing is from ``source``: id -> title, status, updated_at."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(COURSE.c.id, COURSE.c.title, COURSE.c.status, COURSE.c.last_seen).where(
                COURSE.c.source == source
            )
        ).all()
    return {
        r.id: {"title": r.title, "status": r.status, "last_seen": str(r.last_seen)} for r in rows
    }


def runs(engine: Engine, source: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(RUN).where(RUN.c.source == source).order_by(RUN.c.id))
        return [dict(r._mapping) for r in rows]


def run_items(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ITEM).where(ITEM.c.run_id == run_id).order_by(ITEM.c.id))
        return [dict(r._mapping) for r in rows]


def user_tables() -> list[sa.Table]:
    return list(SQLModel.metadata.sorted_tables)


def table_rows(engine: Engine, table: sa.Table | str) -> list[tuple[Any, ...]]:
    """Every row of a table as plain tuples (JSON as canonical text), in primary-key order."""
    if isinstance(table, str):
        table = SQLModel.metadata.tables[table]
    order = list(table.primary_key.columns) or list(table.columns)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(*order)).all()
    return [tuple(_plain(v) for v in row) for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True, default=str)
        except ValueError:
            return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def checksum(engine: Engine) -> str:
    """SHA-256 over every row of every table (and the FTS index on SQLite)."""
    digest = hashlib.sha256()
    for table in user_tables():
        digest.update(table.name.encode())
        for row in table_rows(engine, table):
            digest.update(repr(row).encode())
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            for row in conn.exec_driver_sql(
                "SELECT rowid, search_title, search_body FROM course_fts ORDER BY rowid"
            ):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def integrity_problems(engine: Engine, *, consistency: bool = True) -> list[str]:
    """What is wrong with the catalog's storage, empty when nothing.

    SQLite: ``PRAGMA integrity_check``, ``PRAGMA foreign_key_check`` and FTS5's own
    'integrity-check' of course_fts against the course table. Both dialects: every
    listing has its course, every course has a listing, every shortlist item its course,
    every source's listing_count matches its live listings (``consistency=False`` checks
    the storage only, for databases holding generated rows).
    """
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.append(f"integrity_check: {result[:5]}")
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if fk:
                problems.append(f"foreign_key_check: {fk[:5]}")
            try:
                conn.exec_driver_sql("INSERT INTO course_fts(course_fts) VALUES('integrity-check')")
            except sa.exc.DBAPIError as exc:
                problems.append(f"fts integrity-check: {exc.orig}")
            conn.rollback()
            fts = conn.exec_driver_sql("SELECT count(*) FROM course_fts").scalar()
            courses = conn.exec_driver_sql("SELECT count(*) FROM course").scalar()
            if fts != courses:
                problems.append(f"course_fts has {fts} rows for {courses} courses")
        checks = {
            "listing without course": "SELECT count(*) FROM listing l "
            "WHERE NOT EXISTS (SELECT 1 FROM course c WHERE c.id = l.course_id)",
            "course without listing": "SELECT count(*) FROM course c "
            "WHERE NOT EXISTS (SELECT 1 FROM listing l WHERE l.course_id = c.id)",
            "shortlist item without course": "SELECT count(*) FROM shortlistitem i "
            "WHERE NOT EXISTS (SELECT 1 FROM course c WHERE c.id = i.course_id)",
            "source count off": "SELECT count(*) FROM source s WHERE s.listing_count <> "
            "(SELECT count(*) FROM listing l WHERE l.source = s.name AND l.status <> 'removed')",
        }
        for what, sql in checks.items() if consistency else ():
            n = conn.exec_driver_sql(sql).scalar()
            if n:
                problems.append(f"{n} x {what}")
    return problems


def versions(engine: Engine, source: str) -> dict[str, Any]:
    """Which revisions a source's listings and courses carry, and how many last_seen values.

    A source written all-or-nothing has exactly one revision and one last_seen.
    """
    rows = listings(engine, source)
    courses = course_rows(engine, source)
    return {
        "listing_versions": sorted({version_of(r["title"] or "") or 0 for r in rows.values()}),
        "course_versions": sorted({version_of(c["title"] or "") or 0 for c in courses.values()}),
        "last_seen": len({r["last_seen"] for r in rows.values()}),
        "listings": len(rows),
    }


# -- processes ----------------------------------------------------------------------------------


def cli_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a `courseradar` subprocess: no inherited COURSERADAR_* settings,
    and a dead proxy for everything but 127.0.0.1 — the subprocess counterpart of the
    in-process network guard (requests honours these variables)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COURSERADAR_") and "proxy" not in k.lower()
    }
    dead = "http://127.0.0.1:9"
    env.update({"HTTP_PROXY": dead, "HTTPS_PROXY": dead, "ALL_PROXY": dead})
    env.update({"NO_PROXY": "127.0.0.1,localhost", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m catalog ARGS`` (what the ``courseradar`` script runs) to completion."""
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        cwd=ROOT,
    )


def spawn(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalog", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=cli_env(env),
        cwd=ROOT,
    )


def wait_for(predicate: Any, timeout: float, step: float = 0.01) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds passed."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    from catalog.db import make_engine

    eng = make_engine(url)
    try:
        yield eng
    finally:
        eng.dispose()
