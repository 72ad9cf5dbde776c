"""`courseradar shortlist|export|saved|feed` as a person runs them: the real command, a
catalog in a temporary COURSERADAR_DATA_DIR, one-line errors with a non-zero exit."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.bootstrap import open_catalog
from catalog.export import export
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.search import Query, searcher_for

EXE = shutil.which("courseradar", path=str(Path(sys.executable).parent)) or "courseradar"


def run(data_dir: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("COURSERADAR_DATABASE_URL", None)
    proc = subprocess.run([EXE, *args], env=env, capture_output=True, timeout=120)
    if ok:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


def same_file(a: bytes, b: bytes, fmt: str) -> bool:
    """Byte-equal; XLSX member by member, apart from the save time openpyxl stamps into
    each zip entry and into docProps/core.xml (catalog/export.py cannot pin those yet)."""
    if fmt != "xlsx":
        return a == b

    def members(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out = {n: z.read(n) for n in z.namelist()}
        out["docProps/core.xml"] = re.sub(
            rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", out["docProps/core.xml"]
        )
        return out

    return members(a) == members(b)


@pytest.fixture
def catalog(data_dir: Path) -> tuple[Path, Engine, dict[str, int]]:
    """The CLI's catalog (starter set) plus courses with formula-like text."""
    eng = open_catalog()
    import_records(
        eng,
        "test",
        [
            CourseRecord(
                source="test",
                source_id="formula",
                title="=1+2 Spreadsheet tricks",
                provider="@SUM(A1)",
                url="https://example.org/formula",
                topics=["data-science"],
                languages=["de"],
                cost="free",
            ),
            CourseRecord(
                source="test",
                source_id="second",
                title="Zweiter Kurs | mit Pipe",
                topics=["data-science"],
                languages=["de"],
            ),
        ],
        full=True,
    )
    with eng.connect() as conn:
        ids = dict(conn.execute(sa.text("SELECT source_id, id FROM course")).all())
    return data_dir, eng, ids


def test_shortlist_new_add_show_note_remove(catalog: tuple[Path, Engine, dict[str, int]]) -> None:
    data_dir, _eng, ids = catalog
    run(data_dir, "shortlist", "new", "Für später")
    proc = run(data_dir, "shortlist", "new", "für SPÄTER", ok=False)
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().splitlines() == [
        "error: a shortlist named 'für SPÄTER' already exists"
    ]
    formula, second = str(ids["formula"]), str(ids["second"])
    assert (
        b"added 2 of 2" in run(data_dir, "shortlist", "add", "Für später", formula, second).stdout
    )
    assert b"added 0 of 1" in run(data_dir, "shortlist", "add", "Für später", formula).stdout
    run(data_dir, "shortlist", "note", "Für später", second, "Chef fragen")
    run(data_dir, "shortlist", "move", "Für später", second, "top")
    table = run(data_dir, "shortlist", "show", "Für später").stdout.decode()
    assert "Chef fragen" in table and "=1+2 Spreadsheet tricks" in table
    assert table.index("Zweiter Kurs") < table.index("=1+2")
    shown = json.loads(run(data_dir, "shortlist", "show", "Für später", "--format", "json").stdout)
    assert [(r["id"], r["note"], r["position"]) for r in shown] == [
        (ids["second"], "Chef fragen", 1),
        (ids["formula"], "", 2),
    ]
    csv = run(data_dir, "shortlist", "show", "Für später", "--format", "csv", "--lang", "de")
    assert csv.stdout.decode().splitlines()[0].startswith("ID,Titel,Anbieter")
    listed = json.loads(run(data_dir, "shortlist", "list", "--format", "json").stdout)
    assert [(r["name"], r["count"]) for r in listed] == [("Für später", 2)]
    run(data_dir, "shortlist", "remove", "Für später", formula)
    shown = json.loads(run(data_dir, "shortlist", "show", "Für später", "--format", "json").stdout)
    assert [r["id"] for r in shown] == [ids["second"]]
    missing = run(data_dir, "shortlist", "show", "nope", ok=False)
    assert missing.returncode == 2 and missing.stderr.decode().count("\n") == 1
    bad = run(data_dir, "shortlist", "add", "Für später", "99999", ok=False)
    assert bad.returncode == 2 and b"no course with id 99999" in bad.stderr


