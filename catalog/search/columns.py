"""What the search snapshot holds, in one place: its facet columns, its number and date
columns (with the SQL that reads them), the range filters and the sorts on them.

Facets and ranges are rows of catalog.filters (FACETS, SINGLE, MULTI in catalog.query
come from it); a number column or sort added there is wired to the snapshot here.
"""

from __future__ import annotations

from catalog.filters import RANGE
from catalog.query import SINGLE

# The single-valued facets read as one JSON array per course; provider is free text (too
# many distinct values to join) and is read on its own.
JOINED = tuple(facet for facet in SINGLE if facet != "provider")

# The snapshot's number columns and the SQL that reads each, in the order read. "price"
# is what taking the course costs in EUR: 0 for a free one (whatever price a source named
# for an option of it), unknown (NaN) where no EUR price is known. "hours" is the upper
# bound of a course's effort where known.
FREE_PRICE_SQL = "(CASE WHEN cost = 'free' THEN 0.0 ELSE price_eur END)"
SNAPSHOT_NUMBERS = {
    "price": FREE_PRICE_SQL,
    "hours": "coalesce(hours_max, hours_min)",
    "rating": "rating",
    "enrollments": "enrollments",
}
NUMBER_COLUMNS = tuple(SNAPSHOT_NUMBERS.values())
# Date and time columns, held as days since 1970-01-01 (NaN if unknown).
SNAPSHOT_DATES = {"start": "start_date", "first_seen": "first_seen"}

# Range filters from the filter table: (Query attribute, snapshot column, True for a
# lower bound). A bound on a date column is a date, compared as days since 1970-01-01.
RANGE_FILTERS = tuple(
    (bound.attr, r.column, bound is r.low) for r in RANGE.values() for bound in r.bounds
)
# Each range's bounds by the range's name (what SearchResult.unknown counts by).
RANGE_BOUNDS = {r.name: tuple(b.attr for b in r.bounds) for r in RANGE.values()}

# Sorts other than relevance: (snapshot column, ascending). Unknown values sort last.
SORT_COLUMNS = {
    "price": ("price", True),
    "duration": ("hours", True),
    "start_date": ("start", True),
    "rating": ("rating", False),
    "newest": ("first_seen", False),
}
