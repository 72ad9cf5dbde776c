"""Columns and values of an imported file: which column fills which RawCourse field, and
each cell turned into the value that field takes (or the row's error).

People bring spreadsheets exported from anywhere (Kaggle datasets, Excel, pandas with an
unnamed index column), so columns are recognised by their common names and a mapping
overrides that; a cell of the wrong type fails its row, never the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from catalog.dedupe import canonical_url, normalize_provider, normalize_title, stable_id
from catalog.record import RawCourse

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


class ColumnCache:
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
            found = resolve_columns(key, self._mapping, self._filename, nested=True, strict=False)
            if len(self._cache) < 1024:
                self._cache[key] = found
        return found


# -- columns -------------------------------------------------------------------------------------


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


def check_fields(mapping: Mapping[str, str]) -> None:
    valid = list(COLUMN_NAMES)
    for field_name, column in mapping.items():
        if field_name not in COLUMN_NAMES:
            raise ImportFormatError(
                f"unknown field {field_name!r} in the mapping; valid fields: {', '.join(valid)}"
            )
        if not isinstance(column, str) or not column.strip():
            raise ImportFormatError(f"the mapping gives {field_name!r} no column name")


def resolve_columns(
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


def row_result(line: int, record: Mapping[str, Any], columns: Mapping[str, str]) -> RowResult:
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
                f"{field_name} ({column}) is a list holding {type_name(item)}, not only text"
            )
    return out


def type_name(value: Any) -> str:
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
