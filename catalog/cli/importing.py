"""``courseradar import``: courses from a CSV, JSON or JSON Lines file into a source of
their own, counted like a refresh (the pipeline is catalog.refresh.file_import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catalog.cli import common
from catalog.cli.common import SHOWN_ERRORS, UserError, out, plain, save_snapshot


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
    from catalog.refresh.file_import import FileImportError, check_import
    from catalog.refresh.file_import import import_file as import_courses

    if fmt is not None and fmt not in ("csv", "json", "jsonl"):
        raise UserError(f"unknown format {fmt!r}; use csv, json or jsonl")
    fields = _field_map(mapping or ())
    try:
        name = check_import(file, source)  # before the catalog is opened
        eng = common.engine()
        done = import_courses(eng, file, source=name, fmt=fmt, mapping=fields)
    except FileImportError as exc:
        raise UserError(str(exc)) from None
    save_snapshot(eng)
    report, errors = done.report, done.skipped
    merged = f" ({report.merged} as listings of known courses)" if report.merged else ""
    out.print(
        plain(
            f"{file.name} -> {name}: {done.rows} rows; "
            f"added {report.added + report.merged}{merged}, "
            f"updated {report.updated}, unchanged {report.unchanged}, "
            f"out of scope {report.out_of_scope}, skipped {len(errors)}"
        )
    )
    for note in done.notes:
        out.print(plain(f"  note: {note}"))
    for e in errors[:SHOWN_ERRORS]:
        out.print(plain(f"  {e.key}: {e.reason}"))
    if len(errors) > SHOWN_ERRORS:
        out.print(plain(f"  ... and {len(errors) - SHOWN_ERRORS} more"))


def _field_map(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--map FIELD=COLUMN`` options as a mapping; a malformed one is a UserError."""
    fields: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise UserError(f"--map takes FIELD=COLUMN, not {item!r}")
        fields[name.strip()] = column.strip()
    return fields
