"""Any site that publishes schema.org Course / CourseInstance / Offer data.

Why a generic source: many German providers (KI-Campus, university MOOC portals, openHPI's
course pages) mark their course pages up for search engines, so one reader covers them
all. It relies on nothing site-specific, only on schema.org:

- JSON-LD blocks (``<script type="application/ld+json">``, ``@graph`` and arrays) and
  microdata of HTML pages, and bare JSON-LD documents (a ``.json`` / ``.jsonld`` body that is
  a JSON-LD object or array), mapped by ``scrapers.extract.course_from_schema``: name,
  description, url, provider, inLanguage, educationalLevel, offers, hasCourseInstance
  (courseMode, courseWorkload, courseSchedule, startDate, duration), aggregateRating,
  timeRequired, keywords/about, courseCode/identifier.
- Sitemaps and sitemap indexes: nested sitemaps are followed; page URLs are followed when
  they match ``url_pattern`` (default: a ``/course/<slug>`` or ``/courses/<slug>`` path).
- A listing page given as a target that carries no course data itself: its same-host
  links matching ``url_pattern`` are followed (openHPI's /courses page).

Configuration: ``targets`` (constructor keyword, else the whitespace-separated URLs of
``COURSERADAR_SCHEMAORG_TARGETS``, else the endpoint values) and ``url_pattern``
(constructor keyword or ``COURSERADAR_SCHEMAORG_URL_PATTERN``). Endpoints stay overridable
as for every source (``COURSERADAR_ENDPOINT_SCHEMAORG_<NAME>``).

Confirmed: the mapping against the real SIB Course document, the NBIS CourseInstance array
and the GTN LearningResource page (captured 2022-2023). The default targets
(https://ki-campus.org/sitemap.xml and https://open.hpi.de/courses) were NOT checked live
from here: whether those pages carry Course markup today is for ``courseradar sources
check`` to tell. KI-Campus' learning
platform itself (learn.ki-campus.org) runs Xikolo and is read through ``scrapers.xikolo``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from scrapers.base import Fetcher, ParseResult, RawCourse, Request, Scraper
from scrapers.bodies import filter_urls, parse_json, sitemap_urls, sniff, to_text
from scrapers.extract import course_from_schema, courses_from_page
from scrapers.markup import flatten_json_ld, schema_courses

DEFAULT_URL_PATTERN = r"/courses?/[^/?#]+/?(?:[?#].*)?$"


class SchemaOrgScraper(Scraper):
    """schema.org Course markup from configured pages and sitemaps."""

    name = "schemaorg"
    title = "schema.org course markup (KI-Campus, openHPI and any configured site)"
    homepage = "https://schema.org/Course"
    endpoints: ClassVar[dict[str, str]] = {
        "kicampus_sitemap": "https://ki-campus.org/sitemap.xml",
        "openhpi_courses": "https://open.hpi.de/courses",
    }
    confirmed = (
        "mapping checked on real schema.org documents (SIB 2023, NBIS 2022, GTN 2022) in "
        "shared/realdata; default targets ki-campus.org/sitemap.xml and open.hpi.de/courses "
        "not checked live"
    )

    def __init__(
        self,
        endpoints: dict[str, str] | None = None,
        *,
        targets: list[str] | None = None,
        url_pattern: str | None = None,
    ) -> None:
        super().__init__(endpoints)
        env_targets = os.environ.get("COURSERADAR_SCHEMAORG_TARGETS", "").split()
        self.targets: list[str] = list(targets or env_targets or self.endpoint.values())
        pattern = url_pattern or os.environ.get("COURSERADAR_SCHEMAORG_URL_PATTERN")
        self.url_pattern = re.compile(pattern or DEFAULT_URL_PATTERN)

    @property
    def hosts(self) -> list[str]:
        return sorted({urlsplit(u).netloc for u in self.targets if u.startswith("http")})

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        for url in self.targets:
            yield Request(url, kind="sitemap" if _looks_like_sitemap_url(url) else "listing")

    def read(self, content: bytes, url: str) -> ParseResult:
        fmt = sniff(content)
        if fmt == "empty":
            return ParseResult(errors=["empty body"])
        if fmt == "sitemap":
            return self._sitemap(content)
        if fmt == "xml":
            return ParseResult(errors=["XML body that is not a sitemap"])
        if fmt == "json":
            try:
                data = parse_json(content)
            except ValueError as exc:
                return ParseResult(errors=[str(exc)])
            nodes = schema_courses(flatten_json_ld(data))
            records = self._finish(
                [r for r in (course_from_schema(n, page_url=url) for n in nodes) if r], url
            )
            if not records:
                return ParseResult(errors=["JSON body without schema.org Course data"])
            return ParseResult(records=records)
        records, seen = courses_from_page(content, url)
        if records:
            return ParseResult(records=self._finish(records, url))
        if seen:
            return ParseResult(errors=[f"{seen} schema.org course node(s) without a name"])
        if url in self.targets:
            links = self._course_links(content, url)
            if links:
                return ParseResult(follow=[Request(u, kind="page") for u in links])
            return ParseResult(errors=["listing page without course data or course links"])
        return ParseResult(errors=["no schema.org Course / CourseInstance data on the page"])

    def _sitemap(self, content: bytes) -> ParseResult:
        pages, maps = sitemap_urls(content)
        if not pages and not maps:
            return ParseResult(errors=["sitemap without <loc> entries"])
        follow = [Request(u, kind="sitemap") for u in maps]
        follow += [Request(u, kind="page") for u in filter_urls(pages, self.url_pattern)]
        return ParseResult(follow=follow)

    def _course_links(self, content: bytes, url: str) -> list[str]:
        host = urlsplit(url).netloc
        out: list[str] = []
        soup = BeautifulSoup(to_text(content), "lxml")
        for a in soup.find_all("a", href=True):
            parts = urlsplit(urljoin(url, str(a["href"])))
            link = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
            if parts.netloc != host or link == url or link in out:
                continue
            if self.url_pattern.search(link):
                out.append(link)
        return out

    @staticmethod
    def _finish(records: list[RawCourse], url: str) -> list[RawCourse]:
        """The hosting site is the platform (ki-campus.org, open.hpi.de, ...)."""
        for rec in records:
            host = urlsplit(rec.get("url") or url).netloc
            if host and not rec.get("platform"):
                rec["platform"] = host.removeprefix("www.")
        return records


def _looks_like_sitemap_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith((".xml", ".xml.gz")) or "sitemap" in path
