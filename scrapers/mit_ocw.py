"""MIT OpenCourseWare: the MIT Learn course API, per-course data.json, and legacy pages.

Why these formats: OCW has no search API of its own; MIT Open Learning publishes its
catalogue through the MIT Learn API, which public code uses without a key
(``https://api.learn.mit.edu/api/v1/courses/?platform=ocw``, paginated
``{count, next, previous, results}``; see the public repository pmusser/ocw_oer_export,
ocw_oer_export/config.py, client.py and tests/sample_courses.json). Fields used: title,
description, url, topics[].name, departments[].name, certification, readable_id,
course.course_numbers[].value, runs[{slug, url, level, semester, year, instructors}].
A topic filter parameter is not known from public code, so gather walks the whole OCW
list (about 25 pages of 100) and the pipeline's scope rule picks the AI courses.
Not checked live from here.

Also parsed, for saved files and per-course follow-ups:

- The OCW (Hugo) per-course ``https://ocw.mit.edu/courses/<slug>/data.json``:
  course_title, course_description, instructors[].title, level[], topics (three-level
  lists), primary_course_number, extra_course_numbers, term, year, department_numbers.
  Confirmed on the real 16.01 data.json of 2022.
- The legacy (2015) department listing page: ``table.courseList`` rows of course number,
  title and level, each linking the course. Confirmed on the real Aeronautics and
  Astronautics listing of 2015 (79 courses). The listing's records are complete enough
  (number, title, level, link), so no detail pages are followed from it.
- The legacy (2015) course page: schema.org/WebPage microdata (name, author, startDate,
  typicalAgeRange) plus the ``Description`` and ``keywords`` meta tags and the
  "MIT Course Number". Confirmed on the real 16.346 Astrodynamics page of 2015.

``source_id`` is the course's OCW slug (``16-01-unified-engineering-i-ii-iii-iv-fall-2005
-spring-2006``), the same in every format. OCW states on every course that its materials
are free and that it grants no certificates; so each record carries price "0",
cost "free" and certificate "none" for that reason, not as a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import Fetcher, ParseResult, RawCourse, Request, Scraper
from scrapers.bodies import parse_json, sniff, to_text
from scrapers.clean import html_text
from scrapers.markup import microdata

# A topic link under the course page's "related" box ("#related a[href*='find-by-topic']";
# BeautifulSoup's own finders: CSS selectors cost a refresh soupsieve's start-up, ~0.2 s).
_TOPIC_LINK = re.compile("find-by-topic")

PLATFORM = "MIT OpenCourseWare"
PROVIDER = "Massachusetts Institute of Technology"
# What OCW states for every course (see the module docstring).
OCW_TERMS: RawCourse = {"price": "0", "cost": "free", "certificate": "none"}


class MitOcwScraper(Scraper):
    """MIT OpenCourseWare through the MIT Learn API and OCW's own course data."""

    name = "mit-ocw"
    title = "MIT OpenCourseWare"
    homepage = "https://ocw.mit.edu"
    endpoints: ClassVar[dict[str, str]] = {
        "start": "https://api.learn.mit.edu/api/v1/courses/?platform=ocw&limit=100",
        "site": "https://ocw.mit.edu",
    }
    confirmed = (
        "data.json (2022), legacy listing and course page (2015) checked on real files in "
        "shared/realdata; MIT Learn API shape from public code; nothing checked live"
    )

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        yield Request(self.endpoint["start"], kind="api")

    def read(self, content: bytes, url: str) -> ParseResult:
        fmt = sniff(content)
        if fmt == "empty":
            return ParseResult(errors=["empty body"])
        if fmt == "json":
            try:
                data = parse_json(content)
            except ValueError as exc:
                return ParseResult(errors=[str(exc)])
            if isinstance(data, dict) and "course_title" in data:
                rec = self._data_json(data, url)
                if rec is None:
                    return ParseResult(errors=["data.json without a course title"])
                return ParseResult(records=[rec])
            if isinstance(data, dict) and isinstance(data.get("results"), list):
                return self._learn_api(data, url)
            return ParseResult(
                errors=["JSON that is neither an OCW data.json nor a Learn API page"]
            )
        if fmt in ("sitemap", "xml"):
            return ParseResult(errors=["XML body; expected JSON or an OCW page"])
        soup = BeautifulSoup(to_text(content), "lxml")
        table = soup.find("table", class_="courseList")
        if table is not None:
            return self._listing(table, url)
        rec = self._legacy_course_page(soup, content, url)
        if rec is not None:
            return ParseResult(records=[rec])
        return ParseResult(errors=["page is neither an OCW course list nor an OCW course page"])

    # ------------------------------------------------------------------ formats

    def _base(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        return self.endpoint.get("site", "https://ocw.mit.edu") + "/"

    def _data_json(self, data: dict[str, Any], url: str) -> RawCourse | None:
        title = data.get("course_title")
        if not isinstance(title, str) or not title.strip():
            return None
        path = urlsplit(url).path
        m = re.search(r"/courses/([^/]+)/(?:data\.json)?$", path)
        number = str(data.get("primary_course_number") or "")
        if m:
            slug = m.group(1)
        else:
            slug = "-".join(
                p
                for p in (number.replace(".", "-"), title, data.get("term"), data.get("year"))
                if p
            )
            slug = re.sub(r"[^a-z0-9]+", "-", str(slug).lower()).strip("-")
        site = self.endpoint.get("site", "https://ocw.mit.edu").rstrip("/")
        page = (
            url[: -len("data.json")]
            if m and url.endswith("data.json")
            else f"{site}/courses/{slug}/"
        )
        rec: RawCourse = {
            "source_id": slug,
            "title": " ".join(title.split()),
            "url": page if page.startswith(("http://", "https://")) else f"{site}/courses/{slug}/",
            "provider": PROVIDER,
            "platform": PLATFORM,
            "kind": "course",
            **OCW_TERMS,
        }
        if isinstance(data.get("course_description"), str):
            rec["description"] = html_text(data["course_description"])
        levels = [str(x) for x in data.get("level") or [] if x]
        if levels:
            rec["level"] = ", ".join(levels)
        categories: list[str] = []
        for path_ in data.get("topics") or []:
            for name in path_ if isinstance(path_, list) else [path_]:
                if isinstance(name, str) and name not in categories:
                    categories.append(name)
        if categories:
            rec["categories"] = categories
        instructors = [i.get("title") for i in data.get("instructors") or [] if isinstance(i, dict)]
        rec["extra"] = {
            "course_number": number or None,
            "extra_course_numbers": data.get("extra_course_numbers") or None,
            "term": data.get("term"),
            "year": data.get("year"),
            "instructors": [i for i in instructors if i],
            "departments": data.get("department_numbers") or [],
            "resource_types": data.get("learning_resource_types") or [],
        }
        return rec

    def _learn_api(self, data: dict[str, Any], url: str) -> ParseResult:
        result = ParseResult()
        skipped = 0
        for item in data["results"]:
            rec = _learn_record(item) if isinstance(item, dict) else None
            if rec is None:
                skipped += 1
            else:
                result.records.append(rec)
        if skipped:
            result.errors.append(f"{skipped} result(s) without title or OCW url skipped")
        nxt = data.get("next")
        if isinstance(nxt, str) and nxt.strip():
            result.follow.append(Request(urljoin(url, nxt.strip()), kind="api"))
        return result

    def _listing(self, table: Tag, url: str) -> ParseResult:
        result = ParseResult()
        base = self._base(url)
        seen: set[str] = set()
        body_rows = [tr for body in table.find_all("tbody") for tr in body.find_all("tr")]
        for row in body_rows or table.find_all("tr"):
            cells = row.find_all("td")
            link = row.find("a", href=True)
            if len(cells) < 2 or link is None:
                continue
            href = urljoin(base, str(link["href"]))
            slug = urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]
            title = html_text(str(cells[1]))
            if not slug or not title or slug in seen:
                continue
            seen.add(slug)
            rec: RawCourse = {
                "source_id": slug,
                "title": title,
                "url": href,
                "provider": PROVIDER,
                "platform": PLATFORM,
                "kind": "course",
                **OCW_TERMS,
                "extra": {"course_number": html_text(str(cells[0]))},
            }
            if len(cells) > 2 and html_text(str(cells[2])):
                rec["level"] = html_text(str(cells[2]))
            result.records.append(rec)
        if not result.records:
            result.errors.append("course list table without course rows")
        return result

    def _legacy_course_page(
        self, soup: BeautifulSoup, content: bytes, url: str
    ) -> RawCourse | None:
        items = [i for i in microdata(content) if i.get("@type") == "WebPage" and i.get("name")]
        number = _course_number(soup, to_text(content))
        if not items or not number:
            return None
        item = items[0]
        meta = {
            str(m.get("name")).lower(): str(m.get("content") or "")
            for m in soup.find_all("meta")
            if m.get("name")
        }
        path = urlsplit(url).path
        path = re.sub(r"/(index\.html?)?$", "", path)
        slug = meta.get("wt.cg_n") or path.rsplit("/", 1)[-1]
        if not slug:
            return None
        page = url if url.startswith(("http://", "https://")) else None
        if page:
            page = re.sub(r"index\.html?$", "", page)
        title = item["name"] if isinstance(item["name"], str) else str(item["name"][0])
        rec: RawCourse = {
            "source_id": slug,
            "title": " ".join(title.split()),
            "url": page or f"{self.endpoint.get('site', 'https://ocw.mit.edu')}/courses/{slug}/",
            "provider": PROVIDER,
            "platform": PLATFORM,
            "kind": "course",
            **OCW_TERMS,
        }
        description = meta.get("description") or item.get("description")
        if isinstance(description, str) and description.strip():
            rec["description"] = " ".join(description.split())
        if isinstance(item.get("typicalAgeRange"), str):
            rec["level"] = item["typicalAgeRange"]
        keywords = [k.strip() for k in meta.get("keywords", "").split(",") if k.strip()]
        if keywords:
            rec["skills"] = keywords
        topics = [
            html_text(str(a))
            for related in soup.find_all(id="related")
            for a in related.find_all("a", href=_TOPIC_LINK)
            if html_text(str(a))
        ]
        if topics:
            rec["categories"] = topics
        authors = item.get("author")
        rec["extra"] = {
            "course_number": number,
            "term": item.get("startDate"),
            "instructors": authors if isinstance(authors, list) else [authors] if authors else [],
        }
        return rec


