"""One Query -> rows, total and facet counts; shared by the CLI, the app and the exports.

Full-text matching runs in the database (SQLite FTS5 or a PostgreSQL tsvector), with
user text reduced to word tokens that are always passed as bound parameters. Filters,
facet counts and sorting run on a compact in-memory column snapshot of the catalog
(numpy arrays), reloaded when the catalog version changes: the matching set is
computed once and every facet is counted from it in one pass, which is what keeps a
search with all facets under 50 ms at 100k courses. Counts are datasette-style: each
facet's counts respect the filters of every *other* facet.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.db import catalog_version, is_sqlite
from catalog.filters import FACET, RANGE
from catalog.models import COURSE_JSON_COLUMNS, Course
from catalog.query import FACET_ATTR as FACET_ATTR  # the names front ends know from here
from catalog.query import FACETS, MULTI, SINGLE, Query, QueryError, _shown
from catalog.query import MAX_PER_PAGE as MAX_PER_PAGE
from catalog.query import SORTS as SORTS
from catalog.text import words

COURSE = Course.__table__  # type: ignore[attr-defined]

FACET_LIMIT = 30  # values shown per facet (selected ones always included)

# The fields of a result row, in the order of GUIDE.md.
ROW_FIELDS = (
    "id",
    "source",
    "source_id",
    "url",
    "title",
    "provider",
    "platform",
    "description",
    "kind",
    "topics",
    "skills",
    "level",
    "languages",
    "subtitle_languages",
    "cost",
    "price_amount",
    "price_currency",
    "price_eur",
    "price_rate_date",
    "price_is_estimate",
    "certificate",
    "offers",
    "hours_min",
    "hours_max",
    "weeks",
    "hours_per_week_min",
    "hours_per_week_max",
    "pace",
    "start_date",
    "rating",
    "rating_count",
    "enrollments",
    "sources",
    "checked_on",
    "first_seen",
    "last_seen",
    "status",
)


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    query: Query
    rows: list[dict[str, Any]]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


# -- the in-memory column snapshot --------------------------------------------------


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
JOINED = tuple(facet for facet in SINGLE if facet != "provider")
NUMBER_COLUMNS = ("price_eur", "coalesce(hours_max, hours_min)", "rating", "enrollments")

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
            "start_date, first_seen FROM course ORDER BY id"
        )

    def texts(column: str, missing: str = "''") -> str:
        return f"group_concat(ifnull({column}, {missing}), char(30))"

    def numbers(column: str) -> str:  # %!.17g: every digit a float needs to read back equal
        value = f"printf('%!.17g', {column})"
        return f"group_concat(CASE WHEN {column} IS NULL THEN 'nan' ELSE {value} END)"

    parts = [
        "count(*)", "group_concat(id)", texts(fixed), texts("provider", "char(31)"), texts(lists),
        *map(numbers, NUMBER_COLUMNS), texts("start_date"), texts("first_seen"),
    ]  # fmt: skip
    return f"SELECT {', '.join(parts)} FROM course"


def _joined_columns(cursor: Any) -> list[Sequence[Any]] | None:
    """The snapshot's ten columns from SQLite's one-row statement, or None where a value
    held a separator or the rows did not come in id order (then read row by row)."""
    try:
        cursor.execute(snapshot_sql("sqlite", joined=True))
    except sqlite3.Error:  # a text past SQLite's length limit (millions of courses)
        return None
    count, ids, fixed, provider, lists, *rest = cursor.fetchone()
    if not count:
        return [()] * 10
    numeric, dates = rest[: len(NUMBER_COLUMNS)], rest[len(NUMBER_COLUMNS) :]
    id_array = np.fromstring(ids, dtype=np.int64, sep=",")
    numbers = [np.fromstring(text, dtype=np.float64, sep=",") for text in numeric]
    texts = [text.split(SEP) for text in (fixed, provider, lists, *dates)]
    if any(len(column) != count for column in (id_array, *numbers, *texts)):
        return None
    if not bool(np.all(id_array[1:] > id_array[:-1])):
        return None
    fixed_texts, providers, list_texts, start, first_seen = texts
    providers = [None if p == NONE else p for p in providers]
    return [id_array, fixed_texts, providers, list_texts, *numbers, start, first_seen]


class Snapshot:
    """Columns of every course needed to filter, count and sort, as numpy arrays."""

    NUMBERS = ("price", "hours", "rating", "enrollments", "start", "first_seen")

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
        with engine.connect() as conn:
            cursor = conn.connection.cursor()  # plain values: no row objects for 100k rows
            try:
                columns = _joined_columns(cursor) if is_sqlite(engine) else None
                if columns is None:
                    cursor.execute(snapshot_sql(engine.dialect.name))
                    rows = cursor.fetchall()
                    columns = list(zip(*rows, strict=True)) if rows else [()] * 10
                    del rows
            finally:
                cursor.close()
        ids, joined, provider, lists, price, hours, rating, enrollments, start, first_seen = columns
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
        numbers = {
            "price": _floats(price),
            "hours": _floats(hours),
            "rating": _floats(rating),
            "enrollments": _floats(enrollments),
            "start": _days(start),
            "first_seen": _days(first_seen),
        }
        ordered = {facet: codes[facet] for facet in FACETS}
        return cls(version, np.asarray(ids, dtype=np.int64), ordered, numbers)

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


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):  # JSON stored as text by some drivers
        value = json.loads(value)
    return list(value or [])


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


BROAD_MATCH = 5000  # matches above which relevance is title-first instead of bm25


def _joined_ids(conn: Any, sql: str, param: str) -> np.ndarray:
    """The ids a query aggregates into one comma-joined text, as an array.

    One text parsed by numpy in C instead of a Python tuple per matching row: for a broad
    word (30,000 matches) the fetch costs a third of what it did.
    """
    rows = _fetch(conn, sql, param)
    text = rows[0][0] if rows else None
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _fetch(conn: Any, sql: str, param: str) -> list[Any]:
    """Rows straight from the driver's cursor (SQLAlchemy rows cost as much as the query)."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, (param,))
        return list(cursor.fetchall())
    finally:
        cursor.close()


