"""Exports: formulas made inert, links only http(s), the same bytes every time."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from openpyxl import load_workbook

from catalog.export import ExportError, export, neutralise

ROWS = [
    {
        "id": 1,
        "title": "=HYPERLINK(\"http://evil\",\"x\")",
        "provider": "+cmd|' /C calc'!A0",
        "platform": "@SUM(1)",
        "url": "javascript:alert(1)",
        "kind": "course",
        "topics": ["nlp"],
        "level": "-2+3",
        "languages": ["de"],
        "cost": "\tfree",
        "price_amount": -5.0,
        "price_currency": "EUR",
        "price_eur": -5.0,
        "certificate": "\rnone",
        "description": "<script>alert(1)</script>",
        "sources": ["t"],
        "status": "active",
        "note": "=1+1",
    },
    {"id": 2, "title": "Künstliche Intelligenz | Grundlagen [1]", "url": "https://ki.example/x y",
     "topics": [], "languages": [], "sources": []},
]  # fmt: skip


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@x", "\tx", "\rx"])
def test_neutralise(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise(5) == 5


def test_csv_cells_are_inert_and_umlauts_survive() -> None:
    data = export(ROWS, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Title", "Provider"]
    numbers = {"-5.0"}  # a number is written as a number, which no spreadsheet evaluates
    for cell in rows[1]:
        assert cell in numbers or not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[2][1] == "Künstliche Intelligenz | Grundlagen [1]"
    assert export(ROWS, "csv", "de").decode("utf-8-sig").startswith("ID,Titel,Anbieter")


def test_xlsx_cells_are_text_and_bytes_reproducible() -> None:
    first = export(ROWS, "xlsx")
    time.sleep(1.1)
    assert export(ROWS, "xlsx") == first
    sheet = load_workbook(io.BytesIO(first)).active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert sheet["K2"].value == -5.0  # numbers stay numbers


def test_json_and_markdown() -> None:
    assert json.loads(export(ROWS, "json"))[0]["url"] == "javascript:alert(1)"
    md = export(ROWS, "md").decode()
    assert "javascript:" not in md  # only http(s) becomes a link; the text is escaped
    assert "[Künstliche Intelligenz \\| Grundlagen \\[1\\]](<https://ki.example/x%20y>)" in md
    assert "\\<script\\>" not in md  # the description is not a Markdown column
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        export(ROWS, "pdf")