def _course_number(soup: BeautifulSoup, text: str) -> str | None:
    """The "MIT Course Number" of a legacy course page (heading + paragraph, or ``var MCN``)."""
    for h3 in soup.find_all("h3"):
        if "course number" in h3.get_text().lower():
            p = h3.find_next_sibling("p")
            if p is not None and p.get_text().strip():
                return " ".join(p.get_text().split())
    m = re.search(r'var\s+MCN\s*=\s*"([^"]+)"', text)
    return m.group(1) if m else None


def _learn_record(item: dict[str, Any]) -> RawCourse | None:
    """One course of the MIT Learn API (``/api/v1/courses/?platform=ocw``)."""
    title = item.get("title")
    runs = [r for r in item.get("runs") or [] if isinstance(r, dict)]
    run = max(runs, key=lambda r: str(r.get("year") or "")) if runs else {}
    url = item.get("url") or run.get("url")
    if not title or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    slug = str(run.get("slug") or urlsplit(url).path).strip("/").rsplit("/", 1)[-1]
    rec: RawCourse = {
        "source_id": slug,
        "title": " ".join(str(title).split()),
        "url": url,
        "provider": PROVIDER,
        "platform": PLATFORM,
        "kind": "course",
        **OCW_TERMS,
    }
    if isinstance(item.get("description"), str):
        rec["description"] = html_text(item["description"])
    if run.get("level"):
        rec["level"] = run["level"]
    named = [*(item.get("topics") or []), *(item.get("departments") or [])]
    names = [str(t["name"]) for t in named if isinstance(t, dict) and t.get("name")]
    categories = list(dict.fromkeys(names))
    if categories:
        rec["categories"] = categories
    numbers = [
        n.get("value")
        for n in (item.get("course") or {}).get("course_numbers") or []
        if isinstance(n, dict)
    ]
    rec["extra"] = {
        "readable_id": item.get("readable_id"),
        "course_numbers": [n for n in numbers if n],
        "term": run.get("semester"),
        "year": run.get("year"),
        "instructors": [
            i.get("full_name") for i in run.get("instructors") or [] if isinstance(i, dict)
        ],
    }
    return rec
