"""Rows made by today's code, written into a database at an older schema.

Today's code writes columns an old schema lacks (the source of a course change, since
0005_plan), so an upgrade test cannot fill a 0001 database with it directly. Instead it
fills a scratch catalog at head and copies every row into the older database through that
database's own reflection: only the columns it has, as the release that made it would
have written them. JSON is copied as its stored text, so whatever was computed over that
text (listing content hashes) still holds.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import db


def _reflect(engine: Engine) -> sa.MetaData:
    meta = sa.MetaData()
    meta.reflect(engine)
    return meta


def _insert(table: sa.Table, names: list[str], json: set[str], dialect: str) -> Any:
    values: dict[str, Any] = {}
    for name in names:
        bind = sa.bindparam(f"v_{name}", type_=sa.Text if name in json else table.c[name].type)
        if name in json and dialect == "postgresql":
            bind = sa.cast(bind, table.c[name].type)  # json keeps the text as written
        values[name] = bind
    return table.insert().values(values)


def copy_rows(source: Engine, target: Engine) -> None:
    """Every row of ``source`` into ``target``'s (older) tables, their columns only."""
    made = _reflect(source)
    with source.connect() as src, db.write_tx(target) as dst:
        for table in _reflect(target).sorted_tables:
            if table.name == "alembic_version" or table.name.startswith("course_fts"):
                continue
            names = [c.name for c in table.columns if c.computed is None]
            json = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
            there = made.tables[table.name].c
            columns = [sa.cast(there[n], sa.Text) if n in json else there[n] for n in names]
            rows = [
                {f"v_{n}": v for n, v in zip(names, row, strict=True)}
                for row in src.execute(sa.select(*columns))
            ]
            if table.name == "meta":  # the scratch's facts replace the empty catalog's
                dst.execute(table.delete())
            if rows:
                dst.execute(_insert(table, names, json, target.dialect.name), rows)
            if rows and target.dialect.name == "postgresql" and "id" in table.c:
                dst.exec_driver_sql(  # ids were given: move the sequence past them
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
        if target.dialect.name == "sqlite":  # the store indexes the courses it writes
            dst.exec_driver_sql(
                "INSERT INTO course_fts(rowid, search_title, search_body) "
                "SELECT id, search_title, search_body FROM course"
            )
