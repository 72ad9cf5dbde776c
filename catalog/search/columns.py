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

# The snapshot's number columns and the SQL that reads each, in the order read. "hours"
# is the upper bound of a course's effort where known.
SNAPSHOT_NUMBERS = {
    "price": "price_eur",
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

# Sorts other than relevance: (snapshot column, ascending). Unknown values sort last.
SORT_COLUMNS = {
    "price": ("price", True),
    "duration": ("hours", True),
    "start_date": ("start", True),
    "rating": ("rating", False),
    "newest": ("first_seen", False),
}
