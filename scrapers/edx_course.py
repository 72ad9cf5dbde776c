"""edX course data -> raw records: a course-discovery API course (snake_case), a Gatsby
page-data course (camelCase, the same fields) and an entry of the 2016 search API.

Field names and the formats they come from are listed in ``scrapers.edx``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapers.base import RawCourse, RawOffer, as_list
from scrapers.clean import html_text

PLATFORM = "edX"


def course_record(course: dict[str, Any], url: str, *, camel: bool) -> RawCourse | None:
    """A discovery-API course (snake_case) or a page-data course (camelCase); None without
    a title or a key."""
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
    rec["url"] = _course_url(course, run, url, camel)
    _add_about(rec, course, run, camel)
    extra = _add_run(rec, run, camel) if run else {}
    for field in ("uuid", "course_type"):
        value = _get(course, field, camel)
        if value:
            extra[field] = value
    rec["extra"] = extra
    return rec


def _course_url(
    course: dict[str, Any], run: dict[str, Any] | None, url: str, camel: bool
) -> str | None:
    """The course page: prospectus path, marketing URL (course's, then the run's), URL slug,
    or the page the page data belongs to; tracking queries dropped."""
    candidates = [
        _get(course, "marketing_url", camel),
        (run or {}).get("marketing_url") or (run or {}).get("marketingUrl"),
    ]
    path = course.get("prospectusPath")
    if isinstance(path, str) and path.startswith("/"):
        candidates.insert(0, "https://www.edx.org" + path)
    slug = _get(course, "url_slug", camel)
    if isinstance(slug, str) and slug:
        candidates.append(f"https://www.edx.org/course/{slug}")
    if "/page-data/" in url:
        candidates.append(url.replace("/page-data/", "/").removesuffix("/page-data.json"))
    return next((u for u in map(_clean_url, candidates) if u), None)


def _add_about(
    rec: RawCourse, course: dict[str, Any], run: dict[str, Any] | None, camel: bool
) -> None:
    """Description, provider (the owners), level, subjects, skills, enrollments, kind."""
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


def _add_run(rec: RawCourse, run: dict[str, Any], camel: bool) -> dict[str, Any]:
    """What the run a learner would take states: languages, effort, duration, pace, start,
    seats (the cheapest paid one as the price); returns the run's part of ``extra``."""
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
    extra: dict[str, Any] = {"run_key": run.get("key")}
    if run.get("availability"):
        extra["availability"] = run["availability"]
    return extra


def _get(obj: dict[str, Any], snake: str, camel: bool) -> Any:
    """Field by its discovery-API name, or its camelCase twin in page data."""
    if camel:
        head, *rest = snake.split("_")
        key = head + "".join(p[:1].upper() + p[1:] for p in rest)
        if key in obj:
            return obj[key]
    return obj.get(snake)


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


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_TYPE_OFFERS = {"verified": "verified", "profed": "professional", "credit": "credit"}


def search_2016_record(item: dict[str, Any]) -> RawCourse | None:
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
