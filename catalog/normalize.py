"""Raw listing strings -> the normalised fields of :class:`catalog.record.CourseRecord`.

Listings say the same thing a hundred ways ("FREE-Add a Verified Certificate for $49 USD",
"2–4 hours per week", " 1 - 3 Months", "Beginner ", "5.3k", "P1DT6H", "Español", "22,90 €").
Everything here is a pure function: no I/O, no network, no clock. The rules live in module-level
tables and regexes so that a new spelling is one line, not a new branch.

Two promises hold for every public function:

* it never raises, whatever it is handed (wrong types, None, huge or binary-ish strings): a
  listing we cannot read must not stop a refresh. The ``@_never_raises`` guard is only a last line
  of defence; the functions check their input themselves (tests call the unguarded versions too);
* unknown is None, never a guess. A value we cannot read with confidence stays None, and the raw
  value is kept in ``CourseRecord.raw`` so a better parser can re-normalise later.

German notation is first-class: "22,90 €", "1.299,00 EUR", "12.345" (thousands), "4 Stunden pro
Woche", "ca. 10 Stunden", "12.01.2016", "Einsteiger", "kostenlos".
"""

from __future__ import annotations

import functools
import html
import importlib
import logging
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeGuard, TypeVar, cast
from urllib.parse import urlsplit

from catalog.rates import Rates
from catalog.record import CERTIFICATE_RANK, COST_RANK, CourseRecord, Offer, RawCourse
from catalog.text import html_parser

_log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Field values are short; anything longer is not a price or a duration. Capping keeps every regex
# below linear in a bounded input, whatever a page throws at us.
MAX_FIELD_CHARS = 1000
MAX_URL_CHARS = 4096
# Free text is cut to these lengths. Real titles run to ~200 characters and descriptions to
# ~10,000 (shared/realdata); a hostile page can put megabytes into one field, which costs seconds
# per record in the HTML stripper and the topic classifier, and an indexed column (provider)
# longer than PostgreSQL's index row limit (~2,700 bytes) makes the whole source's import fail.
MAX_TITLE_CHARS = 500
MAX_NAME_CHARS = 300  # provider, platform, one skill or category
MAX_DESCRIPTION_CHARS = 20_000
WEEKS_PER_MONTH = 4.345  # 52.14 weeks / 12 months, the figure the subscription estimate uses
WEEKS_PER_YEAR = 12 * WEEKS_PER_MONTH
# Spellings sources use for "no value" (the Coursera datasets say "None", edX ones "NA").
_MISSING = {"", "none", "null", "nil", "n/a", "na", "nan", "-", "--", "–", "—", "?", "unknown"}


def _never_raises(default: Callable[[], Any]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Wrap a normaliser so an unforeseen error yields ``default()`` instead of an exception.

    The unguarded function stays reachable as ``fn.__wrapped__``; the tests run their property
    checks against it too, so the guard hides no bug the tests could find.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except Exception:  # a normaliser must never stop the pipeline
                _log.debug("%s failed on %r", fn.__name__, args[:1], exc_info=True)
                return cast(R, default())

        return guarded

    return decorate


def _none() -> None:
    return None


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _as_text(value: object, limit: int | None = MAX_FIELD_CHARS) -> str | None:
    """A stripped str for str/bytes input (cut to ``limit``), None for anything else or empty."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    if limit is not None:
        value = value[:limit]
    value = value.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if value.casefold() in _MISSING:
        return None
    return value


def _joined(value: object) -> object:
    """A list of strings (schema.org ``courseMode``, OCW ``level``) read as one text."""
    if isinstance(value, list | tuple):
        return " / ".join(v for v in value[:20] if isinstance(v, str))
    return value


def _is_number(value: object) -> TypeGuard[int | float]:
    """An int or float (not a bool) that float() can take: an int past 1e308 is no number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, float) or abs(value) <= _MAX_FLOAT_INT


_MAX_FLOAT_INT = int(sys.float_info.max)


def _finite(value: float | None, *, low: float = 0.0, high: float = math.inf) -> float | None:
    if value is None or not math.isfinite(value) or not low <= value <= high:
        return None
    return value


