"""One Query -> rows, total and facet counts; shared by the CLI, the app and the exports.

Full-text matching runs in the database (SQLite FTS5 or a PostgreSQL tsvector), with
user text reduced to word tokens that are always passed as bound parameters. Filters,
facet counts and sorting run on a compact in-memory column snapshot of the catalog
(numpy arrays), reloaded when the catalog version changes: the matching set is
computed once and every facet is counted from it in one pass, which is what keeps a
search with all facets under 50 ms at 100k courses. Counts are datasette-style: each
facet's counts respect the filters of every *other* facet.

``columns`` says what the snapshot holds (facets, numbers, range filters, sorts),
``snapshot`` reads, saves and loads it, ``match`` is the full-text match, ``facets``
the filters and counts, ``rows`` the order and the result rows, ``searcher`` the public
API. Names are looked up in those modules (patch them there); this package re-exports
what callers use.
"""

from catalog.query import (
    DEFAULT_STATUSES,
    FACET_ATTR,
    FACETS,
    MAX_PER_PAGE,
    MULTI,
    SINGLE,
    SORTS,
    Query,
    QueryError,
)
from catalog.search.columns import JOINED, NUMBER_COLUMNS
from catalog.search.facets import FACET_LIMIT, FacetValue
from catalog.search.rows import (
    COURSE,
    ROW_FIELDS,
    SearchResult,
    _as_list,
    _first,
    course_detail,
    fetch_rows,
)
from catalog.search.searcher import (
    SPARSE_SHARE,
    Searcher,
    query_as_dict,
    save_snapshot,
    search,
    searcher_for,
    sparse_ranges,
    validate,
)
from catalog.search.snapshot import (
    NONE,
    SEP,
    SNAPSHOT_FORMAT,
    Snapshot,
    _joined_columns,
    snapshot_file,
    snapshot_sql,
)

__all__ = [
    "COURSE",
    "DEFAULT_STATUSES",
    "FACETS",
    "FACET_ATTR",
    "FACET_LIMIT",
    "JOINED",
    "MAX_PER_PAGE",
    "MULTI",
    "NONE",
    "NUMBER_COLUMNS",
    "ROW_FIELDS",
    "SEP",
    "SINGLE",
    "SNAPSHOT_FORMAT",
    "SORTS",
    "SPARSE_SHARE",
    "FacetValue",
    "Query",
    "QueryError",
    "SearchResult",
    "Searcher",
    "Snapshot",
    "_as_list",
    "_first",
    "_joined_columns",
    "course_detail",
    "fetch_rows",
    "query_as_dict",
    "save_snapshot",
    "search",
    "searcher_for",
    "snapshot_file",
    "snapshot_sql",
    "sparse_ranges",
    "validate",
]
