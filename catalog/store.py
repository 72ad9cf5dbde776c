"""Writing courses into the catalog: bulk upserts, cross-source merging, status marking.

Every write of a batch happens in one transaction, so a failing source never leaves
half its listings written. Listings are upserted by (source, source_id) with
``INSERT ... ON CONFLICT`` on both dialects; the course a listing belongs to is found
by dedupe (canonical URL, then provider and fuzzy title) against courses of *other*
sources: a source's own listings are told apart by their source_id.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from catalog.db import bump_version, write_tx
from catalog.models import COURSE_JSON_COLUMNS, Course, CourseEvent, Listing, Source
from catalog.record import (
    CERTIFICATE_RANK,
    COST_RANK,
    DATE_FIELDS,
    FIELDS,
    LIST_FIELDS,
    CourseRecord,
)
from catalog.text import fold

COURSE = Course.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]
EVENT = CourseEvent.__table__  # type: ignore[attr-defined]
SOURCE = Source.__table__  # type: ignore[attr-defined]

# Whose facts win when several sources list one course: hand-checked facts first, then
# the provider's own catalogue, then aggregators, then anything imported.
SOURCE_PRIORITY = (
    "curated",
    "microsoft-learn",
    "coursera",
    "edx",
    "udacity",
    "futurelearn",
    "xikolo",
    "mit-ocw",
    "schemaorg",
    "classcentral",
)

# Course fields merged from the listings' records: every field of the record but its
# identity (source, source_id, which every listing has its own) and its raw values.
SCALAR_FIELDS = tuple(f for f in FIELDS if f not in (*LIST_FIELDS, "source", "source_id", "raw"))
# Characters of description indexed: the opening of a description says what a course is
# about; indexing all of it tripled the bulk-load time for little better recall.
SEARCH_LIMIT = 500
CHUNK = 500


class JSONText(sa.types.TypeDecorator[Any]):
    """A JSON column bound from text we already serialised (hashing needs it anyway);
    skips SQLAlchemy's second json.dumps, the largest cost of bulk loads."""

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: sa.Dialect) -> None:
        return None


_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_FALLBACK = json.JSONEncoder(
    sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")
).encode


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys, compact): the same record always hashes the same.

    orjson is five times faster than the json module, a fifth of a bulk load; the json
    module, spelling it identically, takes what orjson refuses (integers past 64 bits).
    """
    try:
        return orjson.dumps(value, default=str, option=_ORJSON).decode()
    except TypeError:
        return _FALLBACK(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def source_rank(source: str) -> int:
    try:
        return SOURCE_PRIORITY.index(source)
    except ValueError:
        return len(SOURCE_PRIORITY)


def record_hash(*blobs: str) -> str:
    """Content hash of a serialised record and its raw values: equal = nothing to update."""
    digest = hashlib.sha1(usedforsecurity=False)
    for blob in blobs:
        digest.update(blob.encode())
    return digest.hexdigest()


@dataclass
class _Item:
    """One incoming listing, serialised once."""

    source_id: str
    data: dict[str, Any]
    record: str
    raw: str
    digest: str


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def merge(records: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Course fields from its listings' records, field by field by source priority.

    ``cost`` is the cheapest way in over all listings, ``certificate`` the best one on
    offer, as GUIDE.md defines the summary fields.
    """
    if len(records) == 1:
        return _single(*records[0])
    ordered = sorted(records, key=lambda item: source_rank(item[0]))
    out: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        out[name] = next((r.get(name) for _, r in ordered if r.get(name) is not None), None)
    out["price_is_estimate"] = bool(out["price_is_estimate"])
    out["kind"] = out["kind"] or "course"
    for name in LIST_FIELDS:
        merged: list[Any] = []
        for _, r in ordered:
            for value in r.get(name) or []:
                if value not in merged:
                    merged.append(value)
        out[name] = merged
    costs = [str(r["cost"]) for _, r in ordered if r.get("cost") in COST_RANK]
    out["cost"] = min(costs, key=lambda c: COST_RANK[c]) if costs else None
    certs = [str(r["certificate"]) for _, r in ordered if r.get("certificate") in CERTIFICATE_RANK]
    out["certificate"] = max(certs, key=lambda c: CERTIFICATE_RANK[c]) if certs else None
    for name in DATE_FIELDS:
        out[name] = _date(out[name])
    # by priority, then in listing order (a set's order changed with the hash seed)
    out["sources"] = sorted(dict.fromkeys(s for s, _ in records), key=source_rank)
    out["search_title"] = fold(out["title"])[:2000]
    out["search_body"] = _search_body(out)
    return out


