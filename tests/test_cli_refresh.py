"""``courseradar refresh | parse | sources | import | rates | schedule`` as a user runs them.

Real processes (``python -m catalog``) with COURSERADAR_DATA_DIR in a temporary folder and
every endpoint of the sources used pointed at a StubServer on 127.0.0.1 through
``COURSERADAR_ENDPOINT_<SOURCE>_<NAME>``: no test touches the network. Real responses are
read from ``../shared/realdata`` in place; tests that need one skip where it is absent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from catalog.db import make_engine
from catalog.refresh import SourceLock
from catalog.schedule import CronSpec, make_scheduler, parse_cron
from scrapers import scraper_class
from tests.support.httpserver import Reply, StubServer

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
FEED = REALDATA / "futurelearn" / "futurelearn_api_v1_courses_2017.json"
EDX_CSV = REALDATA / "datasets" / "edx_courses.csv"
MS_LEARN = FIXTURES / "microsoft-learn" / "catalog_ai_subset.json"


def real(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"real data not available here: {path}")
    return path


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250", **env},
        timeout=300,
        cwd=ROOT,
    )


@pytest.fixture
def home(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in list(os.environ):
        if key.startswith("COURSERADAR_ENDPOINT_"):
            monkeypatch.delenv(key)
    return {"COURSERADAR_DATA_DIR": str(data_dir)}


def endpoint_env(source: str, endpoints: dict[str, str]) -> dict[str, str]:
    """COURSERADAR_ENDPOINT_* for every endpoint of ``source`` (all must be local)."""
    prefix = "COURSERADAR_ENDPOINT_" + source.upper().replace("-", "_") + "_"
    assert set(scraper_class(source).endpoints) <= set(endpoints)
    return {prefix + name.upper(): url for name, url in endpoints.items()}


@pytest.fixture
def server() -> StubServer:
    with StubServer() as stub:
        stub.robots("User-agent: *\nAllow: /\n")
        yield stub


def sources_env(server: StubServer) -> dict[str, str]:
    """futurelearn (real feed), microsoft-learn (fixture) and a broken coursera."""
    server.route("/feeds/courses", Reply.file(real(FEED), content_type="application/json"))
    server.route("/api/catalog/", Reply.file(MS_LEARN, content_type="application/json"))
    server.route("/api/courses.v1", Reply(status=500))
    return {
        **endpoint_env("futurelearn", {"start": server.url("/feeds/courses")}),
        **endpoint_env("microsoft-learn", {"start": server.url("/api/catalog/?locale=en-us")}),
        **endpoint_env(
            "coursera",
            {"courses": server.url("/api/courses.v1"), "specializations": server.url("/gone")},
        ),
    }


# -- refresh ----------------------------------------------------------------------------------


def test_refresh_prints_a_summary_and_fails_when_a_source_failed(
    home: dict[str, str], server: StubServer
) -> None:
    env = {**home, **sources_env(server)}
    done = cli("refresh", "--source", "futurelearn", "--source", "microsoft-learn", env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    for column in ("source", "state", "added", "updated", "unchanged", "stale", "removed",
                   "out of scope", "errors"):  # fmt: skip
        assert column in done.stdout
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if "│" in line}
    assert "ok" in rows["futurelearn"] and "ok" in rows["microsoft-learn"]
    assert "futurelearn" in done.stderr  # the progress display

    again = cli(
        "refresh", "--source", "futurelearn", "--source", "coursera",
        "--source", "microsoft-learn", env=env,
    )  # fmt: skip
    assert again.returncode == 1
    rows = {line.split("│")[1].strip(): line for line in again.stdout.splitlines() if "│" in line}
    assert "failed" in rows["coursera"]
    assert "ok" in rows["futurelearn"] and "ok" in rows["microsoft-learn"]
    assert "coursera: nothing could be fetched from coursera: HTTP 500" in again.stdout
    # the feed came back as it was: counted unchanged, not parsed again
    assert re.search(
        r"futurelearn: every page unchanged since run \d+ \(1 fetched\); not parsed", again.stdout
    )


def test_refresh_skips_a_locked_source_without_failing(
    home: dict[str, str], server: StubServer, data_dir: Path
) -> None:
    env = {**home, **sources_env(server)}
    assert cli("db", "upgrade", env=env).returncode == 0
    engine = make_engine(f"sqlite:///{data_dir / 'catalog.sqlite3'}")
    try:
        with SourceLock(engine, "futurelearn") as lock:
            assert lock.acquire()
            done = cli(
                "refresh", "--source", "futurelearn", "--source", "microsoft-learn", env=env
            )  # fmt: skip
    finally:
        engine.dispose()
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if "│" in line}
    assert "skipped" in rows["futurelearn"]
    assert "ok" in rows["microsoft-learn"]
    assert "another refresh of futurelearn is running" in done.stdout


def test_refresh_unknown_source_is_one_line(home: dict[str, str]) -> None:
    done = cli("refresh", "--source", "nope", env=home)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: unknown source 'nope'")
    assert len(done.stderr.strip().splitlines()) == 1


# -- parse ------------------------------------------------------------------------------------


def test_parse_prints_in_scope_records_as_json_lines(home: dict[str, str]) -> None:
    done = cli("parse", "futurelearn", str(real(FEED)), env=home)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records and all(r["source"] == "futurelearn" and r["topics"] for r in records)
    assert "514 records" in done.stderr and "out of scope not shown" in done.stderr

    everything = cli("parse", "futurelearn", str(FEED), "--all", env=home)
    assert len(everything.stdout.splitlines()) == 514


def test_parse_errors_go_to_stderr_one_line_each(home: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "page.json"
    element = {"id": "x1", "slug": "ml", "name": "Machine Learning"}
    broken.write_text(json.dumps({"elements": [element, 3], "paging": {"next": "x"}}))
    done = cli("parse", "coursera", str(broken), "--url", "https://api.coursera.org/x", env=home)
    errors = [line for line in done.stderr.splitlines() if line.startswith("parse error: ")]
    assert len(errors) >= 2
    assert done.returncode == 0  # records came out; the errors are reported

    garbage = tmp_path / "garbage.json"
    garbage.write_text("<html>Just a moment...</html>")
    done = cli("parse", "coursera", str(garbage), env=home)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("parse error: ")


def test_parse_needs_no_database_and_no_network(home: dict[str, str], data_dir: Path) -> None:
    done = cli("parse", "microsoft-learn", str(MS_LEARN), env=home)
    assert done.returncode == 0, done.stderr
    assert {json.loads(line)["source_id"] for line in done.stdout.splitlines()}
    assert not (data_dir / "catalog.sqlite3").exists()


# -- sources ----------------------------------------------------------------------------------


def test_sources_lists_registry_curated_and_last_refresh(
    home: dict[str, str], server: StubServer
) -> None:
    env = {**home, **sources_env(server)}
    cli("refresh", "--source", "microsoft-learn", env=env)
    done = cli("sources", env=env)
    assert done.returncode == 0, done.stderr
    lines = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if "│" in line}
    for name in ("coursera", "edx", "futurelearn", "xikolo", "curated", "microsoft-learn"):
        assert name in lines, name
    assert "never" in lines["coursera"]
    assert "ok" in lines["microsoft-learn"]
    assert server.url("/feeds/courses") in done.stdout  # the endpoints in use
    assert "not checked live" in done.stdout  # the confirmed text


def test_sources_check_says_which_formats_still_hold(
    home: dict[str, str], server: StubServer
) -> None:
    env = {**home, **sources_env(server)}
    page = real(REALDATA / "coursera" / "coursera_api_courses.v1_start0_2016.json")
    server.route("/api/courses.v1", Reply.file(page, content_type="application/json"))
    done = cli("sources", "check", "--source", "futurelearn", "--source", "coursera", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok     futurelearn: 514 record(s) read" in done.stdout
    assert "ok     coursera: 100 record(s) read" in done.stdout

    # the hand-built Microsoft Learn fixture holds a deliberately broken exam entry
    server.route("/api/courses.v1", Reply.html("<html>Access denied</html>"))
    done = cli("sources", "check", "--source", "microsoft-learn", "--source", "coursera", env=env)
    assert done.returncode == 1
    assert (
        "FAILED microsoft-learn: parse error: microsoft-learn: exams[3] has no uid" in done.stdout
    )
    assert "record(s) read" in done.stdout.splitlines()[0]
    assert "FAILED coursera: parse error: coursera: not JSON" in done.stdout


# -- import -----------------------------------------------------------------------------------


def test_import_of_the_real_edx_dataset(home: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "edx_courses.csv"
    shutil.copyfile(real(EDX_CSV), data)  # a working copy in tmp: one broken row added
    lines_before = data.read_bytes().count(b"\n")
    with data.open("a", encoding="utf-8") as fh:
        fh.write(",A row without a title" + "," * 14 + "\n")
    done = cli("import", str(data), env=home)
    assert done.returncode == 0, done.stderr
    summary = done.stdout.splitlines()[0]
    assert summary.startswith("edx_courses.csv -> import:edx_courses: ")
    counts = {
        name: int(n) for name, n in re.findall(r"(added|out of scope|skipped) (\d+)", summary)
    }
    added, out_of_scope = counts["added"], counts["out of scope"]
    assert added > 50 and out_of_scope > 500
    assert counts["skipped"] >= 1
    assert f"line {lines_before + 1}:" in done.stdout

    again = cli("import", str(data), env=home)
    assert "added 0" in again.stdout and f"unchanged {added}" in again.stdout
    listed = cli("sources", env=home)
    assert "import:edx_courses" in listed.stdout


def test_import_saves_the_search_snapshot_for_the_next_start(
    home: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that changed the catalog leaves the search snapshot saved for its new
    state: the app's next start loads it instead of reading every course."""
    from catalog import search as search_module
    from catalog.query import Query
    from catalog.search import snapshot as snapshot_module

    data = tmp_path / "courses.csv"
    data.write_text(
        "title,url,provider\n"
        "Deep Learning for Radiologists,https://example.org/dl-radiology,Example Academy\n",
        encoding="utf-8",
    )
    done = cli("import", str(data), env=home)
    assert done.returncode == 0, done.stderr
    engine = make_engine()  # the data directory's catalog, as the app opens it
    path = search_module.snapshot_file(engine)
    assert path is not None and path.exists()

    def unread(dialect: str) -> str:
        raise AssertionError("the snapshot was read from the catalog, not loaded")

    monkeypatch.setattr(snapshot_module, "snapshot_sql", unread)
    result = search_module.Searcher(engine).search(Query(text="radiologists"))
    assert [row["title"] for row in result.rows] == ["Deep Learning for Radiologists"]
    engine.dispose()


