"""CLI commands for a person's own data: shortlists, exports, saved searches, feeds.

Registered on the main Typer app by :func:`register` (called at the end of catalog/cli.py).
Library errors become :class:`catalog.cli.UserError`, which ``main()`` prints as one line
with a non-zero exit. Exports go through the same library calls as the app's download
buttons, so a file from here and a download there are the same bytes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from catalog.cli import (
    CertOpt,
    CostOpt,
    KindOpt,
    LangOpt,
    LevelOpt,
    PaceOpt,
    ProviderOpt,
    SourceOpt,
    StatusOpt,
    TopicOpt,
    UserError,
    _plain,
    build_query,
    engine,
    out,
)
from catalog.export import FORMATS, ExportError, export
from catalog.filters import BOUND
from catalog.i18n import LANGS, describe
from catalog.query import SORTS, Query, QueryError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

shortlist_app = typer.Typer(help="Named shortlists of courses, with notes.", no_args_is_help=True)
saved_app = typer.Typer(help="Saved searches to come back to.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", help="table, json or csv.")]
LangChoice = Annotated[str, typer.Option("--lang", help="Language of column headers: en or de.")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")]
TextArg = Annotated[str | None, typer.Argument(help="Words to search for.")]
MaxPrice = Annotated[float | None, typer.Option(help=BOUND["max_price_eur"].help)]
MinHours = Annotated[float | None, typer.Option(help=BOUND["min_hours"].help)]
MaxHours = Annotated[float | None, typer.Option(help=BOUND["max_hours"].help)]
StartFrom = Annotated[str | None, typer.Option(help=BOUND["start_from"].help)]
StartTo = Annotated[str | None, typer.Option(help=BOUND["start_to"].help)]
MinRating = Annotated[float | None, typer.Option(help=BOUND["min_rating"].help)]
SortOpt = Annotated[str, typer.Option(help=f"One of: {', '.join(SORTS)}.")]


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's one-line errors into the CLI's one-line errors."""
    from catalog.shortlists import UserDataError

    try:
        yield
    except (UserDataError, QueryError, ExportError) as exc:
        raise UserError(str(exc)) from None


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}; use {' or '.join(LANGS)}")


