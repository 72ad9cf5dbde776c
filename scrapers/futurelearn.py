"""FutureLearn: the public courses feed, one JSON array of every course.

Endpoint relied on: ``GET https://www.futurelearn.com/feeds/courses`` (in 2017 served as
``/api/v1/courses``). Fields: uuid, name, url (with utm_* tracking, dropped here), language,
hours_per_week, has_certificates, categories, educator, organisation{name}, runs[{uuid,
start_date, duration_in_weeks}], introduction and description (HTML), image_url, trailer.

Mapping: ``uuid`` -> source_id; the organisation -> provider; categories kept for the topic
classifier; hours_per_week -> effort ("3 hours per week"); the latest run's start ->
start_date (parse is pure and cannot know today's date, and a feed lists runs up to the
next one) with its duration_in_weeks -> duration; every run is kept in ``extra``.
``has_certificates`` -> "Certificate available" / "No certificate" (phrases the normaliser
reads; FutureLearn sells the certificate), the flag itself kept in ``extra``.
No prices in the feed. Confirmed against the real 2017 feed in shared/realdata (514
courses); the feed's current address and shape were not checked live.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapers.base import Fetcher, ParseResult, RawCourse, Request, Scraper, as_list
from scrapers.extract import api_json, spaced_text


class FutureLearnScraper(Scraper):
    name = "futurelearn"
    title = "FutureLearn"
    homepage = "https://www.futurelearn.com"
    endpoints: ClassVar[dict[str, str]] = {"start": "https://www.futurelearn.com/feeds/courses"}
    confirmed = (
        "format from the real 2017 courses feed in shared/realdata (514 courses); not checked live"
    )

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        """The feed is one document: a single request."""
        yield Request(self.endpoint["start"], kind="feed")

    def read(self, content: bytes, url: str) -> ParseResult:
        return _parse(content)


def _parse(content: bytes) -> ParseResult:
    try:
        data = api_json(content)
    except ValueError as exc:
        return _error(str(exc))
    if not isinstance(data, list):
        return _error(f"expected the feed's JSON array of courses, got {type(data).__name__}")
    result = ParseResult()
    for i, item in enumerate(data):
        if isinstance(item, dict) and item and all(str(k).startswith("_") for k in item):
            continue  # an annotation such as a fixture's {"_comment": ...}, not a course
        record = _course(item) if isinstance(item, dict) else None
        if record is None:
            result.errors.append(f"futurelearn: entry {i} is not a course with uuid and name")
        else:
            result.records.append(record)
    if data and not result.records:
        return _error("no entry of the array is a course (format changed?)")
    return result


def _course(item: dict[str, Any]) -> RawCourse | None:
    uuid = _str(item.get("uuid"))
    title = _str(item.get("name"))
    if not uuid or not title:
        return None
    record = RawCourse(
        source_id=uuid,
        title=title,
        url=_without_tracking(_str(item.get("url"))) or None,
        platform="FutureLearn",
        kind="course",
    )
    organisation = item.get("organisation")
    if isinstance(organisation, dict) and _str(organisation.get("name")):
        record["provider"] = _str(organisation.get("name"))
    description = spaced_text(item.get("description")) or spaced_text(item.get("introduction"))
    if description:
        record["description"] = description
    language = _str(item.get("language"))
    if language:
        record["language"] = language
    categories = as_list(item.get("categories"))
    if categories:
        record["categories"] = categories
    hours = item.get("hours_per_week")
    if isinstance(hours, int | float) and not isinstance(hours, bool) and hours > 0:
        record["effort"] = f"{hours:g} {'hour' if hours == 1 else 'hours'} per week"
    if item.get("has_certificates") is True:
        record["certificate"] = "Certificate available"
    elif item.get("has_certificates") is False:
        record["certificate"] = "No certificate"

    runs = [r for r in item.get("runs") or [] if isinstance(r, dict)]
    dated = sorted((r for r in runs if _str(r.get("start_date"))), key=lambda r: r["start_date"])
    latest = dated[-1] if dated else (runs[-1] if runs else None)
    if latest is not None:
        if _str(latest.get("start_date")):
            record["start_date"] = _str(latest.get("start_date"))
        weeks = latest.get("duration_in_weeks")
        if isinstance(weeks, int | float) and not isinstance(weeks, bool) and weeks > 0:
            record["duration"] = f"{weeks:g} {'week' if weeks == 1 else 'weeks'}"

    extra: dict[str, Any] = {}
    if isinstance(item.get("has_certificates"), bool):
        extra["has_certificates"] = item["has_certificates"]
    if runs:
        extra["runs"] = [
            {"start_date": r.get("start_date"), "duration_in_weeks": r.get("duration_in_weeks")}
            for r in runs
        ]
    for key in ("educator", "image_url", "trailer"):
        if _str(item.get(key)):
            extra[key] = _str(item.get(key))
    introduction = spaced_text(item.get("introduction"))
    if introduction and introduction != description:
        extra["introduction"] = introduction
    if extra:
        record["extra"] = extra
    return record


def _error(reason: str) -> ParseResult:
    return ParseResult(errors=[f"futurelearn: {reason}"])


def _str(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split())


def _without_tracking(url: str) -> str:
    """Drop utm_* parameters so the course URL is stable across feed versions."""
    if not url.startswith(("http://", "https://")):
        return ""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    return urlunsplit(parts._replace(query=urlencode(query)))