def test_import_that_breaks_off_writes_nothing(
    home: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The file is read while the import writes (in steps, on another thread): a file
    that cannot be read to its end is one line of error and not half an import."""
    from catalog import cli as command_line
    from catalog.refresh import file_rows

    data = tmp_path / "list.csv"
    rows = [f"Deep Learning {i},https://example.org/dl/{i}" for i in range(5000)]
    data.write_text("title,url\n" + "\n".join(rows) + "\n")
    whole = file_rows.read_rows

    def breaks_off(path: Path, **kw: object) -> object:
        for n, row in enumerate(whole(path, **kw)):  # type: ignore[arg-type]
            if n == 4500:  # steps of 2,000 courses are written by then
                raise OSError("Input/output error")
            yield row

    monkeypatch.setattr(file_rows, "read_rows", breaks_off)
    monkeypatch.setattr(sys, "argv", ["courseradar", "import", str(data)])
    with pytest.raises(SystemExit) as stop:
        command_line.main()
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err == f"error: cannot read {data}: Input/output error\n"
    engine = make_engine(f"sqlite:///{Path(home['COURSERADAR_DATA_DIR']) / 'catalog.sqlite3'}")
    with engine.connect() as conn:
        listings = conn.exec_driver_sql(
            "SELECT count(*) FROM listing WHERE source = 'import:list'"
        ).scalar()
        run = conn.exec_driver_sql(
            "SELECT state FROM refreshrun WHERE source = 'import:list'"
        ).scalar()
        source = conn.exec_driver_sql("SELECT name FROM source WHERE name = 'import:list'").scalar()
    engine.dispose()
    # a new source that got nothing leaves no trace (no import:list among the sources)
    assert (listings, run, source) == (0, None, None)


def test_import_rejects_a_registered_source_name_and_bad_maps(
    home: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "mine.csv"
    data.write_text("title,url\nDeep Learning,https://example.org/dl\n")
    done = cli("import", str(data), "--source", "coursera", env=home)
    assert done.returncode == 2 and "is refreshed from its site" in done.stderr
    done = cli("import", str(data), "--map", "title", env=home)
    assert done.returncode == 2 and "--map takes FIELD=COLUMN" in done.stderr
    done = cli("import", str(tmp_path / "missing.csv"), env=home)
    assert done.returncode == 2 and "no such file" in done.stderr


# -- rates ------------------------------------------------------------------------------------


def test_rates_update_writes_the_user_copy(
    home: dict[str, str], server: StubServer, data_dir: Path
) -> None:
    shipped = (ROOT / "catalog" / "data" / "ecb_rates.xml").read_text(encoding="utf-8")
    newer = shipped.replace("time='20", "time='21", 1)  # a date far in the future
    server.route("/eurofxref-daily.xml", Reply(body=newer, headers={"Content-Type": "text/xml"}))
    done = cli("rates", "update", "--url", server.url("/eurofxref-daily.xml"), env=home)
    assert done.returncode == 0, done.stderr
    assert (data_dir / "ecb_rates.xml").read_text(encoding="utf-8") == newer
    assert "ECB rates of 21" in done.stdout

    server.route("/broken.xml", Reply(status=404))
    done = cli("rates", "update", "--url", server.url("/broken.xml"), env=home)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert (data_dir / "ecb_rates.xml").read_text(encoding="utf-8") == newer  # kept


# -- schedule ---------------------------------------------------------------------------------


def test_schedule_print_systemd(home: dict[str, str]) -> None:
    done = cli("schedule", "--print", "systemd", "--source", "coursera", env=home)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "OnCalendar=Mon *-*-* 04:00:00" in text
    assert "Persistent=true" in text
    assert f'Environment="COURSERADAR_DATA_DIR={home["COURSERADAR_DATA_DIR"]}"' in text
    exec_line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    exe = exec_line.removeprefix("ExecStart=").split(" refresh")[0]
    assert Path(exe).is_absolute() and Path(exe).exists()
    assert exec_line.endswith('refresh --source "coursera"')
    calendar = shutil.which("systemd-analyze")
    if calendar:
        check = subprocess.run(
            [calendar, "calendar", "Mon *-*-* 04:00:00"], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr


def test_schedule_print_cron(home: dict[str, str]) -> None:
    done = cli("schedule", "--print", "cron", "--cron", "30 3 * * mon-fri", env=home)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith("30 3 * * mon-fri COURSERADAR_DATA_DIR=")
    assert " refresh >> " in line and line.endswith("2>&1")


def test_schedule_bad_input_is_one_line(home: dict[str, str]) -> None:
    for args, message in (
        (["--cron", "61 * * * *"], "minute 61 is outside 0-59"),
        (["--cron", "0 4 * *"], "five fields"),
        (["--cron", "0 4 1 * 1"], "restrict one of them"),
        (["--print", "launchd"], "--print takes systemd or cron"),
    ):
        done = cli("schedule", *args, env=home)
        assert done.returncode == 2, args
        assert message in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("expr", "calendar"),
    [
        ("0 4 * * 1", "Mon *-*-* 04:00:00"),
        ("0 4 * * 0", "Sun *-*-* 04:00:00"),
        ("0 4 * * 7", "Sun *-*-* 04:00:00"),
        ("*/20 1-2 * * *", "*-*-* 01,02:00,20,40:00"),
        ("15 6 1,15 jan,jul *", "*-01,07-01,15 06:15:00"),
    ],
)
def test_cron_to_systemd_calendar(expr: str, calendar: str) -> None:
    assert parse_cron(expr).systemd() == calendar
    tool = shutil.which("systemd-analyze")
    if tool:
        check = subprocess.run([tool, "calendar", calendar], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_scheduler_runs_mondays_at_four_one_at_a_time() -> None:
    """APScheduler 3 reads weekday 0 as Monday; the trigger must still mean cron's Monday."""
    spec: CronSpec = parse_cron("0 4 * * 1")
    scheduler = make_scheduler(spec, lambda: None)
    (job,) = scheduler.get_jobs()
    assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (3600, True, 1)
    tz = job.trigger.timezone
    sunday = datetime(2026, 3, 1, 12, 0, tzinfo=tz)
    fire = job.trigger.get_next_fire_time(None, sunday)
    assert (fire.strftime("%A %H:%M"), fire.day) == ("Monday 04:00", 2)
