"""``courseradar db upgrade`` and ``courseradar stats``: the database and what it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from catalog import db
from catalog.cli import common
from catalog.cli.common import out, plain
from catalog.query import Query

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)

STATS_FACETS = ("source", "topic", "cost", "certificate", "status")


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


def stats() -> None:
    """Counts per source, topic, cost and certificate; the last refresh of each source."""
    from catalog.search import Searcher
    from catalog.stats import source_table

    eng = common.engine()
    result = Searcher(eng).search(Query(statuses=("active", "stale", "removed"), per_page=1))
    out.print(f"{result.total} courses in {eng.url.render_as_string(hide_password=True)}")
    for facet in STATS_FACETS:
        table = Table(title=facet)
        table.add_column("value")
        table.add_column("courses", justify="right")
        for fv in result.facets[facet]:
            table.add_row(plain(fv.value), str(fv.count))
        out.print(table)
    table = Table(title="sources")
    for column in ("source", "listings", "last refresh", "state", "last success"):
        table.add_column(column)
    for row in source_table(eng):
        table.add_row(*(plain(str(v) if v is not None else "") for v in row))
    out.print(table)
