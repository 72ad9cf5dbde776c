"""A search as a value: text, filters, sort and page (:class:`Query`), with its validation
and its URL / saved-search form. No database and no numpy here, so the command line and
the app can name a search without loading the search engine (catalog.search runs it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from catalog.filters import FACET, RANGE
from catalog.vocabulary import VOCABULARIES

SORTS = ("relevance", "price", "duration", "rating", "newest", "start_date")
# The facets (rows of catalog.filters) by name, in the order front ends show them, and
# the course column each reads: a list (MULTI) or one value (SINGLE).
FACETS = tuple(FACET)
MULTI = {f.name: f.column for f in FACET.values() if f.multi}
SINGLE = {f.name: f.column for f in FACET.values() if not f.multi}
# Query attribute holding each facet's selected values.
FACET_ATTR = {f.name: f.attr for f in FACET.values()}
DEFAULT_STATUSES = FACET["status"].default  # removed courses only when asked for
# Query fields of the ranges' bounds: dates, numbers (at least 0), and those with a top.
_DATES = frozenset(b.attr for r in RANGE.values() if r.dates for b in r.bounds)
_NUMBERS = tuple(b.attr for r in RANGE.values() if not r.dates for b in r.bounds)
_TOPS = tuple((b.attr, r.top) for r in RANGE.values() if r.top is not None for b in r.bounds)
# Each facet's valid values where they are a fixed list, in the vocabularies' order.
_VALID = {
    row.name: vocab.codes
    for vocab in VOCABULARIES.values()
    for row in FACET.values()
    if row.vocabulary is vocab
}
MAX_PER_PAGE = 500
_LANG = re.compile(r"^[a-z]{2,3}$")


class QueryError(ValueError):
    """An invalid filter value; the message names it and lists what is valid."""


def _shown(value: Any) -> str:
    """A rejected value as messages quote it: repr, cut to 60 characters (input may be huge)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:58] + "…" + text[-1]


@dataclass(frozen=True)
class Query:
    """A search: text, filters (OR within a facet, AND across facets), sort and page."""

    text: str = ""
    topics: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    costs: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    paces: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    max_price_eur: float | None = None
    min_hours: float | None = None
    max_hours: float | None = None
    start_from: date | None = None
    start_to: date | None = None
    min_rating: float | None = None
    sort: str = "relevance"
    words_only: bool = False  # full-text match alone, no meaning-based match
    page: int = 1
    per_page: int = 25

    def validate(self, known_topics: Sequence[str] | None = None) -> Query:
        """Raise QueryError for any invalid value; return self for chaining."""
        self._validate_values(known_topics)
        self._validate_bounds()
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {_shown(self.sort)}; valid values: {', '.join(SORTS)}")
        if self.page < 1:
            raise QueryError("page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per-page must be between 1 and {MAX_PER_PAGE}")
        return self

    def _validate_values(self, known_topics: Sequence[str] | None) -> None:
        # In vocabulary order, then topics: of two bad values, the one named is as before.
        valid_values: dict[str, Sequence[str]] = dict(_VALID)
        if known_topics is not None:
            valid_values["topic"] = known_topics
        for name, valid in valid_values.items():
            for value in getattr(self, FACET[name].attr):
                if value not in valid:
                    raise QueryError(
                        f"unknown {name} {_shown(value)}; valid values: {', '.join(valid)}"
                    )
        for code in self.languages:
            if not _LANG.match(code):
                raise QueryError(
                    f"language {_shown(code)} is not a language code; use codes like en, de, es"
                )

    def _validate_bounds(self) -> None:
        for attr in _NUMBERS:
            value = getattr(self, attr)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise QueryError(f"{attr.replace('_', '-')} must be a number >= 0, not {value}")
        for attr, top in _TOPS:
            value = getattr(self, attr)
            if value is not None and value > top:
                raise QueryError(f"{attr.replace('_', '-')} is on a 0 to {top:g} scale")

    def selected(self, facet: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, FACET_ATTR[facet])
        return value

    def with_facet(self, facet: str, values: Sequence[str]) -> Query:
        changes: dict[str, Any] = {FACET_ATTR[facet]: tuple(values), "page": 1}
        return replace(self, **changes)

    # -- (de)serialisation for URLs and saved searches --------------------------

    def to_params(self) -> dict[str, Any]:
        """Non-default values as plain JSON types (lists for multi-values)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            if isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Query:
        """Build from URL/saved-search params; raises QueryError on unreadable values."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in params:
                continue
            value = params[f.name]
            try:
                kwargs[f.name] = _coerce(f.name, f.default, value)
            except (TypeError, ValueError):
                raise QueryError(f"{f.name} has an unreadable value {_shown(value)}") from None
        return cls(**kwargs)


def _coerce(name: str, default: Any, value: Any) -> Any:
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        return tuple(str(v).strip() for v in value if str(v).strip())
    if name in _DATES:
        return date.fromisoformat(str(value)) if value not in (None, "") else None
    if name == "words_only":
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if name in ("page", "per_page"):
        return int(value)
    if name in ("text", "sort"):
        return str(value)[:10_000]
    return float(value) if value not in (None, "") else None
