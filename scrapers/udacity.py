"""Udacity: the unified catalog search API, course pages, and the retired 2017 catalog.

The format of a body is told from its content, so one parse reads all of these:

* Search (the way in): ``POST https://api.udacity.com/api/unified-catalog/search`` with JSON
  ``{searchText, sortBy, page, pageSize, keys, skills, schools, semanticTypes, rawDurations,
  difficulties, enrolledOnly}`` -> ``searchResult{hits[], nbHits, nbPages}``. Hit fields as
  read by public client code (learning-plan prototypes and catalog explorers that call this
  endpoint; Playwright tests of udacity.com that replay the site's own request): key, title,
  slug, semantic_type ("Course", "Degree" = Nanodegree, others), difficulty, duration
  (minutes; ``raw_duration`` in some code), summary, skill_names, image_url,
  rating_average, rating_count, is_offered_to_public (false = enterprise-only, skipped).
  Course page ``https://www.udacity.com/course/{slug}``. The request body's page number
  is not in the answer for certain, so the page asked for rides in the URL fragment
  (``#page=N``, never sent to the server) and ``searchResult.page`` wins when present.
* Course detail: a course page's ``__NEXT_DATA__`` (``props.pageProps``) or the Next.js data
  file ``/_next/data/{buildId}/default/course/{slug}.json`` (``pageProps``). Read from
  ``pageProps``: staticProgramDetailsSectionProps{title, summary, difficulty, duration,
  allSkills, reviewStarsAverage, reviewCount, enrolledCount}, isProgramFree,
  staticBreadcrumbsProps.schoolName, staticProgramAboutSectionProps.aboutText (names as used
  by two independent public scrapers); a schema.org Course in the page's JSON-LD fills
  gaps. The program key is the slug's ``--key`` suffix. Detail pages are fetched only when
  ``fetch_details`` is set: the search hits already carry what the catalog needs.
* The retired ``/public-api/v0/courses`` catalog (2017; a real copy was checked):
  ``{courses, tracks, degrees}`` with key, title, subtitle, short_summary, summary, level,
  expected_duration + expected_duration_unit, full_course_available, affiliates[{name}],
  instructors, homepage, tracks; degrees are Nanodegrees. The file repeats five courses
  verbatim; a repeat is dropped.

``key`` (ud120, nd009t ...) is the source_id in every format. Prices are in none of them.
Confirmed: the 2017 catalog against the real file; search hits and Next.js fields only from
public code, fixtures built by hand; not checked live.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from scrapers.base import Fetcher, ParseResult, RawCourse, Request, Scraper, as_list
from scrapers.clean import clean_str, iso_minutes, page_error, positive_number, without_tracking
from scrapers.extract import course_from_schema
from scrapers.markup import json_ld, next_data

WEB = "https://www.udacity.com"
PAGE_SIZE = 100
MAX_PAGES = 50
_KEY_FROM_SLUG = re.compile(r"--([a-z]+\d+[a-z0-9]*)$", re.I)

_error = partial(page_error, "udacity")


class UdacityScraper(Scraper):
    name = "udacity"
    title = "Udacity"
    homepage = WEB
    endpoints: ClassVar[dict[str, str]] = {
        "search": "https://api.udacity.com/api/unified-catalog/search",
        "web": WEB,
    }
    confirmed = (
        "2017 catalog format from the real file in shared/realdata; unified-catalog search "
        "hits and Next.js page data from public code only; not checked live"
    )
    # Follow every hit to its course page for the Next.js details (one request per course).
    fetch_details: ClassVar[bool] = False

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        """Page 0 of the catalog search; later pages come back as follow-ups."""
        yield self._search_request(0)

    def _search_request(self, page: int) -> Request:
        body = {
            "searchText": "",
            "sortBy": "relevance",
            "page": page,
            "pageSize": PAGE_SIZE,
            "keys": [],
            "skills": [],
            "schools": [],
            "semanticTypes": [],
            "rawDurations": [],
            "difficulties": [],
            "enrolledOnly": False,
        }
        return Request(
            f"{self.endpoint['search']}#page={page}",
            method="POST",
            headers=(("Content-Type", "application/json"), ("Accept", "application/json")),
            body=json.dumps(body).encode(),
            kind="search",
        )

    def read(self, content: bytes, url: str) -> ParseResult:
        text = content.decode("utf-8-sig", errors="replace").strip()
        if not text:
            return _error("empty answer")
        if text.startswith("<"):
            return self._parse_page(content, url)
        try:
            data = json.loads(text)
        except ValueError as exc:
            return _error(f"not JSON ({exc})")
        if not isinstance(data, dict):
            return _error(f"expected a JSON object, got {type(data).__name__}")
        if "searchResult" in data:
            return self._parse_search(data["searchResult"], url)
        if isinstance(data.get("courses"), list) and ("degrees" in data or "tracks" in data):
            return _parse_catalog_2017(data)
        if isinstance(data.get("pageProps"), dict):
            return self._parse_detail(data["pageProps"], [], url)
        return _error("neither a search answer, a 2017 catalog nor Next.js page data")

    # ------------------------------------------------------------------ search

    def _parse_search(self, found: Any, url: str) -> ParseResult:
        if not isinstance(found, dict) or not isinstance(found.get("hits"), list):
            return _error("searchResult has no hits list")
        result = ParseResult()
        for i, hit in enumerate(found["hits"]):
            if not isinstance(hit, dict):
                result.errors.append(f"udacity: hit {i} is not an object")
                continue
            if hit.get("is_offered_to_public") is False:
                continue  # enterprise-only programme: not open to a freelancer
            record = self._hit(hit)
            if record is None:
                result.errors.append(f"udacity: hit {i} has no key or title")
                continue
            result.records.append(record)
            slug = clean_str(hit.get("slug"))
            if self.fetch_details and slug:
                result.follow.append(
                    Request(f"{self.endpoint['web']}/course/{slug}", kind="detail")
                )

        page = found["page"] if isinstance(found.get("page"), int) else _page_of(url)
        pages = found.get("nbPages")
        if found["hits"] and isinstance(pages, int) and page + 1 < min(pages, MAX_PAGES):
            result.follow.append(self._search_request(page + 1))
        return result

    def _hit(self, hit: dict[str, Any]) -> RawCourse | None:
        key = clean_str(hit.get("key"))
        title = clean_str(hit.get("title"))
        if not key or not title:
            return None
        slug = clean_str(hit.get("slug"))
        semantic = clean_str(hit.get("semantic_type"))
        record = RawCourse(
            source_id=key,
            title=title,
            url=f"{self.endpoint['web']}/course/{slug}" if slug else None,
            provider="Udacity",
            platform="Udacity",
            kind="nanodegree" if semantic == "Degree" else "course",
        )
        if clean_str(hit.get("summary")):
            record["description"] = clean_str(hit.get("summary"))
        if clean_str(hit.get("difficulty")):
            record["level"] = clean_str(hit.get("difficulty"))
        skills = as_list(hit.get("skill_names"))
        if skills:
            record["skills"] = skills
        minutes = positive_number(hit.get("duration"))
        if minutes is None:
            minutes = positive_number(hit.get("raw_duration"))
        if minutes:
            record["effort"] = iso_minutes(round(minutes))
        if positive_number(hit.get("rating_average")):
            record["rating"] = hit["rating_average"]
        if positive_number(hit.get("rating_count")):
            record["rating_count"] = hit["rating_count"]
        extra: dict[str, Any] = {}
        for name in ("semantic_type", "duration", "raw_duration", "image_url", "slug"):
            if hit.get(name) not in (None, ""):
                extra[name] = hit[name]
        if extra:
            record["extra"] = extra
        return record

    # ------------------------------------------------------------------ detail pages

    def _parse_page(self, content: bytes, url: str) -> ParseResult:
        data = next_data(content)
        props = data.get("props") if isinstance(data, dict) else None
        page_props = props.get("pageProps") if isinstance(props, dict) else None
        schema = [n for n in json_ld(content) if "Course" in _types(n)]
        if not isinstance(page_props, dict) and not schema:
            return _error("page has neither __NEXT_DATA__ pageProps nor a schema.org Course")
        return self._parse_detail(page_props if isinstance(page_props, dict) else {}, schema, url)

    def _parse_detail(
        self, props: dict[str, Any], schema: list[dict[str, Any]], url: str
    ) -> ParseResult:
        details = props.get("staticProgramDetailsSectionProps")
        details = details if isinstance(details, dict) else {}
        from_schema = course_from_schema(schema[0], page_url=url) if schema else None
        slug = _slug_of(url)
        key = (
            clean_str(props.get("programKey"))
            or clean_str(details.get("programKey"))
            or _key_of(slug)
        )
        title = clean_str(details.get("title")) or (from_schema or {}).get("title", "")
        if not key or not title:
            return _error("course page without a program key (slug --key) or a title")

        record = RawCourse(
            source_id=key,
            title=title,
            url=f"{self.endpoint['web']}/course/{slug}" if slug else None,
            provider="Udacity",
            platform="Udacity",
        )
        if from_schema:  # schema.org first; the Next.js fields below are more specific
            for name in ("description", "level", "language", "skills", "rating", "rating_count"):
                if from_schema.get(name):
                    record[name] = from_schema[name]
        about = props.get("staticProgramAboutSectionProps")
        description = clean_str(about.get("aboutText")) if isinstance(about, dict) else ""
        description = description or clean_str(details.get("summary"))
        if description:
            record["description"] = description
        if clean_str(details.get("difficulty")):
            record["level"] = clean_str(details.get("difficulty"))
        if isinstance(details.get("duration"), str) and details["duration"].strip():
            record["duration"] = clean_str(details["duration"])
        skills = [s for s in (_skill_name(x) for x in details.get("allSkills") or []) if s]
        if skills:
            record["skills"] = skills
        if positive_number(details.get("reviewStarsAverage")):
            record["rating"] = details["reviewStarsAverage"]
        if positive_number(details.get("reviewCount")):
            record["rating_count"] = details["reviewCount"]
        if positive_number(details.get("enrolledCount")):
            record["enrollments"] = details["enrolledCount"]
        if props.get("isProgramFree") is True:
            record["cost"] = "free"
        crumbs = props.get("staticBreadcrumbsProps")
        school = clean_str(crumbs.get("schoolName")) if isinstance(crumbs, dict) else ""
        if school:
            record["categories"] = [school]
        if "nanodegree" in slug.lower() or key.lower().startswith("nd"):
            record["kind"] = "nanodegree"
        else:
            record["kind"] = "course"
        record["extra"] = {"detail_page": True, "slug": slug}
        return ParseResult(records=[record])


# ---------------------------------------------------------------------- 2017 catalog


def _parse_catalog_2017(data: dict[str, Any]) -> ParseResult:
    track_names: dict[str, list[str]] = {}
    for track in data.get("tracks") or []:
        if isinstance(track, dict) and clean_str(track.get("name")):
            for key in as_list(track.get("courses")):
                track_names.setdefault(key, []).append(clean_str(track.get("name")))

    result = ParseResult()
    seen: dict[str, dict[str, Any]] = {}
    for group, kind in (("courses", "course"), ("degrees", "nanodegree")):
        items = data.get(group) or []
        if not isinstance(items, list):
            result.errors.append(f"udacity: '{group}' is not a list")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                result.errors.append(f"udacity: {group}[{i}] is not an object")
                continue
            key = clean_str(item.get("key"))
            if key in seen:
                if seen[key] != item:
                    result.errors.append(f"udacity: {group}[{i}] repeats key {key} with other data")
                continue  # the 2017 file repeats five courses verbatim
            record = _catalog_item(item, kind, track_names)
            if record is None:
                result.errors.append(f"udacity: {group}[{i}] has no key or title")
                continue
            seen[key] = item
            result.records.append(record)
    if not result.records and not result.errors:
        return _error("2017 catalog without any course or degree")
    return result


def _catalog_item(
    item: dict[str, Any], kind: str, track_names: dict[str, list[str]]
) -> RawCourse | None:
    key = clean_str(item.get("key"))
    title = clean_str(item.get("title"))
    if not key or not title:
        return None
    affiliates = [
        clean_str(a.get("name")) for a in item.get("affiliates") or [] if isinstance(a, dict)
    ]
    affiliates = [a for a in affiliates if a]
    record = RawCourse(
        source_id=key,
        title=title,
        url=without_tracking(clean_str(item.get("homepage")))
        or (f"{WEB}/course/{clean_str(item.get('slug'))}" if clean_str(item.get("slug")) else None),
        provider=(affiliates[0] if len(affiliates) == 1 else affiliates) or "Udacity",
        platform="Udacity",
        kind=kind,
    )
    description = (
        clean_str(item.get("summary"))
        or clean_str(item.get("short_summary"))
        or clean_str(item.get("subtitle"))
    )
    if description:
        record["description"] = description
    if clean_str(item.get("level")):
        record["level"] = clean_str(item.get("level"))
    amount = positive_number(item.get("expected_duration"))
    unit = clean_str(item.get("expected_duration_unit"))
    if amount and unit:
        record["duration"] = f"{amount:g} {unit}"
    categories = list(dict.fromkeys(as_list(item.get("tracks")) + track_names.get(key, [])))
    if categories:
        record["categories"] = categories
    extra: dict[str, Any] = {"catalog": "public-api/v0 (2017)"}
    for name in ("full_course_available", "new_release", "starter", "subtitle", "slug"):
        if item.get(name) not in (None, ""):
            extra[name] = item[name]
    instructors = [
        clean_str(x.get("name")) for x in item.get("instructors") or [] if isinstance(x, dict)
    ]
    if any(instructors):
        extra["instructors"] = [x for x in instructors if x]
    record["extra"] = extra
    return record


# ---------------------------------------------------------------------- helpers


def _skill_name(value: Any) -> str:
    if isinstance(value, dict):
        return clean_str(value.get("name") or value.get("title") or value.get("label"))
    return clean_str(value)


def _types(node: dict[str, Any]) -> list[str]:
    raw = node.get("@type")
    return [t for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, str)]


def _page_of(url: str) -> int:
    """The search page asked for: ``#page=N`` (set by this module) or ``?page=N``."""
    parts = urlsplit(url)
    for chunk in (parts.fragment, parts.query):
        for key, value in parse_qsl(chunk):
            if key == "page" and value.isdigit():
                return int(value)
    return 0


def _slug_of(url: str) -> str:
    """/course/{slug}, /_next/data/{id}/default/course/{slug}.json -> slug."""
    match = re.search(r"/course/([^/?#]+?)(?:\.json)?(?:[/?#]|$)", url)
    return match.group(1) if match else ""


def _key_of(slug: str) -> str:
    match = _KEY_FROM_SLUG.search(slug)
    return match.group(1) if match else ""