def _number(text: str, *, decimal_only: bool = False) -> float | None:
    """Read "1.299,00", "1,299.00", "22,90", "12.345", "1 299", "1'500" as a float.

    With both separators the last one is the decimal mark. With one kind only, several of them are
    thousands groups ("2,442,271"); a single one followed by exactly three digits is a thousands
    group too ("12.345", "1,299") unless ``decimal_only`` (ratings, "5.3k") or the part before it
    is 0 ("0.125").
    """
    digits = re.sub(r"[\s'’]", "", text)
    if not digits:
        return None
    has_dot, has_comma = "." in digits, "," in digits
    if has_dot and has_comma:
        dec = "." if digits.rfind(".") > digits.rfind(",") else ","
        digits = digits.replace("," if dec == "." else ".", "").replace(dec, ".")
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        head, _, tail = digits.rpartition(sep)
        grouping = digits.count(sep) > 1 or (
            not decimal_only and len(tail) == 3 and head.lstrip("0") != ""
        )
        digits = digits.replace(sep, "") if grouping else digits.replace(sep, ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


# --------------------------------------------------------------------------------------------
# Prices and currencies
# --------------------------------------------------------------------------------------------

# Symbols and words, longest first when the regex is built. "$" alone is taken as USD: that is
# what US platforms (Coursera, edX, Udacity) mean; other dollars carry a prefix (A$, C$, NZ$ ...).
_CURRENCY_SYMBOLS = {
    "US$": "USD",
    "U.S.$": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "SG$": "SGD",
    "R$": "BRL",
    "MX$": "MXN",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "CN¥": "CNY",
    "¥": "JPY",
    "￥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₱": "PHP",
    "₫": "VND",
    "฿": "THB",
    "zł": "PLN",
    "Kč": "CZK",
    "元": "CNY",
}
_CURRENCY_WORDS = {
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "us dollars": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "pfund": "GBP",
    "franken": "CHF",
    "sfr": "CHF",
    "sfr.": "CHF",
    "fr.": "CHF",
    "rupees": "INR",
    "rs.": "INR",
    "rs": "INR",
    "yen": "JPY",
    "yuan": "CNY",
    "rmb": "CNY",
}
# ISO 4217 codes we recognise inside text. Upper case only, and no code that is an English word
# ("ALL", "TOP", "CUP"): "Try 7 days" must not become 7 Turkish lira, hence the case rule.
_ISO_CODE_ALTS = (
    "USD|EUR|GBP|CHF|JPY|CNY|INR|AUD|CAD|NZD|HKD|SGD|BRL|MXN|KRW|RUB|TRY|ILS|PHP|THB|PLN|CZK|"
    "DKK|SEK|NOK|HUF|RON|BGN|ISK|IDR|MYR|ZAR|AED|SAR|EGP|NGN|PKR|VND|TWD|KES|CLP|COP|PEN|ARS|"
    "UAH|BDT|LKR|QAR|KWD|MAD|HRK"
)
_ISO_CODES = frozenset(_ISO_CODE_ALTS.split("|"))

_CUR_ALTS = sorted(
    [re.escape(s) for s in _CURRENCY_SYMBOLS]
    + [rf"(?<![^\W\d_])(?i:{re.escape(w)})(?![^\W\d_])" for w in _CURRENCY_WORDS],
    key=len,
    reverse=True,
)
_CUR = r"(?:(?<![A-Za-z])(?:" + _ISO_CODE_ALTS + r")(?![A-Za-z])|" + "|".join(_CUR_ALTS) + ")"
_NUM = r"\d{1,3}(?:[ '’]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)*"
_AMOUNT_RE = re.compile(rf"(?P<pre>{_CUR})?[ ]?(?P<num>{_NUM})(?:[ ]?(?P<post>{_CUR}))?")
_FREE_RE = re.compile(
    r"(?<![^\W\d_])(?:free|kostenlos|kostenfrei|gratis|gebührenfrei|umsonst|gratuit|gratuito"
    r"|no cost|free of charge)(?![^\W\d_])(?!\s*(?:trial|probe|test))",
    re.IGNORECASE,
)
# "Try 7 days free" / "kostenlos testen" is a trial of something paid, not a free course.
_TRIAL_RE = re.compile(r"\btrial\b|\btry\b|\bprobe|\btesten\b|\bessai\b|\bprueba\b", re.IGNORECASE)
_MONTHLY_RE = re.compile(
    r"(?:/|\bper\b|\ba\b|\bpro\b|\bje\b|\bim\b|\bal\b|\bpar\b)\s*(?:month|mo|mon|monat|mes|mois)\b"
    r"|\bmonthly\b|\bmonatlich\b|\bmtl\b|\bmensual\b|\bmensuel\b",
    re.IGNORECASE,
)


# Words that may stand beside a bare number in a price field without making it something else.
_PRICE_FILLER_WORDS = (
    "price|preis|prix|precio|kosten|cost|costs|only|nur|ab|from|total|gesamt|fee|gebühr|ca|approx|"
    "about|for|für|per|pro|je|course|kurs"
)
_PRICE_FILLER = frozenset(_PRICE_FILLER_WORDS.split("|"))


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    if token in _CURRENCY_SYMBOLS:
        return _CURRENCY_SYMBOLS[token]
    if token in _ISO_CODES:
        return token
    return _CURRENCY_WORDS.get(token.casefold())


@_never_raises(_none)
def normalize_currency(value: object) -> str | None:
    """An ISO 4217 code from a code, symbol or word ("usd", "€", "Euro"); None if unknown."""
    text = _as_text(value, 40)
    if text is None:
        return None
    known = _currency_of(text) or _currency_of(text.rstrip("."))
    if known:
        return known
    return text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else None


@_never_raises(lambda: (None, None))
def parse_price(text: object) -> tuple[float | None, str | None]:
    """(amount, ISO currency) from "$49 USD", "22,90 €", "1.299,00 EUR", "CHF 150", "Free" ...

    The first amount written next to a currency wins ("FREE-Add a Verified Certificate for $49 USD"
    -> (49.0, "USD"), the certificate's price; the cost model is decided elsewhere). A lone bare
    number is an amount of unknown currency. A text that only says free/kostenlos is (0.0, None).
    Numbers arrive as they are (non-negative, finite). Anything else is (None, None).
    """
    if _is_number(text):
        value = _finite(float(text))
        return (value, None) if value is not None else (None, None)
    raw = _as_text(text)
    if raw is None:
        return None, None
    bare: list[float] = []
    for match in _AMOUNT_RE.finditer(raw):
        amount = _number(match["num"])
        if amount is None:
            continue
        pre, post = _currency_of(match["pre"]), _currency_of(match["post"])
        if pre or post:
            # "$49 USD": a code is more specific than a symbol ("$" might be any dollar).
            currency = post if (post and match["post"] in _ISO_CODES) else (pre or post)
            return amount, currency
        bare.append(amount)
    words = re.findall(r"[^\W\d_]+", raw.casefold())
    if len(bare) == 1 and all(w in _PRICE_FILLER for w in words):
        return bare[0], None  # "49.00", "Preis: 49": a price field holding only a number
    if _FREE_RE.search(raw) and not _TRIAL_RE.search(raw):
        return 0.0, None
    return None, None


# --------------------------------------------------------------------------------------------
# Effort and duration
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Level, pace, kind
# --------------------------------------------------------------------------------------------

# Whole words (casefolded) that name a level. German catalogues commonly use a three-step scale
# Einsteiger/Anfänger - Fortgeschrittene - Experten/Profis, in which "Fortgeschrittene" is the
# MIDDLE step (and "fortgeschrittene Anfänger" is plainly not advanced); so "fortgeschritten*"
# maps to intermediate and only Experte/Profi/"sehr fortgeschritten" to advanced.
_LEVEL_WORDS = {
    "beginner": "beginner",
    "beginners": "beginner",
    "introductory": "beginner",
    "intro": "beginner",
    "introduction": "beginner",
    "novice": "beginner",
    "foundational": "beginner",
    "foundation": "beginner",
    "basic": "beginner",
    "basics": "beginner",
    "elementary": "beginner",
    "entry": "beginner",
    "einsteiger": "beginner",
    "anfänger": "beginner",
    "anfaenger": "beginner",
    "anfängerinnen": "beginner",
    "grundlagen": "beginner",
    "grundkurs": "beginner",
    "einführung": "beginner",
    "einfuehrung": "beginner",
    "einstieg": "beginner",
    "principiante": "beginner",
    "básico": "beginner",
    "basico": "beginner",
    "introductorio": "beginner",
    "débutant": "beginner",
    "debutant": "beginner",
    "intermediate": "intermediate",
    "intermediär": "intermediate",
    "mittel": "intermediate",
    "mittelstufe": "intermediate",
    "fortgeschritten": "intermediate",
    "fortgeschrittene": "intermediate",
    "fortgeschrittenen": "intermediate",
    "intermedio": "intermediate",
    "intermédiaire": "intermediate",
    "medium": "intermediate",
    "advanced": "advanced",
    "expert": "advanced",
    "experts": "advanced",
    "experte": "advanced",
    "experten": "advanced",
    "profi": "advanced",
    "profis": "advanced",
    "avanzado": "advanced",
    "avancé": "advanced",
    "mixed": "mixed",
}
_LEVEL_PHRASES = (
    (
        re.compile(
            r"\ball(?:\s+|-)levels?\b|\balle\s+(?:niveaus|stufen|level)\b|\bany\s+level\b"
            r"|\btodos\s+los\s+niveles\b|\btous\s+niveaux\b|^all$|^alle$",
            re.I,
        ),
        "mixed",
    ),
    (re.compile(r"\bsehr\s+fortgeschritten", re.I), "advanced"),
    (re.compile(r"\bfortgeschrittene[nr]?\s+anfänger", re.I), "intermediate"),
    (re.compile(r"\bentry[\s-]level\b", re.I), "beginner"),
)


@_never_raises(_none)
def normalize_level(text: object) -> str | None:
    """beginner / intermediate / advanced / mixed from a level text, else None.

    Two or more different levels named together ("Beginner/Intermediate", "Intermediate to
    Advanced") are ``mixed``. MIT OCW's "Undergraduate"/"Graduate" name an audience, not a
    difficulty (an undergraduate course may be introductory or very advanced), so they stay None.
    """
    raw = _as_text(_joined(text), 200)
    if raw is None:
        return None
    for pattern, level in _LEVEL_PHRASES:
        if pattern.search(raw):
            return level
    found = {_LEVEL_WORDS[w] for w in re.findall(r"[^\W\d_]+", raw.casefold()) if w in _LEVEL_WORDS}
    if len(found) == 1:
        return found.pop()
    return "mixed" if found else None


_PACE_PATTERNS = (
    (
        re.compile(
            r"self[\s_-]*paced|self[\s_-]*study|self[\s_-]*directed|on\s+your\s+(?:own\s+)?time"
            r"|at\s+your\s+own\s+pace|on[\s-]demand|\basynchron|selbstlern|selbstgesteuert"
            r"|eigenen\s+tempo|selbststudium|jederzeit|a\s+tu\s+ritmo|à\s+votre\s+rythme",
            re.I,
        ),
        "self_paced",
    ),
    (
        re.compile(
            r"instructor[\s_-]*(?:led|paced)|teacher[\s_-]*led|course\s+schedule|\bscheduled?\b"
            r"|\blive\b|\bcohort|\bsynchron|fixed\s+(?:dates|start)|\bonsite\b|\bon-site\b"
            r"|in[\s-]person|classroom|präsenz|\btermin|dozentengeführt|\bsession[\s-]based",
            re.I,
        ),
        "scheduled",
    ),
)


@_never_raises(_none)
def normalize_pace(text: object) -> str | None:
    """self_paced or scheduled from "Self-paced on your time", "Instructor-led on a course
    schedule", "Selbstlernkurs", "Live", schema.org courseMode ("asynchronous") ...; else None."""
    raw = _as_text(_joined(text), 300)
    if raw is None:
        return None
    for pattern, pace in _PACE_PATTERNS:
        if pattern.search(raw):
            return pace
    return None


# Order matters: the first pattern that matches decides ("nanodegree" before "degree",
# "professional certificate" before "certification", MasterTrack before "master").
_KIND_PATTERNS = (
    ("nanodegree", r"nano[\s_-]*degree"),
    ("professional_certificate", r"professional[\s_-]*certificate|berufszertifikat"),
    (
        # Multi-course programmes: their own shape, whether or not they award credit.
        "specialization",
        r"speciali[sz]ation|spezialisierung|xseries|micro[\s-]*masters|micro[\s-]*bachelors"
        r"|master[\s-]*track|graduate\s+certificate|university\s+certificate"
        r"|post[\s-]*graduate\s+(?:diploma|certificate)|graduate\s+diploma|professional\s+program",
    ),
    (
        "degree",
        r"\bdegree\b|\bbachelor|\bmaster(?!\s*class)(?:'?s)?\b|\bmagíster\b|\bmaestría\b|\bmba\b"
        r"|\bm\.?\s?sc\b|\bstudiengang\b",
    ),
    ("certification", r"certification|\bexams?\b|prüfung|zertifizierung|examination"),
    ("learning_path", r"learning[\s_-]*path|lernpfad|\bpath\b|learningpath"),
    ("course", r"course|kurs|mooc|module|guided\s+project|project|lecture"),
)
_KIND_RES = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in _KIND_PATTERNS)


