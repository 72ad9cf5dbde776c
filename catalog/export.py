"""Exports of a search result or a shortlist as CSV, XLSX, JSON or Markdown.

Front ends pass the rows the search (or the shortlist) produced, so what a person sees
is what they download, byte for byte the same from the app and from the CLI.
Scraped text is untrusted: in CSV and XLSX a cell that a spreadsheet would read as a
formula (starting with =, +, -, @, tab or carriage return) is made inert with a
leading apostrophe, as OWASP recommends for CSV injection.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from catalog.i18n import field_label, price_eur

FORMATS = ("csv", "xlsx", "json", "md")
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown",
}
# Columns of the tabular exports; JSON carries every field of the course record.
COLUMNS = (
    "id",
    "title",
    "provider",
    "platform",
    "url",
    "kind",
    "topics",
    "level",
    "languages",
    "cost",
    "price_amount",
    "price_currency",
    "price_eur",
    "certificate",
    "hours_min",
    "hours_max",
    "weeks",
    "pace",
    "start_date",
    "rating",
    "sources",
    "status",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """An export that cannot be made (unknown format)."""


def neutralise(value: Any) -> Any:
    """Make a spreadsheet formula inert; numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if not isinstance(v, dict))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else ""
    return value


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    cols = list(COLUMNS)
    if any("note" in r for r in rows):
        cols.append("note")
    return cols


def table(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """(column names, cell rows) shared by the tabular formats."""
    cols = _columns(rows)
    return cols, [[_cell(_value(row, c)) for c in cols] for row in rows]


def _value(row: dict[str, Any], column: str) -> Any:
    """A row's value for a column; the EUR price as the search compares it (0: free)."""
    return price_eur(row) if column == "price_eur" else row.get(column)


def to_csv(rows: Sequence[dict[str, Any]], lang: str = "en") -> bytes:
    """UTF-8 with a BOM so spreadsheet programs read umlauts right."""
    cols, cells = table(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([field_label(c, lang) for c in cols])
    for line in cells:
        writer.writerow([neutralise(v) for v in line])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[dict[str, Any]], lang: str = "en") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    cols, cells = table(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "CourseRadar"
    sheet.append([field_label(c, lang) for c in cols])
    for line in cells:
        sheet.append([neutralise(v) for v in line])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # never let openpyxl store text as a formula
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.properties.created = datetime(2000, 1, 1)
    book.save(buf)
    return _reproducible_zip(buf.getvalue())


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed timestamps, so the same rows give the same bytes.

    openpyxl stamps the save time into every zip entry and into docProps/core.xml;
    without this the app's download and `courseradar export` would differ.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(
                    rb"<dcterms:modified\1>2000-01-01T00:00:00Z</dcterms:modified>", content
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()


def to_json(rows: Sequence[dict[str, Any]], lang: str = "en") -> bytes:
    """Every field of the course record under its record name (``lang`` is unused)."""
    return (json.dumps(list(rows), default=str, ensure_ascii=False, indent=2) + "\n").encode()


def _md_escape(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    for ch in "`*_[]<>":
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


def to_markdown(rows: Sequence[dict[str, Any]], lang: str = "en") -> bytes:
    """A Markdown table; links only for http(s) URLs, all scraped text escaped."""
    cols = [c for c in ("title", "provider", "cost", "price_eur", "certificate", "level") if c]
    cols += ["languages", "hours_max"] + (["note"] if any("note" in r for r in rows) else [])
    lines = [
        "| " + " | ".join(field_label(c, lang) for c in cols) + " |",
        "|" + "---|" * len(cols),
    ]
    for row in rows:
        cells = []
        for c in cols:
            value = _md_escape(_cell(_value(row, c)))
            url = row.get("url") or ""
            if c == "title" and url.startswith(("http://", "https://")):
                safe_url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
                value = f"[{value}](<{safe_url.replace('>', '%3E')}>)"
            cells.append(value)
        lines.append("| " + " | ".join(cells) + " |")
    return ("\n".join(lines) + "\n").encode()


def export(rows: Iterable[dict[str, Any]], fmt: str, lang: str = "en") -> bytes:
    """Rows in ``fmt`` (csv, xlsx, json, md)."""
    writers = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json, "md": to_markdown}
    if fmt not in writers:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](list(rows), lang)
