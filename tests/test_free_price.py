"""Free counts as 0 €: the price filter, the price sort, the Price column and what the
search says about courses of unknown price (library, CLI, exports and the app's table)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.export import export
from catalog.i18n import search_notes
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.search import Query, search
from tests.test_catalog import rec


def priced() -> list[CourseRecord]:
    return [
        rec("dear", "Dear Paid", cost="paid", price_amount=90.0, price_currency="EUR",
            price_eur=90.0),
        rec("unknown-paid", "Paid Unknown", cost="paid"),
        rec("free", "Free One", cost="free"),
        rec("audit", "Audit Cert", cost="free_audit", price_amount=45.0, price_currency="EUR",
            price_eur=45.0),
        rec("no-cost", "Nothing Known"),
        rec("free-2", "Free Two", cost="free"),
    ]  # fmt: skip


@pytest.fixture
def catalog(engine: sa.Engine) -> sa.Engine:
    import_records(engine, "t", priced(), full=True)
    return engine


def titles(engine: sa.Engine, query: Query) -> list[str]:
    return [r["title"] for r in search(engine, query).rows]


def test_highest_price_zero_is_free_only_and_free_passes_any_highest_price(
    catalog: sa.Engine,
) -> None:
    zero = search(catalog, Query(max_price_eur=0))
    assert sorted(r["title"] for r in zero.rows) == ["Free One", "Free Two"]
    assert zero.unknown == {"price": 2}  # the paid one of unknown price, the one with nothing
    hundred = search(catalog, Query(max_price_eur=100))
    assert sorted(r["title"] for r in hundred.rows) == [
        "Audit Cert",
        "Dear Paid",
        "Free One",
        "Free Two",
    ]
    assert hundred.unknown == {"price": 2}
    assert titles(catalog, Query(max_price_eur=50, costs=("paid",))) == []
    # left out counts respect the other filters: no paid course of unknown price is free
    assert search(catalog, Query(max_price_eur=50, costs=("free",))).unknown == {"price": 0}
    assert search(catalog, Query(max_price_eur=50, costs=("paid",))).unknown == {"price": 1}
    assert search(catalog, Query()).unknown == {}


def test_price_sort_puts_free_first_and_unknown_last(catalog: sa.Engine) -> None:
    assert titles(catalog, Query(sort="price")) == [
        "Free One",
        "Free Two",
        "Audit Cert",
        "Dear Paid",
        "Paid Unknown",
        "Nothing Known",
    ]


def test_notes_say_what_the_sort_and_the_filter_did_with_unknown_prices(
    catalog: sa.Engine,
) -> None:
    query = Query(max_price_eur=0, sort="price")
    result = search(catalog, query)
    assert search_notes(query, result.unknown) == [
        "Free courses first; those of unknown price last.",
        "2 more of unknown price are left out: neither cheap nor dear.",
    ]
    german = search_notes(query, result.unknown, "de")
    assert german[1] == "2 weitere mit unbekanntem Preis fehlen: weder günstig noch teuer."
    assert search_notes(Query(), {}) == []


def test_price_column_of_exports_and_the_app_table(catalog: sa.Engine) -> None:
    from ui.render import results_frame

    rows = search(catalog, Query(sort="price")).rows
    frame = results_frame(rows, "en")
    assert frame["price_eur"].tolist() == ["0 €", "0 €", "45 €", "90 €", "?", "?"]
    data = export(rows, "csv").decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(data)))
    assert [r["Price (EUR)"] for r in table] == ["0.0", "0.0", "45.0", "90.0", "", ""]
    # JSON keeps the course record as it is: no EUR price was stated for a free course
    assert json.loads(export(rows, "json"))[0]["price_eur"] is None


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "COLUMNS": "200"},
        timeout=120,
    )


def test_cli_highest_price_zero_lists_the_free_starter_courses(data_dir: Path) -> None:
    home = {"COURSERADAR_DATA_DIR": str(data_dir)}
    done = cli("search", "--max-price-eur", "0", "--format", "json", "--limit", "500", env=home)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) >= 20 and {r["cost"] for r in rows} == {"free"}
    shown = cli("search", "--max-price-eur", "0", "--sort", "price", env=home)
    assert shown.returncode == 0, shown.stderr
    assert "of unknown price are left out" in shown.stderr
    assert "Free courses first" in shown.stderr
    assert " 0 " in shown.stdout
