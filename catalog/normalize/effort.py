"""Effort and duration ("2–4 hours per week", "P1DT6H", " 1 - 3 Months") and the estimated cost
of a course sold by subscription, which follows from them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from catalog.normalize.primitives import (
    WEEKS_PER_MONTH,
    WEEKS_PER_YEAR,
    _as_text,
    _finite,
    _is_number,
    _never_raises,
    _none,
    _number,
    _round,
)


@dataclass
class Effort:
    """Parsed effort. ``weeks`` is the stated length; for a range ("1 - 3 Months") its upper end,
    so a learner planning time is not told too little. Hours are totals; derived as per-week effort
    x weeks (min x min, max x max) when a text gives no total of its own.
    """

    hours_min: float | None = None
    hours_max: float | None = None
    weeks: float | None = None
    hours_per_week_min: float | None = None
    hours_per_week_max: float | None = None


@dataclass
class _Span:
    """What one text says: each quantity as a (low, high) pair, either side possibly unknown."""

    total: tuple[float | None, float | None] | None = None
    per_week: tuple[float | None, float | None] | None = None
    weeks: tuple[float | None, float | None] | None = None


_UNIT_PATTERNS = {
    "hour": r"hours?|hrs?|hr|h|std\.?|stunden?|horas?|heures?|ore",
    "minute": r"minutes?|mins?|min\.?|minuten|minutos?|m",
    "day": r"days?|tage?n?|tag|d|días?|dias?|jours?",
    "week": r"weeks?|wks?|wk|w|wochen?|semanas?|semaines?",
    "month": r"months?|mos?|monate?n?|monat|meses|mes|mois",
    "year": r"years?|yrs?|yr|jahre?n?|jahr|años?|anos?|ans?",
}
_WEEKS_PER_UNIT = {"day": 1 / 7, "week": 1.0, "month": WEEKS_PER_MONTH, "year": WEEKS_PER_YEAR}
_UNIT_RE = "|".join(f"(?P<u_{name}>{pattern})" for name, pattern in _UNIT_PATTERNS.items())
# Bounded, and never started inside a longer digit run: keeps the scan linear on junk like
# "999...9" and drops absurd figures anyway.
_EFFORT_NUM = r"(?<![\d.,])\d{1,6}(?:[.,]\d{1,3})?(?![\d])"
_RANGE_SEP = r"\s*(?:-|–|—|‒|―|~|to|bis|a|or|oder|und|and|y|à)\s*"
_AT_MOST = (
    r"(?<![^\W\d_])(?:less than|fewer than|under|up to|at most|max(?:imum|\.)?|bis zu"
    r"|weniger als|unter|höchstens)"
)
_AT_LEAST = r"(?<![^\W\d_])(?:more than|over|at least|min(?:imum|\.)?|mindestens|mehr als|über)"
_PER = (
    r"(?:\s+of\s+[^\W\d_]+)?\s*(?:(?:per|a|an|each|every|/|pro|je|in\s+der|im|la|por|par)\s*"
    r"(?P<per>weeks?|wk|woche|semana|semaine|w|days?|tag|día|dia|jour|months?|monat|mes|mois)"
    r"(?![^\W\d_])|(?P<perword>weekly|wöchentlich|semanales|daily|täglich|monthly|monatlich))"
)
_QTY_RE = re.compile(
    rf"(?:(?P<atmost>{_AT_MOST})|(?P<atleast>{_AT_LEAST}))?\s*"
    rf"(?P<lo>{_EFFORT_NUM})(?:{_RANGE_SEP}(?P<hi>{_EFFORT_NUM}))?\s*(?P<plus>\+)?\s*"
    rf"(?:{_UNIT_RE})(?![^\W\d_]){_PER}?",
    re.IGNORECASE,
)
_ISO_DURATION_RE = re.compile(
    r"P(?!$)(?:(?P<Y>\d+(?:[.,]\d+)?)Y)?(?:(?P<MO>\d+(?:[.,]\d+)?)M)?(?:(?P<W>\d+(?:[.,]\d+)?)W)?"
    r"(?:(?P<D>\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(?P<H>\d+(?:[.,]\d+)?)H)?"
    r"(?:(?P<MI>\d+(?:[.,]\d+)?)M)?(?:(?P<S>\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
_JOINER_RE = re.compile(r"\s*(?:,|and|und|&)?\s*", re.IGNORECASE)
_MAX_HOURS = 100_000.0
_MAX_WEEKS = 1_000.0
_MAX_HOURS_PER_WEEK = 168.0


def _iso_duration(text: str) -> _Span | None:
    """ISO 8601 durations: Y/M/W give the course length; D/H/M/S are time to spend.

    "P1DT6H" is 30 hours (a day of 24 h plus 6 h), as schema.org ``courseWorkload`` and Bioschemas
    use it; "P6W" is a six-week course, not 1008 hours.
    """
    match = _ISO_DURATION_RE.fullmatch(text.strip())
    if not match:
        return None
    part = {k: (float(v.replace(",", ".")) if v else 0.0) for k, v in match.groupdict().items()}
    span = _Span()
    weeks = part["Y"] * WEEKS_PER_YEAR + part["MO"] * WEEKS_PER_MONTH + part["W"]
    hours = part["D"] * 24 + part["H"] + part["MI"] / 60 + part["S"] / 3600
    if weeks:
        span.weeks = (weeks, weeks)
    if hours:
        span.total = (hours, hours)
    return span


def _bounds(match: re.Match[str]) -> tuple[float | None, float | None]:
    lo = _number(match["lo"], decimal_only=True)
    hi = _number(match["hi"], decimal_only=True) if match["hi"] else lo
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    if match["atmost"]:
        return None, hi
    if match["atleast"] or match["plus"]:
        return lo, None
    return lo, hi


def _scale(
    pair: tuple[float | None, float | None], factor: float
) -> tuple[float | None, float | None]:
    return (
        None if pair[0] is None else pair[0] * factor,
        None if pair[1] is None else pair[1] * factor,
    )


def _add(
    a: tuple[float | None, float | None], b: tuple[float | None, float | None]
) -> tuple[float | None, float | None]:
    return (
        None if a[0] is None or b[0] is None else a[0] + b[0],
        None if a[1] is None or b[1] is None else a[1] + b[1],
    )


def _read_span(text: str) -> _Span:
    """Collect total hours, hours per week and length from one text; the first of each wins."""
    iso = _iso_duration(text)
    if iso is not None:
        return iso
    span = _Span()
    last_hours_end: int | None = None  # where a total in hours ended, to join "1 hour 30 minutes"
    for match in _QTY_RE.finditer(text):
        unit = next(
            name[2:] for name, value in match.groupdict().items() if name.startswith("u_") and value
        )
        per = (match["per"] or match["perword"] or "").casefold()
        bounds = _bounds(match)
        if unit in ("hour", "minute"):
            hours = bounds if unit == "hour" else _scale(bounds, 1 / 60)
            if per:
                if per.startswith(("w", "semana", "semaine", "wö")) and span.per_week is None:
                    span.per_week = hours
                continue  # per day / per month: not a figure we can place
            joins = (
                unit == "minute"
                and last_hours_end is not None
                and span.total is not None
                and _JOINER_RE.fullmatch(text[last_hours_end : match.start()])
            )
            if joins and span.total is not None:
                span.total = _add(span.total, hours)
                last_hours_end = None
            elif span.total is None:
                span.total = hours
                last_hours_end = match.end() if unit == "hour" else None
        elif not per and span.weeks is None:
            span.weeks = _scale(bounds, _WEEKS_PER_UNIT[unit])
    return span


def _clamp(
    pair: tuple[float | None, float | None] | None, high: float
) -> tuple[float | None, float | None]:
    if pair is None:
        return None, None
    lo, hi = (_finite(v, high=high) for v in pair)
    return _round(lo), _round(hi)


@_never_raises(Effort)
def parse_effort(effort: object = None, duration: object = None) -> Effort:
    """Effort from the effort text and/or the duration text (either may hold either kind).

    Reads per-week effort ("2–4 hours per week", "3-5 hrs/week", "4 Stunden pro Woche"), totals
    ("Approx. 20 hours to complete", "1 hour 30 minutes", "45 minutes", "ca. 10 Stunden",
    "Less Than 2 Hours" -> max 2), lengths in days/weeks/months/years in English, German and Spanish
    ("7 Weeks", "6 Wochen", " 1 - 3 Months", "24 meses") and ISO 8601 ("P1DT6H", "PT2H30M", "P6W").
    Months are 4.345 weeks. The effort text wins where both texts state the same quantity.
    """
    spans = [_read_span(t) for t in (_as_text(effort), _as_text(duration)) if t is not None]
    total = next((s.total for s in spans if s.total is not None), None)
    per_week = next((s.per_week for s in spans if s.per_week is not None), None)
    weeks = next((s.weeks for s in spans if s.weeks is not None), None)

    hpw_lo, hpw_hi = _clamp(per_week, _MAX_HOURS_PER_WEEK)
    wk_lo, wk_hi = _clamp(weeks, _MAX_WEEKS)
    if total is None and (hpw_lo, hpw_hi) != (None, None) and (wk_lo, wk_hi) != (None, None):
        total = (
            None if hpw_lo is None or wk_lo is None else hpw_lo * wk_lo,
            None if hpw_hi is None or wk_hi is None else hpw_hi * wk_hi,
        )
    hours_lo, hours_hi = _clamp(total, _MAX_HOURS)
    return Effort(
        hours_min=hours_lo,
        hours_max=hours_hi,
        weeks=wk_hi if wk_hi is not None else wk_lo,
        hours_per_week_min=hpw_lo,
        hours_per_week_max=hpw_hi,
    )


def _months_needed(weeks: float) -> int:
    """Whole months of subscription to cover ``weeks``, at least one.

    A hundredth of a month (~7 hours) past a whole month does not buy another: parsed weeks are
    rounded to 0.01, so "3 months" comes back as 13.04 weeks, which must still be 3 months.
    """
    return max(1, math.ceil(weeks / WEEKS_PER_MONTH - 0.01))


@_never_raises(_none)
def estimate_subscription_cost(
    monthly_price: object, hours_total: object, hours_per_week: object
) -> float | None:
    """ESTIMATED cost to the certificate of a course sold by subscription.

    monthly price x months needed at the stated effort, months = ceil(hours / hours-per-week /
    4.345), at least one. It is an estimate: people go faster or slower than the suggested pace,
    and platforms change prices. None when any input is missing, not a number or not positive.
    """
    if not (_is_number(monthly_price) and _is_number(hours_total) and _is_number(hours_per_week)):
        return None
    price, hours, pace = float(monthly_price), float(hours_total), float(hours_per_week)
    if not all(math.isfinite(v) for v in (price, hours, pace)):
        return None
    if price < 0 or hours <= 0 or pace <= 0:
        return None
    weeks = hours / pace  # may overflow to inf for extreme inputs
    if not math.isfinite(weeks):
        return None
    cost = price * _months_needed(weeks)
    return round(cost, 2) if math.isfinite(cost) else None
