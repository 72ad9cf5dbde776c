"""Dates: ISO text, English/German/Spanish/French month names, German "12.01.2016", epochs."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

from catalog.normalize.primitives import _as_text, _is_number, _never_raises, _none

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
