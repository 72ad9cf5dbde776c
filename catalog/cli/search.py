"""``courseradar search`` and ``courseradar export``: one search, shown or written to a file.

Exports go through the same library calls as the app's download buttons, so a file from
here and a download there are the same bytes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from catalog.cli import common
from catalog.cli.common import (
    FormatOpt,
    LangChoice,
    OutOpt,
    SearchFilters,
    UserError,
    check_lang,
    out,
    plain,
    search_filters,
    user_errors,
    validated,
    write,
)
from catalog.cli.meaning import note_words_only
from catalog.export import FORMATS, export

if TYPE_CHECKING:
    from catalog.query import Query
    from catalog.search import SearchResult

TABLE_COLUMNS = ("id", "title", "provider", "cost", "EUR", "certificate", "level", "lang", "h")


@search_filters
def search(
    filters: SearchFilters,
    limit: Annotated[int, typer.Option(help="How many rows to show.")] = 20,
    fmt: FormatOpt = "table",
) -> None:
    """Search the catalog. Values of one filter combine with OR, different filters with AND."""
    from catalog.search import search as run_search

    if fmt not in ("table", "json", "csv"):
        raise UserError(f"unknown format {fmt[:40]!r}; use table, json or csv")
    query = filters.query(limit)
    result = run_search(common.engine(), query)
    note_words_only(result)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        from catalog.export import to_csv

        sys.stdout.write(to_csv(result.rows).decode("utf-8-sig"))
        return
    out.print(_result_table(query, result))
    from catalog.i18n import search_notes

    for note in [*search_notes(query, result.unknown), *_sparse_notes(query)]:
        common.err.print(plain(note))


def _sparse_notes(query: Query) -> list[str]:
    """For each range filter or sort the query uses that most courses state no value for:
    how few do, so an empty or oddly ordered answer is understood."""
    from catalog.filters import RANGE
    from catalog.i18n import sparse_note
    from catalog.search import sparse_ranges

    notes = []
    for name, (known, size) in sparse_ranges(common.engine()).items():
        row = RANGE[name]
        used = [
            f"--{b.attr.replace('_', '-')}"
            for b in row.bounds
            if getattr(query, b.attr) is not None
        ]
        used += [f"--sort {row.sort}"] if row.sort and query.sort == row.sort else []
        if used:
            few = sparse_note(name, known, size)
            notes.append(
                f"note: {few[0].lower()}{few[1:]}; {' and '.join(used)} "
                "leave out the rest or put them last"
            )
    return notes


def _result_table(query: Query, result: SearchResult) -> Table:
    """One row per course, under the sentence that says what was searched for."""
    from catalog.i18n import describe, hours_text, price_text

    table = Table(title=describe(query, result.total), title_justify="left")
    for column in TABLE_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in result.rows:
        cells = (
            str(row["id"]),
            row["title"],
            row["provider"] or "",
            row["cost"] or "",
            price_text(row).removesuffix(" €"),
            row["certificate"] or "",
            row["level"] or "",
            ",".join(row["languages"]),
            hours_text(row, dash="-"),
        )
        table.add_row(*(plain(c) for c in cells))
    return table


@search_filters
def export_command(
    filters: SearchFilters,
    shortlist: Annotated[
        str | None, typer.Option("--shortlist", help="Export this shortlist instead.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"One of: {', '.join(FORMATS)} (default: from the -o file's extension, else csv).",
        ),
    ] = None,
    output: OutOpt = None,
    lang: LangChoice = "en",
) -> None:
    """Export every course of a search (all pages), or a shortlist, to a file.

    Cells hold labels in --lang (JSON keeps the record's codes). An xlsx file is never
    written to a terminal: without -o it goes to a file named after the search or list."""
    from catalog import shortlists
    from catalog.export import file_stem, search_file_stem
    from catalog.search import searcher_for

    check_lang(lang)
    fmt = export_format(fmt, output)
    with user_errors():
        query = filters.query(25)
        eng = common.engine()
        if shortlist is not None:
            if query.to_params():
                raise UserError("export either a search or --shortlist, not both")
            rows = shortlists.items(eng, shortlist)
            stem = file_stem(shortlist)
        else:
            rows = list(searcher_for(eng).iter_all(validated(query, eng)))
            stem = search_file_stem(query)
        data = export(rows, fmt, lang)
    if output is None and fmt in BINARY and sys.stdout.isatty():
        output = Path(f"{stem}.{fmt}")
        if output.exists():
            raise UserError(f"{output} exists; name the file to write with -o FILE")
    write(data, output, fmt)
    if output is not None:
        typer.echo(f"wrote {len(rows)} courses to {output}", err=True)


BINARY = ("xlsx",)  # formats never written to a terminal


def export_format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, else the one the output file's extension names, else csv; a
    format that contradicts the file's extension is refused (CSV text in out.xlsx)."""
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    named = {"markdown": "md"}.get(suffix, suffix)
    if fmt is None:
        return named if named in FORMATS else "csv"
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if named in FORMATS and named != fmt:
        raise UserError(f"--format {fmt} does not match {output}; drop --format or rename the file")
    return fmt
