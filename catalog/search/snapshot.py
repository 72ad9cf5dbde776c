"""The in-memory column snapshot of the catalog that filters, facet counts and sorts run
on: read from the database, or loaded from the file saved beside an SQLite catalog."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from catalog.db import is_sqlite
from catalog.query import FACETS, MULTI, SINGLE
from catalog.search.columns import JOINED, NUMBER_COLUMNS, SNAPSHOT_DATES, SNAPSHOT_NUMBERS


class _Codes:
    """A single- or multi-valued string column encoded as integer codes.

    Codes follow the order of first appearance in id order (ties in facet counts keep
    that order); None is -1 in a single-valued column. ``owner`` maps each code of a
    multi-valued column to its row.
    """

    def __init__(self, codes: np.ndarray, vocab: list[str], owner: np.ndarray | None) -> None:
        self.codes = codes
        self.vocab = vocab
        self.index = {v: i for i, v in enumerate(vocab)}
        self.multi = owner is not None
        self.owner = owner if owner is not None else np.zeros(0, dtype=np.int32)

    # Both builders take the column as ``where`` (each row's key among a few distinct keys,
    # see _distinct) and one value per key, so per-row work stays in numpy. Keys in order
    # of first appearance give their values' first appearances in the same order.

    @classmethod
    def single(cls, where: np.ndarray, values: Sequence[str | None]) -> _Codes:
        vocab = [v for v in dict.fromkeys(values) if v is not None]
        code: dict[str | None, int] = {None: -1, **{v: i for i, v in enumerate(vocab)}}
        table = np.fromiter(map(code.__getitem__, values), np.int32, len(values))
        return cls(table[where], vocab, None)

    @classmethod
    def multi_valued(cls, where: np.ndarray, lists: Sequence[list[str]]) -> _Codes:
        flat = list(chain.from_iterable(lists))
        vocab = list(dict.fromkeys(flat))
        code = {v: i for i, v in enumerate(vocab)}
        flat_codes = np.fromiter(map(code.__getitem__, flat), np.int32, len(flat))
        lens = np.fromiter(map(len, lists), np.int64, len(lists))
        starts = np.cumsum(lens) - lens
        # Each row's run of codes is its key's run in flat_codes, gathered without a loop.
        row_lens = lens[where]
        owner = np.repeat(np.arange(len(where), dtype=np.int32), row_lens)
        row_starts = np.cumsum(row_lens) - row_lens
        gather = np.repeat(starts[where] - row_starts, row_lens) + np.arange(len(owner))
        return cls(flat_codes[gather], vocab, owner)

    def mask(self, selected: Sequence[str], size: int) -> np.ndarray:
        wanted = np.asarray([self.index[v] for v in selected if v in self.index], dtype=np.int32)
        if not self.multi:
            return np.isin(self.codes, wanted)
        out = np.zeros(size, dtype=bool)
        out[self.owner[np.isin(self.codes, wanted)]] = True
        return out

    def counts(self, mask: np.ndarray) -> np.ndarray:
        if self.multi:
            return np.bincount(self.codes[mask[self.owner]], minlength=len(self.vocab))
        codes = self.codes[mask]
        return np.bincount(codes[codes >= 0], minlength=len(self.vocab))


def _distinct(values: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    """The distinct values in order of first appearance, and each value's place among them.

    dict and map instead of a Python loop per value: 100k courses.
    """
    distinct = list(dict.fromkeys(values))
    place = {v: i for i, v in enumerate(distinct)}
    return np.fromiter(map(place.__getitem__, values), np.int64, len(values)), distinct


# The snapshot reads few columns, most of them joined into one text per course, because
# the cost of a 100k snapshot is Python objects: one per value read, hashed once more to
# find the distinct ones. The fixed-vocabulary facets are one JSON array per course (about
# a thousand distinct ones at 100k courses), the three JSON lists another (a few hundred);
# each distinct text is parsed once. Provider is free text, read on its own. SQLite reads
# all of it from the covering index ix_course_snapshot (migration 0003), ~16 MB at 100k
# courses, instead of scanning ~280 MB of course pages.
_WIDTH = 4 + len(NUMBER_COLUMNS) + len(SNAPSHOT_DATES)  # ids, fixed, provider, lists, ...

# SQLite hands each column over as one text (group_concat, in the covering index's id
# order), split and parsed in C: a Python object per value fetched was half of reading
# 100k courses. Texts are joined by the record separator, with the unit separator for a
# missing provider; neither occurs in JSON text (escaped) nor in normalised plain text,
# and a value that holds one anyway only makes the read go row by row.
SEP, NONE = "\x1e", "\x1f"


def snapshot_sql(dialect: str, *, joined: bool = False) -> str:
    """The snapshot's statement: a row per course in id order, or for SQLite with
    ``joined``, one row of a text per column (see SEP)."""
    array = "json_array" if dialect == "sqlite" else "json_build_array"
    fixed = f"CAST({array}({', '.join(SINGLE[facet] for facet in JOINED)}) AS TEXT)"
    lists = "'[' || " + " || ',' || ".join(f"CAST({c} AS TEXT)" for c in MULTI.values()) + " || ']'"
    if not joined:
        return (
            f"SELECT id, {fixed}, provider, {lists}, {', '.join(NUMBER_COLUMNS)}, "
            f"{', '.join(SNAPSHOT_DATES.values())} FROM course ORDER BY id"
        )

    def texts(column: str, missing: str = "''") -> str:
        return f"group_concat(ifnull({column}, {missing}), char(30))"

    def numbers(column: str) -> str:  # %!.17g: every digit a float needs to read back equal
        value = f"printf('%!.17g', {column})"
        return f"group_concat(CASE WHEN {column} IS NULL THEN 'nan' ELSE {value} END)"

    parts = [
        "count(*)", "group_concat(id)", texts(fixed), texts("provider", "char(31)"), texts(lists),
        *map(numbers, NUMBER_COLUMNS), *map(texts, SNAPSHOT_DATES.values()),
    ]  # fmt: skip
    return f"SELECT {', '.join(parts)} FROM course"


def _joined_columns(cursor: Any) -> list[Sequence[Any]] | None:
    """The snapshot's columns from SQLite's one-row statement, or None where a value held
    a separator or the rows did not come in id order (then read row by row)."""
    try:
        cursor.execute(snapshot_sql("sqlite", joined=True))
    except sqlite3.Error:  # a text past SQLite's length limit (millions of courses)
        return None
    count, ids, fixed, provider, lists, *rest = cursor.fetchone()
    if not count:
        return [()] * _WIDTH
    numeric, dates = rest[: len(NUMBER_COLUMNS)], rest[len(NUMBER_COLUMNS) :]
    id_array = np.fromstring(ids, dtype=np.int64, sep=",")
    numbers = [np.fromstring(text, dtype=np.float64, sep=",") for text in numeric]
    texts = [text.split(SEP) for text in (fixed, provider, lists, *dates)]
    if any(len(column) != count for column in (id_array, *numbers, *texts)):
        return None
    if not bool(np.all(id_array[1:] > id_array[:-1])):
        return None
    fixed_texts, providers, list_texts, *date_texts = texts
    providers = [None if p == NONE else p for p in providers]
    return [id_array, fixed_texts, providers, list_texts, *numbers, *date_texts]


def _read_columns(engine: Engine) -> list[Sequence[Any]]:
    """The snapshot's columns as the database hands them over (see snapshot_sql)."""
    with engine.connect() as conn:
        cursor = conn.connection.cursor()  # plain values: no row objects for 100k rows
        try:
            columns = _joined_columns(cursor) if is_sqlite(engine) else None
            if columns is None:
                cursor.execute(snapshot_sql(engine.dialect.name))
                rows = cursor.fetchall()
                columns = list(zip(*rows, strict=True)) if rows else [()] * _WIDTH
                del rows
        finally:
            cursor.close()
    return columns


