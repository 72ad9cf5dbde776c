"""edX: the sitemap, course page data, and the saved API formats users may feed.

Why several formats: edX's search runs on Algolia with a key that changes and its
course-discovery API needs a login, so a refresh walks the public sitemap; but the real
responses we hold are of older APIs, and a user may feed those too. The format is
detected from the content:

- Sitemap ``https://www.edx.org/sitemap-0.xml``: course pages are
  ``/learn/<subject>/<org>-<slug>`` (``course_url_pattern``). For each, the Gatsby page
  data ``https://www.edx.org/page-data/learn/<subject>/<slug>/page-data.json`` is followed
  (``follow="page-data"``, default) or the HTML page itself (``follow="html"``; constructor
  keyword or ``COURSERADAR_EDX_FOLLOW``).
- Gatsby page data ``{result: {pageContext: {course: {...}}}}``: title, uuid, key,
  shortDescription / strippedShortDescription, levelType, owners[].name, subjects[].name,
  skillNames, enrollmentCount, activeCourseRun {key, marketingUrl, pacingType, start,
  contentLanguage, transcriptLanguages, minEffort, maxEffort, weeksToComplete,
  availability, seats[{type, price, currency}]}. Shape from a page-data.json saved from
  edx.org in 2024 by the public repository swottinglabs/swotting
  (core/scrapy_project/spiders/edx/example.json); not checked live from here.
- HTML course page: schema.org Course JSON-LD when present; else ``__NEXT_DATA__`` whose
  pageProps hold a course object with the page-data field names (inferred, unconfirmed).
- Course-discovery API page ``{next, results: [course]}`` (key, title, short_description,
  full_description, owners, level_type, subjects, course_runs[{key, seats, pacing_type,
  start, content_language, min_effort, max_effort, weeks_to_complete, marketing_url}]);
  ``next`` becomes a follow request. Confirmed on the real (partially scrubbed) MITx page
  of 2022.
- 2016 search API ``https://www.edx.org/search/api/all``: an array of {guid, l, schools,
  code, level, pace, start, start_time, availability, subjects, languages, url, types}.
  Confirmed on the real 893-course response of 2016.

``source_id``: the course key (``MITx+15.071x``) where the format gives one (discovery,
page data: course key or the org+number of the active run key); the 2016 format has none
(``code`` repeats across reruns), so there it is the course URL path
(``course/<slug>``). Descriptions given as HTML are reduced to text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from scrapers.base import Fetcher, ParseResult, Request, Scraper
from scrapers.bodies import filter_urls, parse_json, sitemap_urls, sniff
from scrapers.edx_course import PLATFORM, course_record, search_2016_record
from scrapers.extract import courses_from_page
from scrapers.markup import next_data

COURSE_URL_PATTERN = r"^https?://[^/]+/learn/[^/?#]+/[^/?#]+/?$"


class EdxScraper(Scraper):
    """edX courses from the sitemap (page data or HTML) and saved API responses."""

    name = "edx"
    title = "edX"
    homepage = "https://www.edx.org"
    endpoints: ClassVar[dict[str, str]] = {
        "sitemap": "https://www.edx.org/sitemap-0.xml",
        "site": "https://www.edx.org",
    }
    confirmed = (
        "2016 search API and 2022 course-discovery page checked on real responses in "
        "shared/realdata; page-data shape from a 2024 capture in public code; sitemap and "
        "course pages not checked live"
    )

    def __init__(
        self,
        endpoints: dict[str, str] | None = None,
        *,
        follow: str | None = None,
        course_url_pattern: str | None = None,
    ) -> None:
        super().__init__(endpoints)
        self.follow = follow or os.environ.get("COURSERADAR_EDX_FOLLOW") or "page-data"
        if self.follow not in ("page-data", "html"):
            raise ValueError(f"follow must be 'page-data' or 'html', not {self.follow!r}")
        self.course_url_pattern = re.compile(course_url_pattern or COURSE_URL_PATTERN)

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        yield Request(self.endpoint["sitemap"], kind="sitemap")

    def read(self, content: bytes, url: str) -> ParseResult:
        fmt = sniff(content)
        if fmt == "empty":
            return ParseResult(errors=["empty body"])
        if fmt == "sitemap":
            return self._sitemap(content)
        if fmt == "json":
            try:
                data = parse_json(content)
            except ValueError as exc:
                return ParseResult(errors=[str(exc)])
            return self._json(data, url)
        if fmt == "xml":
            return ParseResult(errors=["XML body that is not a sitemap"])
        return self._html(content, url)

    # ------------------------------------------------------------------ formats

    def _sitemap(self, content: bytes) -> ParseResult:
        pages, maps = sitemap_urls(content)
        if not pages and not maps:
            return ParseResult(errors=["sitemap without <loc> entries"])
        follow = [Request(u, kind="sitemap") for u in maps]
        for page in filter_urls(pages, self.course_url_pattern):
            if self.follow == "page-data":
                follow.append(Request(self._page_data_url(page), kind="page-data"))
            else:
                follow.append(Request(page, kind="page"))
        return ParseResult(follow=follow)

    def _page_data_url(self, page: str) -> str:
        parts = urlsplit(page)
        base = self.endpoint.get("site", f"{parts.scheme}://{parts.netloc}").rstrip("/")
        return f"{base}/page-data{parts.path.rstrip('/')}/page-data.json"

    def _json(self, data: Any, url: str) -> ParseResult:
        if (
            isinstance(data, list)
            and all(isinstance(x, dict) for x in data)
            and any("guid" in x and "l" in x for x in data)
        ):
            return self._search_2016(data)
        if isinstance(data, dict):
            if isinstance(data.get("results"), list) and "next" in data:
                return self._discovery(data, url)
            course = _dig(data, "result", "pageContext", "course")
            if isinstance(course, dict):
                return self._one(course, url, camel=True)
            found = _find_course(data.get("pageProps") or _dig(data, "props", "pageProps"))
            if found is not None:
                return self._one(found, url, camel=True)
        shape = sorted(data)[:8] if isinstance(data, dict) else type(data).__name__
        return ParseResult(errors=[f"JSON of an unknown edX shape (top level: {shape})"])

    def _html(self, content: bytes, url: str) -> ParseResult:
        records, _ = courses_from_page(content, url)
        if records:
            for rec in records:
                rec["platform"] = PLATFORM
                if str(rec.get("source_id", "")).startswith(urlsplit(url).netloc + ":"):
                    rec["source_id"] = str(rec["source_id"]).split(":", 1)[1]
            return ParseResult(records=records)
        found = _find_course(_dig(next_data(content) or {}, "props", "pageProps"))
        if found is not None:
            return self._one(found, url, camel=True)
        return ParseResult(errors=["course page without schema.org Course or __NEXT_DATA__ course"])

    def _one(self, course: dict[str, Any], url: str, *, camel: bool) -> ParseResult:
        rec = course_record(course, url, camel=camel)
        if rec is None:
            return ParseResult(errors=["course data without a title or key"])
        return ParseResult(records=[rec])

    def _discovery(self, data: dict[str, Any], url: str) -> ParseResult:
        result = ParseResult()
        skipped = 0
        for course in data["results"]:
            rec = course_record(course, url, camel=False) if isinstance(course, dict) else None
            if rec is None:
                skipped += 1
            else:
                result.records.append(rec)
        if skipped:
            result.errors.append(f"{skipped} course(s) without a title or key skipped")
        nxt = data.get("next")
        if isinstance(nxt, str) and nxt.strip():
            result.follow.append(Request(urljoin(url, nxt.strip()), kind="api"))
        return result

    def _search_2016(self, items: list[dict[str, Any]]) -> ParseResult:
        result = ParseResult()
        skipped = 0
        for item in items:
            if set(item) == {"_comment"}:
                continue  # a note in a hand-built fixture, not a course
            rec = search_2016_record(item)
            if rec is None:
                skipped += 1
            else:
                result.records.append(rec)
        if skipped:
            result.errors.append(f"{skipped} entr(y/ies) without title or url skipped")
        return result


# ---------------------------------------------------------------------- the course in page data


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _find_course(node: Any, depth: int = 0) -> dict[str, Any] | None:
    """A course-looking object in Next.js pageProps (title plus runs)."""
    if depth > 5 or node is None:
        return None
    if isinstance(node, dict):
        if node.get("title") and any(
            k in node for k in ("activeCourseRun", "courseRuns", "course_runs")
        ):
            return node
        for value in node.values():
            found = _find_course(value, depth + 1)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node[:50]:
            found = _find_course(value, depth + 1)
            if found is not None:
                return found
    return None
