"""The refresh pipeline, in the manner of ckanext-harvest: gather -> fetch -> import.

Each stage is a plain function a test can call without any scheduler, one module each:

    runs        the RefreshRun row of a run, its RefreshItem errors, interrupted runs closed
    lock        one refresh per source at a time (file lock / PostgreSQL advisory lock)
    harvesting  gather -> fetch -> parse, bounded by a page budget, never raising for a page
    scope       normalise + the scope rule (the step a file import shares)
    importing   the records of a run stored a step (transaction) at a time
    one_source  one source end to end (refresh_source)
    parallel    sources concurrently through one fetcher (refresh_sources)
    check       does one small page of a source still parse?
    memo        what the last complete run saw, so an unchanged source is not parsed again
    file_rows, file_columns, file_import   ``courseradar import`` of a CSV or JSON file

Every failure of one page or record becomes an :class:`ItemError` (a RefreshItem row) and
the run goes on. Listings are marked stale only after a run that saw the *whole* source; a
run that returns far fewer listings than the source had is a failed run, not a mass
removal; and several ``courseradar refresh`` processes share the sources between them
instead of refreshing one twice.

The names below are the ones code outside the package uses.
"""

from catalog.refresh.check import CheckResult, check_source
from catalog.refresh.harvesting import DEFAULT_MAX_PAGES, Harvest, harvest
from catalog.refresh.importing import MAX_SOURCE_ID_CHARS, import_records, live_listing_count
from catalog.refresh.lock import SourceLock, lock_dir
from catalog.refresh.one_source import refresh_source
from catalog.refresh.parallel import MAX_PARALLEL_SOURCES, refresh_sources
from catalog.refresh.runs import (
    INTERRUPTED,
    STAGES,
    ItemError,
    Progress,
    RunReport,
    close_interrupted_runs,
    one_line,
    start_run,
)
from catalog.refresh.scope import (
    Normalized,
    Normalizer,
    current_rates,
    normalize_all,
    rates_path,
    record_in_scope,
)

__all__ = [
    "DEFAULT_MAX_PAGES",
    "INTERRUPTED",
    "MAX_PARALLEL_SOURCES",
    "MAX_SOURCE_ID_CHARS",
    "STAGES",
    "CheckResult",
    "Harvest",
    "ItemError",
    "Normalized",
    "Normalizer",
    "Progress",
    "RunReport",
    "SourceLock",
    "check_source",
    "close_interrupted_runs",
    "current_rates",
    "harvest",
    "import_records",
    "live_listing_count",
    "lock_dir",
    "normalize_all",
    "one_line",
    "rates_path",
    "record_in_scope",
    "refresh_source",
    "refresh_sources",
    "start_run",
]