SNAPSHOT_FORMAT = 1  # raise when the saved arrays change meaning: older files are read again


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


def save_snapshot(engine: Engine) -> None:
    """Bring the snapshot saved beside an SQLite catalog up to date now (nothing for other
    catalogs): what the commands that change the catalog call as they end, so that the next
    start of the app loads it in milliseconds instead of reading every course (~1 s at
    100,000). It costs what the next search would have paid."""
    if snapshot_file(engine) is None:
        return
    with _SEARCHERS_LOCK:
        known = _SEARCHERS.get(id(engine))
    # A process that searches keeps its snapshot current; a command that only wrote does
    # not keep one (nor its engine) alive for nothing.
    searcher = known if known is not None and known.engine is engine else Searcher(engine)
    searcher.snapshot()


class Searcher:
    """Runs queries against one engine, keeping the snapshot current."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        with self.engine.connect() as conn:
            version = catalog_version(conn)
        snap = self._snapshot
        if snap is None or snap.version != version:
            with self._lock:
                snap = self._snapshot
                if snap is None or snap.version != version:
                    snap = self._load_or_read(version)
                    self._snapshot = snap
        return snap

    def _load_or_read(self, version: int) -> Snapshot:
        """From the file beside an SQLite catalog when it was saved for this very catalog
        state (a restart: milliseconds), else read from the catalog and saved there."""
        path = snapshot_file(self.engine)
        if path is None:
            return Snapshot.read(self.engine, version)
        stamp = self._stamp(version)
        snap = Snapshot.load(path, stamp, version)
        if snap is None:
            snap = Snapshot.read(self.engine, version)
            snap.save(path, stamp)
        return snap

    def _stamp(self, version: int) -> str:
        """What identifies the catalog state a saved snapshot is for: the version counter,
        and, for a catalog deleted and made anew at the same path (its counter starts over),
        the count and id range of its courses and when its first course was seen (courses
        are never deleted)."""
        with self.engine.connect() as conn:
            count, low, high = conn.execute(
                sa.text("SELECT count(*), min(id), max(id) FROM course")
            ).one()
            first = conn.execute(
                sa.text("SELECT first_seen FROM course WHERE id = :id"), {"id": low}
            ).scalar()
        return json.dumps([SNAPSHOT_FORMAT, version, count, low, high, str(first)])

    def known_values(self, facet: str) -> list[str]:
        return list(self.snapshot().columns[facet].vocab)

    # -- full-text ----------------------------------------------------------------

    def _match(
        self, snap: Snapshot, text: str, *, ranked: bool = True
    ) -> tuple[np.ndarray, np.ndarray | None] | None:
        """Positions of the courses matching ``text`` and, when ``ranked``, their relevance
        scores (higher is better; None when not ranked).

        Scoring every match (FTS5's bm25, PostgreSQL's ts_rank_cd) costs about three times
        the match itself for a broad word, so it is done only when the order needs it.
        Rows come from the driver's cursor straight into numpy: SQLAlchemy's row objects
        cost as much again as the query for 30,000 matches.
        """
        tokens = words(text)
        if not tokens:
            return None
        key = " ".join(tokens)
        cached = snap.fts_cache.get(key)
        if cached is not None and (cached[1] is not None or not ranked):
            snap.fts_cache.move_to_end(key)
            return cached
        sqlite_ = is_sqlite(self.engine)
        if sqlite_:
            expr = " ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in tokens)
            match = "SELECT {cols} FROM course_fts WHERE course_fts MATCH ?"
            only_ids, rank = "group_concat(rowid)", "rowid, -bm25(course_fts, 10.0, 1.0)"
        else:
            expr = " & ".join(f"'{t}':*" if len(t) >= 3 else f"'{t}'" for t in tokens)
            match = "SELECT {cols} FROM course, to_tsquery('simple', %s) AS q WHERE tsv @@ q"
            only_ids, rank = "string_agg(id::text, ',')", "id, ts_rank_cd(tsv, q, 1)"
        with self.engine.connect() as conn:
            ids: np.ndarray | None = None
            raw_scores: np.ndarray | None = None
            if not ranked or sqlite_:
                ids = _joined_ids(conn, match.format(cols=only_ids), expr)
                raw_scores = np.zeros(len(ids))
            if ranked and sqlite_ and ids is not None and len(ids) > BROAD_MATCH:
                # A broad word matches a third of the catalog and bm25 over all of it
                # costs three times the match: score coarsely instead (title matches
                # first), and let the popularity tie-break order within. PostgreSQL keeps
                # ts_rank_cd: its GIN index cannot filter by weight, so a title-only
                # query there would recheck every match and cost more than ranking.
                title_expr = f"search_title : ({expr})"
                titled = _joined_ids(conn, match.format(cols=only_ids), title_expr)
                raw_scores = np.isin(ids, titled).astype(np.float64)
            elif ranked:
                table = np.array(
                    _fetch(conn, match.format(cols=rank), expr), dtype=np.float64
                ).reshape(-1, 2)
                ids, raw_scores = table[:, 0].astype(np.int64), table[:, 1]
        assert ids is not None and raw_scores is not None
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        pos = np.searchsorted(snap.ids, ids)
        keep = (pos < snap.size) & (snap.ids[np.clip(pos, 0, max(snap.size - 1, 0))] == ids)
        scores = raw_scores[order][keep] if ranked else None
        result = (pos[keep], scores)
        snap.fts_cache[key] = result
        snap.fts_cache.move_to_end(key)
        if len(snap.fts_cache) > 64:
            snap.fts_cache.popitem(last=False)
        return result

    # -- the search -----------------------------------------------------------------

    def search(self, query: Query, *, with_rows: bool = True) -> SearchResult:
        snap = self.snapshot()
        start = (query.page - 1) * query.per_page
        order, total, facets = self._evaluate(snap, query, upto=start + query.per_page)
        page_ids = snap.ids[order[start : start + query.per_page]].tolist()
        rows = fetch_rows(self.engine, page_ids) if with_rows else []
        return SearchResult(query=query, rows=rows, total=total, facets=facets)

    def iter_all(self, query: Query, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every matching row in sort order (exports), fetched in batches."""
        snap = self.snapshot()
        order, _total, _facets = self._evaluate(snap, query, facets=False)
        ids = snap.ids[order].tolist()
        for i in range(0, len(ids), batch):
            yield from fetch_rows(self.engine, ids[i : i + batch])

    def _evaluate(
        self, snap: Snapshot, query: Query, *, facets: bool = True, upto: int | None = None
    ) -> tuple[np.ndarray, int, dict[str, list[FacetValue]]]:
        """(positions of the matches in order, their number, facet counts); with ``upto``,
        only the first ``upto`` positions of the order are made."""
        base = np.ones(snap.size, dtype=bool)
        scores: np.ndarray | None = None
        match = self._match(snap, query.text, ranked=query.sort == "relevance")
        if match is not None:
            base = np.zeros(snap.size, dtype=bool)
            base[match[0]] = True
            if match[1] is not None:
                scores = np.zeros(snap.size)
                scores[match[0]] = match[1]
        base &= self._range_mask(snap, query)
        masks: dict[str, np.ndarray] = {}
        for facet in FACETS:
            selected = query.selected(facet) or FACET[facet].default
            if selected:
                masks[facet] = snap.columns[facet].mask(selected, snap.size)
        full = base.copy()
        for m in masks.values():
            full &= m
        counts: dict[str, list[FacetValue]] = {}
        if facets:
            for facet in FACETS:
                if facet in masks:
                    m = base.copy()
                    for other, om in masks.items():
                        if other != facet:
                            m &= om
                else:
                    m = full
                counts[facet] = _facet_values(snap.columns[facet], m, query.selected(facet))
        hits = np.flatnonzero(full)
        return hits[self._order(snap, query, hits, scores, upto)], int(hits.size), counts

    @staticmethod
    def _range_mask(snap: Snapshot, q: Query) -> np.ndarray:
        """The courses within every range ``q`` sets (the ranges of catalog.filters)."""
        m = np.ones(snap.size, dtype=bool)
        with np.errstate(invalid="ignore"):
            for r in RANGE.values():
                column = getattr(snap, r.column)
                for bound, at_least in ((r.low, True), (r.high, False)):
                    value = getattr(q, bound.attr) if bound else None
                    if value is not None:
                        limit = _ordinal(value) if r.dates else value
                        m &= column >= limit if at_least else column <= limit
        return m

    @staticmethod
    def _order(
        snap: Snapshot,
        q: Query,
        hits: np.ndarray,
        scores: np.ndarray | None,
        upto: int | None = None,
    ) -> np.ndarray:
        """Indices into ``hits`` in the requested order, unknown values always last, ties in
        catalog order; only the first ``upto`` of them when given (a page needs 25 of
        100,000: a partial sort)."""
        if q.sort in ("price", "duration", "start_date", "rating", "newest"):
            column, ascending = {
                "price": (snap.price, True),
                "duration": (snap.hours, True),
                "start_date": (snap.start, True),
                "rating": (snap.rating, False),
                "newest": (snap.first_seen, False),
            }[q.sort]
            v = column[hits]
            return _first((np.where(np.isnan(v), np.inf, v if ascending else -v),), upto)
        # Relevance: the text's score first (when there is text), then well-rated,
        # much-taken courses, which also orders the ties of a broad word's coarse score.
        enrol = -np.nan_to_num(snap.enrollments[hits], nan=-1.0)
        rating = -np.nan_to_num(snap.rating[hits], nan=-1.0)
        if scores is not None:
            return _first((-scores[hits], rating, enrol), upto)
        return _first((rating, enrol), upto)