def _write(data: bytes, output: Path | None, what: str) -> None:
    """Bytes to ``output`` (or stdout); binary files are not sent to a terminal."""
    if output is None:
        if what == "xlsx" and sys.stdout.isatty():
            raise UserError("an xlsx file cannot go to the terminal; add -o FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None


def _validated(query: Query, eng: Engine) -> Query:
    """The checks `search` makes (sources included), so export and save refuse what it does."""
    from catalog.search import validate

    return validate(eng, query)


# -- shortlists --------------------------------------------------------------------


@shortlist_app.command("new")
def shortlist_new(name: Annotated[str, typer.Argument(help="Name of the new list.")]) -> None:
    """Create an empty shortlist."""
    from catalog import shortlists

    with _user_errors():
        shortlists.new_list(engine(), name)
    out.print(_plain(f"created shortlist {' '.join(name.split())!r}"))


@shortlist_app.command("add")
def shortlist_add(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_ids: Annotated[list[int], typer.Argument(help="Course ids (see `search`).")],
    create: Annotated[bool, typer.Option(help="Create the list if it does not exist.")] = False,
) -> None:
    """Add courses at the end of a shortlist (ones already on it stay where they are)."""
    from catalog import shortlists

    with _user_errors():
        eng = engine()
        if create:
            shortlists.ensure_list(eng, name)
        added = shortlists.add(eng, name, course_ids)
    out.print(f"added {added} of {len(course_ids)}")


@shortlist_app.command("remove")
def shortlist_remove(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_ids: Annotated[list[int], typer.Argument(help="Course ids.")],
) -> None:
    """Take courses off a shortlist."""
    from catalog import shortlists

    with _user_errors():
        removed = shortlists.remove(engine(), name, course_ids)
    out.print(f"removed {removed}")


@shortlist_app.command("note")
def shortlist_note(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_id: Annotated[int, typer.Argument(help="Course id.")],
    text: Annotated[str, typer.Argument(help="The note (empty to clear it).")],
) -> None:
    """Set the note of one course on a shortlist."""
    from catalog import shortlists

    with _user_errors():
        shortlists.set_note(engine(), name, course_id, text)
    out.print("note saved")


@shortlist_app.command("move")
def shortlist_move(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_id: Annotated[int, typer.Argument(help="Course id.")],
    to: Annotated[str, typer.Argument(help="up, down, top, bottom or a position (1 = first).")],
) -> None:
    """Reorder a shortlist."""
    from catalog import shortlists

    with _user_errors():
        shortlists.move(engine(), name, course_id, to)


@shortlist_app.command("rename")
def shortlist_rename(
    name: Annotated[str, typer.Argument(help="Current name.")],
    new_name: Annotated[str, typer.Argument(help="New name.")],
) -> None:
    """Rename a shortlist."""
    from catalog import shortlists

    with _user_errors():
        shortlists.rename(engine(), name, new_name)


@shortlist_app.command("delete")
def shortlist_delete(name: Annotated[str, typer.Argument(help="Shortlist name.")]) -> None:
    """Delete a shortlist (the courses stay in the catalog)."""
    from catalog import shortlists

    with _user_errors():
        shortlists.delete_list(engine(), name)
    out.print("deleted")


@shortlist_app.command("list")
def shortlist_list(fmt: FormatOpt = "table") -> None:
    """Every shortlist with its number of courses."""
    from catalog import shortlists

    if fmt not in ("table", "json"):
        raise UserError(f"unknown format {fmt!r}; use table or json")
    rows = shortlists.lists(engine())
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table()
    for column in ("id", "name", "courses", "created"):
        table.add_column(column)
    for row in rows:
        created = row["created_at"]
        table.add_row(
            str(row["id"]), _plain(row["name"]), str(row["count"]), str(created)[:16] or ""
        )
    out.print(table)


@shortlist_app.command("show")
def shortlist_show(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    fmt: FormatOpt = "table",
    lang: LangChoice = "en",
) -> None:
    """The courses of a shortlist in order, with notes; removed courses are marked."""
    from catalog import shortlists

    _check_lang(lang)
    if fmt not in ("table", "json", "csv"):
        raise UserError(f"unknown format {fmt!r}; use table, json or csv")
    with _user_errors():
        rows = shortlists.items(engine(), name)
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(export(rows, "csv", lang).decode("utf-8-sig"))
        return
    table = Table(title=f"{len(rows)} courses", title_justify="left")
    for column in ("#", "id", "title", "provider", "cost", "status", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        status = row["status"] or ""
        table.add_row(
            str(row["position"]),
            str(row["id"]),
            _plain(row["title"]),
            _plain(row["provider"] or ""),
            row["cost"] or "",
            status.upper() if status == "removed" else status,
            _plain(row["note"]),
        )
    out.print(table)


# -- export ------------------------------------------------------------------------


def export_command(
    text: TextArg = None,
    topic: TopicOpt = None,
    provider: ProviderOpt = None,
    source: SourceOpt = None,
    kind: KindOpt = None,
    cost: CostOpt = None,
    certificate: CertOpt = None,
    level: LevelOpt = None,
    language: LangOpt = None,
    pace: PaceOpt = None,
    status: StatusOpt = None,
    max_price_eur: MaxPrice = None,
    min_hours: MinHours = None,
    max_hours: MaxHours = None,
    start_from: StartFrom = None,
    start_to: StartTo = None,
    min_rating: MinRating = None,
    sort: SortOpt = "relevance",
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

    _check_lang(lang)
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    with _user_errors():
        query = build_query(
            text, topic, provider, source, kind, cost, certificate, level, language, pace,
            status, max_price_eur, min_hours, max_hours, start_from, start_to, min_rating,
            sort, 25,
        )  # fmt: skip
        eng = engine()
        if shortlist is not None:
            if query.to_params():
                raise UserError("export either a search or --shortlist, not both")
            rows = shortlists.items(eng, shortlist)
        else:
            rows = list(searcher_for(eng).iter_all(_validated(query, eng)))
        data = export(rows, fmt, lang)
    _write(data, output, fmt)
    if output is not None:
        typer.echo(f"wrote {len(rows)} courses to {output}", err=True)


# -- saved searches and feeds ------------------------------------------------------


@saved_app.command("save")
def saved_save(
    name: Annotated[str, typer.Argument(help="Name for the search.")],
    text: TextArg = None,
    topic: TopicOpt = None,
    provider: ProviderOpt = None,
    source: SourceOpt = None,
    kind: KindOpt = None,
    cost: CostOpt = None,
    certificate: CertOpt = None,
    level: LevelOpt = None,
    language: LangOpt = None,
    pace: PaceOpt = None,
    status: StatusOpt = None,
    max_price_eur: MaxPrice = None,
    min_hours: MinHours = None,
    max_hours: MaxHours = None,
    start_from: StartFrom = None,
    start_to: StartTo = None,
    min_rating: MinRating = None,
    sort: SortOpt = "relevance",
    replace: Annotated[bool, typer.Option(help="Overwrite a search of that name.")] = False,
) -> None:
    """Save a search (the same options as `search`) under a name."""
    from catalog import saved_searches

    with _user_errors():
        query = build_query(
            text, topic, provider, source, kind, cost, certificate, level, language, pace,
            status, max_price_eur, min_hours, max_hours, start_from, start_to, min_rating,
            sort, 25,
        )  # fmt: skip
        eng = engine()
        _validated(query, eng)
        saved_searches.save(eng, name, query, replace_existing=replace)
    out.print(_plain(f"saved {' '.join(name.split())!r}"))


@saved_app.command("list")
def saved_list(fmt: FormatOpt = "table") -> None:
    """Saved searches with how many courses are new since you last looked."""
    from catalog import saved_searches
    from catalog.search import searcher_for

    if fmt not in ("table", "json"):
        raise UserError(f"unknown format {fmt!r}; use table or json")
    eng = engine()
    rows = saved_searches.list(eng)
    if fmt == "json":
        data = [
            {k: v for k, v in row.items() if k != "query_obj"} for row in rows
        ]  # Query objects are not JSON; "query" holds its params
        sys.stdout.write(json.dumps(data, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table()
    for column in ("name", "new", "search", "last viewed"):
        table.add_column(column, overflow="fold")
    for row in rows:
        query: Query | None = row["query_obj"]
        summary = "(unreadable)"
        if query is not None:
            summary = describe(query, searcher_for(eng).search(query, with_rows=False).total)
        viewed = row["last_viewed_at"]
        table.add_row(
            _plain(row["name"]),
            str(row["new"]),
            _plain(summary),
            viewed.strftime("%Y-%m-%d %H:%M") if viewed else "never",
        )
    out.print(table)


@saved_app.command("delete")
def saved_delete(name: Annotated[str, typer.Argument(help="Saved search name.")]) -> None:
    """Delete a saved search."""
    from catalog import saved_searches

    with _user_errors():
        saved_searches.delete(engine(), name)
    out.print("deleted")


def feed_command(
    name: Annotated[str, typer.Argument(help="Saved search name.")],
    output: OutOpt = None,
    base_url: Annotated[
        str | None, typer.Option(help="Address of the app, for links back (http/https).")
    ] = None,
) -> None:
    """An Atom feed of the courses new for a saved search, for a feed reader."""
    from catalog import saved_searches

    with _user_errors():
        data = saved_searches.atom_feed(engine(), name, base_url=base_url)
    _write(data, output, "atom")


def register(app: typer.Typer) -> None:
    """Attach these commands to the main ``courseradar`` app."""
    app.add_typer(shortlist_app, name="shortlist")
    app.add_typer(saved_app, name="saved")
    app.command("export")(export_command)
    app.command("feed")(feed_command)
