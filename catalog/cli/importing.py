"""``courseradar import``: courses from a CSV, JSON or JSON Lines file into a source of
their own, counted like a refresh."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from catalog.cli import common
from catalog.cli.common import SHOWN_ERRORS, UserError, out, plain, save_snapshot

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console
    from sqlalchemy.engine import Engine

    from catalog.record import CourseRecord

# The helper names import_file's body uses, as in the module of refresh commands it came
# from: kept so that the body moved unchanged.
_user_error = UserError
_text = plain
_save_snapshot = save_snapshot


def _engine() -> Engine:
    return common.engine()


def _out() -> Console:
    return out


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, JSON or JSON Lines file of courses.")],
    source: Annotated[
        str | None, typer.Option(help="Source name (default: import:<file name>).")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: read FIELD from COLUMN (repeatable)."),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, json or jsonl (default: by extension).")
    ] = None,
) -> None:
    """Import courses from a file; rows outside the AI/ML scope are counted, not imported."""
    from catalog.bootstrap import CURATED_SOURCE
    from catalog.importer import read_rows
    from catalog.normalize import normalize_course
    from catalog.refresh import ItemError, current_rates, import_records, record_in_scope
    from scrapers import SOURCES

    if fmt is not None and fmt not in ("csv", "json", "jsonl"):
        raise _user_error(f"unknown format {fmt!r}; use csv, json or jsonl")
    fields: dict[str, str] = {}
    for item in mapping or ():
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise _user_error(f"--map takes FIELD=COLUMN, not {item!r}")
        fields[name.strip()] = column.strip()
    name = source or f"import:{file.stem}"
    if name in SOURCES or name == CURATED_SOURCE:
        raise _user_error(
            f"{name!r} is refreshed from its site; import into another source name, "
            f"e.g. --source import:{file.stem}"
        )
    if not file.is_file():
        raise _user_error(f"no such file: {file}")

    rates = current_rates()
    errors: list[ItemError] = []
    in_scope: set[str] = set()
    out_of_scope: set[str] = set()
    rows = 0
    notes: list[str] = []

    def records() -> Iterator[CourseRecord]:
        """The file's in-scope records, read as the import takes them (never all at
        once). An id that was in scope once stays imported even if a later row of it
        is not."""
        nonlocal rows
        try:
            for row in read_rows(file, fmt=fmt, mapping=fields or None):
                rows += 1
                if row.note:
                    notes.append(row.note)
                key = f"line {row.line}"
                if row.error or row.raw is None:
                    errors.append(ItemError(key, "import", row.error or "row not readable"))
                    continue
                record = normalize_course(row.raw, source=name, rates=rates)
                if not record.source_id or not record.title:
                    missing = "source_id" if not record.source_id else "title"
                    errors.append(ItemError(key, "import", f"no {missing} after mapping"))
                    continue
                if record_in_scope(record):
                    in_scope.add(record.source_id)
                    out_of_scope.discard(record.source_id)
                    yield record
                elif record.source_id not in in_scope:
                    out_of_scope.add(record.source_id)
        except (OSError, ValueError, UnicodeError) as exc:
            raise _Unreadable(f"cannot read {file}: {exc}") from None

    eng = _engine()
    try:
        report = import_records(
            eng, name, records(), title=f"Imported from {file.name}",
            full=False, errors=errors, out_of_scope=out_of_scope,
        )  # fmt: skip
    except _Unreadable as exc:  # nothing was written: the import is one transaction
        raise _user_error(str(exc)) from None
    _save_snapshot(eng)
    console = _out()
    merged = f" ({report.merged} as listings of known courses)" if report.merged else ""
    console.print(
        _text(
            f"{file.name} -> {name}: {rows} rows; added {report.added + report.merged}{merged}, "
            f"updated {report.updated}, unchanged {report.unchanged}, "
            f"out of scope {report.out_of_scope}, skipped {len(errors)}"
        )
    )
    for note in notes:
        console.print(_text(f"  note: {note}"))
    for e in errors[:SHOWN_ERRORS]:
        console.print(_text(f"  {e.key}: {e.reason}"))
    if len(errors) > SHOWN_ERRORS:
        console.print(_text(f"  ... and {len(errors) - SHOWN_ERRORS} more"))


class _Unreadable(Exception):
    """The import file could not be read to its end."""
