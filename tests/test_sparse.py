"""Filters of little use on the shipped catalog: where most courses state no value, the app
greys the filter out and drops its sort, the CLI says how few courses state it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from catalog.bootstrap import open_catalog
from catalog.search import sparse_ranges

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'starter.sqlite3'}"
    monkeypatch.setenv("COURSERADAR_DATABASE_URL", url)
    eng = open_catalog(url)
    yield eng
    eng.dispose()


def test_the_starter_catalogs_sparse_filters(starter: Engine) -> None:
    sparse = sparse_ranges(starter)
    assert set(sparse) == {"hours", "rating", "start"}  # price: free ones count as 0 EUR
    known, size = sparse["hours"]
    assert size >= 100 and known < size / 2


def test_the_app_greys_them_out_and_says_why(starter: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    inputs = {w.label: w.disabled for w in at.number_input}
    assert inputs["Highest price (EUR)"] is False
    assert inputs["Lowest rating (0–5)"] is True and inputs["from"] is True
    assert all(w.disabled for w in at.text_input if w.label in ("on or after", "on or before"))
    captions = [c.value for c in at.sidebar.caption]
    assert any("courses state a rating, so this filter and its sort are greyed out" in c
               for c in captions)  # fmt: skip
    sort = next(w for w in at.selectbox if w.label == "Sort by")
    assert sort.options == ["Relevance", "Price (lowest first)", "Newest in the catalog"]
    # A search that already sorts by rating (a shared link) keeps its sort.
    kept = AppTest.from_file(APP, default_timeout=60)
    kept.query_params["sort"] = "rating"
    kept.run()
    assert "Rating (best first)" in next(w for w in kept.selectbox if w.label == "Sort by").options


def test_the_cli_says_how_few_courses_state_it(data_dir: Path) -> None:
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(data_dir)}
    env.pop("COURSERADAR_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "catalog", "search", "--min-hours", "5", "--sort", "duration"],
        capture_output=True, text=True, env={**env, "COLUMNS": "300"}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "courses state their hours; --min-hours and --sort duration leave out" in done.stderr
    plain = subprocess.run(
        [sys.executable, "-m", "catalog", "search", "--max-price-eur", "50"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert "note:" not in plain.stderr
