"""The scraper contract: what a source declares, what gather() yields, what parse() returns.

A source is a subclass of :class:`Scraper` registered by name in ``scrapers/__init__.py``.
``gather`` yields the first requests (listing pages, API page 1, a sitemap); the
pipeline fetches them through ``scrapers.http`` and hands each body to ``parse``, which
is pure: bytes in, raw records (:class:`RawCourse`) plus follow-up requests (the next API
page, the course pages a sitemap names) out. So every source can be run
on a saved file, and tests need no network.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypedDict
from urllib.parse import urlsplit


class RawOffer(TypedDict, total=False):
    """One way of taking a course, as the source states it (seat type, price text)."""

    label: str  # "audit", "verified", "professional", "Qualified certificate" ...
    certificate: str | None
    price: str | float | int | None
    currency: str | None
    credits: str | float | None


class RawCourse(TypedDict, total=False):
    """A listing as a scraper read it: raw values, no interpretation beyond field mapping.

    Only ``source_id`` and ``title`` are required. Everything else is optional and may
    hold the source's own spelling ("Beginner ", "2–4 hours per week", "$49 USD").
    """

    source_id: str
    title: str
    url: str | None
    provider: str | list[str] | None
    platform: str | None
    description: str | None
    kind: str | None
    skills: list[str] | str | None
    categories: list[str] | str | None  # the provider's own subjects / domains
    level: str | None
    language: str | list[str] | None
    subtitle_languages: str | list[str] | None
    price: str | float | int | None
    currency: str | None
    cost: str | None  # an explicit cost model if the source states one
    certificate: str | None
    offers: list[RawOffer]
    effort: str | None  # "2–4 hours per week", "Approx. 20 hours to complete", "P1DT6H"
    duration: str | None  # "7 Weeks", " 1 - 3 Months"
    pace: str | None
    start_date: str | None
    rating: str | float | None
    rating_count: str | int | None
    enrollments: str | int | None
    extra: dict[str, Any]  # anything else worth keeping verbatim


@dataclass(frozen=True)
class Request:
    """Something to fetch. ``body`` is sent as-is (JSON for POST search APIs)."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    # Free label the parser may use to tell a listing page from a detail page.
    kind: str = "page"


@dataclass
class Response:
    """What a fetch returned. ``from_cache`` is true for a cache hit or a 304 revalidation."""

    url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    from_cache: bool = False
    elapsed: float = 0.0


class FetchError(Exception):
    """A request that failed for good (after retries): carries the URL and a one-line reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class Fetcher(Protocol):
    """What gather() may use: one polite fetch. Implemented by ``scrapers.http.PoliteFetcher``."""

    def fetch(self, request: Request) -> Response: ...


@dataclass
class ParseResult:
    """Raw records read from one response, further requests it points to, and problems found.

    An error is a one-line reason; the pipeline records it with the URL. A page that
    cannot be understood yields an error and no records, never invented ones.
    """

    records: list[RawCourse] = field(default_factory=list)
    follow: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Scraper:
    """Base of every source. Subclasses set the class attributes and implement parse().

    Options a subclass takes are kept in public attributes: a refresh fingerprints them
    (``catalog.refresh.memo``), so a changed option parses the source again. Anything a
    scraper remembers while it runs goes in attributes starting with ``_``.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    homepage: ClassVar[str]
    # Named endpoints; each can be overridden so a local test server can stand in.
    endpoints: ClassVar[dict[str, str]] = {}
    # When and how the format this module relies on was last confirmed (shown by `sources`).
    confirmed: ClassVar[str] = ""

    def __init__(self, endpoints: dict[str, str] | None = None) -> None:
        merged = dict(self.endpoints)
        merged.update(_env_endpoints(self.name))
        merged.update(endpoints or {})
        self.endpoint = merged

    @property
    def hosts(self) -> list[str]:
        """Hosts this source talks to, derived from its endpoints."""
        return sorted({urlsplit(u).netloc for u in self.endpoint.values() if u.startswith("http")})

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        """Yield the first requests of a refresh. Default: the ``start`` endpoint."""
        yield Request(self.endpoint["start"])

    def parse(self, content: bytes, url: str) -> ParseResult:
        """Raw records from one body. Never raises: the pipeline must go on after a page
        it cannot understand, so a surprise in :meth:`read` becomes that page's error."""
        try:
            return self.read(content, url)
        except Exception as exc:
            return ParseResult(errors=[f"cannot read {url}: {type(exc).__name__}: {exc}"])

    def read(self, content: bytes, url: str) -> ParseResult:  # pragma: no cover - abstract
        """What a source implements: parse one body (pure, no network)."""
        raise NotImplementedError

    def check_request(self) -> Request:
        """One small request that `courseradar sources check` uses to test the format."""
        return next(iter(self.gather(_NoFetch())))


class _NoFetch:
    """A fetcher for gather() calls that must not touch the network."""

    def fetch(self, request: Request) -> Response:
        raise FetchError(request.url, "no network in this context")


def _env_endpoints(source: str) -> dict[str, str]:
    """``COURSERADAR_ENDPOINT_<SOURCE>_<NAME>=url`` overrides one endpoint of one source."""
    prefix = "COURSERADAR_ENDPOINT_" + source.upper().replace("-", "_") + "_"
    return {k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.startswith(prefix)}


def as_list(value: Any) -> list[str]:
    """A source value that may be a string, a list or missing -> list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]