def _facet_codes(
    joined: Sequence[str], provider: Sequence[str | None], lists: Sequence[str]
) -> dict[str, _Codes]:
    """Every facet's column as codes, in the order of FACETS; each distinct JSON text is
    parsed once."""
    codes: dict[str, _Codes] = {}
    where, distinct = _distinct(joined)
    parts = [json.loads(text) for text in distinct]
    for i, facet in enumerate(JOINED):
        codes[facet] = _Codes.single(where, [part[i] for part in parts])
    codes["provider"] = _Codes.single(*_distinct(provider))
    where, distinct = _distinct(lists)
    parts = [json.loads(text) if text else [[]] * len(MULTI) for text in distinct]
    for i, facet in enumerate(MULTI):
        values = [[v for v in part[i] or () if v is not None] for part in parts]
        codes[facet] = _Codes.multi_valued(where, values)
    return {facet: codes[facet] for facet in FACETS}


class Snapshot:
    """Columns of every course needed to filter, count and sort, as numpy arrays."""

    NUMBERS = (*SNAPSHOT_NUMBERS, *SNAPSHOT_DATES)

    def __init__(
        self,
        version: int,
        ids: np.ndarray,
        columns: dict[str, _Codes],
        numbers: Mapping[str, np.ndarray],
    ) -> None:
        self.version = version
        self.ids = ids
        self.size = len(ids)
        self.columns = columns
        self.price = numbers["price"]
        self.hours = numbers["hours"]  # the upper bound where known
        self.rating = numbers["rating"]
        self.enrollments = numbers["enrollments"]
        self.start = numbers["start"]  # days since 1970-01-01, as first_seen
        self.first_seen = numbers["first_seen"]
        self.fts_cache: OrderedDict[str, tuple[np.ndarray, np.ndarray | None]] = OrderedDict()

    @classmethod
    def read(cls, engine: Engine, version: int) -> Snapshot:
        """Read from the catalog (~0.35 s at 100k courses on SQLite, where the row-wise
        read took ~0.5 s)."""
        ids, joined, provider, lists, *rest = _read_columns(engine)
        codes = _facet_codes(joined, provider, lists)
        numeric, dates = rest[: len(SNAPSHOT_NUMBERS)], rest[len(SNAPSHOT_NUMBERS) :]
        numbers = {
            **{name: _floats(v) for name, v in zip(SNAPSHOT_NUMBERS, numeric, strict=True)},
            **{name: _days(v) for name, v in zip(SNAPSHOT_DATES, dates, strict=True)},
        }
        return cls(version, np.asarray(ids, dtype=np.int64), codes, numbers)

    # -- kept on disk beside an SQLite catalog, so a restart need not read it again ----

    def save(self, path: Path, stamp: str) -> None:
        """Write atomically (a reader sees the old file or the new one); best effort."""
        arrays: dict[str, Any] = {"stamp": np.array(stamp), "ids": self.ids}
        arrays["vocab"] = np.array(json.dumps({f: c.vocab for f, c in self.columns.items()}))
        for facet, col in self.columns.items():
            arrays[f"codes_{facet}"] = col.codes
            if col.multi:
                arrays[f"owner_{facet}"] = col.owner
        for name in self.NUMBERS:
            arrays[name] = getattr(self, name)
        tmp = None
        try:
            with tempfile.NamedTemporaryFile(
                dir=path.parent, prefix=path.name, suffix=".tmp", delete=False
            ) as handle:
                tmp = Path(handle.name)
                np.savez(handle, **arrays)
            os.replace(tmp, path)
        except OSError:  # a read-only folder, a full disk: the next start reads the catalog
            if tmp is not None:
                tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, stamp: str, version: int) -> Snapshot | None:
        """The snapshot saved for ``stamp``, or None (missing, stale, unreadable, damaged)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["stamp"]) != stamp:
                    return None
                arrays = {name: data[name] for name in data.files}
            ids = arrays["ids"]
            vocab = json.loads(str(arrays["vocab"]))
            columns = {}
            for facet in FACETS:
                codes = arrays[f"codes_{facet}"]
                owner = arrays[f"owner_{facet}"] if facet in MULTI else None
                if not _in_range(codes, -1 if owner is None else 0, len(vocab[facet])):
                    return None
                if owner is None and len(codes) != len(ids):
                    return None
                if owner is not None and not (
                    len(owner) == len(codes) and _in_range(owner, 0, len(ids))
                ):
                    return None
                columns[facet] = _Codes(codes, vocab[facet], owner)
            numbers = {name: arrays[name] for name in cls.NUMBERS}
            if any(len(values) != len(ids) for values in numbers.values()):
                return None
            return cls(version, ids, columns, numbers)
        except Exception:  # missing, damaged, of another layout: read from the catalog
            return None

    def positions(self, ids: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.ids, ids)
        pos = np.clip(pos, 0, max(self.size - 1, 0))
        ok = self.ids[pos] == ids if self.size else np.zeros(len(ids), dtype=bool)
        return pos[ok]


def _floats(values: Sequence[Any]) -> np.ndarray:
    """Floats with NaN for None (numpy converts None to NaN for a float array)."""
    return np.array(values, dtype=np.float64)


def _days(values: Sequence[Any]) -> np.ndarray:
    """Days since 1970-01-01 (NaN if unknown), each distinct date or time parsed once."""
    where, distinct = _distinct(values)
    return _floats([_ordinal(v) for v in distinct] or [None])[where]


def _ordinal(value: Any) -> float | None:
    """Days since 1970-01-01 for a date or a datetime (naive ones are UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() / 86400.0
    if isinstance(value, date):
        return float(value.toordinal() - 719163)  # days since 1970-01-01
    return None


# Raise when the saved arrays change meaning: older files are read again (2: a free
# course's price is 0).
SNAPSHOT_FORMAT = 2


def _in_range(values: np.ndarray, low: int, high: int) -> bool:
    """Every value in [low, high) (a damaged file must not index past a vocabulary)."""
    return not len(values) or (int(values.min()) >= low and int(values.max()) < high)


def snapshot_file(engine: Engine) -> Path | None:
    """Where an SQLite catalog's snapshot is kept: beside its file, so it goes with it.
    None for PostgreSQL and in-memory catalogs (the snapshot is only held in memory)."""
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return None
    file = Path(database).expanduser()
    return file.with_name(file.name + "-snapshot.npz")
