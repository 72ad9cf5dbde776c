"""The ``courseradar`` app: every command in the order ``--help`` lists them, and
:func:`main`, which turns every failure the user can cause or fix into one line on
stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import sys
from typing import Any

import typer

from catalog import db
from catalog.cli import (
    admin,
    explain,
    importing,
    lists,
    meaning,
    plan,
    refresh,
    saved,
    search,
    service,
)
from catalog.cli.common import UserError, err
from catalog.query import QueryError

app = typer.Typer(
    help="CourseRadar: find AI and machine-learning courses and certifications.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for _name, _command in (
    ("search", search.search),
    ("similar", meaning.similar),
    ("serve", service.serve),
    ("stats", admin.stats),
    ("refresh", refresh.refresh),
    ("parse", refresh.parse),
    ("import", importing.import_file),
    ("embed", meaning.embed),
    ("schedule", service.schedule),
    ("export", search.export_command),
    ("explain", explain.explain_command),
    ("feed", saved.feed_command),
    ("changes", plan.changes_command),
    ("calendar", plan.calendar_command),
):
    app.command(_name)(_command)
for _name, _group in (
    ("db", admin.db_app),
    ("sources", refresh.sources_app),
    ("rates", refresh.rates_app),
    ("shortlist", lists.shortlist_app),
    ("saved", saved.saved_app),
):
    app.add_typer(_group, name=_name)


def main() -> None:
    """Entry point: run the app, turning expected failures into one-line errors."""
    from catalog.curated import CuratedDataError

    expected: tuple[type[BaseException], ...] = (
        UserError,
        QueryError,
        db.DatabaseError,
        CuratedDataError,
    )
    try:
        # In non-standalone mode click returns a typer.Exit's code instead of raising it.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except expected as exc:
        # Plain write, not rich: a one-line message must not be wrapped at 80 columns.
        sys.stderr.write(f"error: {' '.join(str(exc).split())}\n")
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except Exception as exc:  # usage errors: click's, or those of the click copy typer ships
        import click

        # Typer >= 0.2x vendors click as typer._click, whose exceptions are not click's:
        # catching click.ClickException alone let "--limit abc" end in a traceback.
        usage = (click.exceptions.ClickException, typer.TyperException)
        error: Any = exc
        if isinstance(exc, usage) and type(exc).__name__ == "NoArgsIsHelpError":
            error.show()  # the help text, as the bare command asked for
            raise SystemExit(2) from None
        if isinstance(exc, usage) and hasattr(exc, "format_message"):
            message = " ".join(str(error.format_message()).split())
            path = getattr(getattr(error, "ctx", None), "command_path", "")
            hint = f" (see {path} --help)" if path else ""
            sys.stderr.write(f"error: {message}{hint}\n")
            raise SystemExit(getattr(error, "exit_code", 2) or 2) from None
        if isinstance(exc, click.exceptions.Abort | typer.Abort) or type(exc).__name__ == "Abort":
            raise SystemExit(1) from None
        raise
