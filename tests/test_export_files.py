"""Exports that read well, checked by reading the files back: labels in the chosen
language (codes in JSON), XLSX widths, links, autofilter and frozen header, the format
from the file's extension, no binary to a terminal, files named after what they hold."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from catalog.export import export, file_stem, search_file_stem
from catalog.query import Query

ROW = {
    "id": 7,
    "title": "Maschinelles Lernen",
    "provider": "KI-Campus",
    "url": "https://ki-campus.example/ml",
    "kind": "course",
    "topics": ["machine-learning", "prompt-engineering"],
    "level": "beginner",
    "languages": ["de", "en"],
    "cost": "free",
    "certificate": "completion",
    "pace": "self_paced",
    "hours_max": 12.0,
    "sources": ["curated", "coursera"],
    "status": "active",
}
UNSAFE = {"id": 8, "title": "No link", "url": "javascript:alert(1)", "topics": [],
          "languages": [], "sources": []}  # fmt: skip


def _csv(lang: str) -> dict[str, str]:
    return next(csv.DictReader(io.StringIO(export([ROW], "csv", lang).decode("utf-8-sig"))))


def test_cells_hold_labels_in_the_chosen_language_and_json_keeps_codes() -> None:
    german = _csv("de")
    assert german["Kosten"] == "kostenlos"
    assert german["Zertifikat"] == "Teilnahmezertifikat"
    assert german["Sprachen"] == "Deutsch, Englisch"
    assert german["Tempo"] != "self_paced" and german["Niveau"] != "beginner"
    assert "prompt-engineering" not in german["Themen"]
    assert german["Quellen"] == "Startkatalog, Coursera"
    assert german["Preis (EUR)"] == "0.0"
    english = _csv("en")
    assert (english["Cost"], english["Certificate"]) == ("free", "certificate of completion")
    assert english["Languages"] == "German, English"
    md = export([ROW], "md", "de").decode()
    assert "Teilnahmezertifikat" in md and "completion" not in md
    record = json.loads(export([ROW], "json", "de"))[0]
    assert (record["cost"], record["pace"], record["topics"][1]) == (
        "free",
        "self_paced",
        "prompt-engineering",
    )


def test_xlsx_has_widths_links_an_autofilter_and_a_frozen_header() -> None:
    sheet = load_workbook(io.BytesIO(export([ROW, UNSAFE], "xlsx", "de"))).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["ID", "Titel", "Anbieter"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}3"
    link = sheet.cell(2, header.index("Link") + 1)
    assert link.hyperlink is not None and link.hyperlink.target == ROW["url"]
    assert sheet.cell(3, header.index("Link") + 1).hyperlink is None  # only http(s)
    widths = {h: sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width
              for i, h in enumerate(header)}  # fmt: skip
    assert widths["Titel"] >= 40 and widths["ID"] < widths["Titel"]
    assert all(width >= 6 for width in widths.values())
    assert sheet.cell(2, header.index("Kosten") + 1).value == "kostenlos"
    assert sheet["A1"].font.bold


def test_file_names_follow_the_list_or_the_search() -> None:
    assert file_stem("Q1 Übersicht: KI/ML!") == "q1-uebersicht-ki-ml"
    assert file_stem("   ") == "courses"
    assert search_file_stem(Query(text="machine learning", costs=("free",))) == (
        "machine-learning-free"
    )
    assert search_file_stem(Query(topics=("nlp",), max_price_eur=300.0)) == (
        "nlp-max-price-eur-300"
    )
    assert search_file_stem(Query(sort="price")) == "all-courses"


def cli(
    *args: str, cwd: Path, env: dict[str, str], tty: bool = False
) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "catalog", *args]
    full_env = {**os.environ, **env}
    if not tty:
        return subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, timeout=120)
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            command, cwd=cwd, env=full_env, stdout=follower, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(follower)
        os.close(leader)
    return done


@pytest.fixture
def home(data_dir: Path) -> dict[str, str]:
    return {"COURSERADAR_DATA_DIR": str(data_dir)}


def test_cli_takes_the_format_from_the_file_extension(tmp_path: Path, home: dict[str, str]) -> None:
    done = cli("export", "machine learning", "-o", "out.xlsx", cwd=tmp_path, env=home)
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet is not None and sheet.max_row > 1
    done = cli("export", "machine learning", "-o", "out.md", "--lang", "de", cwd=tmp_path, env=home)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.md").read_text().startswith("| Titel | Anbieter |")
    wrong = cli("export", "ml", "--format", "csv", "-o", "x.xlsx", cwd=tmp_path, env=home)
    assert wrong.returncode != 0
    assert b"does not match" in wrong.stderr and not (tmp_path / "x.xlsx").exists()


def test_cli_never_writes_xlsx_to_a_terminal(tmp_path: Path, home: dict[str, str]) -> None:
    done = cli("export", "machine learning", "--format", "xlsx", cwd=tmp_path, env=home, tty=True)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "machine-learning.xlsx"
    assert zipfile.is_zipfile(written)
    assert b"machine-learning.xlsx" in done.stderr
    again = cli("export", "machine learning", "--format", "xlsx", cwd=tmp_path, env=home, tty=True)
    assert again.returncode != 0 and b"exists" in again.stderr  # never overwritten unasked
