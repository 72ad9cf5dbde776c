"""File imports against each other, a killed import, and hostile files (issue 20).

Why: two imports of one source at once on PostgreSQL lost one import's changes (the
second read the listings before the first wrote them); a killed import left its run
``running`` forever; ~1,000 levels of nested JSON crashed an import with a RecursionError
traceback, and one such JSON Lines line aborted the whole file; "-1" in a price column
was imported as a paid price of 1.0; the not-UTF-8 note was printed twice.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.normalize import parse_price
from catalog.refresh import INTERRUPTED, SourceLock
from catalog.refresh.file_import import FileImportError, import_file
from catalog.refresh.runs import start_run
from tests.reliability import support

pytestmark = pytest.mark.reliability

DEPTH = 1000


def _csv(tmp_path: Path, rows: int = 3) -> Path:
    path = tmp_path / "mine.csv"
    lines = [f"Deep Learning {i},https://example.org/dl/{i}" for i in range(rows)]
    path.write_text("title,url\n" + "\n".join(lines) + "\n")
    return path


def test_an_import_of_a_source_another_import_holds_is_refused(
    engine: Engine, tmp_path: Path, clean_env: Path
) -> None:
    """The file import takes the source's lock, as a refresh does (a file lock on SQLite,
    an advisory lock on PostgreSQL): the second import says another one runs."""
    path = _csv(tmp_path)
    other = SourceLock(engine, "import:mine")
    assert other.acquire()
    try:
        with pytest.raises(FileImportError, match="another import of import:mine is running"):
            import_file(engine, path)
        assert support.listings(engine, "import:mine") == {}
        assert support.runs(engine, "import:mine") == []
    finally:
        other.release()
    assert import_file(engine, path).report.added == 3


def test_the_next_import_closes_the_run_a_killed_import_left_running(
    engine: Engine, tmp_path: Path, clean_env: Path
) -> None:
    killed = start_run(engine, "import:mine")  # what a kill -9 leaves behind
    done = import_file(engine, _csv(tmp_path))
    runs = {run["id"]: run for run in support.runs(engine, "import:mine")}
    assert runs[killed]["state"] == "failed" and runs[killed]["message"] == INTERRUPTED
    assert runs[done.report.run_id]["state"] == "ok"


def _deep(depth: int = DEPTH) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_json_is_refused_in_one_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('[{"title": "Deep Learning", "extra": ' + _deep() + "}]")
    with pytest.raises(FileImportError) as refused:
        import_file(engine, path)
    message = str(refused.value)
    assert "nested" in message and "\n" not in message, message
    assert support.listings(engine, "import:deep") == {}


def test_a_deeply_nested_json_lines_line_is_skipped_with_a_reason(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "deep.jsonl"
    good = [json.dumps({"title": f"Deep Learning {i}", "url": f"https://e.org/{i}"}) for i in "12"]
    path.write_text("\n".join([good[0], '{"title": "x", "extra": ' + _deep() + "}", good[1]]))
    done = import_file(engine, path)
    assert done.report.added == 2
    assert [(e.key, "nested" in e.reason) for e in done.skipped] == [("line 2", True)]


@pytest.mark.parametrize("text", ["-1", "-49 USD", "$-5", "−20 €", -1, -0.5])
def test_a_negative_price_is_refused(text: object) -> None:
    assert parse_price(text) == (None, None)


@pytest.mark.parametrize("text", ["10-20 USD", "EUR 49", "1-2 weeks, $30"])
def test_a_dash_between_numbers_is_no_minus(text: str) -> None:
    amount, _currency = parse_price(text)
    assert amount is not None and amount > 0


def test_a_negative_price_column_imports_no_price(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("title,price\nDeep Learning,-1\n")
    import_file(engine, path)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT price_amount, cost FROM course")).one()
    assert row.price_amount is None and row.cost != "paid", row


def test_the_not_utf8_note_is_printed_once(tmp_path: Path) -> None:
    path = tmp_path / "win.csv"
    path.write_bytes("title;provider\nKünstliche Intelligenz;Universität Köln\n".encode("cp1252"))
    env = support.cli_env({"COURSERADAR_DATA_DIR": str(tmp_path / "data")})
    done = support.cli("import", str(path), env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert out.count("cp1252") == 1, out
