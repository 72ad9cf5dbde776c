"""Reading course lists from files (CSV, TSV, JSON, JSON Lines) into RawCourse dicts.

This module only reads and maps; ``courseradar import`` normalises and stores what it yields.
People bring spreadsheets exported from anywhere (Kaggle datasets, Excel with semicolons and
Windows-1252, pandas with an unnamed index column), so columns are recognised by their common
names, ``mapping`` overrides that, and every problem is reported with the physical line where
the row starts: one bad row never costs the rest of the file.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from catalog.dedupe import canonical_url, normalize_provider, normalize_title, stable_id
from catalog.record import RawCourse

_log = logging.getLogger(__name__)

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

# RawCourse fields a column can fill, each with the column names it is recognised by, in order of
# preference (compared case-insensitively, spaces and hyphens as underscores).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id", "id", "course_id", "slug", "uuid", "key"),
    "title": ("title", "course_title", "course_name", "course", "name"),
    "url": ("url", "course_url", "link", "course_link", "homepage", "href"),
    "provider": (
        "provider",
        "institution",
        "partner",
        "course_organization",
        "organisation",
        "organization",
        "university",
        "school",
        "offered_by",
    ),
    "platform": ("platform",),
    "description": (
        "description",
        "course_description",
        "summary",
        "course_summary",
        "about",
        "abstract",
    ),
    "kind": ("kind",),
    "skills": ("skills", "tags", "skill"),
    "categories": ("categories", "category", "subject", "subjects", "topic", "topics"),
    "level": ("level", "course_difficulty", "difficulty"),
    "language": ("language", "languages", "lang"),
    "subtitle_languages": ("subtitle_languages", "subtitles", "subtitle_language", "captions"),
    "price": ("price", "cost", "fee"),
    "currency": ("currency",),
    "certificate": (
        "certificate",
        "certificatetype",
        "certificate_type",
        "course_certificate_type",
        "certificates",
    ),
    "effort": ("effort", "course_effort", "workload", "hours_per_week", "hours"),
    "duration": ("duration", "length", "course_length", "weeks"),
    "pace": ("pace", "course_type"),
    "start_date": ("start_date", "start", "starts"),
    "rating": ("rating", "course_rating", "stars"),
    "rating_count": (
        "rating_count",
        "reviewcount",
        "review_count",
        "num_reviews",
        "reviews",
        "ratings",
    ),
    "enrollments": (
        "enrollments",
        "enrolments",
        "n_enrolled",
        "course_students_enrolled",
        "students",
        "enrolled",
        "learners",
    ),
}
# Fields whose value may stay a list (RawCourse allows str | list[str] there).
_LIST_FIELDS = frozenset({"provider", "skills", "categories", "language", "subtitle_languages"})
# Fields that may hold a number as the source wrote it; everywhere else a number is a wrong type.
_NUMBER_FIELDS = frozenset({"price", "rating", "rating_count", "enrollments"})
_NUMBER_AS_TEXT = frozenset({"source_id", "effort", "duration"})
# Where a JSON file keeps its list of courses when it is not a bare array.
_LIST_KEYS = ("courses", "elements", "items", "results")
# pandas' index column: no name, or "Unnamed: 0".
_UNNAMED = re.compile(r"^(?:unnamed:\s*\d+)?$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*$")


class ImportFormatError(ValueError):
    """The file cannot be read at all (format, encoding, mapping); one line, names the fix."""


@dataclass(frozen=True)
class RowResult:
    """One row of the file: its RawCourse, or why it could not be read.

    ``line`` is the physical line where the row starts (1-based; a CSV header is line 1).
    ``note`` carries something worth telling once, e.g. that the file was not UTF-8.
    """

    line: int
    raw: RawCourse | None
    error: str | None
    note: str | None = None


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
    _check_fields(mapping or {})
    encoding, note = _detect_encoding(path)
    if note:
        _log.warning("%s: %s", path, note)
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
        columns = _resolve_columns(header, mapping, path.name)
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
            yield _row(line, record, columns)


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
    _resolve_columns(list(dict.fromkeys(keys)), mapping, path.name, nested=True)  # check only
    columns = _ColumnCache(mapping, path.name)
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
    columns = _ColumnCache(mapping, path.name)
    with _open_text(path, encoding) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                item = json.loads(text.rstrip())  # leading blanks keep columns right
            except json.JSONDecodeError as exc:
                yield RowResult(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            if not checked and isinstance(item, dict):
                _resolve_columns(list(item), mapping, path.name, nested=True)  # check only
                checked = True
            yield _json_item(number, item, columns)


class _ColumnCache:
    """Columns per set of keys: JSON objects of one file need not all have the same keys.

    The mapping was checked against the file once; an object that lacks a mapped key simply
    has no value for that field.
    """

    def __init__(self, mapping: Mapping[str, str], filename: str) -> None:
        self._mapping = mapping
        self._filename = filename
        self._cache: dict[tuple[str, ...], dict[str, str]] = {}

    def get(self, keys: Sequence[str]) -> dict[str, str]:
        key = tuple(keys)
        found = self._cache.get(key)
        if found is None:
            found = _resolve_columns(key, self._mapping, self._filename, nested=True, strict=False)
            if len(self._cache) < 1024:
                self._cache[key] = found
        return found


def _json_item(line: int, item: Any, cache: _ColumnCache) -> RowResult:
    if not isinstance(item, dict):
        return RowResult(line, None, f"expected a JSON object, got {_type_name(item)}")
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
    return _row(line, record, columns)


def _lookup(item: Mapping[str, Any], column: str) -> Any:
    if column in item:
        return item[column]
    value: Any = item
    for part in column.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


# -- columns -------------------------------------------------------------------------------------


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


def _check_fields(mapping: Mapping[str, str]) -> None:
    valid = list(COLUMN_NAMES)
    for field_name, column in mapping.items():
        if field_name not in COLUMN_NAMES:
            raise ImportFormatError(
                f"unknown field {field_name!r} in the mapping; valid fields: {', '.join(valid)}"
            )
        if not isinstance(column, str) or not column.strip():
            raise ImportFormatError(f"the mapping gives {field_name!r} no column name")


def _resolve_columns(
    header: Sequence[str],
    mapping: Mapping[str, str],
    filename: str,
    *,
    nested: bool = False,
    strict: bool = True,
) -> dict[str, str]:
    """{field: column as named in the file}: the mapping first, then the recognised names.

    ``strict``: a mapped column the header lacks is an error (else that field stays empty).
    """
    present = [h for h in header if not _UNNAMED.match(h.strip())]
    by_key: dict[str, str] = {}
    for name in present:
        by_key.setdefault(_column_key(name), name)
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for field_name, wanted in mapping.items():
        wanted = wanted.strip()
        if wanted in present:
            column = wanted
        elif _column_key(wanted) in by_key:
            column = by_key[_column_key(wanted)]
        elif nested and "." in wanted and wanted.split(".", 1)[0] in present:
            column = wanted  # a path into nested objects
        elif not strict:
            taken.add(wanted)
            continue
        else:
            shown = ", ".join(repr(h) for h in present[:40]) or "none"
            raise ImportFormatError(
                f"column {wanted!r} (mapped to {field_name}) is not in {filename}; "
                f"its columns: {shown}"
            )
        columns[field_name] = column
        taken.add(column)
    for field_name, names in COLUMN_NAMES.items():
        if field_name in columns or field_name in mapping:
            continue
        for name in names:
            found = by_key.get(name)
            if found is not None and found not in taken:
                columns[field_name] = found
                taken.add(found)
                break
    return columns


# -- values --------------------------------------------------------------------------------------


class _RowError(Exception):
    pass


def _row(line: int, record: Mapping[str, Any], columns: Mapping[str, str]) -> RowResult:
    """One RawCourse from a {column: value} record; unmapped columns go to ``extra``."""
    raw: dict[str, Any] = {}
    try:
        for field_name, column in columns.items():
            value = _value(field_name, record.get(column), column)
            if value is not None:
                raw[field_name] = value
    except _RowError as exc:
        return RowResult(line, None, str(exc))
    if not raw.get("title"):
        return RowResult(line, None, "missing title")
    mapped = set(columns.values())
    extra = {
        name: value
        for name, value in record.items()
        if name not in mapped
        and not _UNNAMED.match(name.strip())
        and value not in (None, "", [], {})
    }
    if extra:
        raw["extra"] = extra
    if not raw.get("source_id"):
        raw["source_id"] = derived_source_id(raw.get("url"), raw.get("provider"), raw["title"])
    return RowResult(line, cast(RawCourse, raw), None)


def derived_source_id(url: Any, provider: Any, title: str) -> str:
    """A stable id for a row without one: from the canonical URL, else provider and title."""
    canonical = canonical_url(url) if isinstance(url, str) else None
    if canonical:
        return "url-" + stable_id(canonical)
    prov = provider if isinstance(provider, str | list) else None
    return "title-" + stable_id(normalize_provider(prov), normalize_title(title))


def _value(field_name: str, value: Any, column: str) -> Any:
    """The value for a RawCourse field, or None when empty; _RowError for a wrong type."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _BARE_NUMBER.match(text):
            return _with_unit(field_name, column, text)
        return text
    if isinstance(value, bool):
        if field_name == "certificate":  # "has a certificate": the phrases the normaliser reads
            return "Course certificate" if value else "No certificate"
        raise _RowError(f"{field_name} ({column}) is {str(value).lower()}, not text")
    if isinstance(value, int | float):
        if field_name in _NUMBER_FIELDS:
            return value
        if field_name in _NUMBER_AS_TEXT:
            number = f"{value:g}" if isinstance(value, float) else str(value)
            return _with_unit(field_name, column, number)
        raise _RowError(f"{field_name} ({column}) is a number ({value}), not text")
    if isinstance(value, list):
        items = _flatten(field_name, column, value)
        if not items:
            return None
        if field_name in _LIST_FIELDS:
            return items
        return (" " if field_name in ("title", "description") else ", ").join(items)
    if isinstance(value, dict):
        texts = [k for k, v in value.items() if isinstance(v, str)]
        best = next(
            (k for k in ("name", "title", "label") if k in texts), texts[0] if texts else ""
        )
        hint = f", e.g. {field_name}={column}.{best}" if best else ""
        raise _RowError(
            f"{field_name} ({column}) is an object, not text; map one of its keys{hint}"
        )
    raise _RowError(f"{field_name} ({column}) has an unreadable value")


def _with_unit(field_name: str, column: str, number: str) -> str:
    """A bare number from a column whose name says the unit ("hours_per_week": 4)."""
    key = _column_key(column)
    if field_name == "effort" and key == "hours_per_week":
        return f"{number} hours per week"
    if field_name == "effort" and key == "hours":
        return f"{number} hours"
    if field_name == "duration" and key == "weeks":
        return f"{number} weeks"
    return number


def _flatten(field_name: str, column: str, value: list[Any]) -> list[str]:
    out: list[str] = []
    for item in value:
        if isinstance(item, list):
            out.extend(_flatten(field_name, column, item))
        elif isinstance(item, str):
            if item.strip():
                out.append(item.strip())
        elif item is None:
            continue
        else:
            raise _RowError(
                f"{field_name} ({column}) is a list holding {_type_name(item)}, not only text"
            )
    return out


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "text"
