"""Hostile content in scraped pages and imported files: stored as text, shown as text,
exported inert, links http(s) only, the bad row reported and never fatal.

Why: every field of a listing is written by someone else. A title may carry a script
tag or an event handler, a URL may be javascript:, data: or vbscript:, a provider name
may be a spreadsheet formula that runs when the export is opened, a field may be a
megabyte long or hold control characters, a JSON value may have the wrong type. None of
that may execute anywhere (app, exports) or stop a refresh or an import.

Every hostile string carries the marker XSSMARK outside its markup too, so a test can
find the course it ended up in and check that the marker never reaches an element that
renders HTML.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from catalog import shortlists
from catalog.bootstrap import open_catalog
from catalog.export import COLUMNS, export
from catalog.normalize import normalize_course, safe_url
from catalog.record import CourseRecord
from catalog.refresh import import_records, refresh_sources
from catalog.search import Query, search
from tests.reliability import support
from tests.support.httpserver import Reply

pytestmark = pytest.mark.reliability

MARK = "XSSMARK"
APP = str(support.ROOT / "ui" / "app.py")
# Markup a page may put into a title or description.
MARKUP = [
    f"<script>alert('{MARK}')</script>",
    f"<img src=x onerror=\"alert('{MARK}')\">",
    f'<a href="javascript:alert(\'{MARK}\')" onclick="alert(1)">x</a>',
    f"<svg/onload=alert('{MARK}')>",
    f"<iframe src=\"javascript:alert('{MARK}')\"></iframe>",
    f"&lt;script&gt;alert('{MARK}')&lt;/script&gt;",  # entity-encoded: becomes literal text
    f"[click](javascript:alert('{MARK}')) **{MARK}** :red[{MARK}] $x$ <b onmouseover=alert(1)>",
]
BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "mailto:someone@example.org",
    "//evil.example/path",
    "/relative/path",
    "https:evil.example",
    "http://user:secret@evil.example/",
    "http://",
    "ftp://files.example.org/",
    "http://evil.example:99999/",
    "\u202ejavascript:alert(1)",
]
FORMULAS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def http_only(url: Any) -> bool:
    return (
        url is None
        or url == ""
        or (isinstance(url, str) and url.startswith(("http://", "https://")))
    )


# -- the normaliser ---------------------------------------------------------------------------


def test_urls_after_normalisation_are_http_or_nothing() -> None:
    for url in BAD_URLS:
        assert safe_url(url) is None, url
        record = normalize_course(
            {"source_id": "x", "title": "Deep Learning", "url": url}, source="t"
        )
        assert record.url is None, url
    for url in ("https://example.org/a b?q=<x>", "HTTP://Example.org/ok", "http://127.0.0.1:8/x"):
        kept = safe_url(url)
        assert kept is not None and kept.lower().startswith(("http://", "https://"))
        assert not set(kept) & set(' <>"')
    support.bump("hostile content", "URLs refused by the normaliser", len(BAD_URLS))


def test_markup_in_titles_and_descriptions_becomes_plain_text() -> None:
    for text in MARKUP:
        raw = {"source_id": "x", "title": f"Deep Learning {MARK} {text}", "description": text}
        record = normalize_course(raw, source="t")
        for value in (record.title, record.description or ""):
            assert (
                not re.search(r"<\s*(script|img|svg|iframe|a|b)\b", value, re.I) or "&lt;" in text
            )
            assert "onerror=" not in value and "onload=" not in value
            assert not CONTROL.search(value)
        assert MARK in record.title
    huge = normalize_course(
        {"source_id": "x", "title": "Deep Learning " + "ab " * 400_000}, source="t"
    )
    assert len(huge.title) <= 500


# -- a refresh of a hostile site --------------------------------------------------------------


def hostile_feed() -> list[Any]:
    """A FutureLearn feed (built by hand) where most entries attack something."""
    entries: list[Any] = support.futurelearn_feed(10, 1)  # ten ordinary courses
    for i, text in enumerate(MARKUP):
        entries.append(
            {
                "uuid": f"markup-{i}",
                "name": f"Deep Learning {MARK} {text}",
                "description": f"Machine learning {text}",
                "organisation": {"name": FORMULAS[i % len(FORMULAS)]},
                "url": "https://www.futurelearn.com/courses/x?utm_source=y",
            }
        )
    for i, url in enumerate(BAD_URLS):
        entries.append({"uuid": f"url-{i}", "name": f"Machine Learning URL {i}", "url": url})
    entries += [
        {"uuid": "huge", "name": "Deep Learning " + "neural " * 150_000},  # ~1 MB title
        {
            "uuid": "huge-org",
            "name": "Deep Learning big provider",
            "organisation": {"name": "x" * 10_000},
        },
        {"uuid": "u" * 10_000, "name": "Deep Learning with a 10 kB id"},
        {
            "uuid": "control",
            "name": f"Deep Learning \x00\x07\x1b[31m{MARK}\x1b[0m\u200b end",
            "description": "Machine learning\x00 with\x0b controls",
        },
        {"uuid": "types", "name": "Deep Learning types", "hours_per_week": "many", "runs": "x"},
        {"uuid": ["list"], "name": "Deep Learning"},  # wrong type: not a course
        {"uuid": "obj", "name": {"en": "Deep Learning"}},  # wrong type: not a course
        "Deep Learning as a bare string",
        None,
        42,
    ]
    return entries


@pytest.fixture
def hostile_catalog(
    engine: Engine, clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Engine]:
    """A catalog after a refresh of the hostile futurelearn feed (and a normal xikolo)."""
    with support.Site(xikolo=2) as site:
        for key, value in site.env().items():
            monkeypatch.setenv(key, value)
        site.publish_feed(Reply.json(hostile_feed()))
        started = time.monotonic()
        with support.fast_fetcher(tmp_path / "cache.sqlite") as fetcher:
            reports = refresh_sources(engine, list(site.SOURCES), fetcher=fetcher)
        took = time.monotonic() - started
    assert [r.state for r in reports] == ["ok", "ok"], [r.message for r in reports]
    support.record(
        f"hostile content: refresh of a hostile feed ({engine.dialect.name})",
        entries=len(hostile_feed()),
        imported=reports[0].added,
        reported_errors=reports[0].errored,
        seconds=round(took, 1),
    )
    yield engine


def test_a_hostile_feed_imports_as_text_and_reports_the_bad_entries(
    hostile_catalog: Engine,
) -> None:
    engine = hostile_catalog
    with engine.connect() as conn:
        courses = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM course"))]
        listing_urls = [r[0] for r in conn.execute(sa.text("SELECT url FROM listing"))]
    assert all(http_only(c["url"]) for c in courses)
    assert all(http_only(u) for u in listing_urls)
    # Entity-encoded markup ("&lt;script&gt;") is text that reads like a tag: stored as such.
    literal = {f"markup-{i}" for i, text in enumerate(MARKUP) if "&lt;" in text}
    for course in courses:
        for name in ("title", "provider", "platform", "description"):
            value = course[name] or ""
            assert not CONTROL.search(value), (name, value[:80])
            if course["source_id"] not in literal:
                assert "onerror=" not in value and "<script" not in value, (name, value[:80])
        assert len(course["title"]) <= 500 and len(course["provider"] or "") <= 300
    # The ordinary courses, the markup ones and the URL ones are all in.
    listed = support.listings(engine, "futurelearn")
    assert {f"fl-{i}" for i in range(10)} <= set(listed)
    assert {f"markup-{i}" for i in range(len(MARKUP))} <= set(listed)
    assert {"huge", "huge-org", "control"} <= set(listed)
    # The bad entries are recorded with the run, one line each, and were not fatal.
    run = support.runs(engine, "futurelearn")[-1]
    errors = [i["error"] for i in support.run_items(engine, run["id"])]
    assert any("not a course" in e for e in errors), errors
    assert any("source_id of 10000 characters" in e for e in errors), errors
    assert all("\n" not in e and len(e) <= 2000 for e in errors)
    assert support.integrity_problems(engine) == []


# -- exports ----------------------------------------------------------------------------------


def _formula_rows() -> list[dict[str, Any]]:
    """One row per formula with that formula in every exported column (and a note)."""
    return [{**dict.fromkeys(COLUMNS, f), "note": f} for f in FORMULAS]


def _check_csv(data: bytes) -> int:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    return len(cells)


def _check_xlsx(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)  # no formula element at all
    book = openpyxl.load_workbook(io.BytesIO(data))
    count = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                count += 1
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START), (cell.coordinate, cell.value)
                else:
                    assert cell.value is None or isinstance(cell.value, int | float)
    return count


def _check_markdown(data: bytes) -> None:
    text = data.decode()
    for target in re.findall(r"(?<!\\)\]\(<?([^)>]*)", text):  # links: unescaped "]("
        assert target.startswith(("http://", "https://")), target
    assert not re.search(r"(?<!\\)<(?!https?://)", text)  # every other < is escaped


def test_exports_neutralise_formulas_in_every_field() -> None:
    rows = _formula_rows()
    cells = _check_csv(export(rows, "csv")) + _check_xlsx(export(rows, "xlsx"))
    support.bump("hostile content", "formula cells checked in CSV+XLSX", cells)


def test_exports_of_a_hostile_catalog_are_inert(hostile_catalog: Engine) -> None:
    engine = hostile_catalog
    hostile = [
        CourseRecord(
            source="=evil",
            source_id=f"f{i}",
            title=f"{formula} Deep Learning {i}",
            provider=formula,
            platform=formula,
            url="javascript:alert(1)" if i % 2 else "https://example.org/ok)](javascript:alert(1)",
            description=MARKUP[i % len(MARKUP)],
        )
        for i, formula in enumerate(FORMULAS)
    ]  # stored as given (no normaliser): the exports must hold on their own
    import_records(engine, "=evil", hostile, full=True)
    rows = search(engine, Query(statuses=("active", "stale", "removed"), per_page=500)).rows
    list_id = shortlists.new_list(engine, "@hostile list")
    shortlists.add(engine, list_id, [r["id"] for r in rows[:20]])
    for formula, row in zip(FORMULAS, rows[:20], strict=False):
        shortlists.set_note(engine, list_id, row["id"], f"{formula} <script>{MARK}</script>")
    for data in (export(rows, "csv"), shortlists.export_list(engine, list_id, "csv")):
        _check_csv(data)
    for data in (export(rows, "xlsx"), shortlists.export_list(engine, list_id, "xlsx")):
        _check_xlsx(data)
    for data in (export(rows, "md"), shortlists.export_list(engine, list_id, "md")):
        _check_markdown(data)
    # JSON carries every field as data; the normalised rows' links are http(s) only.
    normalised = [r for r in json.loads(export(rows, "json")) if r["source"] != "=evil"]
    assert normalised and all(http_only(r["url"]) for r in normalised)


def test_atom_feed_of_hostile_courses_is_well_formed(engine: Engine) -> None:
    """The saved-search feed is XML a reader parses: text escaped, links http(s) only."""
    import xml.etree.ElementTree as ET

    from catalog import saved_searches

    saved_searches.save(engine, f"<feed>{MARK}&", Query(text="deep learning"))
    hostile = [
        CourseRecord(
            source="hostile",
            source_id=f"a{i}",
            title=f"Deep Learning {MARK} {text} \x0b\ufffe\x1f ]]>",
            description=f"{text} \x1b[31m",
            url=BAD_URLS[i],
            provider=FORMULAS[i % len(FORMULAS)],
        )
        for i, text in enumerate(MARKUP)
    ]  # stored as given, control characters included (NUL aside: PostgreSQL refuses it)
    import_records(engine, "hostile", hostile, full=True)
    feed = ET.fromstring(saved_searches.atom_feed(engine, f"<feed>{MARK}&"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == len(MARKUP)
    assert all(MARK in (e.findtext("a:title", namespaces=ns) or "") for e in entries)
    links = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert all(http_only(href) for href in links)
    support.bump(
        "hostile content", f"feed entries parsed as XML ({engine.dialect.name})", len(entries)
    )


# -- imports ----------------------------------------------------------------------------------


def _cli_env(data: Path) -> dict[str, str]:
    return {"COURSERADAR_DATA_DIR": str(data)}


def test_import_of_hostile_files_reports_bad_rows_and_keeps_going(
    clean_env: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "hostile.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "url", "provider", "description", "price"])
        writer.writerow(["g1", "Deep Learning Basics", "https://example.org/dl", "Uni", "", "0"])
        writer.writerow(
            ["f1", '=HYPERLINK("http://evil.example","Deep Learning")', "javascript:alert(1)",
             "@SUM(1+1)", f"<script>alert('{MARK}')</script> machine learning", "=1+1"]
        )  # fmt: skip
        writer.writerow(["m1", "", "https://example.org/no-title", "", "", ""])
        writer.writerow(["h1", "Deep Learning " + "x" * 200_000, "", "", "", ""])  # > csv limit
        writer.writerow(["c1", f"Deep Learning \x00\x1b[2J{MARK}", "data:text/html,x", "", "", ""])
        writer.writerow(["w1", "Machine Learning", "", "", "", "", "extra", "cells"])
        writer.writerow(["g2", "Machine Learning Basics", "vbscript:msgbox(1)", "", "", "12"])
    json_file = tmp_path / "hostile.json"
    json_file.write_text(
        json.dumps(
            [
                {"id": "j1", "title": "Deep Learning J", "url": "//evil.example/"},
                {"id": "j2", "title": {"en": "Deep Learning"}},
                "a bare string",
                None,
                7,
                {"id": "j3", "title": ["Deep", "Learning", {"x": 1}]},
                {"id": "j4", "title": "Deep Learning rating", "rating": {"stars": 5}},
                {"id": "j5", "title": "Deep Learning price", "price": [1, 2]},
                {"id": "j6", "title": "Deep Learning ok", "url": "https://example.org/j6"},
            ]
        )
    )
    env = _cli_env(clean_env)
    results = {}
    for path, name in ((sheet, "import:csv"), (json_file, "import:json")):
        done = support.cli("import", str(path), "--source", name, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        results[name] = done.stdout
    assert re.search(r"skipped [1-9]", results["import:csv"])
    assert re.search(r"skipped [1-9]", results["import:json"])

    with support.engine_for(f"sqlite:///{clean_env / 'catalog.sqlite3'}") as engine:
        csv_ids = set(support.listings(engine, "import:csv"))
        json_ids = set(support.listings(engine, "import:json"))
        with engine.connect() as conn:
            urls = [r[0] for r in conn.execute(sa.text("SELECT url FROM course"))]
            titles = [r[0] for r in conn.execute(sa.text("SELECT title FROM course"))]
        assert support.integrity_problems(engine) == []
    assert {"g1", "f1", "g2"} <= csv_ids and "m1" not in csv_ids and "h1" not in csv_ids
    assert {"j1", "j6"} <= json_ids and "j2" not in json_ids
    assert all(http_only(u) for u in urls)
    assert not any(CONTROL.search(t) for t in titles)
    support.record(
        "hostile content: imports",
        csv_rows=7,
        csv_imported=len(csv_ids),
        json_rows=9,
        json_imported=len(json_ids),
        fatal=0,
    )


# -- the app ----------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def _check_app(at: AppTest) -> dict[str, int]:
    """No element that renders HTML carries scraped text; every link is http(s)."""
    assert not at.exception, [e.message for e in at.exception]
    seen = {"elements": 0, "links": 0, "table_cells": 0}
    for node in _walk(at._tree):
        seen["elements"] += 1
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind == "html":
            assert MARK not in proto.body and "<script" not in proto.body.replace("<style>", "")
        if kind in ("markdown", "caption", "title", "header", "subheader") and proto is not None:
            body = getattr(proto, "body", "")
            assert not getattr(proto, "allow_html", False) or MARK not in body
            for target in re.findall(r"(?<!\\)\]\((?!\s)([^)]*)", body):
                seen["links"] += 1
                assert target.startswith(("http://", "https://")), target
        if kind == "link_button":
            seen["links"] += 1
            assert proto.url.startswith(("http://", "https://")), proto.url
        if kind in ("dataframe", "table"):
            config = json.loads(getattr(proto, "columns", "") or "{}")
            links = {
                name
                for name, conf in config.items()
                if (conf.get("type_config") or {}).get("type") == "link"
            }
            frame = node.value
            for column in frame.columns:
                is_link = column in links or str(column).lower() in ("url", "link")
                for value in frame[column]:
                    seen["table_cells"] += 1
                    if is_link:
                        seen["links"] += 1
                        assert http_only(value if value == value else None), (column, value)
    return seen


@pytest.fixture
def app_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setenv("COURSERADAR_DATABASE_URL", url)
    engine = open_catalog(url)
    raw = [
        CourseRecord(
            source="hostile",
            source_id=f"h{i}",
            title=f"Deep Learning {MARK} {text}",
            description=f"{text} {MARK}",
            provider=FORMULAS[i % len(FORMULAS)],
            url=BAD_URLS[i % len(BAD_URLS)],
            topics=["deep-learning"],
            cost="free",
        )
        for i, text in enumerate(MARKUP)
    ]  # raw, as if a bug let them past the normaliser: the app must hold on its own
    normalised = [
        normalize_course(
            {"source_id": f"n{i}", "title": f"Deep Learning {MARK} {text}", "url": BAD_URLS[i]},
            source="hostile-n",
        )
        for i, text in enumerate(MARKUP)
    ]
    import_records(engine, "hostile", raw, full=True)
    import_records(engine, "hostile-n", normalised, full=True)
    yield engine
    engine.dispose()


def test_the_app_shows_hostile_text_as_text(app_catalog: Engine) -> None:
    engine = app_catalog
    totals = {"elements": 0, "links": 0, "table_cells": 0, "pages": 0}

    def count(seen: dict[str, int]) -> None:
        for key, value in seen.items():
            totals[key] += value
        totals["pages"] += 1

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["text"] = MARK.lower()
    at.run()
    count(_check_app(at))
    titles = list(at.dataframe[0].value["title"])
    assert len([t for t in titles if MARK in t]) == 2 * len(MARKUP)

    with engine.connect() as conn:
        ids = [
            r[0]
            for r in conn.execute(sa.text("SELECT id FROM course WHERE title LIKE '%XSSMARK%'"))
        ]
    list_id = shortlists.new_list(engine, f"<b>{MARK}</b>")
    shortlists.add(engine, list_id, ids)
    shortlists.set_note(engine, list_id, ids[0], f"<script>alert('{MARK}')</script> =1+1")
    for course_id in ids:
        page = AppTest.from_file(APP, default_timeout=60)
        page.run()
        page.switch_page("views/detail.py")
        page.query_params["course"] = str(course_id)
        page.run()
        count(_check_app(page))
        assert any(MARK in title.value for title in page.title)  # the course is shown
    lists = AppTest.from_file(APP, default_timeout=60)
    lists.run()
    lists.switch_page("views/shortlists.py").run()
    count(_check_app(lists))
    support.record("hostile content: app (AppTest)", **totals, unsafe_elements_with_scraped_text=0)
