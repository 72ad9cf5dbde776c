"""Hostile search and filter input from the library, the CLI, the app and its URL.

Why: the search box and every filter take text from a person, a shared link or a script.
Full-text syntax (FTS5 on SQLite, tsquery on PostgreSQL), SQL fragments, 10,000-character
strings, unbalanced quotes and invalid filter values must end in results or in one clear
line saying what is wrong — never a crash, never a traceback, and never a change to the
database (a checksum over every row of every table, and the FTS index, before and after).
"""

from __future__ import annotations

import contextlib
import io
import random
import string
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

import catalog.cli
import catalog.cli.common
from catalog.bootstrap import open_catalog, sync_curated
from catalog.search import Query, QueryError, search
from tests.reliability import support

pytestmark = pytest.mark.reliability

APP = str(support.ROOT / "ui" / "app.py")
_rng = random.Random(6)
TEXTS = [
    # full-text syntax of FTS5 and of PostgreSQL's tsquery
    "deep AND learning",
    "NEAR(deep learning, 2)",
    "title:deep",
    "search_title : deep*",
    "* OR *",
    "^deep -learning +ml",
    "{search_title search_body}: x",
    "deep & !learning | (ml <-> ai)",
    "deep:* & :*",
    "course_fts MATCH 'x'",
    # SQL fragments
    "'; DROP TABLE course; --",
    '" OR 1=1 --',
    "1; DELETE FROM shortlist",
    "%' OR '1'='1",
    "x' UNION SELECT key, value FROM meta --",
    "\\'; SELECT pg_sleep(10); --",
    # quotes, brackets, escapes
    '"deep learning',
    "'deep",
    '"""',
    "((((",
    "deep)",
    "\\",
    "%_%",
    # length and odd characters
    "a" * 10_000,
    "deep learning " * 715,
    "".join(_rng.choice(string.printable) for _ in range(10_000)),
    "\x00deep\x00",
    "\u202eginrael peed",
    "机器学习 🤖 ٱلذكاء",
    "\n\r\t",
    "",
    " ",
]
# (flag, value) pairs the CLI refuses with one line; the same values reach Query via URLs.
BAD_FILTERS = [
    ("--topic", "nope"),
    ("--topic", "'; DROP TABLE course; --"),
    ("--kind", "x"),
    ("--cost", "cheap"),
    ("--certificate", "phd"),
    ("--level", "guru"),
    ("--language", "english"),
    ("--language", "e'n"),
    ("--pace", "fast"),
    ("--status", "deleted"),
    ("--source", "%"),
    ("--source", "x" * 10_000),
    ("--max-price-eur", "-1"),
    ("--max-price-eur", "nan"),
    ("--max-price-eur", "inf"),
    ("--max-price-eur", "abc"),
    ("--min-hours", "-5"),
    ("--max-hours", "1e309"),
    ("--min-rating", "6"),
    ("--min-rating", "-0.5"),
    ("--start-from", "2026-13-45"),
    ("--start-to", "'; DROP TABLE course; --"),
    ("--sort", "price; DROP TABLE course"),
    ("--limit", "0"),
    ("--limit", "100000"),
    ("--limit", "abc"),
    ("--format", "xml"),
]
# Values that are fine to the library, just unknown: they find nothing, without error.
FREE_FILTERS = [("--provider", "' OR 1=1 --"), ("--provider", "x" * 10_000), ("--provider", "%")]
# URL parameters of the app (and saved searches) with values it cannot read.
BAD_PARAMS: list[dict[str, Any]] = [
    {"topics": "nope"},
    {"costs": "cheap,free"},
    {"languages": "english"},
    {"max_price_eur": "-1"},
    {"max_price_eur": "nan"},
    {"min_hours": "abc"},
    {"min_rating": "1e999"},
    {"start_from": "2026-02-30"},
    {"start_to": "tomorrow"},
    {"sort": "<script>"},
    {"page": "-3"},
    {"page": "1e9"},
    {"per_page": "0"},
    {"per_page": "10000000"},
    {"text": "a" * 10_000, "page": "x"},
]


