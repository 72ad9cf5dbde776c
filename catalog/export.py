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
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from catalog.i18n import field_label, source_label, value_label
from catalog.vocabulary import VOCABULARIES

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
# Columns whose values are codes, written as their labels in the export's language.
LABELLED = frozenset({*VOCABULARIES, "topics", "languages"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """An export that cannot be made (unknown format)."""


def neutralise(value: Any) -> Any:
    """Make a spreadsheet formula inert; numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value: Any, column: str = "", lang: str = "en") -> Any:
    """A value as a spreadsheet cell: codes as their labels in ``lang`` (JSON keeps the
    codes), lists joined, dates as ISO text, numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        labels = (_label(column, v, lang) for v in value if not isinstance(v, dict))
        return ", ".join(str(v) for v in labels if v is not None)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else ""
    return _label(column, value, lang) if isinstance(value, str) else value


def _label(column: str, value: Any, lang: str) -> Any:
    if column == "sources" and isinstance(value, str):
        return source_label(value, lang)
    if column in LABELLED and isinstance(value, str):
        return value_label(column, value, lang)
    return value


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    cols = list(COLUMNS)
    if any("note" in r for r in rows):
        cols.append("note")
    return cols


def table(rows: Sequence[dict[str, Any]], lang: str = "en") -> tuple[list[str], list[list[Any]]]:
    """(column names, cell rows) shared by the tabular formats."""
    cols = _columns(rows)
    return cols, [[_cell(_value(row, c), c, lang) for c in cols] for row in rows]


def _value(row: dict[str, Any], column: str) -> Any:
    """A row's value for a column; a free course's EUR price is 0, as the search has it."""
    return 0.0 if column == "price_eur" and row.get("cost") == "free" else row.get(column)


def to_csv(rows: Sequence[dict[str, Any]], lang: str = "en") -> bytes:
    """UTF-8 with a BOM so spreadsheet programs read umlauts right."""
    cols, cells = table(rows, lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([field_label(c, lang) for c in cols])
    for line in cells:
        writer.writerow([neutralise(v) for v in line])
    return buf.getvalue().encode("utf-8-sig")


# Widths of the XLSX columns in characters: long texts get room, the rest fit their
# header and values (capped, so one long value does not make a column a screen wide).
XLSX_WIDTHS = {"title": 50, "url": 40, "provider": 24, "platform": 18, "topics": 32}
_NARROWEST, _WIDEST = 6, 30


def to_xlsx(rows: Sequence[dict[str, Any]], lang: str = "en") -> bytes:
    """One sheet: bold frozen header with an autofilter, sized columns, links clickable
    (http(s) only); text is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols, cells = table(rows, lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "CourseRadar"
    sheet.append([field_label(c, lang) for c in cols])
    for line in cells:
        sheet.append([neutralise(v) for v in line])
    link_column = cols.index("url") + 1
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # never let openpyxl store text as a formula
        link = row[link_column - 1]
        if _is_http(link.value):
            link.hyperlink = link.value
            link.style = "Hyperlink"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _width(col, cells, i - 1, lang)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buf = io.BytesIO()
    book.properties.created = datetime(2000, 1, 1)
    book.save(buf)
    return _reproducible_zip(buf.getvalue())


def _is_http(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _width(column: str, cells: Sequence[Sequence[Any]], index: int, lang: str) -> float:
    if column in XLSX_WIDTHS:
        return XLSX_WIDTHS[column]
    longest = max([len(field_label(column, lang)), *(len(str(r[index])) for r in cells)])
    return max(_NARROWEST, min(_WIDEST, longest + 2))


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
            value = _md_escape(_cell(_value(row, c), c, lang))
            url = row.get("url") or ""
            if c == "title" and _is_http(url):
                safe_url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
                value = f"[{value}](<{safe_url.replace('>', '%3E')}>)"
            cells.append(value)
        lines.append("| " + " | ".join(cells) + " |")
    return ("\n".join(lines) + "\n").encode()


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
STEM_LENGTH = 60


def file_stem(*words: Any) -> str:
    """A file name (without extension) from a list's name or a search's words: lower-case
    ASCII, words joined by "-" ("Q1 Übersicht" -> "q1-uebersicht"); "courses" if none."""
    text = " ".join(str(w) for w in words if w not in (None, "")).lower().translate(_UMLAUTS)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = _NOT_WORD.sub("-", ascii_text).strip("-")[:STEM_LENGTH].rstrip("-")
    return stem or "courses"


def search_file_stem(query: Any) -> str:
    """A search's file name: its words, then its filters' values ("machine-learning-free",
    "nlp-max-price-eur-300"); "all-courses" for a search without any."""
    words: list[Any] = []
    for name, value in query.to_params().items():
        if name in ("sort", "page", "per_page"):
            continue
        if isinstance(value, list):
            words += value
        else:
            shown = f"{value:g}" if isinstance(value, float) else value
            words += [value] if name == "text" else [name.replace("_", " "), shown]
    return file_stem(*words) if words else "all-courses"


def export(rows: Iterable[dict[str, Any]], fmt: str, lang: str = "en") -> bytes:
    """Rows in ``fmt`` (csv, xlsx, json, md)."""
    writers = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json, "md": to_markdown}
    if fmt not in writers:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](list(rows), lang)
