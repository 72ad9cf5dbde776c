"""``courseradar saved ...`` and ``courseradar feed``: saved searches to come back to, and
the Atom feed of what is new for one of them."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from catalog.cli import common
from catalog.cli.common import (
    FormatOpt,
    OutOpt,
    SearchFilters,
    UserError,
    out,
    plain,
    search_filters,
    user_errors,
    validated,
    write,
)
from catalog.i18n import describe

if TYPE_CHECKING:
    from catalog.query import Query

saved_app = typer.Typer(help="Saved searches to come back to.", no_args_is_help=True)


@saved_app.command("save")
@search_filters
def saved_save(
    name: Annotated[str, typer.Argument(help="Name for the search.")],
    filters: SearchFilters,
    replace: Annotated[bool, typer.Option(help="Overwrite a search of that name.")] = False,
) -> None:
    """Save a search (the same options as `search`) under a name."""
    from catalog import saved_searches

    with user_errors():
        query = filters.query(25)
        eng = common.engine()
        validated(query, eng)
        saved_searches.save(eng, name, query, replace_existing=replace)
        address = saved_searches.feed_url(eng, name, APP_ADDRESS)
    out.print(plain(f"saved {' '.join(name.split())!r}"))
    out.print(plain(f"its feed, while `courseradar serve` runs: {address}"))


# Where `courseradar serve` listens by default: the feeds' addresses the CLI prints.
APP_ADDRESS = "http://localhost:8501"
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(help=f"Address of the app (http/https), default {APP_ADDRESS}."),
]


@saved_app.command("list")
def saved_list(fmt: FormatOpt = "table") -> None:
    """Saved searches with how many courses are new since you last looked."""
    from catalog import saved_searches
    from catalog.search import searcher_for

    if fmt not in ("table", "json"):
        raise UserError(f"unknown format {fmt!r}; use table or json")
    eng = common.engine()
    rows = saved_searches.list(eng)
    if fmt == "json":
        data = [
            {k: v for k, v in row.items() if k != "query_obj"} for row in rows
        ]  # Query objects are not JSON; "query" holds its params
        sys.stdout.write(json.dumps(data, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table()
    for column in ("name", "new", "search", "last viewed", "feed"):
        table.add_column(column, overflow="fold")
    for row in rows:
        query: Query | None = row["query_obj"]
        summary = "(unreadable)"
        if query is not None:
            summary = describe(query, searcher_for(eng).search(query, with_rows=False).total)
        viewed = row["last_viewed_at"]
        table.add_row(
            plain(row["name"]),
            str(row["new"]),
            plain(summary),
            viewed.strftime("%Y-%m-%d %H:%M") if viewed else "never",
            saved_searches.feed_url(eng, row["name"], APP_ADDRESS),
        )
    out.print(table)


@saved_app.command("delete")
def saved_delete(name: Annotated[str, typer.Argument(help="Saved search name.")]) -> None:
    """Delete a saved search."""
    from catalog import saved_searches

    with user_errors():
        saved_searches.delete(common.engine(), name)
    out.print("deleted")


def feed_command(
    name: Annotated[str | None, typer.Argument(help="Saved search name.")] = None,
    shortlist: Annotated[
        str | None, typer.Option("--shortlist", help="A shortlist's feed instead.")
    ] = None,
    output: OutOpt = None,
    base_url: BaseUrlOpt = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the texts: en or de.")] = "en",
) -> None:
    """An Atom feed for a feed reader: a saved search's new courses and changes (its links
    open the search on the app; `courseradar serve` serves it at the address printed), or
    the changes of a shortlist's courses (--shortlist)."""
    from catalog import feeds, saved_searches
    from catalog.cli.common import check_lang

    check_lang(lang)
    if (name is None) == (shortlist is None):
        raise UserError("name a saved search, or a shortlist with --shortlist LIST")
    with user_errors():
        eng = common.engine()
        address = None
        if shortlist is not None:
            data = feeds.shortlist_feed(eng, shortlist, lang)
        else:
            base = saved_searches.check_base_url(base_url) or APP_ADDRESS
            data = saved_searches.atom_feed(eng, name or "", base_url=base, lang=lang)
            address = saved_searches.feed_url(eng, name or "", base)
    write(data, output, "atom")
    if address:
        typer.echo(f"subscribe while `courseradar serve` runs: {address}", err=True)