@_never_raises(lambda: "course")
def normalize_kind(text: object) -> str:
    """The record ``kind`` from the source's product type; "course" when unknown or absent."""
    raw = _as_text(text, 300)
    if raw is None:
        return "course"
    for kind, pattern in _KIND_RES:
        if pattern.search(raw):
            return kind
    return "course"


# --------------------------------------------------------------------------------------------
# Certificates and the cost model
# --------------------------------------------------------------------------------------------

# Checked best-first, so "Professional Certificate" is professional, not completion.
# * A verified certificate (edX), a Coursera course/specialization certificate, a Nanodegree and
#   openHPI's qualified certificate / record of achievement / confirmation of participation are
#   course certificates: completion. The qualified certificate's identity check and proctored exam
#   do not make it "certification", which GUIDE.md reserves for a proctored industry exam that
#   stands apart from any course; an offer of it that carries ECTS credits is academic_credit.
# * A "University Certificate" (Coursera) is a university's non-credit programme certificate:
#   professional. Graduate certificates, MasterTrack and postgraduate diplomas earn credit.
_CERTIFICATE_PATTERNS = (
    (
        "none",
        r"\bno\s+certificate|without\s+(?:a\s+)?certificate|\bkein(?:e|en)?\s+(?:zertifikat|"
        r"teilnahmebest)|certificate\s+not\s+(?:available|included)|^audit(?:\s+track)?$",
    ),
    (
        "degree",
        r"\bdegree\b|\bbachelor|\bmaster(?!\s*class)(?:'?s)?\b|\bmagíster\b|\bmaestría\b"
        r"|\bmba\b|\bm\.?\s?sc\b|\bb\.?\s?sc\b|\bstudienabschluss\b|^masters$",
    ),
    (
        "academic_credit",
        r"\bcredits?\b|\bects\b|credit[\s-]*eligible|leistungspunkte|\bcfu\b"
        r"|master[\s-]*track|graduate\s+(?:certificate|diploma)|\bcredit\b"
        r"|post[\s-]*graduate\s+(?:certificate|diploma)|micro[\s-]*masters"
        r"|micro[\s-]*bachelors",
    ),
    (
        "certification",
        r"\bcertification\b|\bcertified\b|\bexams?\b|\bexamination\b|\bprüfung"
        r"|zertifizierung",
    ),
    (
        "professional",
        r"\bprofessional\b|berufszertifikat|university\s+certificate"
        r"|executive\s+(?:certificate|education)|\bprofed\b",
    ),
    (
        "completion",
        r"certificate|certificat|zertifikat|certificado|certificato|\bverified\b"
        r"|statement\s+of\s+(?:accomplishment|participation)|record\s+of\s+achievement"
        r"|accomplishment|confirmation\s+of\s+participation|teilnahmebest|leistungsnachweis"
        r"|\bbadge\b|speciali[sz]ation|spezialisierung|nano[\s-]*degree|\bcourse\b|\bkurs\b"
        r"|honou?r\s+code|\bhonou?r\b|qualified|xseries",
    ),
)
_CERTIFICATE_RES = tuple((c, re.compile(p, re.IGNORECASE)) for c, p in _CERTIFICATE_PATTERNS)
# edX seat types (course-discovery ``seats[].type``).
_SEAT_CERTIFICATES = {
    "audit": "none",
    "verified": "completion",
    "honor": "completion",
    "professional": "professional",
    "no-id-professional": "professional",
    "credit": "academic_credit",
    "masters": "degree",
}
_KIND_CERTIFICATES = {
    "specialization": "completion",
    "professional_certificate": "professional",
    "certification": "certification",
    "degree": "degree",
    "nanodegree": "completion",
}


@_never_raises(_none)
def normalize_certificate(text: object) -> str | None:
    """none / completion / professional / certification / academic_credit / degree, or None.

    "Guided Project" and other product names that do not say what is certified stay None.
    """
    raw = _as_text(text, 300)
    if raw is None:
        return None
    seat = _SEAT_CERTIFICATES.get(raw.casefold())
    if seat:
        return seat
    for certificate, pattern in _CERTIFICATE_RES:
        if pattern.search(raw):
            return certificate
    return None


