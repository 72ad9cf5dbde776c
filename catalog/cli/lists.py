"""``courseradar shortlist ...``: named shortlists of courses, with notes."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from catalog.cli import common
from catalog.cli.common import (
    FormatOpt,
    LangChoice,
    UserError,
    check_lang,
    out,
    plain,
    user_errors,
)
from catalog.export import export

shortlist_app = typer.Typer(help="Named shortlists of courses, with notes.", no_args_is_help=True)


@shortlist_app.command("new")
def shortlist_new(name: Annotated[str, typer.Argument(help="Name of the new list.")]) -> None:
    """Create an empty shortlist."""
    from catalog import shortlists

    with user_errors():
        shortlists.new_list(common.engine(), name)
    out.print(plain(f"created shortlist {' '.join(name.split())!r}"))


@shortlist_app.command("add")
def shortlist_add(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_ids: Annotated[list[int], typer.Argument(help="Course ids (see `search`).")],
    create: Annotated[bool, typer.Option(help="Create the list if it does not exist.")] = False,
) -> None:
    """Add courses at the end of a shortlist (ones already on it stay where they are)."""
    from catalog import shortlists

    with user_errors():
        eng = common.engine()
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

    with user_errors():
        removed = shortlists.remove(common.engine(), name, course_ids)
    out.print(f"removed {removed}")


@shortlist_app.command("note")
def shortlist_note(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_id: Annotated[int, typer.Argument(help="Course id.")],
    text: Annotated[str, typer.Argument(help="The note (empty to clear it).")],
) -> None:
    """Set the note of one course on a shortlist."""
    from catalog import shortlists

    with user_errors():
        shortlists.set_note(common.engine(), name, course_id, text)
    out.print("note saved")


@shortlist_app.command("plan")
def shortlist_plan(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_id: Annotated[int, typer.Argument(help="Course id.")],
    start: Annotated[
        str | None, typer.Option("--start", help="Plan to start on (YYYY-MM-DD).")
    ] = None,
    finish: Annotated[str | None, typer.Option("--finish", help="Finish by (YYYY-MM-DD).")] = None,
    clear: Annotated[bool, typer.Option(help="Clear both dates.")] = False,
) -> None:
    """Set your own dates for a course on a shortlist: when you plan to start it, and
    when you mean to finish it (they go into `courseradar calendar`). A date not given
    stays as it was."""
    from catalog import planning, shortlists

    with user_errors():
        eng = common.engine()
        if clear:
            planning.set_plan(eng, name, course_id, plan_start=None, finish_by=None)
            out.print("plan cleared")
            return
        current = next((r for r in shortlists.items(eng, name) if r["id"] == course_id), None)
        if current is None:
            raise UserError(f"course {course_id} is not on the shortlist {name!r}")
        planning.set_plan(
            eng,
            name,
            course_id,
            plan_start=start if start is not None else current["plan_start"],
            finish_by=finish if finish is not None else current["finish_by"],
        )
    out.print("plan saved")


@shortlist_app.command("move")
def shortlist_move(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    course_id: Annotated[int, typer.Argument(help="Course id.")],
    to: Annotated[str, typer.Argument(help="up, down, top, bottom or a position (1 = first).")],
) -> None:
    """Reorder a shortlist."""
    from catalog import shortlists

    with user_errors():
        shortlists.move(common.engine(), name, course_id, to)


@shortlist_app.command("rename")
def shortlist_rename(
    name: Annotated[str, typer.Argument(help="Current name.")],
    new_name: Annotated[str, typer.Argument(help="New name.")],
) -> None:
    """Rename a shortlist."""
    from catalog import shortlists

    with user_errors():
        shortlists.rename(common.engine(), name, new_name)


@shortlist_app.command("delete")
def shortlist_delete(name: Annotated[str, typer.Argument(help="Shortlist name.")]) -> None:
    """Delete a shortlist (the courses stay in the catalog)."""
    from catalog import shortlists

    with user_errors():
        shortlists.delete_list(common.engine(), name)
    out.print("deleted")


@shortlist_app.command("list")
def shortlist_list(fmt: FormatOpt = "table") -> None:
    """Every shortlist with its number of courses."""
    from catalog import shortlists

    if fmt not in ("table", "json"):
        raise UserError(f"unknown format {fmt!r}; use table or json")
    rows = shortlists.lists(common.engine())
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table()
    for column in ("id", "name", "courses", "created"):
        table.add_column(column)
    for row in rows:
        created = row["created_at"]
        table.add_row(
            str(row["id"]), plain(row["name"]), str(row["count"]), str(created)[:16] or ""
        )
    out.print(table)


@shortlist_app.command("show")
def shortlist_show(
    name: Annotated[str, typer.Argument(help="Shortlist name.")],
    fmt: FormatOpt = "table",
    lang: LangChoice = "en",
) -> None:
    """The courses of a shortlist in order, with effort, your dates and notes; removed
    courses are marked; the last line is what the list adds up to."""
    from catalog import planning, shortlists

    check_lang(lang)
    if fmt not in ("table", "json", "csv"):
        raise UserError(f"unknown format {fmt!r}; use table, json or csv")
    with user_errors():
        rows = shortlists.items(common.engine(), name)
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(export(rows, "csv", lang).decode("utf-8-sig"))
        return
    table = Table(title=planning.list_effort(rows).text(lang), title_justify="left")
    columns = ("#", "id", "title", "provider", "cost", "effort", "start", "plan", "status", "note")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        status = row["status"] or ""
        dates = " → ".join(str(row[k] or "…") for k in ("plan_start", "finish_by"))
        table.add_row(
            str(row["position"]),
            str(row["id"]),
            plain(row["title"]),
            plain(row["provider"] or ""),
            row["cost"] or "",
            planning.effort_text(row, lang),
            str(row["start_date"] or ""),
            "" if dates == "… → …" else dates,
            status.upper() if status == "removed" else status,
            plain(row["note"]),
        )
    out.print(table)
