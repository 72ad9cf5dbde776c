"""edX: the sitemap, course page data, and the saved API formats users may feed.

Why several formats: edX's search runs on Algolia with a key that changes and its
course-discovery API needs a login (GUIDE.md), so a refresh walks the public sitemap; but
the real responses we hold are of older APIs, and a user may feed those too. The format
is detected from the content:

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
  of 2022 in shared/realdata/edx.
- 2016 search API ``https://www.edx.org/search/api/all``: an array of {guid, l, schools,
  code, level, pace, start, start_time, availability, subjects, languages, url, types}.
  Confirmed on the real 893-course response of 2016 in shared/realdata/edx.

``source_id``: the course key (``MITx+15.071x``) where the format gives one (discovery,
page data: course key or the org+number of the active run key); the 2016 format has none
(``code`` repeats across reruns), so there it is the course URL path
(``course/<slug>``). Descriptions given as HTML are reduced to text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from scrapers.base import Fetcher, ParseResult, RawCourse, RawOffer, Request, Scraper, as_list
from scrapers.bodies import filter_urls, parse_json, sitemap_urls, sniff
from scrapers.clean import html_text
from scrapers.extract import courses_from_page
from scrapers.markup import next_data

PLATFORM = "edX"
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
        rec = _course_record(course, url, camel=camel)
        if rec is None:
            return ParseResult(errors=["course data without a title or key"])
        return ParseResult(records=[rec])

    def _discovery(self, data: dict[str, Any], url: str) -> ParseResult:
        result = ParseResult()
        skipped = 0
        for course in data["results"]:
            rec = _course_record(course, url, camel=False) if isinstance(course, dict) else None
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
            rec = _search_2016_record(item)
            if rec is None:
                skipped += 1
            else:
                result.records.append(rec)
        if skipped:
            result.errors.append(f"{skipped} entr(y/ies) without title or url skipped")
        return result


# ---------------------------------------------------------------------- mappers


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _get(obj: dict[str, Any], snake: str, camel: bool) -> Any:
    """Field by its discovery-API name, or its camelCase twin in page data."""
    if camel:
        head, *rest = snake.split("_")
        key = head + "".join(p[:1].upper() + p[1:] for p in rest)
        if key in obj:
            return obj[key]
    return obj.get(snake)


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


def _clean_url(value: Any) -> str | None:
    """An http(s) marketing URL without its tracking query (utm_...)."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return None
    parts = urlsplit(value.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _pick_run(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The run a learner would take: a current or upcoming one, else the latest start."""
    if not runs:
        return None
    live = [
        r
        for r in runs
        if str(r.get("availability") or "") in ("Current", "Starting Soon", "Upcoming")
    ]
    pool = live or runs
    return max(pool, key=lambda r: str(r.get("start") or ""))


def _course_key(course: dict[str, Any], run: dict[str, Any] | None) -> str | None:
    key = course.get("key")
    if isinstance(key, str) and key.strip():
        return key.strip()
    run_key = str((run or {}).get("key") or "")
    m = re.match(r"course-v1:([^+]+)\+([^+]+)\+", run_key)
    if m:
        return f"{m.group(1)}+{m.group(2)}"
    uuid = course.get("uuid")
    return str(uuid) if uuid else None


def _effort(lo: Any, hi: Any) -> str | None:
    if lo in (None, "", 0) and hi in (None, "", 0):
        return None
    if lo in (None, "", 0) or lo == hi:
        return f"{hi or lo} hours per week"
    if hi in (None, "", 0):
        return f"{lo} hours per week"
    return f"{lo}–{hi} hours per week"


def _seat_offers(seats: Any) -> list[RawOffer]:
    offers: list[RawOffer] = []
    for seat in seats if isinstance(seats, list) else []:
        if not isinstance(seat, dict) or not seat.get("type"):
            continue
        kind = str(seat["type"])
        offer: RawOffer = {"label": kind, "certificate": None if kind == "audit" else kind}
        if seat.get("price") is not None:
            offer["price"] = seat["price"]
        if seat.get("currency"):
            offer["currency"] = seat["currency"]
        credits = seat.get("credit_hours") or seat.get("creditHours")
        if credits:
            offer["credits"] = credits
        offers.append(offer)
    return offers


def _course_record(course: dict[str, Any], url: str, *, camel: bool) -> RawCourse | None:
    """A discovery-API course (snake_case) or a page-data course (camelCase)."""
    runs = _get(course, "course_runs", camel) or []
    active = _get(course, "active_course_run", camel)
    if isinstance(active, dict):
        runs = [
            active,
            *[r for r in runs if isinstance(r, dict) and r.get("key") != active.get("key")],
        ]
    runs = [r for r in runs if isinstance(r, dict)]
    run = active if isinstance(active, dict) else _pick_run(runs)
    title = course.get("title") or (run or {}).get("title")
    key = _course_key(course, run)
    if not title or not key:
        return None
    rec: RawCourse = {"source_id": key, "title": " ".join(str(title).split()), "platform": PLATFORM}

    url_candidates = [
        _get(course, "marketing_url", camel),
        (run or {}).get("marketing_url") or (run or {}).get("marketingUrl"),
    ]
    path = course.get("prospectusPath")
    if isinstance(path, str) and path.startswith("/"):
        url_candidates.insert(0, "https://www.edx.org" + path)
    slug = _get(course, "url_slug", camel)
    if isinstance(slug, str) and slug:
        url_candidates.append(f"https://www.edx.org/course/{slug}")
    if "/page-data/" in url:
        url_candidates.append(url.replace("/page-data/", "/").removesuffix("/page-data.json"))
    rec["url"] = next((u for u in map(_clean_url, url_candidates) if u), None)

    description = course.get("strippedShortDescription") or _get(course, "short_description", camel)
    description = description or _get(course, "full_description", camel)
    if isinstance(description, str) and description.strip():
        rec["description"] = html_text(description)

    owners = [
        str(o["name"])
        for o in _get(course, "owners", camel) or []
        if isinstance(o, dict) and o.get("name")
    ]
    if owners:
        rec["provider"] = owners[0] if len(owners) == 1 else owners
    level = (
        _get(course, "level_type", camel)
        or (run or {}).get("level_type")
        or (run or {}).get("levelType")
    )
    if level:
        rec["level"] = str(level)
    subjects = [s.get("name") for s in _get(course, "subjects", camel) or [] if isinstance(s, dict)]
    if any(subjects):
        rec["categories"] = [s for s in subjects if s]
    skills = _get(course, "skill_names", camel) or []
    if skills:
        rec["skills"] = as_list(skills)
    enrollments = _get(course, "enrollment_count", camel)
    if enrollments:
        rec["enrollments"] = enrollments
    rec["kind"] = "course"

    extra: dict[str, Any] = {}
    if run:
        lang = _get(run, "content_language", camel)
        if lang:
            rec["language"] = lang
        subs = _get(run, "transcript_languages", camel)
        if subs:
            rec["subtitle_languages"] = as_list(subs)
        effort = _effort(_get(run, "min_effort", camel), _get(run, "max_effort", camel))
        if effort:
            rec["effort"] = effort
        weeks = _get(run, "weeks_to_complete", camel)
        if weeks:
            rec["duration"] = f"{weeks} weeks"
        pacing = _get(run, "pacing_type", camel)
        if pacing:
            rec["pace"] = pacing
        if run.get("start"):
            rec["start_date"] = run["start"]
        offers = _seat_offers(run.get("seats"))
        if offers:
            rec["offers"] = offers
            paid = [o for o in offers if _num(o.get("price")) not in (None, 0.0)]
            if paid:
                cheapest = min(paid, key=lambda o: _num(o.get("price")) or 0.0)
                rec["price"] = cheapest.get("price")
                if cheapest.get("currency"):
                    rec["currency"] = cheapest.get("currency")
        extra["run_key"] = run.get("key")
        if run.get("availability"):
            extra["availability"] = run["availability"]
    for field in ("uuid", "course_type"):
        value = _get(course, field, camel)
        if value:
            extra[field] = value
    rec["extra"] = extra
    return rec


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_TYPE_OFFERS = {"verified": "verified", "profed": "professional", "credit": "credit"}


def _search_2016_record(item: dict[str, Any]) -> RawCourse | None:
    """One course of the 2016 ``/search/api/all`` array."""
    title = item.get("l")
    url = item.get("url")
    if not title or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    path = urlsplit(url).path.strip("/")
    rec: RawCourse = {
        "source_id": path or url,
        "title": " ".join(str(title).split()),
        "url": url,
        "platform": PLATFORM,
        "kind": "course",
    }
    schools = as_list(item.get("schools"))
    if schools:
        rec["provider"] = schools[0] if len(schools) == 1 else schools
    if item.get("level"):
        rec["level"] = item["level"]
    if item.get("languages"):
        langs = as_list(item["languages"])
        rec["language"] = langs[0] if len(langs) == 1 else langs
    if item.get("subjects"):
        rec["categories"] = as_list(item["subjects"])
    # pace is a boolean there: true for self-paced courses ("start": "Self-Paced").
    if isinstance(item.get("pace"), bool):
        rec["pace"] = "self-paced" if item["pace"] else "instructor-paced"
    start_time = item.get("start_time")
    if isinstance(start_time, int | float) and start_time > 0:
        rec["start_date"] = datetime.fromtimestamp(start_time, tz=UTC).date().isoformat()
    types = as_list(item.get("types"))
    offers: list[RawOffer] = [
        {"label": t, "certificate": _TYPE_OFFERS[t]} for t in types if t in _TYPE_OFFERS
    ]
    if offers:
        rec["offers"] = offers
    rec["extra"] = {
        "guid": item.get("guid"),
        "code": item.get("code"),
        "start": item.get("start"),
        "availability": item.get("availability"),
        "types": types,
    }
    return rec
