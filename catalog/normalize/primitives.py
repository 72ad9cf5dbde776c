"""What every normaliser of this package stands on: the field limits, the never-raises guard,
reading a value as text, and reading numbers in English and German notation."""

from __future__ import annotations

import functools
import logging
import math
import re
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeGuard, TypeVar, cast

_log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Field values are short; anything longer is not a price or a duration. Capping keeps every regex
# of this package linear in a bounded input, whatever a page throws at us.
MAX_FIELD_CHARS = 1000
MAX_URL_CHARS = 4096
# Free text is cut to these lengths. Titles of the real course datasets run to 190 characters and
# descriptions to 10,163; a hostile page can put megabytes into one field, which costs seconds
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
