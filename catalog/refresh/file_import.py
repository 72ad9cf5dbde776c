"""The file import: a CSV or JSON file of courses stored as one run of its own source.

Each row goes through the refresh's own normalise-and-scope step
(:func:`catalog.refresh.scope.normalize_and_scope`) and the in-scope records are stored
by :func:`catalog.refresh.importing.import_records` while the file is read, so a large
file never has to fit in memory; each full step is a transaction of its own, so a file that
cannot be read to its end keeps the whole steps read before (its run says failed, and how
many stay) and marks nothing stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from catalog.record import CourseRecord
from catalog.refresh import file_rows
from catalog.refresh.file_columns import RowResult
from catalog.refresh.importing import import_records
from catalog.refresh.lock import SourceLock
from catalog.refresh.runs import (
    ItemError,
    PlainError,
    RunReport,
    close_interrupted_runs,
    forget_source,
    source_exists,
)
from catalog.refresh.scope import current_rates, normalize_and_scope

NESTED = "values nested too deeply to read (JSON nested hundreds of levels); row skipped"


class FileImportError(Exception):
    """The file cannot be imported (its source name is taken, it is missing, or it cannot
    be read to its end); the message is one line for the user."""


@dataclass
class FileImport:
    """What :func:`import_file` did: the run's report and what the file's rows gave."""

    source: str
    report: RunReport
    rows: int  # rows read (blank CSV rows aside), imported or not
    skipped: list[ItemError]  # rows not imported: unreadable, or no source_id or title
    notes: list[str]  # things worth telling once, e.g. that the file was not UTF-8


def check_import(file: Path, source: str | None = None) -> str:
    """The source ``file`` imports into (``source``, default ``import:<file name>``);
    FileImportError when that is a source refreshed from its site or there is no file.
    Cheap, so a front end can call it before it opens the catalog."""
    from catalog.bootstrap import CURATED_SOURCE
    from scrapers import SOURCES

    name = source or f"import:{file.stem}"
    if name in SOURCES or name == CURATED_SOURCE:
        raise FileImportError(
            f"{name!r} is refreshed from its site; import into another source name, "
            f"e.g. --source import:{file.stem}"
        )
    if not file.is_file():
        raise FileImportError(f"no such file: {file}")
    return name


def import_file(
    engine: Engine,
    file: Path,
    *,
    source: str | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
) -> FileImport:
    """Import the courses of ``file``; rows outside the AI/ML scope are counted, not stored.

    ``fmt`` overrides the extension and ``mapping`` ({field: column}) the recognised
    column names (see :func:`catalog.refresh.file_rows.read_rows`). The run is not full:
    listings the file no longer has stay as they are.

    The import holds the source's lock (:class:`~catalog.refresh.lock.SourceLock`, as a
    refresh does): a second import of the same source at once is refused, and the runs a
    killed import left ``running`` are closed first.
    """
    name = check_import(file, source)
    lock = SourceLock(engine, name)
    if not lock.acquire():
        raise FileImportError(f"another import of {name} is running; try again when it ends")
    try:
        close_interrupted_runs(engine, name)
        rows = _Rows(file, name, fmt=fmt, mapping=mapping)
        known = source_exists(engine, name)
        try:
            report = import_records(
                engine, name, rows.records(), title=f"Imported from {file.name}",
                full=False, errors=rows.skipped, out_of_scope=rows.out_of_scope,
            )  # fmt: skip
        except Exception as exc:  # the open step was rolled back; whole steps stay
            if not known:  # a new source that wrote no listing leaves no trace
                forget_source(engine, name)
            if isinstance(exc, _Unreadable):
                raise FileImportError(str(exc)) from None
            raise
    finally:
        lock.release()
    return FileImport(name, report, rows.count, rows.skipped, rows.notes)


class _Unreadable(PlainError):
    """The import file could not be read to its end."""


class _Rows:
    """The file's in-scope records, read as the import takes them (never all at once).

    An id that was in scope once stays imported even if a later row of it is not.
    """

    def __init__(
        self, file: Path, source: str, *, fmt: str | None, mapping: dict[str, str] | None
    ) -> None:
        self.file, self.source, self.fmt, self.mapping = file, source, fmt, mapping
        self.rates = current_rates()
        self.count = 0
        self.skipped: list[ItemError] = []
        self.notes: list[str] = []
        self.in_scope: set[str] = set()
        self.out_of_scope: set[str] = set()

    def records(self) -> Iterator[CourseRecord]:
        try:
            for row in file_rows.read_rows(self.file, fmt=self.fmt, mapping=self.mapping or None):
                record = self._take(row)
                if record is not None:
                    yield record
        except (OSError, ValueError, UnicodeError) as exc:
            raise _Unreadable(f"cannot read {self.file}: {exc}") from None

    def _take(self, row: RowResult) -> CourseRecord | None:
        """The row's record if it is in scope; else it is counted or skipped."""
        self.count += 1
        if row.note:
            self.notes.append(row.note)
        key = f"line {row.line}"
        if row.error or row.raw is None:
            self.skipped.append(ItemError(key, "import", row.error or "row not readable"))
            return None
        try:
            got = normalize_and_scope(row.raw, source=self.source, rates=self.rates)
        except RecursionError:
            self.skipped.append(ItemError(key, "import", NESTED))
            return None
        if got.failed is not None or got.missing is not None:
            reason = got.failed or f"no {got.missing} after mapping"
            self.skipped.append(ItemError(key, "import", reason))
            return None
        if got.wanted:
            self.in_scope.add(got.source_id)
            self.out_of_scope.discard(got.source_id)
            return got.record
        if got.source_id not in self.in_scope:
            self.out_of_scope.add(got.source_id)
        return None