# Explicit cost texts (Class Central's "Pricing": "Free Online Course (Audit)", "Paid Course",
# "Free Trial Available", "Paid Certificate Available" - the last one is said of free courses).
_COST_PATTERNS = (
    ("free_audit", r"free[\s_-]*(?:to[\s_-]*)?audit|\baudit\b|paid\s+certificate|freemium"),
    (
        "subscription",
        r"subscription|\babo(?:nnement)?\b|membership|coursera\s+plus|free\s+trial"
        r"|probeabo|\bmonthly\b|\bmonatlich\b",
    ),
    ("paid", r"\bpaid\b|kostenpflichtig|\bfee\b|purchase|\bbuy\b|one[\s-]time"),
    ("free", r"\bfree\b|kostenlos|kostenfrei|gratis|gebührenfrei|\bgratuit"),
)
_COST_RES = tuple((c, re.compile(p, re.IGNORECASE)) for c, p in _COST_PATTERNS)


def _explicit_cost(value: object) -> str | None:
    raw = _as_text(value, 200)
    if raw is None:
        return None
    if raw in COST_RANK:
        return raw
    hits = [cost for cost, pattern in _COST_RES if pattern.search(raw)]
    if _TRIAL_RE.search(raw):
        hits = [h for h in hits if h != "free"]  # "Free Trial Available": sold by subscription
    if "free" in hits and ("paid" in hits or "subscription" in hits):
        return "free_audit"  # "Free course, paid certificate"
    return hits[0] if hits else None


@dataclass
class CostAndCertificate:
    """The summary of a course's offers (GUIDE.md): ``cost`` is the cheapest way in,
    ``certificate`` the best certificate on offer, ``price_*`` what that certificate costs.
    ``per_month`` says ``price_amount`` is a monthly subscription price."""

    cost: str | None = None
    certificate: str | None = None
    price_amount: float | None = None
    price_currency: str | None = None
    offers: list[Offer] = field(default_factory=list)
    per_month: bool = False


def _best_certificate(candidates: Iterable[str | None]) -> str | None:
    known = [c for c in candidates if c in CERTIFICATE_RANK]
    return max(known, key=CERTIFICATE_RANK.__getitem__) if known else None


def _credits(value: object) -> float | None:
    if _is_number(value):
        return _finite(float(value), high=1000)
    raw = _as_text(value, 100)
    match = re.search(r"\d+(?:[.,]\d+)?", raw) if raw else None
    return _finite(_number(match.group(), decimal_only=True), high=1000) if match else None


def _offer_from_raw(
    item: Mapping[str, Any], fallback_certificate: str | None
) -> tuple[Offer, bool]:
    """One RawOffer / edX seat / schema.org Offer dict -> (Offer, is it a monthly price)."""
    label_raw = next(
        (item.get(k) for k in ("label", "type", "seat_type", "name", "category") if item.get(k)),
        None,
    )
    label = _as_text(label_raw, 200) or "offer"
    certificate = (
        normalize_certificate(item.get("certificate"))
        or _SEAT_CERTIFICATES.get(label.casefold())
        or normalize_certificate(label)
        or fallback_certificate
    )
    price_raw = item.get("price")
    amount, currency = parse_price(price_raw)
    currency = currency or normalize_currency(item.get("currency") or item.get("priceCurrency"))
    credits = _credits(item.get("credits") or item.get("credit_hours") or item.get("ects"))
    if (
        credits
        and CERTIFICATE_RANK.get(certificate or "", -1) < CERTIFICATE_RANK["academic_credit"]
    ):
        certificate = "academic_credit"  # e.g. an openHPI qualified certificate with 2 ECTS
    monthly = bool(
        (isinstance(price_raw, str) and _MONTHLY_RE.search(price_raw[:MAX_FIELD_CHARS]))
        or re.search(r"subscription|\babo\b|monthly", label, re.IGNORECASE)
    )
    return Offer(label, certificate, amount, currency, None, credits), monthly


def _offers_from_price(
    price: object, currency: str | None, certificate: str | None
) -> list[tuple[Offer, bool]]:
    """Offers stated in one price field: "FREE-Add a Verified Certificate for $49 USD" is two."""
    amount, found_currency = parse_price(price)
    currency = found_currency or currency
    text = _as_text(price) or ""
    named = normalize_certificate(text) if text else None
    monthly = bool(_MONTHLY_RE.search(text))
    is_free = bool(_FREE_RE.search(text)) and not _TRIAL_RE.search(text)
    if amount is not None and amount > 0 and is_free:
        return [
            (Offer("audit", "none", 0.0, None), False),
            (Offer("certificate", named or certificate or "completion", amount, currency), monthly),
        ]
    if amount is not None:
        label = "free" if amount == 0 else ("subscription" if monthly else "price")
        return [(Offer(label, named or certificate, amount, currency if amount else None), monthly)]
    return []


@_never_raises(CostAndCertificate)
def normalize_cost_and_certificate(
    price: object = None,
    currency: object = None,
    *,
    cost: object = None,
    certificate: object = None,
    offers: object = None,
    kind: object = None,
    free: object = None,
    has_certificates: object = None,
) -> CostAndCertificate:
    """Decide cost model, best certificate and its price from whatever a source states.

    Inputs: a price text or number (+ currency), an explicit cost text, a certificate text, a list
    of offers (RawOffer dicts, edX seats ``{type, price, currency}``, schema.org Offers), the
    record kind, and the flags ``free`` / ``has_certificates`` some feeds carry.
    ``cost``: free (everything free), free_audit (learn free, pay for the certificate),
    subscription (a monthly price), paid (a price); an explicit cost text wins.
    ``certificate``: the best on offer, from offers, the certificate text, the kind
    (specialization -> completion, professional certificate -> professional, nanodegree ->
    completion ...) and ``has_certificates``.
    ``price_*``: the cheapest offer that grants that best certificate (0 for a free course).
    """
    kind_name = normalize_kind(kind) if kind is not None else None
    cert_text = normalize_certificate(certificate)
    default_cert = cert_text or _KIND_CERTIFICATES.get(kind_name or "")

    collected: list[tuple[Offer, bool]] = []
    if isinstance(offers, list | tuple):
        for item in offers[:50]:
            if isinstance(item, Mapping):
                collected.append(_offer_from_raw(item, default_cert))
    collected += _offers_from_price(price, normalize_currency(currency), default_cert)
    offer_list = [offer for offer, _ in collected]
    monthly_ids = {id(offer) for offer, monthly in collected if monthly}

    flags: list[str | None] = []
    if has_certificates is True:
        flags.append("completion")
    elif has_certificates is False and not offer_list:
        flags.append("none")
    best = _best_certificate(
        [o.certificate for o in offer_list]
        + [cert_text]
        + flags
        + [_KIND_CERTIFICATES.get(kind_name or "")]
    )

    result = CostAndCertificate(certificate=best, offers=offer_list)
    result.cost = _explicit_cost(cost) or _cost_from_offers(
        offer_list, monthly_ids, free, kind_name
    )
    chosen = _price_offer(offer_list, best)
    if chosen is not None:
        result.price_amount, result.price_currency = chosen.price_amount, chosen.price_currency
        result.per_month = id(chosen) in monthly_ids
    elif result.cost == "free":
        result.price_amount = 0.0
    return result


