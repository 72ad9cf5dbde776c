"""Reading course lists from files (CSV, TSV, JSON, JSON Lines) into RawCourse dicts.

This module only reads and maps (:mod:`catalog.refresh.file_columns`); the file import
(:mod:`catalog.refresh.file_import`) normalises and stores what it yields. Encodings are
detected (Excel's semicolons and Windows-1252 included), and every problem is reported
with the physical line where the row starts: one bad row never costs the rest of the file.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from catalog.refresh.file_columns import (
    ColumnCache,
    ImportFormatError,
    RowResult,
    check_fields,
    resolve_columns,
    row_result,
    type_name,
)

FORMATS = ("csv", "tsv", "json", "jsonl")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_FORMAT_ALIASES = {"ndjson": "jsonl", "jsonlines": "jsonl"}
# Where a JSON file keeps its list of courses when it is not a bare array.
_LIST_KEYS = ("courses", "elements", "items", "results")


def read_rows(
    path: Path,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
) -> Iterator[RowResult]:
    """Read ``path`` row by row; ``fmt`` overrides the extension, ``mapping`` the columns.

    ``mapping`` is {"field": "Column Name"} with fields from :class:`RawCourse`; an unknown field,
    or a column the file does not have, raises :class:`ImportFormatError`. For JSON a column may
    be a dotted path into nested objects ("organisation.name").
    """
    path = Path(path)
    kind = _format_of(path, fmt)
    check_fields(mapping or {})
    encoding, note = _detect_encoding(path)  # the note goes with the first row (once)
    if kind in ("csv", "tsv"):
        rows = _csv_rows(path, encoding, "\t" if kind == "tsv" else None, mapping or {})
    elif kind == "json":
        rows = _json_rows(path, encoding, mapping or {})
    else:
        rows = _jsonl_rows(path, encoding, mapping or {})
    first = True
    for row in rows:
        if first and note:
            row = RowResult(row.line, row.raw, row.error, note)
        first = False
        yield row


# -- formats -------------------------------------------------------------------------------------


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        name = _FORMAT_ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
        if name not in FORMATS:
            raise ImportFormatError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
        return name
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise ImportFormatError(
            f"cannot tell the format of {path.name!r} from its extension; "
            f"name it .csv, .tsv, .json or .jsonl, or pass the format ({', '.join(FORMATS)})"
        )
    return found


def _detect_encoding(path: Path) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else cp1252."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", None
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return "cp1252", (
                f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} near byte {offset + exc.start}); "
                "read as Windows-1252 (cp1252)"
            )
    return "utf-8-sig", None


def _open_text(path: Path, encoding: str) -> Any:
    # cp1252 leaves five bytes undefined; a replacement character beats refusing the file.
    errors = "replace" if encoding == "cp1252" else "strict"
    return path.open(encoding=encoding, errors=errors, newline="")


# -- CSV -----------------------------------------------------------------------------------------


def _csv_rows(
    path: Path, encoding: str, delimiter: str | None, mapping: dict[str, str]
) -> Iterator[RowResult]:
    with _open_text(path, encoding) as handle:
        if delimiter is None:
            delimiter = _sniff_delimiter(handle.readline())
            handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFormatError(f"{path.name} is empty: no header row") from None
        header = [h.replace("\ufeff", "").strip() for h in header]
        columns = resolve_columns(header, mapping, path.name)
        width = len(header)
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowResult(line, None, f"unreadable CSV: {exc}")
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank rows (and the trailing ",,," of some exports) carry nothing
            overflow = [c for c in cells[width:] if c.strip()]
            if overflow:
                yield RowResult(
                    line,
                    None,
                    f"row has {len(cells)} cells but the header has {width} "
                    "(a stray delimiter or an unclosed quote?)",
                )
                continue
            record: dict[str, Any] = {}
            for name, cell in zip(header, cells, strict=False):
                record.setdefault(name, cell)  # a repeated column name: the first one counts
            yield row_result(line, record, columns)


def _sniff_delimiter(first_line: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (comma on a tie)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


# -- JSON ----------------------------------------------------------------------------------------


def _json_rows(path: Path, encoding: str, mapping: dict[str, str]) -> Iterator[RowResult]:
    with _open_text(path, encoding) as handle:
        text = handle.read()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ImportFormatError(
            f"{path.name}: JSON nested too deeply to read (hundreds of levels); not imported"
        ) from None
    if isinstance(document, list):
        key = None
        items: list[Any] = document
    elif isinstance(document, dict):
        key = next((k for k in _LIST_KEYS if isinstance(document.get(k), list)), None)
        if key is None:
            raise ImportFormatError(
                f"{path.name}: a JSON object needs its courses in a list under one of "
                f"{', '.join(_LIST_KEYS)}; found keys {', '.join(map(str, list(document)[:10]))}"
            )
        items = document[key]
    else:
        raise ImportFormatError(f"{path.name}: expected a JSON array or object of courses")
    keys = [k for item in items if isinstance(item, dict) for k in item]
    resolve_columns(list(dict.fromkeys(keys)), mapping, path.name, nested=True)  # check only
    columns = ColumnCache(mapping, path.name)
    for line, item in zip(_element_lines(text, key), items, strict=False):
        yield _json_item(line, item, columns)


def _element_lines(text: str, key: str | None) -> Iterator[int]:
    """The line each element of the course array starts on (the document is valid JSON)."""
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if key is not None:  # walk the object's members up to the list under ``key``
        pos = _skip_ws(text, pos + 1)
        while text[pos] != "}":
            name, pos = decoder.raw_decode(text, pos)
            pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ":"
            if name == key:
                break
            _value, pos = decoder.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            if text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
    pos = _skip_ws(text, pos + 1)  # past "["
    line, counted = 1, 0
    while pos < len(text) and text[pos] != "]":
        line += text.count("\n", counted, pos)
        counted = pos
        yield line
        _value, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)


_WS = re.compile(r"[ \t\n\r]*")


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _jsonl_rows(path: Path, encoding: str, mapping: dict[str, str]) -> Iterator[RowResult]:
    checked = False
    columns = ColumnCache(mapping, path.name)
    with _open_text(path, encoding) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                item = json.loads(text.rstrip())  # leading blanks keep columns right
            except json.JSONDecodeError as exc:
                yield RowResult(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecursionError:
                yield RowResult(number, None, "JSON nested too deeply to read; line skipped")
                continue
            if not checked and isinstance(item, dict):
                resolve_columns(list(item), mapping, path.name, nested=True)  # check only
                checked = True
            yield _json_item(number, item, columns)


def _json_item(line: int, item: Any, cache: ColumnCache) -> RowResult:
    if not isinstance(item, dict):
        return RowResult(line, None, f"expected a JSON object, got {type_name(item)}")
    columns = cache.get(list(item))
    record = {}
    for column in columns.values():
        value = _lookup(item, column)
        if value is not None:
            record[column] = value
    used = {c.split(".", 1)[0] for c in columns.values()}
    for name, value in item.items():
        if name not in used and name not in record:
            record[name] = value
    return row_result(line, record, columns)


def _lookup(item: Mapping[str, Any], column: str) -> Any:
    if column in item:
        return item[column]
    value: Any = item
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value
