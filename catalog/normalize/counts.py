"""Counts ("5.3k", "1,5 Mio.") and ratings ("4,8/5")."""

from __future__ import annotations

import re

from catalog.normalize.primitives import (
    _as_text,
    _finite,
    _is_number,
    _never_raises,
    _none,
    _number,
    _round,
)

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