def _cost_from_offers(
    offers: list[Offer], monthly_ids: set[int], free: object, kind: str | None
) -> str | None:
    priced = [o for o in offers if o.price_amount is not None]
    has_free = any(o.price_amount == 0 for o in priced) or free is True
    paying = [o for o in priced if o.price_amount]
    if has_free:
        return "free_audit" if paying else "free"
    if paying:
        return "subscription" if any(id(o) in monthly_ids for o in paying) else "paid"
    if free is False or kind == "nanodegree":
        return "paid"  # a nanodegree is never free; whether by subscription, no price says
    return None


def _price_offer(offers: list[Offer], best: str | None) -> Offer | None:
    priced = [o for o in offers if o.price_amount is not None]
    granting = [o for o in priced if o.certificate == best and best is not None]
    if not granting and all(o.certificate is None for o in priced):
        granting = priced  # no certificate named anywhere: the course's own price
    return min(granting, key=lambda o: o.price_amount or 0.0) if granting else None


# --------------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------------

# Names (casefolded, "|"-separated) in English, German, the language itself and other common ones.
_LANGUAGE_NAMES = {
    "en": (
        "english|englisch|anglais|inglés|ingles|inglese|inglês|engels|angielski|"
        "английский|英语|英文|英語|영어|अंग्रेज़ी|अंग्रेजी|الإنجليزية|الانجليزية|"
        "ingilizce|i̇ngilizce"
    ),
    "de": (
        "german|deutsch|allemand|alemán|aleman|tedesco|alemão|duits|niemiecki|"
        "немецкий|德语|德文|ドイツ語|독일어|जर्मन|الألمانية|almanca"
    ),
    "es": (
        "spanish|español|espanol|castellano|spanisch|espagnol|spagnolo|espanhol|"
        "spaans|hiszpański|испанский|西班牙语|西班牙文|スペイン語|스페인어|स्पेनिश|الإسبانية|"
        "ispanyolca"
    ),
    "fr": (
        "french|français|francais|französisch|francés|frances|francese|francês|"
        "frans|francuski|французский|法语|法文|フランス語|프랑스어|फ़्रेंच|फ्रेंच|الفرنسية|"
        "fransızca"
    ),
    "it": (
        "italian|italiano|italienisch|italien|italiaans|włoski|итальянский|意大利语|"
        "イタリア語|이탈리아어|الإيطالية|italyanca"
    ),
    "pt": (
        "portuguese|português|portugues|portugiesisch|portugais|portugués|"
        "portoghese|portugees|portugalski|португальский|葡萄牙语|ポルトガル語|포르투갈어|"
        "البرتغالية|portekizce"
    ),
    "nl": (
        "dutch|nederlands|niederländisch|holländisch|néerlandais|neerlandés|"
        "olandese|holenderski|нидерландский|荷兰语|オランダ語|네덜란드어|flemish|vlaams"
    ),
    "pl": ("polish|polski|polnisch|polonais|polaco|polacco|польский|波兰语|ポーランド語|폴란드어"),
    "ru": (
        "russian|русский|russisch|russe|ruso|russo|rosyjski|俄语|ロシア語|러시아어|रूसी|"
        "الروسية|rusça"
    ),
    "uk": "ukrainian|українська|ukrainisch|ukrainien|ucraniano|украинский",
    "zh": (
        "chinese|中文|汉语|漢語|华语|普通话|國語|简体中文|繁體中文|繁体中文|中文简体|中文繁體|mandarin|cantonese|"
        "chinesisch|chinois|chino|cinese|chinês|chinees|chiński|китайский|中国語|"
        "중국어|चीनी|الصينية|çince"
    ),
    "ja": (
        "japanese|日本語|japanisch|japonais|japonés|japones|giapponese|japonês|"
        "japans|japoński|японский|日语|일본어|जापानी|اليابانية|japonca"
    ),
    "ko": (
        "korean|한국어|조선말|koreanisch|coréen|coreano|koreański|корейский|韩语|韓国語|"
        "韓國語|कोरियाई|الكورية|korece"
    ),
    "hi": "hindi|हिन्दी|हिंदी",
    "ar": (
        "arabic|العربية|اللغة العربية|عربي|arabisch|arabe|árabe|arabo|arapça|"
        "арабский|阿拉伯语|アラビア語|아랍어"
    ),
    "he": "hebrew|עברית|hebräisch|hébreu|hebreo|ebraico",
    "tr": "turkish|türkçe|turkce|türkisch|turc|turco|турецкий|土耳其语|トルコ語",
    "id": "indonesian|bahasa indonesia|indonesisch|indonésien|indonesio",
    "ms": "malay|bahasa melayu|bahasa malaysia|malaiisch",
    "vi": "vietnamese|tiếng việt|tieng viet|vietnamesisch",
    "th": "thai|ไทย|ภาษาไทย|thailändisch",
    "sv": "swedish|svenska|schwedisch",
    "da": "danish|dansk|dänisch",
    "no": "norwegian|norsk|norwegisch",
    "nb": "norsk bokmål|bokmål",
    "fi": "finnish|suomi|finnisch",
    "cs": "czech|čeština|cestina|tschechisch",
    "sk": "slovak|slovenčina|slowakisch",
    "hu": "hungarian|magyar|ungarisch",
    "ro": "romanian|română|romana|rumänisch",
    "bg": "bulgarian|български|bulgarisch",
    "el": "greek|ελληνικά|griechisch",
    "hr": "croatian|hrvatski|kroatisch",
    "sr": "serbian|српски|srpski|serbisch",
    "sl": "slovenian|slovene|slovenščina|slowenisch",
    "et": "estonian|eesti|estnisch",
    "lv": "latvian|latviešu|lettisch",
    "lt": "lithuanian|lietuvių|litauisch",
    "fa": "persian|farsi|فارسی|persisch",
    "ur": "urdu|اردو",
    "bn": "bengali|bangla|বাংলা",
    "ta": "tamil|தமிழ்",
    "te": "telugu|తెలుగు",
    "mr": "marathi|मराठी",
    "gu": "gujarati|ગુજરાતી",
    "kn": "kannada|ಕನ್ನಡ",
    "ml": "malayalam|മലയാളം",
    "pa": "punjabi|ਪੰਜਾਬੀ",
    "sw": "swahili|kiswahili|suaheli",
    "ca": "catalan|català|katalanisch",
    "eu": "basque|euskara",
    "gl": "galician|galego",
    "tl": "tagalog",
    "fil": "filipino",
    "kk": "kazakh|қазақ тілі|қазақша",
    "az": "azerbaijani|azərbaycan",
    "ka": "georgian|ქართული",
    "hy": "armenian|հայերեն",
    "am": "amharic|አማርኛ",
    "af": "afrikaans",
    "is": "icelandic|íslenska",
    "ga": "irish|gaeilge",
    "cy": "welsh|cymraeg",
    "mn": "mongolian|монгол",
    "ne": "nepali|नेपाली",
    "si": "sinhala|සිංහල",
    "km": "khmer|ខ្មែរ",
    "my": "burmese|မြန်မာ",
    "uz": "uzbek|oʻzbek|o'zbek",
    "ha": "hausa",
    "yo": "yoruba|yorùbá",
    "zu": "zulu|isizulu",
    "la": "latin|latein|latina",
}
_NAME_TO_CODE = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names.split("|")}
_KNOWN_CODES = frozenset(_LANGUAGE_NAMES)
# Deprecated and three-letter codes (ISO 639-2/3) seen in metadata; "cmn"/"yue" are Chinese.
_CODE_ALIASES = {
    "iw": "he", "in": "id", "mo": "ro", "eng": "en", "deu": "de", "ger": "de",
    "spa": "es", "fra": "fr", "fre": "fr", "ita": "it", "por": "pt", "nld": "nl", "dut": "nl",
    "pol": "pl", "rus": "ru", "ukr": "uk", "zho": "zh", "chi": "zh", "cmn": "zh", "yue": "zh",
    "jpn": "ja", "kor": "ko", "hin": "hi", "ara": "ar", "heb": "he", "tur": "tr", "ind": "id",
    "vie": "vi", "tha": "th", "swe": "sv", "dan": "da", "nor": "no", "nob": "nb", "fin": "fi",
    "ces": "cs", "cze": "cs", "hun": "hu", "ron": "ro", "rum": "ro", "ell": "el", "gre": "el",
    "fas": "fa", "per": "fa",
}  # fmt: skip
_TAG_RE = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_PARENS_RE = re.compile(r"\s*[(（\[].*?[)）\]]\s*")


