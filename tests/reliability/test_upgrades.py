"""Upgrades: a catalog made at the first released schema keeps every row through `db upgrade`.

Why: people keep their shortlists, notes and saved searches for years while the package
under them changes. Migrations only ever add; this test holds them to it. It builds a
database at Alembic revision 0001 (the first release), fills it the way the first release
did (the curated starter set, refreshed and imported courses, shortlists with notes,
saved searches, refresh runs) plus rows written straight into every table of that
schema, upgrades to head and compares every row of every table that existed at 0001,
column by column. It is written for any head (today 0005_plan, which adds the source of
a course change and a person's target dates per shortlist item). It also checks that
`db upgrade` run twice changes nothing and that user rows survive a re-import of a
changed curated catalog (what an upgrade that ships new curated facts does).

Today's code no longer writes a 0001 database (it records the source of every course
change, a column 0001 lacks), so the library fill runs in a scratch catalog at head and
its rows are written into the 0001 database with the 0001 reflection: the columns the
first release had, as the generic fill below does for every table.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import db, saved_searches, shortlists
from catalog.bootstrap import sync_curated
from catalog.curated import DEFAULT_PATH
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.search import Query, search
from tests.reliability import support
from tests.support.old_schema import copy_rows

pytestmark = pytest.mark.reliability

FIRST = "0001"
MARK = "Ünïcode ✓ 'quotes' \"double\" <b>tag</b> =1+1"


def _reflect(engine: Engine) -> sa.MetaData:
    meta = sa.MetaData()
    meta.reflect(engine)
    return meta


def _value(column: sa.Column[Any], n: int) -> Any:
    """A value of the column's type for generated row ``n`` (unique where it must be)."""
    kind = column.type
    name = column.name
    if isinstance(kind, sa.JSON):
        return {"n": n, "text": MARK} if name in ("record", "raw", "query") else [f"v{n}", MARK]
    if isinstance(kind, sa.Boolean):
        return n % 2 == 0
    if isinstance(kind, sa.Integer):
        return n
    if isinstance(kind, sa.Float | sa.Numeric):
        return n + 0.5
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, n % 28 + 1, 12, 0, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2026, 2, n % 28 + 1)
    return f"gen-{column.table.name}-{name}-{n} {MARK}"


def _generic_fill(engine: Engine, rows_per_table: int = 3) -> dict[str, int]:
    """Rows written straight into every table of the schema as it is now (0001)."""
    meta = _reflect(engine)
    ids: dict[str, list[Any]] = {}
    written: dict[str, int] = {}
    skip = {"alembic_version"}
    with db.write_tx(engine) as conn:
        for table in meta.sorted_tables:
            if table.name in skip or table.name.startswith("course_fts"):
                continue
            for n in range(1, rows_per_table + 1):
                values: dict[str, Any] = {}
                for column in table.columns:
                    if column.computed is not None:
                        continue  # PostgreSQL's generated tsvector
                    fks = list(column.foreign_keys)
                    if fks:
                        parent = fks[0].column.table.name
                        values[column.name] = ids[parent][n % len(ids[parent])]
                    elif column.primary_key and isinstance(column.type, sa.Integer):
                        continue  # the database numbers it
                    elif table.name == "meta" and column.name == "key":
                        values[column.name] = f"generated-{n}"
                    else:
                        values[column.name] = _value(column, 1000 + n)
                result = conn.execute(table.insert().values(**values))
                key = result.inserted_primary_key
                ids.setdefault(table.name, []).append(key[0] if key else values.get("name"))
            written[table.name] = rows_per_table
        if engine.dialect.name == "sqlite":  # the store indexes new courses itself
            conn.exec_driver_sql(
                "INSERT INTO course_fts(rowid, search_title, search_body) "
                "SELECT id, search_title, search_body FROM course WHERE id NOT IN "
                "(SELECT rowid FROM course_fts)"
            )
    return written


def _library_fill(engine: Engine) -> None:
    """What a first-release user had: curated set, imported courses, lists, notes, searches."""
    sync_curated(engine)
    records = [
        CourseRecord(
            source="import:team-list",
            source_id=f"t{i}",
            title=f"Machine Learning for Teams {i} {MARK}",
            provider="Example Academy",
            url=f"https://example.org/ml/{i}",
            topics=["machine-learning"],
            languages=["de", "en"],
            cost="paid",
            price_amount=99.0 + i,
            price_currency="EUR",
            price_eur=99.0 + i,
            start_date=date(2026, 3, 1),
        )
        for i in range(20)
    ]
    import_records(engine, "import:team-list", records, title="team list", full=True)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM course ORDER BY id"))]
    for name, chosen in (("Q1 upskilling", ids[:10]), (f"Notizen {MARK}"[:80], ids[-8:])):
        list_id = shortlists.new_list(engine, name)
        shortlists.add(engine, list_id, chosen)
        for cid in chosen[::2]:
            shortlists.set_note(engine, list_id, cid, f"note on {cid}: {MARK}\nsecond line")
        shortlists.move(engine, list_id, chosen[-1], "top")
    saved_searches.save(engine, "German NLP", Query(topics=("nlp",), languages=("de",)))
    saved_searches.save(engine, "Free ML", Query(text="machine learning", costs=("free",)))