def _first(keys: tuple[np.ndarray, ...], upto: int | None) -> np.ndarray:
    """The order of rows by ``keys`` (the first decides, the next break its ties, and ties
    of all keep row order), or just its first ``upto`` rows.

    For those, every row whose first key is at most the ``upto``-th smallest is a candidate
    and only the candidates are sorted: np.partition finds that value in linear time.
    """
    size = len(keys[0])
    sort_keys = (np.arange(size), *reversed(keys))  # lexsort: the last key decides first
    if upto is None or upto >= size:
        return np.lexsort(sort_keys)
    if upto <= 0:
        return np.zeros(0, dtype=np.int64)
    bound = np.partition(keys[0], upto - 1)[upto - 1]
    candidates = np.flatnonzero(keys[0] <= bound)
    order = np.lexsort(tuple(k[candidates] for k in sort_keys))
    return candidates[order[:upto]]


def _facet_values(col: _Codes, mask: np.ndarray, selected: Sequence[str]) -> list[FacetValue]:
    counts = col.counts(mask)
    order = np.argsort(-counts, kind="stable")
    out = [
        FacetValue(col.vocab[i], int(counts[i]), col.vocab[i] in selected)
        for i in order[:FACET_LIMIT]
        if counts[i] > 0
    ]
    shown = {fv.value for fv in out}
    for value in selected:  # a selected value stays visible even with no hits
        if value not in shown:
            idx = col.index.get(value)
            out.append(FacetValue(value, int(counts[idx]) if idx is not None else 0, True))
    return out