def _single(source: str, r: dict[str, Any]) -> dict[str, Any]:
    """merge() for the common case of one listing, without the per-field search."""
    out = {name: r.get(name) for name in SCALAR_FIELDS}
    out["price_is_estimate"] = bool(out["price_is_estimate"])
    out["kind"] = out["kind"] or "course"
    for name in LIST_FIELDS:
        out[name] = list(_hashable(r.get(name) or []).values())
    if out["cost"] not in COST_RANK:
        out["cost"] = None
    if out["certificate"] not in CERTIFICATE_RANK:
        out["certificate"] = None
    for name in DATE_FIELDS:
        out[name] = _date(out[name])
    out["sources"] = [source]
    out["search_title"] = fold(out["title"])[:2000]
    out["search_body"] = _search_body(out)
    return out


def json_list(values: list[Any]) -> str:
    """dumps() for a JSON list column; lists of strings repeat a lot, so they are cached."""
    if not values:
        return "[]"
    try:
        "".join(values)  # only lists of strings are cached: 1 == 1.0 == True as keys
    except TypeError:
        return dumps(values)
    return _json_strings(tuple(values))


@lru_cache(maxsize=4096)
def _json_strings(values: tuple[Any, ...]) -> str:
    return dumps(list(values))


def _hashable(values: list[Any]) -> dict[Any, Any]:
    """Ordered de-duplication that also copes with dicts (offers)."""
    return {dumps(v) if isinstance(v, dict) else v: v for v in values}


@lru_cache(maxsize=1)
def _topic_words() -> dict[str, str]:
    """Per topic slug, the words a searcher may type for it (slug, English, German)."""
    from catalog.topics import topic_labels

    en, de = topic_labels("en"), topic_labels("de")
    return {slug: f"{slug.replace('-', ' ')} {en[slug]} {de.get(slug, '')}" for slug in en}


def _search_body(course: dict[str, Any]) -> str:
    labels = _topic_words()
    parts = [course.get("provider"), course.get("platform"), *course.get("skills", [])]
    for slug in course.get("topics", []):
        parts.append(labels.get(slug, slug))
    parts.append((course.get("description") or "")[:SEARCH_LIMIT])
    return fold(" ".join(p for p in parts if p))


@dataclass
class UpsertResult:
    """What one batch did, in ckanext-harvest's terms."""

    added: int = 0  # new courses
    merged: int = 0  # new listings of courses another source already had
    updated: int = 0
    unchanged: int = 0
    seen: list[str] = field(default_factory=list)  # source ids, in order of first appearance

    @property
    def added_or_merged(self) -> int:
        return self.added + self.merged


