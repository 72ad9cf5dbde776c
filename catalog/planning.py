"""A shortlist as a plan: the person's target dates per course and effort in a planner's
terms (hours per week and weeks together, and what a whole list adds up to).

Target dates are user data on the list's item (``plan_start``, ``finish_by``); nothing
a refresh does touches them. Effort figures come from the course record only; what a
source does not state stays unknown (None) and is counted as such, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from catalog.db import write_tx
from catalog.models import ShortlistItem
from catalog.shortlists import ListRef, ShortlistError, _find

ITEM = ShortlistItem.__table__  # type: ignore[attr-defined]


def _day(value: date | str | None, what: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ShortlistError(f"{what} {value!r} is not a date; use YYYY-MM-DD") from None


def set_plan(
    engine: Engine,
    ref: ListRef,
    course_id: int,
    *,
    plan_start: date | str | None,
    finish_by: date | str | None,
) -> None:
    """Set (or, with None, clear) the dates a person means to start and finish a course."""
    start, finish = _day(plan_start, "plan to start"), _day(finish_by, "finish by")
    if start is not None and finish is not None and finish < start:
        raise ShortlistError(f"finish by {finish} is before plan to start {start}")
    with write_tx(engine) as conn:
        list_id, name = _find(conn, ref, lock=True)
        result = conn.execute(
            ITEM.update()
            .where(ITEM.c.shortlist_id == list_id, ITEM.c.course_id == int(course_id))
            .values(plan_start=start, finish_by=finish)
        )
        if not result.rowcount:
            raise ShortlistError(f"course {course_id} is not on the shortlist {name!r}")


@dataclass(frozen=True)
class Effort:
    """A course's effort: total hours (a range), hours per week and weeks, as stated or
    as follows from the other two; None where the source says nothing."""

    hours_min: float | None
    hours_max: float | None
    per_week_min: float | None
    per_week_max: float | None
    weeks: float | None

    @property
    def known(self) -> bool:
        return self.hours_max is not None or self.hours_min is not None


def effort(row: dict[str, Any]) -> Effort:
    """The effort of one course row; total hours follow from hours/week x weeks when
    only those are stated."""
    lo, hi = row.get("hours_min"), row.get("hours_max")
    wlo, whi = row.get("hours_per_week_min"), row.get("hours_per_week_max")
    weeks = row.get("weeks")
    if lo is None and hi is None and weeks and (wlo is not None or whi is not None):
        lo = (wlo if wlo is not None else whi) * weeks
        hi = (whi if whi is not None else wlo) * weeks
    return Effort(lo, hi if hi is not None else lo, wlo, whi if whi is not None else wlo, weeks)


def _range(lo: float | None, hi: float | None) -> str:
    if lo is None and hi is None:
        return ""
    if lo is None or hi is None or round(lo, 1) == round(hi, 1):
        return f"{(hi if hi is not None else lo):.3g}"
    return f"{lo:.3g}–{hi:.3g}"


def effort_text(row: dict[str, Any], lang: str = "en") -> str:
    """ "3–5 h/week × 6 weeks (18–30 h)", or what of it is known; "" when nothing is."""
    e = effort(row)
    week = "Wochen" if lang == "de" else "weeks"
    per_week = "h/Woche" if lang == "de" else "h/week"
    parts = []
    if e.per_week_min is not None:
        parts.append(f"{_range(e.per_week_min, e.per_week_max)} {per_week}")
    if e.weeks:
        parts.append(f"{e.weeks:g} {week}")
    total = _range(e.hours_min, e.hours_max)
    head = " × ".join(parts)
    if head and total:
        return f"{head} ({total} h)"
    return head or (f"{total} h" if total else "")


@dataclass(frozen=True)
class ListEffort:
    """What a list adds up to: total hours (range), the weekly load if every course with a
    weekly figure ran at once, the longest course in weeks, and how many say nothing."""

    courses: int
    hours_min: float
    hours_max: float
    per_week_min: float
    per_week_max: float
    weeks_max: float | None
    unknown: int

    def text(self, lang: str = "en") -> str:
        words = _LIST_WORDS["de" if lang == "de" else "en"]
        hours = _range(self.hours_min, self.hours_max)
        out = words[0].format(n=self.courses, noun=words[4][self.courses != 1], hours=hours)
        if self.per_week_max:
            out += words[1].format(_range(self.per_week_min, self.per_week_max))
        if self.weeks_max:
            out += words[2].format(f"{self.weeks_max:g}")
        if self.unknown:
            out += words[3].format(self.unknown)
        return out


# A list's effort sentence: its total, the weekly load, the longest course, the unknown.
_LIST_WORDS: dict[str, tuple[Any, ...]] = {
    "en": (
        "{n} {noun}: {hours} h in all",
        ", {} h/week taken together",
        ", the longest {} weeks",
        "; {} without a stated effort",
        ("course", "courses"),
    ),
    "de": (
        "{n} {noun}: zusammen {hours} h",
        ", gleichzeitig {} h/Woche",
        ", längster {} Wochen",
        "; bei {} ohne Angabe zum Aufwand",
        ("Kurs", "Kurse"),
    ),
}


def list_effort(rows: list[dict[str, Any]]) -> ListEffort:
    """The effort of a list's courses together (removed courses count: they are on it)."""
    efforts = [effort(r) for r in rows]
    known = [e for e in efforts if e.known]
    weekly = [e for e in efforts if e.per_week_max is not None]
    weeks = [e.weeks for e in efforts if e.weeks]
    return ListEffort(
        courses=len(rows),
        hours_min=sum(e.hours_min if e.hours_min is not None else e.hours_max or 0 for e in known),
        hours_max=sum((e.hours_max or 0) for e in known),
        per_week_min=sum((e.per_week_min or 0) for e in weekly),
        per_week_max=sum((e.per_week_max or 0) for e in weekly),
        weeks_max=max(weeks) if weeks else None,
        unknown=len(efforts) - len(known),
    )