def test_export_shortlist_every_format(
    catalog: tuple[Path, Engine, dict[str, int]], tmp_path: Path
) -> None:
    data_dir, _eng, ids = catalog
    run(data_dir, "shortlist", "add", "--create", "mine", str(ids["formula"]), str(ids["second"]))
    run(data_dir, "shortlist", "note", "mine", str(ids["formula"]), "=cmd|' /C calc'!A0")
    files = {}
    for fmt in ("csv", "xlsx", "json", "md"):
        target = tmp_path / f"list.{fmt}"
        proc = run(data_dir, "export", "--shortlist", "mine", "--format", fmt, "-o", str(target))
        assert b"wrote 2 courses" in proc.stderr
        files[fmt] = target.read_bytes()
    csv = files["csv"].decode("utf-8-sig")
    assert "'=1+2 Spreadsheet tricks" in csv and "'@SUM(A1)" in csv
    assert "'=cmd|' /C calc'!A0" in csv
    assert "\n=1+2" not in csv and ",=1+2" not in csv
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).active
    title = next(c for c in sheet[2] if c.value and "Spreadsheet" in str(c.value))
    assert title.value == "'=1+2 Spreadsheet tricks" and title.data_type == "s"
    assert not any(str(c.value).startswith("=") for row in sheet.iter_rows() for c in row)
    data = json.loads(files["json"])
    assert data[0]["title"] == "=1+2 Spreadsheet tricks" and data[0]["note"].startswith("=cmd")
    md = files["md"].decode()
    assert "Zweiter Kurs \\| mit Pipe" in md
    # To stdout, German headers.
    out = run(data_dir, "export", "--shortlist", "mine", "--format", "csv", "--lang", "de").stdout
    assert out.decode("utf-8-sig").startswith("ID,Titel")


def test_export_search_matches_library_bytes(
    catalog: tuple[Path, Engine, dict[str, int]], tmp_path: Path
) -> None:
    data_dir, eng, _ids = catalog
    query = Query(text="learning", topics=("deep-learning", "nlp"), costs=("free",), sort="price")
    rows = list(searcher_for(eng).iter_all(query))
    assert rows
    for fmt in ("csv", "xlsx", "json", "md"):
        target = tmp_path / f"search.{fmt}"
        run(
            data_dir, "export", "learning", "--topic", "deep-learning", "--topic", "nlp",
            "--cost", "free", "--sort", "price", "--format", fmt, "-o", str(target),
        )  # fmt: skip
        assert same_file(target.read_bytes(), export(rows, fmt, "en"), fmt), fmt
    everything = run(data_dir, "export", "--format", "json").stdout
    assert len(json.loads(everything)) == len(list(searcher_for(eng).iter_all(Query())))
    for args, message in [
        (["--format", "pdf"], b"unknown export format 'pdf'"),
        (["--cost", "cheap"], b"unknown cost 'cheap'"),
        (["--lang", "fr"], b"unknown language 'fr'"),
        (["nlp", "--shortlist", "x"], b"not both"),
    ]:
        proc = run(data_dir, "export", *args, ok=False)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith(b"error: ") and message in proc.stderr, proc.stderr
        assert proc.stderr.count(b"\n") == 1


def test_saved_searches_and_feed(
    catalog: tuple[Path, Engine, dict[str, int]], tmp_path: Path
) -> None:
    data_dir, eng, _ids = catalog
    run(data_dir, "saved", "save", "Daten DE", "--topic", "data-science", "--language", "de")
    dup = run(data_dir, "saved", "save", "daten de", ok=False)
    assert dup.returncode == 2 and b"already exists" in dup.stderr
    run(data_dir, "saved", "save", "daten de", "--cost", "free", "--replace")
    run(data_dir, "saved", "save", "Daten DE 2", "--topic", "data-science", "--language", "de")
    import_records(
        eng,
        "test",
        [
            CourseRecord(
                source="test2",
                source_id="n1",
                title="Neue Datenanalyse",
                topics=["data-science"],
                languages=["de"],
                url="https://example.org/n1",
            ),
        ],
    )
    listed = json.loads(run(data_dir, "saved", "list", "--format", "json").stdout)
    assert {r["name"]: r["new"] for r in listed} == {"Daten DE": 0, "Daten DE 2": 1}
    assert listed[0]["query"] == {"costs": ["free"]}  # replaced, under its first name
    assert "1" in run(data_dir, "saved", "list").stdout.decode()
    target = tmp_path / "feed.atom"
    run(data_dir, "feed", "Daten DE 2", "-o", str(target), "--base-url", "http://localhost:8501")
    root = ET.parse(target).getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert [e.findtext(f"{atom}title") for e in root.findall(f"{atom}entry")] == [
        "Neue Datenanalyse"
    ]
    assert root.find(f"{atom}entry/{atom}link").get("href") == "https://example.org/n1"
    stdout = run(data_dir, "feed", "Daten DE 2").stdout
    assert ET.fromstring(stdout).tag == f"{atom}feed"
    run(data_dir, "saved", "delete", "daten de")
    gone = run(data_dir, "feed", "daten de", ok=False)
    assert gone.returncode == 2 and b"no saved search named" in gone.stderr
