"""The ``courseradar`` command line (Typer + rich): a thin front end over the library.

Every failure the user can cause or fix ends as one line on stderr and a non-zero
exit code, never a traceback: see :func:`main`.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from catalog import db
from catalog.filters import BOUND, FACET
from catalog.query import SORTS, Query, QueryError

if TYPE_CHECKING:  # the search engine (numpy, SQLModel) loads only for commands that search
    from sqlalchemy.engine import Engine

app = typer.Typer(
    help="CourseRadar: find AI and machine-learning courses and certifications.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)
err = Console(stderr=True)


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def engine() -> Engine:
    """The catalog engine with the schema upgraded and the starter catalog loaded."""
    from catalog.bootstrap import open_catalog

    return open_catalog()


# -- search ---------------------------------------------------------------------------


def _facet_option(name: str) -> Any:
    """A facet's repeatable option, named and explained by its row in catalog.filters."""
    return typer.Option(FACET[name].option, help=FACET[name].help)


TopicOpt = Annotated[list[str] | None, _facet_option("topic")]
ProviderOpt = Annotated[list[str] | None, _facet_option("provider")]
SourceOpt = Annotated[list[str] | None, _facet_option("source")]
KindOpt = Annotated[list[str] | None, _facet_option("kind")]
CostOpt = Annotated[list[str] | None, _facet_option("cost")]
CertOpt = Annotated[list[str] | None, _facet_option("certificate")]
LevelOpt = Annotated[list[str] | None, _facet_option("level")]
LangOpt = Annotated[list[str] | None, _facet_option("language")]
PaceOpt = Annotated[list[str] | None, _facet_option("pace")]
StatusOpt = Annotated[list[str] | None, _facet_option("status")]


def build_query(
    text: str | None,
    topic: list[str] | None,
    provider: list[str] | None,
    source: list[str] | None,
    kind: list[str] | None,
    cost: list[str] | None,
    certificate: list[str] | None,
    level: list[str] | None,
    language: list[str] | None,
    pace: list[str] | None,
    status: list[str] | None,
    max_price_eur: float | None,
    min_hours: float | None,
    max_hours: float | None,
    start_from: str | None,
    start_to: str | None,
    min_rating: float | None,
    sort: str,
    limit: int,
) -> Query:
    """A Query from CLI options; shared by ``search`` and ``export``."""

    def dated(value: str | None, flag: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise QueryError(f"{flag} must be a date like 2026-01-31, not {value[:40]!r}") from None

    return Query(
        text=text or "",
        topics=tuple(topic or ()),
        providers=tuple(provider or ()),
        sources=tuple(source or ()),
        kinds=tuple(kind or ()),
        costs=tuple(cost or ()),
        certificates=tuple(certificate or ()),
        levels=tuple(level or ()),
        languages=tuple(code.lower() for code in language or ()),
        paces=tuple(pace or ()),
        statuses=tuple(status or ()),
        max_price_eur=max_price_eur,
        min_hours=min_hours,
        max_hours=max_hours,
        start_from=dated(start_from, "--start-from"),
        start_to=dated(start_to, "--start-to"),
        min_rating=min_rating,
        sort=sort,
        per_page=limit,
    )


@app.command()
def search(
    text: Annotated[str | None, typer.Argument(help="Words to search for.")] = None,
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
    max_price_eur: Annotated[float | None, typer.Option(help=BOUND["max_price_eur"].help)] = None,
    min_hours: Annotated[float | None, typer.Option(help=BOUND["min_hours"].help)] = None,
    max_hours: Annotated[float | None, typer.Option(help=BOUND["max_hours"].help)] = None,
    start_from: Annotated[str | None, typer.Option(help=BOUND["start_from"].help)] = None,
    start_to: Annotated[str | None, typer.Option(help=BOUND["start_to"].help)] = None,
    min_rating: Annotated[float | None, typer.Option(help=BOUND["min_rating"].help)] = None,
    sort: Annotated[str, typer.Option(help=f"One of: {', '.join(SORTS)}.")] = "relevance",
    limit: Annotated[int, typer.Option(help="How many rows to show.")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """Search the catalog. Values of one filter combine with OR, different filters with AND."""
    from catalog.search import search as run_search

    if fmt not in ("table", "json", "csv"):
        raise UserError(f"unknown format {fmt[:40]!r}; use table, json or csv")
    query = build_query(
        text, topic, provider, source, kind, cost, certificate, level, language, pace, status,
        max_price_eur, min_hours, max_hours, start_from, start_to, min_rating, sort, limit,
    )  # fmt: skip
    result = run_search(engine(), query)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        from catalog.export import to_csv

        sys.stdout.write(to_csv(result.rows).decode("utf-8-sig"))
        return
    from catalog.i18n import describe, hours_text

    table = Table(title=describe(query, result.total), title_justify="left")
    for column in ("id", "title", "provider", "cost", "EUR", "certificate", "level", "lang", "h"):
        table.add_column(column, overflow="fold")
    for row in result.rows:
        cells = (
            str(row["id"]),
            row["title"],
            row["provider"] or "",
            row["cost"] or "",
            "" if row["price_eur"] is None else f"{row['price_eur']:.0f}",
            row["certificate"] or "",
            row["level"] or "",
            ",".join(row["languages"]),
            hours_text(row, dash="-"),
        )
        table.add_row(*(_plain(c) for c in cells))
    out.print(table)


def _plain(value: str) -> Any:
    """Scraped text as a rich Text: "[bold]" in a title must not become markup."""
    from rich.text import Text

    return Text(value)


# -- serve, db, stats -----------------------------------------------------------------


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = False,
) -> None:
    """Start the Streamlit app on the catalog."""
    from ui.server import run

    run(port, host, open_browser=not headless)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database schema to the current version (never drops user data)."""
    eng = db.make_engine()
    before = db.current_revision(eng) if _has_tables(eng) else None
    db.upgrade(eng)
    after = db.current_revision(eng)
    out.print(f"schema at {after} (was {before or 'empty'}); {eng.url.render_as_string()}")


def _has_tables(eng: Engine) -> bool:
    import sqlalchemy as sa

    db.check_connection(eng)
    return bool(sa.inspect(eng).get_table_names())


@app.command()
def stats() -> None:
    """Counts per source, topic, cost and certificate; the last refresh of each source."""
    from catalog.search import Searcher
    from catalog.stats import source_table

    eng = engine()
    result = Searcher(eng).search(Query(statuses=("active", "stale", "removed"), per_page=1))
    out.print(f"{result.total} courses in {eng.url.render_as_string(hide_password=True)}")
    for facet in ("source", "topic", "cost", "certificate", "status"):
        table = Table(title=facet)
        table.add_column("value")
        table.add_column("courses", justify="right")
        for fv in result.facets[facet]:
            table.add_row(_plain(fv.value), str(fv.count))
        out.print(table)
    table = Table(title="sources")
    for column in ("source", "listings", "last refresh", "state", "last success"):
        table.add_column(column)
    for row in source_table(eng):
        table.add_row(*(_plain(str(v) if v is not None else "") for v in row))
    out.print(table)


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


# Command groups that live in their own modules register themselves here.
from catalog import cli_refresh as _cli_refresh  # noqa: E402

_cli_refresh.register(app)
from catalog import cli_lists as _cli_lists  # noqa: E402

_cli_lists.register(app)