def fetch_rows(engine: Engine, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Full course rows for ``ids``, in that order, as dicts with GUIDE.md field names."""
    if not ids:
        return []
    cols = [COURSE.c[name] for name in ROW_FIELDS]
    with engine.connect() as conn:
        found = {
            row.id: row._asdict()
            for row in conn.execute(sa.select(*cols).where(COURSE.c.id.in_(list(ids))))
        }
    return [_clean_row(found[i]) for i in ids if i in found]


def _clean_row(row: dict[str, Any]) -> dict[str, Any]:
    for name in COURSE_JSON_COLUMNS:
        row[name] = _as_list(row[name])
    return row


def course_detail(engine: Engine, course_id: int) -> dict[str, Any] | None:
    """One course with its listings (every source that lists it) and its change history."""
    from catalog.models import CourseEvent, Listing

    rows = fetch_rows(engine, [course_id])
    if not rows:
        return None
    course = rows[0]
    listing = Listing.__table__  # type: ignore[attr-defined]
    event = CourseEvent.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        course["listings"] = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(
                    listing.c.source,
                    listing.c.source_id,
                    listing.c.url,
                    listing.c.first_seen,
                    listing.c.last_seen,
                    listing.c.status,
                )
                .where(listing.c.course_id == course_id)
                .order_by(listing.c.id)
            )
        ]
        course["history"] = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(event.c.at, event.c.event, event.c.old, event.c.new)
                .where(event.c.course_id == course_id)
                .order_by(event.c.at, event.c.id)
            )
        ]
    return course


_SEARCHERS: dict[int, Searcher] = {}
_SEARCHERS_LOCK = threading.Lock()


def searcher_for(engine: Engine) -> Searcher:
    """The shared Searcher of an engine (one snapshot per engine and process)."""
    with _SEARCHERS_LOCK:
        found = _SEARCHERS.get(id(engine))
        if found is None or found.engine is not engine:
            found = Searcher(engine)
            _SEARCHERS[id(engine)] = found
        return found


def validate(engine: Engine, query: Query) -> Query:
    """Raise QueryError for any invalid value of ``query``, its sources checked against the
    catalog's; returns ``query``. What :func:`search` checks, for exports and saved searches."""
    from catalog.topics import default_taxonomy

    query.validate([t.slug for t in default_taxonomy().topics])
    if query.sources:
        from scrapers import SOURCES

        seen = searcher_for(engine).known_values("source")
        known = sorted(set(seen) | set(SOURCES) | {"curated"})
        for name in query.sources:
            if name not in known:
                raise QueryError(f"unknown source {_shown(name)}; valid values: {', '.join(known)}")
    return query


def search(engine: Engine, query: Query) -> SearchResult:
    """Validate and run ``query``: the one entry point front ends use."""
    return searcher_for(engine).search(validate(engine, query))


def query_as_dict(query: Query) -> dict[str, Any]:
    return asdict(query)