def _code_from_tag(text: str) -> str | None:
    match = _TAG_RE.fullmatch(text)
    if not match:
        return None
    primary = match.group(1).casefold()
    primary = _CODE_ALIASES.get(primary, primary)
    return primary if primary in _KNOWN_CODES else None


@_never_raises(_none)
def normalize_language(text: object) -> str | None:
    """A BCP 47 primary language code from a name in any script or a locale tag, else None.

    "English", "en-us", "en_US", "Español", "中文", "Chinese (Simplified)" -> zh,
    "Português (Brasil)" -> pt, "اللغة العربية" -> ar. Dicts (schema.org ``Language``) are read
    by their ``alternateName``/``name``.
    """
    if isinstance(text, Mapping):
        for key in ("alternateName", "identifier", "code", "name", "@value"):
            found = normalize_language(text.get(key))
            if found:
                return found
        return None
    raw = _as_text(text, 200)
    if raw is None:
        return None
    raw = re.sub(r"\s+", " ", raw.strip(" \"'.·:;"))
    candidates = [raw, _PARENS_RE.sub(" ", raw).strip(), re.split(r"\s+[-–—]\s+", raw)[0]]
    for candidate in candidates:
        code = _NAME_TO_CODE.get(candidate.casefold()) or _code_from_tag(candidate)
        if code:
            return code
    words = re.findall(r"[^\W\d_]+", _PARENS_RE.sub(" ", raw).casefold())
    if 1 < len(words) <= 4:  # "Simplified Chinese", "Brazilian Portuguese", "Chinese Simplified"
        for word in words:
            if word in _NAME_TO_CODE:
                return _NAME_TO_CODE[word]
    return None


_LIST_SPLIT_RE = re.compile(r"\s*(?:[,;/|\n、，]|\s(?:and|und|&|y|et)\s)\s*", re.IGNORECASE)


@_never_raises(list)
def normalize_languages(value: object) -> list[str]:
    """Codes for a language list: a str ("English, Español"), list, or mixed; deduped, in order."""
    items: list[object]
    if isinstance(value, list | tuple):
        items = list(value[:200])
    elif isinstance(value, str | bytes | bytearray):
        text = _as_text(value, 4000) or ""
        items = [part for part in _LIST_SPLIT_RE.split(text) if part]
    elif isinstance(value, Mapping):
        items = [value]
    else:
        return []
    codes: list[str] = []
    for item in items:
        found = (
            normalize_languages(item)
            if isinstance(item, list | tuple)
            else [normalize_language(item)]
        )
        for code in found:
            if code and code not in codes:
                codes.append(code)
    return codes


# --------------------------------------------------------------------------------------------
# Numbers, ratings, dates
# --------------------------------------------------------------------------------------------

_COUNT_RE = re.compile(
    r"(?P<num>\d{1,3}(?:[ '’]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)*)\s*"
    r"(?P<suf>k|tsd\.?|tausend|thousand|mio\.?|mill?ionen|millions?|mn|m|mrd\.?|milliarden?"
    r"|billions?|bn|b)?(?![^\W\d_])",
    re.IGNORECASE,
)
_MAX_COUNT = 10**12  # no course has more; bigger is garbage


def _count_multiplier(suffix: str) -> float:
    s = suffix.casefold()
    if s.startswith(("mrd", "milliard", "billion", "bn")) or s == "b":
        return 1e9
    if s.startswith("mi") or s in ("m", "mn"):
        return 1e6
    return 1e3


@_never_raises(_none)
def parse_count(text: object) -> int | None:
    """An integer count: "5.3k" -> 5300, "1.2M", "12,345", "12.345" (German), "320K",
    "1,5 Mio.", "1900.0". A count with a fraction and no multiplier ("1.5") is None."""
    if _is_number(text):
        value = _finite(float(text), high=_MAX_COUNT)
        return None if value is None or value != int(value) else int(value)
    raw = _as_text(text)
    match = _COUNT_RE.search(raw) if raw else None
    if not match:
        return None
    suffix = match["suf"]
    number = _number(match["num"], decimal_only=bool(suffix))
    if number is None:
        return None
    value = round(number * _count_multiplier(suffix) if suffix else number, 6)
    if not 0 <= value <= _MAX_COUNT or value != int(value):  # also rules out inf
        return None
    return int(value)


_RATING_RE = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)\s*(?:(?:/|out\s+of|von|of|sur|de)\s*(?P<scale>\d+(?:[.,]\d+)?))?"
    r"\s*(?P<pct>%)?",
    re.IGNORECASE,
)


@_never_raises(_none)
def parse_rating(text: object) -> float | None:
    """A 0..5 rating from "4.8", "4,8", "4.8/5", "4.8 stars", "4.8 out of 5"; other scales None."""
    if _is_number(text):
        return _round(_finite(float(text), high=5.0))
    raw = _as_text(text, 200)
    match = _RATING_RE.search(raw) if raw else None
    if not match or match["pct"]:
        return None
    if match["scale"] and _number(match["scale"], decimal_only=True) != 5:
        return None
    return _round(_finite(_number(match["num"], decimal_only=True), high=5.0))


_MONTHS = {
    **dict.fromkeys(("january", "jan", "januar", "jänner", "jaenner", "enero", "janvier"), 1),
    **dict.fromkeys(("february", "feb", "februar", "feber", "febrero", "février", "fevrier"), 2),
    **dict.fromkeys(("march", "mar", "märz", "maerz", "mär", "mrz", "marzo", "mars"), 3),
    **dict.fromkeys(("april", "apr", "abril", "avril"), 4),
    **dict.fromkeys(("may", "mai", "mayo"), 5),
    **dict.fromkeys(("june", "jun", "juni", "junio", "juin"), 6),
    **dict.fromkeys(("july", "jul", "juli", "julio", "juillet"), 7),
    **dict.fromkeys(("august", "aug", "agosto", "août", "aout"), 8),
    **dict.fromkeys(("september", "sep", "sept", "septiembre", "setiembre", "septembre"), 9),
    **dict.fromkeys(("october", "oct", "oktober", "okt", "octubre", "octobre"), 10),
    **dict.fromkeys(("november", "nov", "noviembre", "novembre"), 11),
    **dict.fromkeys(
        ("december", "dec", "dezember", "dez", "diciembre", "décembre", "decembre"), 12
    ),
}
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_YMD_SLASH_RE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)")
_DMY_DOT_RE = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
_NUMERIC_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?!\d)")
_MONTH_FIRST_RE = re.compile(
    r"(?P<mon>[^\W\d_]{3,})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)"
)
_DAY_FIRST_RE = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?(?P<mon>[^\W\d_]{3,})\.?,?\s+"
    r"(?:de\s+)?(?P<y>\d{4})(?!\d)"
)
_EPOCH_MS_THRESHOLD = 1e11  # larger epoch values are milliseconds (Coursera's startDate)


