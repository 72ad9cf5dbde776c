"""The labelled scope set (tests/data/scope_labels.csv) joined to the real rows it names.

The labels file keeps only each row's identity (source file and row key), its title, the label
a person gave it by reading the row against the rule in docs/scope.md, and for a sample of
in-scope rows the topics it should have. Descriptions, skills and subjects are read from
``../shared/realdata/datasets`` at run time; a row whose file is absent is skipped.

Row keys per source file:

- ``coursera_data.csv``: the unnamed index column's value;
- ``edx_courses.csv``: ``course_url`` (the file has one exact duplicate row; it is labelled once);
- ``coursera_courses_partner_level_certificate_duration.csv``: the 0-based data row number
  (the file has no id column and repeats some titles).

Each labelled row is put through the import's own column mapping
(:func:`catalog.refresh.file_columns.row_result`) so the rule sees exactly what
``courseradar import`` gives it.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from catalog.record import RawCourse
from catalog.refresh.file_columns import resolve_columns, row_result

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "scope_labels.csv"
DATASETS = ROOT.parent / "shared" / "realdata" / "datasets"
LABEL_VALUES = ("in", "out", "border")


@dataclass(frozen=True)
class LabelledRow:
    """One labelled row of the set, joined to its real data."""

    source: str
    key: str
    title: str
    label: str  # "in", "out" or "border"
    topics: frozenset[str]  # required topics (empty: topics not labelled for this row)
    topics_also_ok: frozenset[str]  # topics that are not wrong next to the required ones
    raw: RawCourse

    @property
    def held_out(self) -> bool:
        """Half of the set, chosen by a hash of the row's identity: tune on the other half."""
        digest = hashlib.sha1(f"{self.source}\x00{self.key}".encode()).digest()
        return digest[0] % 2 == 1


class LabelError(ValueError):
    """The labels file names a row that is not in the data, or holds a bad value."""


def read_labels(path: Path = LABELS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["label"] not in LABEL_VALUES:
            raise LabelError(f"{row['source']} {row['key']}: label {row['label']!r}")
        if row["topics"] and row["label"] != "in":
            raise LabelError(f"{row['source']} {row['key']}: topics on a row not in scope")
    return rows


def _source_rows(path: Path) -> Iterator[tuple[str, RawCourse | None]]:
    """(key, raw) for every data row of one dataset file, keyed as the labels file keys it."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = resolve_columns(reader.fieldnames or [], {}, path.name)
        for number, record in enumerate(reader):
            if path.name == "coursera_data.csv":
                key = record.get("", "")
            elif path.name == "edx_courses.csv":
                key = record.get("course_url", "")
            else:
                key = str(number)
            yield key, row_result(number + 2, record, columns).raw


def available(datasets: Path = DATASETS) -> bool:
    return datasets.is_dir()


def load_set(labels: Path = LABELS, datasets: Path = DATASETS) -> list[LabelledRow]:
    """The labelled rows whose source file is present, each with its real raw record."""
    wanted: dict[str, dict[str, dict[str, str]]] = {}
    for row in read_labels(labels):
        wanted.setdefault(row["source"], {})[row["key"]] = row
    out: list[LabelledRow] = []
    for source, by_key in wanted.items():
        path = datasets / source
        if not path.is_file():
            continue
        found: dict[str, RawCourse] = {}
        for key, raw in _source_rows(path):
            if key in by_key and key not in found and raw is not None:
                found[key] = raw
        for key, row in by_key.items():
            raw = found.get(key)
            if raw is None:
                raise LabelError(f"{source}: no row {key!r} ({row['title']!r}) in the data")
            if str(raw.get("title", "")).strip() != row["title"].strip():
                raise LabelError(f"{source} {key}: title {raw.get('title')!r} != {row['title']!r}")
            out.append(
                LabelledRow(
                    source,
                    key,
                    row["title"],
                    row["label"],
                    frozenset(row["topics"].split()),
                    frozenset(row["topics_also_ok"].split()),
                    raw,
                )
            )
    return out
