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
No prices in the feed. Confirmed against the real 2017 feed (514 courses); the feed's
current address and shape were not checked live.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar

from scrapers.base import Fetcher, ParseResult, RawCourse, Request, Scraper, as_list
from scrapers.bodies import api_json
from scrapers.clean import clean_str, html_text, page_error, positive_number, without_tracking

_error = partial(page_error, "futurelearn")
# The feed's HTML: every text node apart ("<b>KI</b>?" -> "KI ?").
_feed_text = partial(html_text, nodes_apart=True)


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
        data = api_json(content, list, "the feed's JSON array of courses")
    except ValueError as exc:
        return _error(str(exc))
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
    uuid = clean_str(item.get("uuid"))
    title = clean_str(item.get("name"))
    if not uuid or not title:
        return None
    record = RawCourse(
        source_id=uuid,
        title=title,
        url=without_tracking(clean_str(item.get("url"))) or None,
        platform="FutureLearn",
        kind="course",
    )
    organisation = item.get("organisation")
    if isinstance(organisation, dict) and clean_str(organisation.get("name")):
        record["provider"] = clean_str(organisation.get("name"))
    description = _feed_text(item.get("description")) or _feed_text(item.get("introduction"))
    if description:
        record["description"] = description
    language = clean_str(item.get("language"))
    if language:
        record["language"] = language
    categories = as_list(item.get("categories"))
    if categories:
        record["categories"] = categories
    hours = positive_number(item.get("hours_per_week"))
    if hours:
        record["effort"] = f"{hours:g} {'hour' if hours == 1 else 'hours'} per week"
    if item.get("has_certificates") is True:
        record["certificate"] = "Certificate available"
    elif item.get("has_certificates") is False:
        record["certificate"] = "No certificate"

    runs = [r for r in item.get("runs") or [] if isinstance(r, dict)]
    _add_latest_run(record, runs)

    extra: dict[str, Any] = {}
    if isinstance(item.get("has_certificates"), bool):
        extra["has_certificates"] = item["has_certificates"]
    if runs:
        extra["runs"] = [
            {"start_date": r.get("start_date"), "duration_in_weeks": r.get("duration_in_weeks")}
            for r in runs
        ]
    for key in ("educator", "image_url", "trailer"):
        if clean_str(item.get(key)):
            extra[key] = clean_str(item.get(key))
    introduction = _feed_text(item.get("introduction"))
    if introduction and introduction != description:
        extra["introduction"] = introduction
    if extra:
        record["extra"] = extra
    return record


def _add_latest_run(record: RawCourse, runs: list[dict[str, Any]]) -> None:
    """The latest run's start and length (the last run listed when none is dated)."""
    dated = sorted(
        (r for r in runs if clean_str(r.get("start_date"))), key=lambda r: r["start_date"]
    )
    latest = dated[-1] if dated else (runs[-1] if runs else None)
    if latest is not None:
        if clean_str(latest.get("start_date")):
            record["start_date"] = clean_str(latest.get("start_date"))
        weeks = positive_number(latest.get("duration_in_weeks"))
        if weeks:
            record["duration"] = f"{weeks:g} {'week' if weeks == 1 else 'weeks'}"
