"""Writing courses into the catalog: bulk upserts, cross-source merging, status marking.

``upsert_records`` writes a batch in one transaction; ``upsert_in`` with a checkpoint (the
import stage) commits each full step whole, so a long import never locks other writers out
and a failing one keeps whole steps only, never half a step. Listings are upserted by
(source, source_id) with ``INSERT ... ON CONFLICT`` on both dialects; the course a listing
belongs to is found by dedupe (canonical URL, then provider and fuzzy title) against courses
of *other* sources: a source's own listings are told apart by their source_id.

``merging`` says which source's value wins, ``serialise`` spells records as rows,
``upsert`` streams a source's records in, ``bulk`` is the SQL that writes them and
``status`` marks what a source stopped listing. Names are looked up in those modules
(patch them there); this package re-exports what callers use.
"""

from catalog.store.bulk import (
    CHUNK,
    COURSE,
    EVENT,
    FTS_BULK,
    LISTING,
    SOURCE,
    TEMPORAL_COLUMNS,
    JSONText,
    _fts_config,
    paused_gc,
    utcnow,
)
from catalog.store.merging import (
    LIST_FIELDS,
    SCALAR_FIELDS,
    SEARCH_LIMIT,
    merge,
)
from catalog.store.serialise import JSON_COLUMNS, dumps, json_list, record_hash
from catalog.store.status import mark_missing, recompute_courses, set_source
from catalog.store.upsert import STEP, UpsertResult, upsert_in, upsert_records

__all__ = [
    "CHUNK",
    "COURSE",
    "EVENT",
    "FTS_BULK",
    "JSON_COLUMNS",
    "LISTING",
    "LIST_FIELDS",
    "SCALAR_FIELDS",
    "SEARCH_LIMIT",
    "SOURCE",
    "STEP",
    "TEMPORAL_COLUMNS",
    "JSONText",
    "UpsertResult",
    "_fts_config",
    "dumps",
    "json_list",
    "mark_missing",
    "merge",
    "paused_gc",
    "recompute_courses",
    "record_hash",
    "set_source",
    "upsert_in",
    "upsert_records",
    "utcnow",
]
