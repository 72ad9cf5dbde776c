"""The command line as a user meets it: real processes, real exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.db import SCHEMA_HEAD

RECORD_FIELDS = (
    "id", "source", "source_id", "title", "provider", "platform", "kind", "topics", "level",
    "languages", "price_eur", "certificate", "hours_min", "hours_max", "pace", "rating",
    "first_seen", "last_seen", "status",
)  # fmt: skip


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def home(data_dir: Path) -> dict[str, str]:
    return {"COURSERADAR_DATA_DIR": str(data_dir)}


def test_search_json_uses_the_record_field_names(home: dict[str, str]) -> None:
    done = cli("search", "machine learning", "--cost", "free", "--format", "json", env=home)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows, "the starter catalog has free machine-learning courses"
    for row in rows:
        assert row["cost"] == "free"
        assert row["url"].startswith("https://")
        assert set(RECORD_FIELDS) <= set(row)


def test_search_table_and_german_filter(home: dict[str, str]) -> None:
    done = cli("search", "--language", "de", "--limit", "50", env={**home, "COLUMNS": "250"})
    assert done.returncode == 0, done.stderr
    assert "courses in German" in done.stdout
    assert "Elements of AI" in done.stdout


def test_search_csv(home: dict[str, str]) -> None:
    done = cli("search", "--kind", "certification", "--format", "csv", env=home)
    assert done.returncode == 0, done.stderr
    header, *lines = done.stdout.splitlines()
    assert header.startswith("ID,Title,Provider")
    assert len(lines) >= 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "--cost", "gratis"], "valid values: free, free_audit, paid, subscription"),
        (["search", "--topic", "cooking"], "unknown topic 'cooking'"),
        (["search", "--sort", "random"], "unknown sort 'random'"),
        (["search", "--min-rating", "7"], "0 to 5"),
        (["search", "--start-from", "yesterday"], "--start-from must be a date"),
        (["search", "--format", "xml"], "unknown format 'xml'"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(
    home: dict[str, str], args: list[str], message: str
) -> None:
    done = cli(*args, env=home)
    assert done.returncode != 0
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_unreachable_database_is_one_line(home: dict[str, str]) -> None:
    env = {**home, "COURSERADAR_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"}
    done = cli("stats", env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot reach the database at postgresql")
    assert "COURSERADAR_DATABASE_URL" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unwritable_data_dir_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = cli("stats", env={"COURSERADAR_DATA_DIR": str(blocker / "sub")})
    assert done.returncode == 2
    assert "cannot write to the data directory" in done.stderr
    assert "COURSERADAR_DATA_DIR" in done.stderr


def test_db_upgrade_and_stats(home: dict[str, str]) -> None:
    done = cli("db", "upgrade", env=home)
    assert done.returncode == 0, done.stderr
    assert f"schema at {SCHEMA_HEAD} (was empty)" in done.stdout
    done = cli("stats", env=home)
    assert done.returncode == 0, done.stderr
    assert "curated" in done.stdout
    assert "certification" in done.stdout


def test_the_command_line_loads_no_search_engine_until_a_command_needs_it() -> None:
    """`courseradar serve` starts Streamlit first and the app's libraries after, while the
    browser loads the page; `--help` and friends answer without them too."""
    heavy = ("numpy", "pandas", "sqlmodel", "alembic", "streamlit", "catalog.search")
    probe = f"import sys, catalog.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr


def test_serve_starts_without_prompting_on_a_fresh_machine(
    home: dict[str, str], tmp_path: Path
) -> None:
    """A first start must not stop at Streamlit's interactive e-mail prompt; it upgrades
    and seeds the new catalog, and prepares the search snapshot before anyone visits."""
    import socket
    import time
    import urllib.request

    import sqlalchemy as sa

    catalog_file = Path(home["COURSERADAR_DATA_DIR"]) / "catalog.sqlite3"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **home, "HOME": str(tmp_path / "home"), "BROWSER": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "catalog", "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "the app did not come up"
                time.sleep(0.5)
        snapshot = catalog_file.with_name(catalog_file.name + "-snapshot.npz")
        while not snapshot.exists():  # the warm-up's work, saved beside the catalog
            assert time.monotonic() < deadline, "no search snapshot without a visitor"
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    engine = sa.create_engine(f"sqlite:///{catalog_file}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            SCHEMA_HEAD
        )
        curated = "SELECT count(*) FROM course WHERE source = 'curated'"
        assert conn.execute(sa.text(curated)).scalar() > 50
    engine.dispose()
