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

from catalog.record import CERTIFICATES, COSTS, KINDS, LEVELS, PACES, STATUSES

SORTS = ("relevance", "price", "duration", "rating", "newest", "start_date")
# Facets counted for every search, in the order front ends show them.
FACETS = (
    "topic",
    "cost",
    "certificate",
    "level",
    "language",
    "kind",
    "provider",
    "source",
    "pace",
    "status",
)
MULTI = {"topic": "topics", "language": "languages", "source": "sources"}
SINGLE = {
    "cost": "cost",
    "certificate": "certificate",
    "level": "level",
    "kind": "kind",
    "provider": "provider",
    "pace": "pace",
    "status": "status",
}
# Query attribute holding each facet's selected values.
FACET_ATTR = {
    "topic": "topics",
    "cost": "costs",
    "certificate": "certificates",
    "level": "levels",
    "language": "languages",
    "kind": "kinds",
    "provider": "providers",
    "source": "sources",
    "pace": "paces",
    "status": "statuses",
}
DEFAULT_STATUSES = ("active", "stale")  # removed courses only when asked for
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
    page: int = 1
    per_page: int = 25

    def validate(self, known_topics: Sequence[str] | None = None) -> Query:
        """Raise QueryError for any invalid value; return self for chaining."""
        vocab: dict[str, Sequence[str]] = {
            "kinds": KINDS,
            "costs": COSTS,
            "certificates": CERTIFICATES,
            "levels": LEVELS,
            "paces": PACES,
            "statuses": STATUSES,
        }
        if known_topics is not None:
            vocab["topics"] = known_topics
        for attr, valid in vocab.items():
            for value in getattr(self, attr):
                if value not in valid:
                    raise QueryError(
                        f"unknown {attr[:-1] if attr != 'statuses' else 'status'} {_shown(value)}; "
                        f"valid values: {', '.join(valid)}"
                    )
        for code in self.languages:
            if not _LANG.match(code):
                raise QueryError(
                    f"language {_shown(code)} is not a language code; use codes like en, de, es"
                )
        for attr in ("max_price_eur", "min_hours", "max_hours", "min_rating"):
            value = getattr(self, attr)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise QueryError(f"{attr.replace('_', '-')} must be a number >= 0, not {value}")
        if self.min_rating is not None and self.min_rating > 5:
            raise QueryError("min-rating is on a 0 to 5 scale")
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {_shown(self.sort)}; valid values: {', '.join(SORTS)}")
        if self.page < 1:
            raise QueryError("page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per-page must be between 1 and {MAX_PER_PAGE}")
        return self

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
    if name in ("start_from", "start_to"):
        return date.fromisoformat(str(value)) if value not in (None, "") else None
    if name in ("page", "per_page"):
        return int(value)
    if name in ("text", "sort"):
        return str(value)[:10_000]
    return float(value) if value not in (None, "") else None
