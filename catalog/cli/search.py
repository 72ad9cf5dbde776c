"""``courseradar search`` and ``courseradar export``: one search, shown or written to a file.

Exports go through the same library calls as the app's download buttons, so a file from
here and a download there are the same bytes.
"""

from __future__ import annotations

import json
import sys
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
    if fmt == "json":
        sys.stdout.write(json.dumps(result.rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        from catalog.export import to_csv

        sys.stdout.write(to_csv(result.rows).decode("utf-8-sig"))
        return
    out.print(_result_table(query, result))
    from catalog.i18n import search_notes

    for note in search_notes(query, result.unknown):
        common.err.print(plain(note))


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
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")] = "csv",
    output: OutOpt = None,
    lang: LangChoice = "en",
) -> None:
    """Export every course of a search (all pages), or a shortlist, to a file."""
    from catalog import shortlists
    from catalog.search import searcher_for

    check_lang(lang)
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    with user_errors():
        query = filters.query(25)
        eng = common.engine()
        if shortlist is not None:
            if query.to_params():
                raise UserError("export either a search or --shortlist, not both")
            rows = shortlists.items(eng, shortlist)
        else:
            rows = list(searcher_for(eng).iter_all(validated(query, eng)))
        data = export(rows, fmt, lang)
    write(data, output, fmt)
    if output is not None:
        typer.echo(f"wrote {len(rows)} courses to {output}", err=True)