@pytest.fixture
def catalog_url(db_url: str, clean_env: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A seeded catalog (curated starter set) the CLI and the app open by URL."""
    monkeypatch.setenv("COURSERADAR_DATABASE_URL", db_url)
    engine = open_catalog(db_url)
    engine.dispose()
    yield db_url


_OPENED: list[Engine] = []


@pytest.fixture(autouse=True)
def _dispose_cli_engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A `courseradar` process ends after one command and its connections with it; in this
    process each command's engine is disposed after it, or PostgreSQL runs out of slots."""
    original = catalog.cli.common.engine

    def engine() -> Engine:
        _OPENED.append(original())
        return _OPENED[-1]

    monkeypatch.setattr(catalog.cli.common, "engine", engine)  # every command opens it there
    yield
    while _OPENED:
        _OPENED.pop().dispose()


def run_cli(*args: str) -> tuple[int, str, str]:
    """``catalog.cli.main`` in this process, as the ``courseradar`` script calls it."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # exports write to .buffer
    err = io.StringIO()
    argv = sys.argv
    sys.argv = ["courseradar", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                catalog.cli.main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
        while _OPENED:
            _OPENED.pop().dispose()
    out.flush()
    return code, out.buffer.getvalue().decode("utf-8", "replace"), err.getvalue()


def one_line_error(code: int, err: str) -> str:
    """The error line of a refused command; asserts it is clear and not a crash."""
    assert code == 2, (code, err[-500:])
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    assert len(errors) == 1, lines
    assert len(errors[0]) < 1000
    return errors[0]


def test_library_search_takes_any_text(engine: Engine) -> None:
    sync_curated(engine)
    before = support.checksum(engine)
    for text in TEXTS:
        result = search(engine, Query(text=text, per_page=5))
        assert result.total >= len(result.rows)
    for value in ("' OR 1=1 --", "%", "x" * 10_000):
        assert search(engine, Query(providers=(value,))).total == 0
    assert search(engine, Query(text="machine learning")).total > 0  # still answers
    assert support.checksum(engine) == before
    support.bump("hostile input", f"library searches ({engine.dialect.name})", len(TEXTS) + 3)


def test_urls_and_saved_searches_refuse_unreadable_params() -> None:
    """Query.from_params (the app's URL, saved searches): QueryError or a valid Query."""
    refused = 0
    for params in BAD_PARAMS:
        try:
            Query.from_params(params).validate(["machine-learning"])
        except QueryError as exc:
            refused += 1
            assert "\n" not in str(exc) and len(str(exc)) < 400 + 10_000
    assert refused == len(BAD_PARAMS)
    for params in ({"text": 5}, {"topics": 5}, {"costs": {"a": 1}}, {"page": None}, {"sort": []}):
        with contextlib.suppress(QueryError):  # either refused, or a valid Query
            Query.from_params(params).validate([])


def test_cli_answers_hostile_input_in_one_line_and_changes_nothing(catalog_url: str) -> None:
    with support.engine_for(catalog_url) as engine:
        before = support.checksum(engine)
    searched = refused = 0
    for text in TEXTS:
        for fmt in ("table", "json"):
            code, out, err = run_cli("search", "--limit", "3", "--format", fmt, "--", text)
            assert code == 0, (text[:60], err[-500:])
            searched += 1
    for flag, value in FREE_FILTERS:
        code, out, err = run_cli("search", flag, value, "--format", "json")
        assert code == 0 and out.strip() == "[]", err
        searched += 1
    messages = {}
    for flag, value in BAD_FILTERS:
        for command in ("search", "export"):
            code, out, err = run_cli(command, flag, value)
            assert code != 0, (command, flag, value[:40], out[:200])
            messages[f"{command} {flag} {value[:20]}"] = one_line_error(code, err)
            refused += 1
    with support.engine_for(catalog_url) as engine:
        assert support.checksum(engine) == before
    assert "valid values" in messages["search --cost cheap"]
    dialect = "sqlite" if catalog_url.startswith("sqlite") else "postgresql"
    support.record(
        f"hostile input: CLI ({dialect})",
        searches_answered=searched,
        refused_with_one_line=refused,
        tracebacks=0,
        database_changed=False,
    )


def test_cli_as_a_process_refuses_in_one_line(catalog_url: str, clean_env: Any) -> None:
    """The same through a real ``python -m catalog`` process (exit code, stderr)."""
    env = {"COURSERADAR_DATABASE_URL": catalog_url, "COURSERADAR_DATA_DIR": str(clean_env)}
    done = support.cli("search", "--cost", "cheap", env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: unknown cost 'cheap'; valid values: free, free_audit, paid, subscription"
    ]
    done = support.cli("search", "--format", "json", "--", "'; DROP TABLE course; --", env=env)
    assert done.returncode == 0 and done.stdout.strip().startswith("["), done.stderr


def test_app_survives_hostile_urls_and_search_text(catalog_url: str) -> None:
    with support.engine_for(catalog_url) as engine:
        before = support.checksum(engine)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    warned = ran = 0
    for params in BAD_PARAMS:
        at.query_params.clear()
        at.query_params.update(params)
        at.run()
        assert not at.exception, (params, [e.message for e in at.exception])
        assert len(at.warning) == 1 and "\n" not in at.warning[0].value.strip()
        warned += 1
    for text in TEXTS:
        at.query_params.clear()
        at.query_params["text"] = text
        at.run()
        assert not at.exception, (text[:60], [e.message for e in at.exception])
        if text.strip():  # the search the page ran is the one the URL asked for
            assert at.session_state["cr_query"].text == text[:10_000], text[:60]
        ran += 1
    # Typed into the search box rather than carried by the URL.
    typed = AppTest.from_file(APP, default_timeout=60)
    typed.run()
    box = typed.text_input[0]
    for text in [*TEXTS[:12], "a" * 10_000, '"deep', "'; DROP TABLE course; --"]:
        box.set_value(text)
        typed.run()
        assert not typed.exception, (text[:60], [e.message for e in typed.exception])
        assert typed.session_state["cr_query"].text == text.strip()
        box = typed.text_input[0]
        ran += 1
    with support.engine_for(catalog_url) as engine:
        assert support.checksum(engine) == before
    dialect = "sqlite" if catalog_url.startswith("sqlite") else "postgresql"
    support.record(
        f"hostile input: app ({dialect})",
        url_params_warned=warned,
        texts_searched=ran,
        exceptions=0,
        database_changed=False,
    )