def _make_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_epoch(value: float) -> date | None:
    if not math.isfinite(value) or value < 0:
        return None
    seconds = value / 1000 if value > _EPOCH_MS_THRESHOLD else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


@_never_raises(_none)
def parse_date(text: object) -> date | None:
    """A date from ISO text ("2016-01-12T00:00:00Z"), "Jan 12, 2016", "12 January 2016",
    "12. Januar 2016", "12.01.2016" (German), epoch seconds or milliseconds (Coursera), or a
    date/datetime. "01/02/2016" is None: it could be either order, and unknown is not a guess."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if _is_number(text):
        return _from_epoch(float(text))
    raw = _as_text(text, 200)
    if raw is None:
        return None
    if re.fullmatch(r"\d{10}|\d{12,13}", raw):
        return _from_epoch(float(raw))
    if re.fullmatch(r"\d{8}", raw):
        return _make_date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    for pattern in (_ISO_DATE_RE, _YMD_SLASH_RE):
        if match := pattern.search(raw):
            return _make_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DMY_DOT_RE.search(raw):
        return _make_date(int(match[3]), int(match[2]), int(match[1]))
    if match := _NUMERIC_DATE_RE.search(raw):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12 >= second:
            return _make_date(year, second, first)
        if second > 12 >= first:
            return _make_date(year, first, second)
        return None
    for pattern in (_MONTH_FIRST_RE, _DAY_FIRST_RE):
        for match in pattern.finditer(raw):
            month = _MONTHS.get(match["mon"].casefold())
            if month:
                return _make_date(int(match["y"]), month, int(match["d"]))
    return None


# --------------------------------------------------------------------------------------------
# Text and URLs
# --------------------------------------------------------------------------------------------

_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "hr", "table",
)  # fmt: skip
_DROP_TAGS = ("script", "style", "template", "noscript", "head", "iframe", "object", "svg")
# Invisible characters that only get in the way of search and display. Zero-width (non-)joiners
# stay: Persian, Hindi and emoji need them. A regex, because str.translate with a table looks
# up every character of a description in Python.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\ufffe]+")
_TAG_HINT_RE = re.compile(r"<[A-Za-z!/?]")
_BLOCK_BOUNDARY_RE = re.compile(r"(</?(?:" + "|".join(_BLOCK_TAGS) + r")(?=[\s/>]))", re.IGNORECASE)


def _strip_html(text: str) -> str:
    """The text of an HTML fragment or page, as BeautifulSoup's get_text() would give it
    (no comments, no script, style and the like), from lxml's own tree: seven times faster
    than building BeautifulSoup's, and the text of every refreshed description goes here."""
    from lxml import etree

    # A space before every block tag keeps "<p>a</p><p>b</p>" apart as "a b" while inline tags
    # ("<b>Py</b>thon") stay glued; done on the markup, it costs one linear pass.
    text = _BLOCK_BOUNDARY_RE.sub(r" \1", text)
    try:
        root = etree.fromstring(text.encode(), html_parser())
        if root is None:
            return ""
        etree.strip_elements(
            root, etree.Comment, etree.ProcessingInstruction, *_DROP_TAGS, with_tail=False
        )
        return "".join(root.itertext())
    except Exception:  # pathological markup: fall back to a plain tag strip
        return html.unescape(re.sub(r"<[^>]{0,2000}>", " ", text))


