"""Result rows: the order of the matches (sorts, partial for a page), the page's course
rows from the database, and one course's detail."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.models import COURSE_JSON_COLUMNS, Course
from catalog.query import Query
from catalog.search.columns import SORT_COLUMNS
from catalog.search.facets import FacetValue
from catalog.search.snapshot import Snapshot

COURSE = Course.__table__  # type: ignore[attr-defined]

# The fields of a result row: the course record's names (exports and --format json use
# them unchanged) and the catalog's own (id, sources, first_seen, last_seen, status).
ROW_FIELDS = (
    "id",
    "source",
    "source_id",
    "url",
    "title",
    "provider",
    "platform",
    "description",
    "kind",
    "topics",
    "skills",
    "level",
    "languages",
    "subtitle_languages",
    "cost",
    "price_amount",
    "price_currency",
    "price_eur",
    "price_rate_date",
    "price_is_estimate",
    "certificate",
    "offers",
    "hours_min",
    "hours_max",
    "weeks",
    "hours_per_week_min",
    "hours_per_week_max",
    "pace",
    "start_date",
    "rating",
    "rating_count",
    "enrollments",
    "sources",
    "checked_on",
    "first_seen",
    "last_seen",
    "status",
)


@dataclass
class SearchResult:
    query: Query
    rows: list[dict[str, Any]]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    # How the text was matched: "hybrid" (words and meaning), "words" (asked for, turned
    # off with COURSERADAR_EMBEDDER=none, or no text), or "words-no-vectors" (meaning
    # search is not available: the model cannot load, or no course has a vector yet).
    matched_by: str = "words"
    # Per range filter set (by name: "price"), the courses it left out because their
    # value is unknown (see catalog.search.facets.unknown_counts).
    unknown: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


def order(
    snap: Snapshot,
    q: Query,
    hits: np.ndarray,
    scores: np.ndarray | None,
    upto: int | None = None,
) -> np.ndarray:
    """Indices into ``hits`` in the requested order, unknown values always last, ties in
    catalog order; only the first ``upto`` of them when given (a page needs 25 of
    100,000: a partial sort)."""
    if q.sort in SORT_COLUMNS:
        name, ascending = SORT_COLUMNS[q.sort]
        v = getattr(snap, name)[hits]
        return _first((np.where(np.isnan(v), np.inf, v if ascending else -v),), upto)
    # Relevance: the text's score first (when there is text), then well-rated,
    # much-taken courses, which also orders the ties of a broad word's coarse score.
    enrol = -np.nan_to_num(snap.enrollments[hits], nan=-1.0)
    rating = -np.nan_to_num(snap.rating[hits], nan=-1.0)
    if scores is not None:
        return _first((-scores[hits], rating, enrol), upto)
    return _first((rating, enrol), upto)


def _first(keys: tuple[np.ndarray, ...], upto: int | None) -> np.ndarray:
    """The order of rows by ``keys`` (the first decides, the next break its ties, and ties
    of all keep row order), or just its first ``upto`` rows.

    For those, every row whose first key is at most the ``upto``-th smallest is a candidate
    and only the candidates are sorted: np.partition finds that value in linear time.
    """
    size = len(keys[0])
    sort_keys = (np.arange(size), *reversed(keys))  # lexsort: the last key decides first
    if upto is None or upto >= size:
        return np.lexsort(sort_keys)
    if upto <= 0:
        return np.zeros(0, dtype=np.int64)
    bound = np.partition(keys[0], upto - 1)[upto - 1]
    candidates = np.flatnonzero(keys[0] <= bound)
    order = np.lexsort(tuple(k[candidates] for k in sort_keys))
    return candidates[order[:upto]]


def fetch_rows(engine: Engine, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Full course rows for ``ids``, in that order, as dicts keyed by ROW_FIELDS."""
    if not ids:
        return []
    cols = [COURSE.c[name] for name in ROW_FIELDS]
    with engine.connect() as conn:
        found = {
            row.id: row._asdict()
            for row in conn.execute(sa.select(*cols).where(COURSE.c.id.in_(list(ids))))
        }
    return [_clean_row(found[i]) for i in ids if i in found]


def _clean_row(row: dict[str, Any]) -> dict[str, Any]:
    for name in COURSE_JSON_COLUMNS:
        row[name] = _as_list(row[name])
    return row


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):  # JSON stored as text by some drivers
        value = json.loads(value)
    return list(value or [])


def course_detail(engine: Engine, course_id: int) -> dict[str, Any] | None:
    """One course with its listings (every source that lists it) and its change history."""
    from catalog.models import CourseEvent, Listing

    rows = fetch_rows(engine, [course_id])
    if not rows:
        return None
    course = rows[0]
    listing = Listing.__table__  # type: ignore[attr-defined]
    event = CourseEvent.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        course["listings"] = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(
                    listing.c.source,
                    listing.c.source_id,
                    listing.c.url,
                    listing.c.first_seen,
                    listing.c.last_seen,
                    listing.c.status,
                )
                .where(listing.c.course_id == course_id)
                .order_by(listing.c.id)
            )
        ]
        course["history"] = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(event.c.at, event.c.event, event.c.old, event.c.new)
                .where(event.c.course_id == course_id)
                .order_by(event.c.at, event.c.id)
            )
        ]
    return course