def _insert(conn: Connection, table: sa.Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def upsert_records(
    engine: Engine,
    source: str,
    records: Iterable[CourseRecord],
    *,
    run_id: int | None = None,
    now: datetime | None = None,
    dedupe: bool = True,
) -> UpsertResult:
    """Upsert one source's records in one transaction. See the module docstring."""
    with write_tx(engine) as conn:
        result = upsert_in(conn, source, records, run_id=run_id, now=now, dedupe=dedupe)
        bump_version(conn)
    return result


def upsert_in(
    conn: Connection,
    source: str,
    records: Iterable[CourseRecord],
    *,
    run_id: int | None = None,
    now: datetime | None = None,
    dedupe: bool = True,
) -> UpsertResult:
    """The body of :func:`upsert_records` inside a caller's transaction."""
    with paused_gc():
        return _upsert_in(conn, source, records, run_id=run_id, now=now, dedupe=dedupe)


_TEXT_FIELDS = ("title", "provider", "platform", "description", "url", "source_id")


def _last_defence(data: dict[str, Any]) -> None:
    """What must hold even for records that skipped the normaliser: no NUL characters
    (a PostgreSQL text column cannot hold one, and it would fail the whole batch) and
    links only over http(s)."""
    for key in _TEXT_FIELDS:
        value = data.get(key)
        if isinstance(value, str) and "\x00" in value:
            data[key] = value.replace("\x00", "")
    url = data.get("url")
    if url is not None and not (
        isinstance(url, str) and url[:8].lower().startswith(("http://", "https://"))
    ):
        data["url"] = None


def _needs_defence(data: dict[str, Any], record: str) -> bool:
    """Whether :func:`_last_defence` has anything to do: one scan of the serialised text
    (JSON spells NUL as an escape) instead of a look at every field of every record."""
    url = data.get("url")
    return "\\u0000" in record or (
        url is not None
        and not (isinstance(url, str) and url[:8].lower().startswith(("http://", "https://")))
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a batch is prepared and written.

    A load of 100k courses allocates millions of objects that all live until it ends and
    hold no reference cycles; the collector re-scanned them over and over, 15-20% of the
    load's time. Nested and concurrent use is safe: only whoever found the collector on
    turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Records serialised and written per step: the work per record is the same, but the input
# is read one step at a time, so a load of any size holds about two steps (~9 KB per
# serialised record), never the whole input.
STEP = 2000


@dataclass
class _Step:
    """One step of the input, serialised and sorted into what the database must do.

    Made by :func:`_prepare` without the database, so it can run on a worker thread while
    the database indexes the previous step; carried out by :func:`_write`.
    """

    touched: list[int] = field(default_factory=list)  # listing ids seen unchanged
    changed: list[dict[str, Any]] = field(default_factory=list)  # known listings to rewrite
    fresh: list[_Item] = field(default_factory=list)  # listings new to the catalog
    again: list[_Item] = field(default_factory=list)  # ids an earlier step already had
    courses: list[dict[str, Any]] | None = None  # rows for ``fresh``, once matched
    listings: list[dict[str, Any]] = field(default_factory=list)
    recompute: set[int] = field(default_factory=set)
    added: int = 0
    merged: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Batch:
    """What the steps of one upsert share. Steps are prepared one after the other."""

    source: str
    now: datetime
    existing: dict[str, Any]  # source_id -> (id, course_id, content_hash, status)
    seen: dict[str, None] = field(default_factory=dict)  # ids in order of first appearance
    matcher: Any = None
    matcher_due: bool = False  # other sources have courses; match once there are new ones


def _upsert_in(
    conn: Connection,
    source: str,
    records: Iterable[CourseRecord],
    *,
    run_id: int | None,
    now: datetime | None,
    dedupe: bool,
) -> UpsertResult:
    existing = {
        row.source_id: row
        for row in conn.execute(
            sa.select(
                LISTING.c.id,
                LISTING.c.source_id,
                LISTING.c.course_id,
                LISTING.c.content_hash,
                LISTING.c.status,
            ).where(LISTING.c.source == source)
        )
    }
    batch = _Batch(source, now or utcnow(), existing)
    batch.matcher_due = dedupe and _others_exist(conn, source)
    result = UpsertResult()
    recompute: set[int] = set()
    sqlite_ = conn.dialect.name == "sqlite"
    bulk_fts = False
    source_iter = iter(records)
    # While SQLite builds a step's full-text index (one statement that releases the GIL),
    # the worker reads and prepares the next step: the two cores overlap instead of
    # taking turns. Nothing else runs beside the executemany calls, whose per-row GIL
    # hand-over would otherwise stall them.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="upsert") as pool:
        step = _next_step(batch, source_iter)
        while step is not None:
            if step.courses is None:  # the first new listings: match them from here on
                batch.matcher, batch.matcher_due = _matcher(conn, source), False
                _match(batch, step)
            if sqlite_ and not bulk_fts and len(step.courses or ()) >= STEP:
                _fts_config(conn, bulk=True)
                bulk_fts = True
            index_from = _write(conn, batch, step, result, recompute, run_id)
            upcoming = pool.submit(_next_step, batch, source_iter)
            if sqlite_ and index_from is not None:
                conn.exec_driver_sql(
                    "INSERT INTO course_fts (rowid, search_title, search_body) "
                    "SELECT id, search_title, search_body FROM course WHERE id > ?",
                    (index_from,),
                )
            step = upcoming.result()
    if bulk_fts:
        _fts_config(conn, bulk=False)
    if recompute:
        recompute_courses(conn, sorted(recompute), run_id=run_id, now=batch.now)
    result.seen = list(batch.seen)
    return result


def _next_step(batch: _Batch, records: Iterator[CourseRecord]) -> _Step | None:
    chunk = list(islice(records, STEP))
    return _prepare(batch, chunk) if chunk else None


def _prepare(batch: _Batch, chunk: list[CourseRecord]) -> _Step:
    """Serialise a step and sort it against what the catalog holds (no database)."""
    step = _Step()
    latest: dict[str, CourseRecord] = {}
    for rec in chunk:  # an id twice: the last record wins, in the place of the first
        latest[str(rec.source_id)] = rec
    for sid, rec in latest.items():
        item = _serialise(rec)
        if sid in batch.seen:
            step.again.append(item)
            continue
        batch.seen[sid] = None
        old = batch.existing.get(sid)
        if old is None:
            step.fresh.append(item)
        elif old.content_hash == item.digest and old.status == "active":
            step.touched.append(old.id)
            step.unchanged += 1
        else:
            step.changed.append(_listing_update(item, old.id))
            step.recompute.add(old.course_id)
            if old.content_hash == item.digest:
                step.unchanged += 1  # only its status changes: it is back
            else:
                step.updated += 1
    if not (step.fresh and batch.matcher_due):
        _match(batch, step)
    return step


def _listing_update(item: _Item, listing_id: int) -> dict[str, Any]:
    return {
        "b_id": listing_id,
        "record": item.record,
        "raw": item.raw,
        "url": item.data.get("url"),
        "content_hash": item.digest,
    }


def _serialise(rec: CourseRecord) -> _Item:
    data = rec.to_dict()
    data.pop("source", None)
    raw = dumps(data.pop("raw", None) or {})
    record = dumps(data)
    if _needs_defence(data, record):
        _last_defence(data)
        record = dumps(data)
    return _Item(str(rec.source_id), data, record, raw, record_hash(record, raw))


def _match(batch: _Batch, step: _Step) -> None:
    """Rows for the step's new listings: a new course each, or a listing of a course
    another source already has (``batch.matcher``)."""
    source, now = batch.source, batch.now
    courses: list[dict[str, Any]] = []
    for item in step.fresh:
        data = item.data
        key = f"{source}:{item.source_id}"
        target = None
        if batch.matcher is not None:
            target = batch.matcher.find(data.get("url"), data.get("provider"), data.get("title"))
        if target is None:
            row = merge([(source, data)])
            for name in JSON_COLUMNS:
                row[name] = json_list(row[name])
            row.update(
                key=key,
                source=source,
                source_id=item.source_id,
                first_seen=now,
                last_seen=now,
                status="active",
                updated_at=now,
            )
            courses.append(row)
            step.added += 1
        else:
            step.recompute.add(target)
            step.merged += 1
        step.listings.append(
            {
                "source": source,
                "source_id": item.source_id,
                "course_id": target,
                "key": key,
                "url": data.get("url"),
                "content_hash": item.digest,
                "record": item.record,
                "raw": item.raw,
                "first_seen": now,
                "last_seen": now,
                "status": "active",
                "missed_refreshes": 0,
            }
        )
    step.courses = courses


def _write(
    conn: Connection,
    batch: _Batch,
    step: _Step,
    result: UpsertResult,
    recompute: set[int],
    run_id: int | None,
) -> int | None:
    """Carry out a prepared step; returns the course id after which new courses start
    (for the full-text index), or None when the step made no course."""
    now = batch.now
    result.added += step.added
    result.merged += step.merged
    result.updated += step.updated
    result.unchanged += step.unchanged
    recompute |= step.recompute
    for chunk in _chunks(step.touched):
        conn.execute(
            LISTING.update()
            .where(LISTING.c.id.in_(chunk))
            .values(last_seen=now, missed_refreshes=0)
        )
    if step.changed:
        conn.execute(_LISTING_REWRITE.values(last_seen=now), step.changed)
    index_from = None
    key_to_id: dict[str, int] = {}
    if step.courses:
        index_from = int(
            conn.execute(sa.select(sa.func.coalesce(sa.func.max(COURSE.c.id), 0))).scalar() or 0
        )
        _bulk_upsert(
            conn,
            COURSE,
            step.courses,
            ["key"],
            {"last_seen": "excluded.last_seen", "status": "'active'"},
        )
        keys = [c["key"] for c in step.courses]
        for chunk in _chunks(keys):
            key_to_id.update(
                conn.execute(
                    sa.select(COURSE.c.key, COURSE.c.id).where(COURSE.c.key.in_(chunk))
                ).all()
            )
        events = [
            {"course_id": key_to_id[k], "run_id": run_id, "at": now, "event": "new"} for k in keys
        ]
        _bulk_upsert(conn, EVENT, events, None, {})
    if step.listings:
        for row in step.listings:
            key = row.pop("key")
            if row["course_id"] is None:
                row["course_id"] = key_to_id[key]
        _bulk_upsert(conn, LISTING, step.listings, ["source", "source_id"], _LISTING_CONFLICT)
    if step.again:  # rare: a source listing an id twice, steps apart; the last one wins
        ids: dict[str, int] = dict(
            conn.execute(
                sa.select(LISTING.c.source_id, LISTING.c.id).where(
                    LISTING.c.source == batch.source,
                    LISTING.c.source_id.in_([item.source_id for item in step.again]),
                )
            ).all()
        )
        rows = [_listing_update(item, ids[item.source_id]) for item in step.again]
        conn.execute(_LISTING_REWRITE.values(last_seen=now), rows)
        recompute.update(
            conn.execute(
                sa.select(LISTING.c.course_id).where(LISTING.c.id.in_(list(ids.values())))
            ).scalars()
        )
    return index_from


_LISTING_REWRITE = (
    LISTING.update()
    .where(LISTING.c.id == sa.bindparam("b_id"))
    .values(
        record=sa.bindparam("record", type_=JSONText),
        raw=sa.bindparam("raw", type_=JSONText),
        url=sa.bindparam("url"),
        content_hash=sa.bindparam("content_hash"),
        missed_refreshes=0,
        status="active",
    )
)
_LISTING_CONFLICT = {
    name: f"excluded.{name}"
    for name in ("record", "raw", "content_hash", "last_seen", "status", "missed_refreshes")
}


JSON_COLUMNS = COURSE_JSON_COLUMNS


def _bulk_upsert(
    conn: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    conflict: Sequence[str] | None,
    update: dict[str, str],
) -> None:
    """INSERT ... ON CONFLICT DO UPDATE for many rows (a plain INSERT when ``conflict`` is
    None), straight to the driver.

    Both dialects spell ON CONFLICT the same way; only the placeholder differs. Going
    past SQLAlchemy's per-row parameter processing halves the time of a bulk load.
    JSON columns arrive already serialised; SQLite gets datetimes in the format
    SQLAlchemy reads back.
    """
    columns = list(rows[0])
    sqlite_ = conn.dialect.name == "sqlite"
    mark = "?" if sqlite_ else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    if conflict is not None:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET " + ", ".join(
            f"{col} = {expr}" for col, expr in update.items()
        )
    get = itemgetter(*columns)
    params: list[Any] = (
        [get(row) for row in rows] if len(columns) > 1 else [(get(row),) for row in rows]
    )
    temporal = [i for i, c in enumerate(columns) if c in TEMPORAL_COLUMNS] if sqlite_ else []
    if temporal:  # converted column by column: most rows share "now"
        by_column = list(zip(*params, strict=True))
        cache: dict[Any, Any] = {None: None}
        for i in temporal:
            values = by_column[i]
            for value in set(values) - cache.keys():
                cache[value] = _sqlite_value(value)
            by_column[i] = tuple(map(cache.__getitem__, values))
        params = list(zip(*by_column, strict=True))
    conn.exec_driver_sql(sql, params)


TEMPORAL_COLUMNS = frozenset(
    {"price_rate_date", "start_date", "checked_on", "first_seen", "last_seen", "updated_at", "at"}
)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


# FTS5 settings while a large batch is indexed: a 16 MiB in-memory term hash (default
# 1 MiB) and merging 16 segments at a time (default 4) write far fewer intermediate
# segments; about a quarter less CPU for the index of 100k courses. Set back afterwards.
# Switched on once a step brings a full STEP of new courses.
FTS_BULK = {"hashsize": (16 * 1024 * 1024, 1024 * 1024), "automerge": (16, 4)}


def _fts_config(conn: Connection, *, bulk: bool) -> None:
    for name, (value, default) in FTS_BULK.items():
        conn.exec_driver_sql(
            "INSERT INTO course_fts (course_fts, rank) VALUES (?, ?)",
            (name, value if bulk else default),
        )


def _others_exist(conn: Connection, source: str) -> bool:
    """Whether some other source lists courses (else a load has nothing to merge into)."""
    others = COURSE.c.key.not_like(f"{source}:%")
    return conn.execute(sa.select(COURSE.c.id).where(others).limit(1)).first() is not None


def _matcher(conn: Connection, source: str) -> Any:
    """A dedupe matcher over the courses that some other source already lists; built
    only once a load brings new listings (a refresh of known ones never needs it)."""
    from catalog.dedupe import MatchEntry, Matcher

    others = COURSE.c.key.not_like(f"{source}:%")
    rows = conn.execute(
        sa.select(COURSE.c.id, COURSE.c.url, COURSE.c.provider, COURSE.c.title).where(others)
    )
    return Matcher(MatchEntry(r.id, r.url, r.provider, r.title) for r in rows)


def recompute_courses(
    conn: Connection, course_ids: Sequence[int], *, run_id: int | None, now: datetime
) -> None:
    """Re-merge courses from their listings; record price changes and status changes."""
    for chunk in _chunks(course_ids):
        listings: dict[int, list[tuple[str, dict[str, Any], str]]] = {}
        for row in conn.execute(
            sa.select(LISTING.c.course_id, LISTING.c.source, LISTING.c.record, LISTING.c.status)
            .where(LISTING.c.course_id.in_(chunk))
            .order_by(LISTING.c.id)
        ):
            listings.setdefault(row.course_id, []).append((row.source, row.record, row.status))
        before = {
            row.id: row
            for row in conn.execute(
                sa.select(
                    COURSE.c.id, COURSE.c.price_amount, COURSE.c.price_currency, COURSE.c.status
                ).where(COURSE.c.id.in_(chunk))
            )
        }
        updates: list[dict[str, Any]] = []
        for course_id, items in listings.items():
            live = [(s, r) for s, r, st in items if st != "removed"] or [
                (s, r) for s, r, _ in items
            ]
            new = merge(live)
            new["status"] = _course_status([st for _, _, st in items])
            new["updated_at"] = now
            new["last_seen"] = now
            new["b_id"] = course_id
            old = before.get(course_id)
            if old is not None:
                old_price = _price_text(old.price_amount, old.price_currency)
                new_price = _price_text(new["price_amount"], new["price_currency"])
                if old_price != new_price:
                    _event(conn, course_id, run_id, now, "price_changed", old_price, new_price)
                if old.status != new["status"]:
                    name = "returned" if new["status"] == "active" else new["status"]
                    _event(conn, course_id, run_id, now, name, old.status, new["status"])
                    if new["status"] != "active":
                        new["last_seen"] = None
            updates.append(new)
        for u in updates:  # a course that went stale or removed keeps when it was last seen
            if u["last_seen"] is None:
                u["last_seen"] = _last_seen(conn, u["b_id"])
        if updates:
            conn.execute(COURSE.update().where(COURSE.c.id == sa.bindparam("b_id")), updates)


def _last_seen(conn: Connection, course_id: int) -> datetime:
    value = conn.execute(
        sa.select(sa.func.max(LISTING.c.last_seen)).where(LISTING.c.course_id == course_id)
    ).scalar()
    return value or utcnow()


def _course_status(statuses: list[str]) -> str:
    if "active" in statuses:
        return "active"
    if "stale" in statuses:
        return "stale"
    return "removed"


def _price_text(amount: float | None, currency: str | None) -> str | None:
    if amount is None:
        return None
    return f"{amount:g} {currency or ''}".strip()


def _event(
    conn: Connection,
    course_id: int,
    run_id: int | None,
    now: datetime,
    event: str,
    old: str | None,
    new: str | None,
) -> None:
    conn.execute(
        EVENT.insert().values(
            course_id=course_id, run_id=run_id, at=now, event=event, old=old, new=new
        )
    )


def mark_missing(
    conn: Connection,
    source: str,
    seen: set[str],
    *,
    run_id: int | None,
    now: datetime | None = None,
    remove_after: int = 3,
) -> tuple[int, int]:
    """After a successful refresh: listings the source no longer shows go stale, and are
    removed once missed ``remove_after`` refreshes in a row. Returns (stale, removed)."""
    now = now or utcnow()
    rows = conn.execute(
        sa.select(
            LISTING.c.id,
            LISTING.c.source_id,
            LISTING.c.course_id,
            LISTING.c.missed_refreshes,
            LISTING.c.status,
        ).where(LISTING.c.source == source, LISTING.c.status != "removed")
    ).all()
    updates = []
    stale = removed = 0
    for row in rows:
        if row.source_id in seen:
            continue
        missed = row.missed_refreshes + 1
        status = "removed" if missed >= remove_after else "stale"
        stale += status == "stale"
        removed += status == "removed"
        updates.append({"b_id": row.id, "missed": missed, "status": status})
    if updates:
        conn.execute(
            LISTING.update()
            .where(LISTING.c.id == sa.bindparam("b_id"))
            .values(missed_refreshes=sa.bindparam("missed"), status=sa.bindparam("status")),
            updates,
        )
        affected = sorted({r.course_id for r in rows if r.source_id not in seen})
        recompute_courses(conn, affected, run_id=run_id, now=now)
    return stale, removed


def set_source(
    conn: Connection,
    name: str,
    *,
    title: str = "",
    state: str,
    at: datetime,
    success: bool,
) -> None:
    """Record a source's last refresh (and last success) and its live listing count."""
    count = conn.execute(
        sa.select(sa.func.count())
        .select_from(LISTING)
        .where(LISTING.c.source == name, LISTING.c.status != "removed")
    ).scalar_one()
    values: dict[str, Any] = {
        "title": title,
        "last_refresh_at": at,
        "last_state": state,
        "listing_count": count,
    }
    if success:
        values["last_success_at"] = at
    stmt = _insert(conn, SOURCE).values(name=name, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[SOURCE.c.name], set_=values))
