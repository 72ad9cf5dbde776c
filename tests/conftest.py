"""Shared fixtures: a fresh catalog database per test, on SQLite and on PostgreSQL.

PostgreSQL tests use the server on 127.0.0.1:5432 (database ``test``, trust auth) with a
schema of their own per test, so parallel runs never collide. Set
COURSERADAR_TEST_PG_URL to point elsewhere; where no server answers, those tests skip
with the reason (CI sets COURSERADAR_REQUIRE_PG=1 to make that a failure instead).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import db

PG_URL = os.environ.get(
    "COURSERADAR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
# Meaning-based search is off unless a test asks for it (the ``meaning`` fixture): the
# model embeds ~10 texts a second here, and tests written for the words' match expect
# exactly the courses that contain them. Subprocesses (CLI, app) inherit this.
os.environ.setdefault("COURSERADAR_EMBEDDER", "none")


def _pg_available() -> str | None:
    try:
        eng = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        eng.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0]


_PG_PROBLEM: str | bool | None = False


def pg_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_available()
    return _PG_PROBLEM  # type: ignore[return-value]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of an empty PostgreSQL schema of this test's own (dropped afterwards)."""
    problem = pg_problem()
    if problem:
        if os.environ.get("COURSERADAR_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL required but not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {problem}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An upgraded, empty catalog (no starter data) on both dialects."""
    eng = db.make_engine(db_url)
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Meaning-based search on, with the real model, for this test and its subprocesses."""
    monkeypatch.delenv("COURSERADAR_EMBEDDER", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point CourseRadar's data directory and database at a temporary folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("COURSERADAR_DATA_DIR", str(folder))
    monkeypatch.delenv("COURSERADAR_DATABASE_URL", raising=False)
    return folder