def _short_text(value: object, limit: int) -> str | None:
    """clean_text of a field that must stay short: the raw text is cut first (to 4x the limit,
    room for markup), the clean text then ends at a word boundary with "…" if still too long."""
    if isinstance(value, str | bytes | bytearray) and len(value) > 4 * limit:
        value = value[: 4 * limit]
    text = clean_text(value)
    if text is None or len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head[limit // 2 :] else head
    return cut.rstrip() + "…"


# Characters of the categories Cc (but the five whitespace controls), Cs and Co, which
# Unicode's stability policy fixes: one regex pass instead of a unicodedata.category()
# call per character, which was a third of a refresh's CPU.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


@_never_raises(_none)
def clean_text(text: object) -> str | None:
    """Plain text: HTML tags stripped (lxml), entities decoded, control and
    invisible characters removed, whitespace collapsed to single spaces; None when nothing is left.
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        return None
    # Control characters go before parsing too: lxml would turn a NUL into U+FFFD.
    text = _INVISIBLE_RE.sub(" ", text)
    if _TAG_HINT_RE.search(text):
        text = _strip_html(text)
    elif "&" in text:
        text = html.unescape(text)
    text = _INVISIBLE.sub("", text)
    text = _INVISIBLE_RE.sub(" ", text)
    text = " ".join(text.split())
    return text or None


_URL_STRIP = dict.fromkeys(map(ord, "\t\n\r"), None)
_URL_ESCAPES = {" ": "%20", '"': "%22", "<": "%3C", ">": "%3E", "`": "%60", "{": "%7B", "}": "%7D"}
_HOST_RE = re.compile(r"[A-Za-z0-9.\-_~%!$&'()*+,;=:\[\]\u00a1-\U0010ffff]+")


@_never_raises(_none)
def safe_url(url: object) -> str | None:
    """The URL if it is absolute http(s) with a host, else None.

    javascript:, data:, vbscript:, mailto:, relative and protocol-relative URLs are dropped, and so
    are URLs with user:password@ (a classic way to disguise the real host). Surrounding whitespace
    is stripped, tabs/newlines inside removed (as browsers do), spaces and quotes percent-encoded.
    """
    raw = _as_text(url, MAX_URL_CHARS + 1)
    if raw is None or len(raw) > MAX_URL_CHARS:
        return None
    raw = raw.translate(_URL_STRIP)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return None
    try:
        parts = urlsplit(raw)
        _ = parts.port  # ValueError on a port that is not a number in range
    except ValueError:  # also "Invalid IPv6 URL"
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if "@" in parts.netloc or not parts.hostname or not _HOST_RE.fullmatch(parts.netloc):
        return None
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in raw)


# --------------------------------------------------------------------------------------------
# The whole record
# --------------------------------------------------------------------------------------------

Classifier = Callable[[str, str | None, list[str], list[str]], list[str]]


def _text_list(value: object, limit: int = 200) -> list[str]:
    """Tags from a list or a comma/semicolon separated string, cleaned and deduped in order."""
    if isinstance(value, str | bytes | bytearray):
        text = _short_text(value, MAX_DESCRIPTION_CHARS) or ""
        items: list[object] = list(re.split(r"\s*[,;|]\s*", text))
    elif isinstance(value, list | tuple):
        items = list(value[: limit * 2])
    else:
        return []
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("title")
        cleaned = _short_text(item, MAX_NAME_CHARS) if isinstance(item, str) else None
        if cleaned and cleaned not in out and len(out) < limit:
            out.append(cleaned)
    return out


def _jsonable(value: object, depth: int = 0) -> Any:
    """A JSON-safe copy: JSON values pass untouched; dates become ISO text, tuples/sets lists,
    bytes text, non-finite floats None, anything else its repr. Deep or cyclic nesting is cut."""
    if depth > 40:
        return None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v, depth + 1) for v in value]
    return repr(value)


def _default_classifier() -> Classifier:
    """``catalog.topics.classify`` if that module exists yet, else a classifier that tags nothing.

    Imported lazily by name: the taxonomy loads a data file, and this module must work before
    (and without) it.
    """
    try:
        topics = importlib.import_module("catalog.topics")
    except ImportError:
        return lambda title, description, skills, categories: []
    classify = getattr(topics, "classify", None)
    if not callable(classify):
        return lambda title, description, skills, categories: []
    return cast(Classifier, classify)


def _topics(
    classify: Classifier,
    title: str,
    description: str | None,
    skills: list[str],
    categories: list[str],
) -> list[str]:
    try:
        result = classify(title, description, skills, categories)
    except Exception:  # the taxonomy must not cost us the record
        _log.warning("topic classifier failed on %r", title[:80], exc_info=True)
        return []
    if not isinstance(result, list | tuple):
        return []
    return [t for t in dict.fromkeys(result) if isinstance(t, str) and t]


def _provider(value: object) -> str | None:
    if isinstance(value, list | tuple):
        names = _text_list(list(value), limit=20)
        return _short_text(", ".join(names), MAX_NAME_CHARS)
    if isinstance(value, Mapping):
        return _short_text(value.get("name"), MAX_NAME_CHARS)
    return _short_text(value, MAX_NAME_CHARS)


def _to_eur(rates: Rates | None, amount: float | None, currency: str | None) -> float | None:
    if amount is None or currency is None:
        return None
    if currency == "EUR":
        return round(amount, 2)
    return rates.to_eur(amount, currency) if rates is not None else None


def normalize_course(
    raw: RawCourse,
    *,
    source: str,
    rates: Rates | None = None,
    classify: Classifier | None = None,
) -> CourseRecord:
    """The normalised :class:`CourseRecord` of one raw listing; never raises.

    ``rates`` converts prices to EUR (pass ``catalog.rates.load_rates()``; this module does no I/O,
    so without rates only EUR prices get a ``price_eur``). ``classify(title, description, skills,
    categories)`` tags topics; by default ``catalog.topics.classify`` when that module exists.
    A subscription course's ``price_amount`` is the estimated cost to its certificate
    (``price_is_estimate=True``: monthly price x months needed at the stated effort, from hours and
    hours per week, else from weeks); without any length it stays the monthly price
    (``price_is_estimate=False``, ``cost="subscription"`` says it is per month). Each offer keeps
    its own stated price.
    """
    data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    source_name = source if isinstance(source, str) else str(source)
    try:
        return _normalize_course(data, source_name, rates, classify)
    except Exception:  # last line of defence: a bare record, raw kept for a later re-run
        _log.warning("normalize_course failed for %s", source_name, exc_info=True)
        return CourseRecord(
            source=source_name,
            source_id=clean_text(str(data.get("source_id", ""))) or "",
            title=_short_text(data.get("title"), MAX_TITLE_CHARS) or "",
            raw=_jsonable(dict(data)),
        )


def _normalize_course(
    raw: Mapping[str, Any], source: str, rates: Rates | None, classify: Classifier | None
) -> CourseRecord:
    source_id = raw.get("source_id")
    title = _short_text(raw.get("title"), MAX_TITLE_CHARS) or ""
    description = _short_text(raw.get("description"), MAX_DESCRIPTION_CHARS)
    skills = _text_list(raw.get("skills"))
    categories = _text_list(raw.get("categories"))
    kind = normalize_kind(raw.get("kind"))
    extra_raw = raw.get("extra")
    extra: Mapping[str, Any] = extra_raw if isinstance(extra_raw, Mapping) else {}

    money = normalize_cost_and_certificate(
        raw.get("price"),
        raw.get("currency"),
        cost=raw.get("cost"),
        certificate=raw.get("certificate"),
        offers=raw.get("offers"),
        kind=raw.get("kind"),
        free=extra.get("free"),
        has_certificates=extra.get("has_certificates"),
    )
    effort = parse_effort(raw.get("effort"), raw.get("duration"))

    price_amount, is_estimate = money.price_amount, False
    if money.cost == "subscription" and money.per_month and price_amount is not None:
        estimate = _subscription_estimate(price_amount, effort)
        if estimate is not None:
            price_amount, is_estimate = estimate, True
    price_eur = _to_eur(rates, price_amount, money.price_currency)
    for offer in money.offers:
        offer.price_eur = _to_eur(rates, offer.price_amount, offer.price_currency)
    rate_date = (
        rates.date
        if rates is not None and price_eur is not None and money.price_currency != "EUR"
        else None
    )

    if classify is None:
        classify = _default_classifier()
    return CourseRecord(
        source=source,
        source_id=(clean_text(str(source_id)) or "") if source_id is not None else "",
        title=title,
        url=safe_url(raw.get("url")),
        provider=_provider(raw.get("provider")),
        platform=_short_text(raw.get("platform"), MAX_NAME_CHARS),
        description=description,
        kind=kind,
        topics=_topics(classify, title, description, skills, categories),
        skills=skills,
        level=normalize_level(raw.get("level")),
        languages=normalize_languages(raw.get("language")),
        subtitle_languages=normalize_languages(raw.get("subtitle_languages")),
        cost=money.cost,
        price_amount=price_amount,
        price_currency=money.price_currency,
        price_eur=price_eur,
        price_rate_date=rate_date,
        price_is_estimate=is_estimate,
        certificate=money.certificate,
        offers=money.offers,
        hours_min=effort.hours_min,
        hours_max=effort.hours_max,
        weeks=effort.weeks,
        hours_per_week_min=effort.hours_per_week_min,
        hours_per_week_max=effort.hours_per_week_max,
        pace=normalize_pace(raw.get("pace")),
        start_date=parse_date(raw.get("start_date")),
        rating=parse_rating(raw.get("rating")),
        rating_count=parse_count(raw.get("rating_count")),
        enrollments=parse_count(raw.get("enrollments")),
        raw=_jsonable(dict(raw)),
    )


def _subscription_estimate(monthly: float, effort: Effort) -> float | None:
    """Cost to the certificate at the stated effort: from hours / hours-per-week, else weeks."""
    hours = effort.hours_max if effort.hours_max is not None else effort.hours_min
    pace = (
        effort.hours_per_week_max
        if effort.hours_per_week_max is not None
        else effort.hours_per_week_min
    )
    if hours is not None and pace is not None:
        return estimate_subscription_cost(monthly, hours, pace)
    if effort.weeks is not None and effort.weeks > 0:
        return round(monthly * _months_needed(effort.weeks), 2)
    return None
