"""iCalendar (RFC 5545) exports of a shortlist and of a saved search.

One all-day event per known start date of a course and, on a shortlist, one per date the
person set ("plan to start", "finish by"). UIDs name what an event is about, not when it
is (``course-<id>-start@courseradar``, ``shortlist-<list>-course-<id>-plan-start@...``),
so a calendar app that subscribed updates an event when a start date moves instead of
adding a second one. DTSTAMP is UTC; all-day dates carry no time and so no zone. A
course the provider removed stays on its list and in its calendar, its events marked
removed. The sources state no enrolment or offer end in the course record, so there is
no such event (unknown is not guessed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy.engine import Engine

from catalog.planning import effort_text

PRODID = "-//CourseRadar//Plan and watch//EN"
DOMAIN = "courseradar"
SAVED_SEARCH_LIMIT = 1000

_WORDS = {
    "start": ("Start: {title}", "Beginn: {title}"),
    "plan_start": ("Plan to start: {title}", "Geplanter Beginn: {title}"),
    "finish_by": ("Finish by: {title}", "Abschließen bis: {title}"),
    "removed": ("[removed] ", "[entfernt] "),
    "removed_note": (
        "Removed by the provider; kept on your list.",
        "Vom Anbieter entfernt; bleibt auf Ihrer Liste.",
    ),
    "effort": ("Effort: {text}", "Aufwand: {text}"),
    "note": ("Note: {text}", "Notiz: {text}"),
}


def _say(key: str, lang: str, **values: str) -> str:
    en, de = _WORDS[key]
    return (de if lang == "de" else en).format(**values)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _event(uid: str, day: date, summary: str, row: dict[str, Any], lang: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    removed = row.get("status") == "removed"
    event.add("summary", (_say("removed", lang) if removed else "") + summary)
    lines = [str(row.get("provider") or "")]
    if removed:
        lines.append(_say("removed_note", lang))
    effort = effort_text(row, lang)
    if effort:
        lines.append(_say("effort", lang, text=effort))
    if row.get("note"):
        lines.append(_say("note", lang, text=str(row["note"])))
    event.add("description", "\n".join(line for line in lines if line))
    url = row.get("url")
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        event.add("url", url)
    event.add("categories", ["removed" if removed else "course"])
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
    return event


def _events(rows: Iterable[dict[str, Any]], list_id: int | None, lang: str) -> list[Event]:
    out = []
    for row in rows:
        title = str(row.get("title") or f"Course {row['id']}")
        start = _day(row.get("start_date"))
        if start is not None:
            uid = f"course-{row['id']}-start@{DOMAIN}"
            out.append(_event(uid, start, _say("start", lang, title=title), row, lang))
        if list_id is None:
            continue
        for key in ("plan_start", "finish_by"):
            day = _day(row.get(key))
            if day is not None:
                uid = f"shortlist-{list_id}-course-{row['id']}-{key.replace('_', '-')}@{DOMAIN}"
                out.append(_event(uid, day, _say(key, lang, title=title), row, lang))
    return out


def calendar(name: str, events: list[Event]) -> bytes:
    """The VCALENDAR document of ``events`` under the calendar name ``name``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"CourseRadar: {name}")
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def shortlist_calendar(engine: Engine, ref: str | int, lang: str = "en") -> bytes:
    """The shortlist's calendar: start dates of its courses and the person's own dates."""
    from catalog.shortlists import get_list, items

    row = get_list(engine, ref)
    return calendar(row["name"], _events(items(engine, row["id"]), int(row["id"]), lang))


def saved_search_calendar(
    engine: Engine, name: str, lang: str = "en", today: date | None = None
) -> bytes:
    """The saved search's calendar: the upcoming start dates (from ``today`` on, unless
    the search names its own start range) of the courses it matches."""
    from catalog import saved_searches
    from catalog.search import searcher_for

    query = saved_searches.load(engine, name)
    if query.start_from is None and query.start_to is None:
        query = replace(query, start_from=today or datetime.now(UTC).date())
    query = replace(query, sort="start_date", page=1)
    rows = []
    for row in searcher_for(engine).iter_all(query, batch=200):
        rows.append(row)
        if len(rows) >= SAVED_SEARCH_LIMIT:
            break
    return calendar(" ".join(name.split()), _events(rows, None, lang))