def _rows(engine: Engine, table: sa.Table) -> dict[Any, tuple[Any, ...]]:
    """Rows of ``table`` (a 0001 reflection) in ``engine``, by primary key, 0001 columns only."""
    columns = [c for c in table.columns if c.computed is None]
    pk = [c.name for c in table.primary_key.columns] or [c.name for c in columns]
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(*[sa.column(c.name) for c in columns]).select_from(sa.table(table.name))
        ).all()
    names = [c.name for c in columns]
    out = {}
    for row in found:
        data = dict(zip(names, row, strict=True))
        out[tuple(data[k] for k in pk)] = tuple(support._plain(data[n]) for n in names)
    return out


def _user_rows(engine: Engine) -> dict[str, Any]:
    return {
        name: support.table_rows(engine, name)
        for name in ("shortlist", "shortlistitem", "savedsearch")
    }


def _library_rows(engine: Engine, scratch_url: str) -> None:
    """The library fill, made by today's code in a scratch catalog at head and written
    into ``engine``'s older schema with its reflection (the columns that schema has)."""
    with support.engine_for(scratch_url) as scratch:
        db.upgrade(scratch)
        _library_fill(scratch)
        copy_rows(scratch, engine)


def test_first_schema_upgrades_to_head_with_every_row(db_url: str, clean_env: Path) -> None:
    with support.engine_for(db_url) as engine:
        db.upgrade(engine, FIRST)
        assert db.current_revision(engine) == FIRST
        _library_rows(engine, f"sqlite:///{clean_env / 'scratch.sqlite3'}")
        generated = _generic_fill(engine)
        at_first = {
            t.name: t
            for t in _reflect(engine).sorted_tables
            if t.name != "alembic_version" and not t.name.startswith("course_fts")
        }
        before = {name: _rows(engine, t) for name, t in at_first.items()}

        db.upgrade(engine)
        head = db.head_revision(engine)
        assert db.current_revision(engine) == head
        after = {name: _rows(engine, t) for name, t in at_first.items()}
        for name in at_first:
            assert after[name] == before[name], f"table {name} changed in the upgrade"
        # Generated rows are not a consistent catalog; the storage itself must be sound.
        assert support.integrity_problems(engine, consistency=False) == []

        # The upgraded catalog works with today's code.
        assert search(engine, Query(text="machine learning")).total > 0
        total_rows = sum(len(rows) for rows in before.values())

    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    support.record(
        f"upgrades ({dialect})",
        **{
            "from": FIRST,
            "to": head,
            "tables_compared": len(at_first),
            "rows_compared": total_rows,
            "generated_rows_per_table": max(generated.values()),
            "rows_changed_or_lost": 0,
        },
    )


def test_db_upgrade_twice_changes_nothing(db_url: str, clean_env: Path) -> None:
    env = {"COURSERADAR_DATABASE_URL": db_url, "COURSERADAR_DATA_DIR": str(clean_env)}
    first = support.cli("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    with support.engine_for(db_url) as engine:
        _library_fill(engine)
        before = support.checksum(engine)
        head = db.current_revision(engine)
    second = support.cli("db", "upgrade", env=env)
    assert second.returncode == 0, second.stderr
    assert re.search(rf"schema at {head} \(was {head}\)", second.stdout), second.stdout
    with support.engine_for(db_url) as engine:
        assert support.checksum(engine) == before


def test_user_rows_survive_a_changed_curated_catalog(engine: Engine, tmp_path: Path) -> None:
    """A release that ships changed curated facts re-imports them: lists stay as they were,
    a course dropped from the curated file stays on the lists (stale, then removed)."""
    _library_fill(engine)
    user_before = _user_rows(engine)
    with engine.connect() as conn:
        on_lists = {r[0] for r in conn.execute(sa.text("SELECT course_id FROM shortlistitem"))}
    entries = tomllib.loads(DEFAULT_PATH.read_text())["course"]
    text = DEFAULT_PATH.read_text()
    # Drop the first entry, retitle the second: a typical curated update.
    first_id, second = entries[0]["id"], entries[1]
    blocks = text.split("[[course]]")
    kept = [b for b in blocks if f'id = "{first_id}"' not in b]
    changed = "[[course]]".join(kept).replace(
        f"title = {json.dumps(second['title'])}",
        f"title = {json.dumps(second['title'] + ' (2nd ed.)')}",
        1,
    )
    new_file = tmp_path / "curated.toml"
    new_file.write_text(changed)
    for _ in range(3):  # removed after three loads without it
        assert sync_curated(engine, new_file) in (True, False)
        with db.write_tx(engine) as conn:  # make the next call load the file again
            conn.execute(sa.text("DELETE FROM meta WHERE key = 'curated_sha256'"))
    assert _user_rows(engine) == user_before
    with engine.connect() as conn:
        still = {r[0] for r in conn.execute(sa.text("SELECT id FROM course"))}
        dropped = conn.execute(
            sa.text("SELECT status FROM course WHERE source = 'curated' AND source_id = :s"),
            {"s": first_id},
        ).scalar()
        retitled = conn.execute(
            sa.text("SELECT title FROM course WHERE source = 'curated' AND source_id = :s"),
            {"s": second["id"]},
        ).scalar()
    assert on_lists <= still
    assert dropped == "removed"
    assert retitled.endswith("(2nd ed.)")
    assert support.integrity_problems(engine) == []
    support.bump("upgrades", f"curated re-imports with user rows intact ({engine.dialect.name})", 3)
