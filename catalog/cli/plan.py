"""``courseradar changes`` and ``courseradar calendar``: what changed about the courses of
a shortlist or a saved search, and their dates as an iCalendar file."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from catalog.cli import common
from catalog.cli.common import FormatOpt, OutOpt, UserError, check_lang, out, plain, user_errors

ShortlistOpt = Annotated[str | None, typer.Option("--shortlist", help="A shortlist's name.")]
SavedOpt = Annotated[str | None, typer.Option("--saved", help="A saved search's name.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of the texts: en or de.")]


def _one_of(shortlist: str | None, saved: str | None) -> tuple[str, str]:
    if (shortlist is None) == (saved is None):
        raise UserError("name one of --shortlist LIST or --saved SEARCH")
    return ("shortlist", shortlist) if shortlist is not None else ("saved", saved or "")


def changes_command(
    shortlist: ShortlistOpt = None,
    saved: SavedOpt = None,
    since: Annotated[
        str | None, typer.Option(help="Only changes after this day (YYYY-MM-DD, UTC).")
    ] = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
) -> None:
    """What changed about the courses of a shortlist or a saved search (price, cost,
    certificate, level, start date, removed or back), newest first."""
    from catalog import changes
    from catalog.cli.common import _dated

    check_lang(lang)
    if fmt not in ("table", "json"):
        raise UserError(f"unknown format {fmt!r}; use table or json")
    kind, name = _one_of(shortlist, saved)
    with user_errors():
        day = _dated(since, "--since")
        eng = common.engine()
        if kind == "shortlist":
            found = changes.shortlist_changes(eng, name, day)
        else:
            found = changes.saved_search_changes(eng, name, day)
    if fmt == "json":
        data = [c.as_dict(lang) for c in found]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if not found:
        out.print("no changes" if lang == "en" else "keine Änderungen")
        return
    title = f"{len(found)} " + ("Änderungen" if lang == "de" else "changes")
    table = Table(title=title, title_justify="left")
    for column in ("date", "id", "course", "change", "source"):
        table.add_column(column, overflow="fold")
    for change in found:
        table.add_row(
            change.at.strftime("%Y-%m-%d %H:%M"),
            str(change.course_id),
            plain(change.title),
            plain(change.text(lang)),
            plain(change.source or ""),
        )
    out.print(table)


def calendar_command(
    shortlist: ShortlistOpt = None,
    saved: SavedOpt = None,
    output: OutOpt = None,
    lang: LangOpt = "en",
) -> None:
    """An iCalendar (.ics) file of a shortlist's dates (start dates, your own plan) or of
    a saved search's upcoming start dates, for a calendar app."""
    from catalog import ical

    check_lang(lang)
    kind, name = _one_of(shortlist, saved)
    with user_errors():
        eng = common.engine()
        if kind == "shortlist":
            data = ical.shortlist_calendar(eng, name, lang)
        else:
            data = ical.saved_search_calendar(eng, name, lang)
    common.write(data, output, "ics")
