"""Search plus all facet counts: CourseRadar's Query path against hand-written SQL and datasette.

The baseline is what a careful engineer would write by hand in SQL for the same result,
on SQLite and on PostgreSQL: the matching set computed once into a temporary table, the
page and the total from it, one GROUP BY per facet (json_each / json_array_elements_text
for the multi-valued ones), and for a facet with a selected value the datasette-style
recount without that facet's own filter.

datasette is what a data-savvy user would reach for instead: its JSON API on the same
SQLite file, in-process (``Datasette.client``), with the same filters, the full-text
match, a page of 25 and the same ten facets (``_facet_array`` for the JSON lists). Its
facet counts include the facet's own filter, so only the totals are compared with ours.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from catalog.search import FACETS, MULTI, SINGLE, Query, Searcher
from catalog.text import words

QUERIES: list[tuple[str, Query]] = [
    ("text: machine learning", Query(text="machine learning")),
    ("text: deep learning", Query(text="deep learning")),
    ("text: python", Query(text="python")),
    ("text: data", Query(text="data")),
    ("text: introduction", Query(text="introduction")),
    ("text: neural networks", Query(text="neural networks")),
    ("text: business analytics", Query(text="business analytics")),
    ("text: künstliche", Query(text="künstliche intelligenz")),
    ("filter: free", Query(costs=("free",))),
    ("filter: topic ml", Query(topics=("machine-learning",))),
    ("filter: de + free/audit", Query(languages=("de",), costs=("free", "free_audit"))),
    ("filter: certification", Query(certificates=("certification", "professional"))),
    ("filter: beginner <=100 EUR", Query(levels=("beginner",), max_price_eur=100)),
    ("filter: 10-40 h, rating>=4.5", Query(min_hours=10, max_hours=40, min_rating=4.5)),
    ("filter: none, sort price", Query(sort="price")),
    ("both: learning + free", Query(text="learning", costs=("free",))),
    ("both: data + beginner + en", Query(text="data", levels=("beginner",), languages=("en",))),
    ("both: ai + certificate", Query(text="ai", certificates=("completion", "professional"))),
    ("both: python + topic + price",
     Query(text="python", topics=("python-for-ai",), max_price_eur=150)),
    ("both: analysis + sort rating", Query(text="analysis", sort="rating")),
]  # fmt: skip


@dataclass
class Timing:
    name: str
    ours: list[float]
    baseline: list[float]
    total: int
    datasette: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)  # ours, full-text match cached

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        """The q-quantile in milliseconds (nearest rank); NaN for no values."""
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


# -- the hand-written SQL baseline (SQLite and PostgreSQL) ------------------------------

_COLUMN = {**SINGLE, **MULTI}


def _elements(conn: sa.Connection, expr: str) -> str:
    """The table function that unnests a JSON list column, per dialect."""
    if conn.dialect.name == "sqlite":
        return f"json_each({expr}) j"
    return f"json_array_elements_text({expr}) AS j(value)"


def _conditions(
    conn: sa.Connection, q: Query, skip: str | None = None
) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    for facet in FACETS:
        values = q.selected(facet) or (("active", "stale") if facet == "status" else ())
        if not values or facet == skip:
            continue
        names = []
        for i, v in enumerate(values):
            params[f"{facet}{i}"] = v
            names.append(f":{facet}{i}")
        col = _COLUMN[facet]
        if facet in MULTI:
            where.append(
                f"EXISTS (SELECT 1 FROM {_elements(conn, f'c.{col}')} "
                f"WHERE j.value IN ({','.join(names)}))"
            )
        else:
            where.append(f"c.{col} IN ({','.join(names)})")
    for attr, expr in (
        ("max_price_eur", "c.price_eur <= :max_price_eur"),
        ("min_hours", "coalesce(c.hours_max, c.hours_min) >= :min_hours"),
        ("max_hours", "coalesce(c.hours_max, c.hours_min) <= :max_hours"),
        ("min_rating", "c.rating >= :min_rating"),
    ):
        if getattr(q, attr) is not None:
            where.append(expr)
            params[attr] = getattr(q, attr)
    return where, params


def fts_expression(tokens: list[str], dialect: str) -> str:
    """The full-text expression CourseRadar builds: prefix match for words of 3+ letters."""
    if dialect == "sqlite":
        return " ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in tokens)
    return " & ".join(f"'{t}':*" if len(t) >= 3 else f"'{t}'" for t in tokens)


def baseline(conn: sa.Connection, q: Query) -> tuple[int, list[int], dict[str, dict[str, int]]]:
    """Total, page ids and facet counts of ``q`` in hand-written SQL."""
    sqlite_ = conn.dialect.name == "sqlite"
    tokens = words(q.text)
    base_params: dict[str, Any] = {}
    join, rank = "", "0"
    if tokens:
        base_params["match"] = fts_expression(tokens, conn.dialect.name)
        if sqlite_:
            join = "JOIN course_fts f ON f.rowid = c.id AND course_fts MATCH :match"
            rank = "bm25(course_fts, 10.0, 1.0)"
        else:
            join = "JOIN to_tsquery('simple', :match) AS tq ON c.tsv @@ tq"
            rank = "-ts_rank_cd(c.tsv, tq, 1)"

    def select_into(where: list[str], params: dict[str, Any]) -> None:
        conn.exec_driver_sql("DROP TABLE IF EXISTS m")
        sql = (
            f"CREATE TEMP TABLE m AS SELECT c.id, {rank} AS rank, c.price_eur, c.rating, "
            f"c.hours_max, c.enrollments, "
            + ", ".join(f"c.{col}" for col in _COLUMN.values())
            + f" FROM course c {join}"
            + (" WHERE " + " AND ".join(where) if where else "")
        )
        conn.execute(sa.text(sql), {**base_params, **params})

    where, params = _conditions(conn, q)
    select_into(where, params)
    total = conn.exec_driver_sql("SELECT count(*) FROM m").scalar_one()
    order = {
        "relevance": "rank, id" if tokens else "enrollments DESC, rating DESC, id",
        "price": "price_eur IS NULL, price_eur, id",
        "rating": "rating IS NULL, rating DESC, id",
        "duration": "hours_max IS NULL, hours_max, id",
    }.get(q.sort, "id")
    if not sqlite_ and not tokens and q.sort == "relevance":
        order = "enrollments DESC NULLS LAST, rating DESC NULLS LAST, id"
    ids = [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM m ORDER BY {order} LIMIT 25")]
    page = conn.execute(
        sa.text("SELECT * FROM course WHERE id IN (" + ",".join(map(str, ids or [0])) + ")")
    ).all()
    assert len(page) == len(ids)
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        col = _COLUMN[facet]
        selected = q.selected(facet) or (facet == "status")
        if selected:  # recount without this facet's own filter, datasette-style
            other_where, other_params = _conditions(conn, q, skip=facet)
            select_into(other_where, other_params)
        if facet in MULTI:
            sql = f"SELECT j.value, count(*) FROM m m2, {_elements(conn, f'm2.{col}')} GROUP BY 1"
        else:
            sql = f"SELECT {col}, count(*) FROM m WHERE {col} IS NOT NULL GROUP BY 1"
        facets[facet] = dict(conn.exec_driver_sql(sql).all())
        if selected:
            select_into(where, params)
    conn.commit()  # PostgreSQL: end the transaction, as a request would
    return total, ids, facets


# -- datasette ---------------------------------------------------------------------------

DATASETTE_FACETS = [SINGLE[f] for f in FACETS if f in SINGLE]
DATASETTE_ARRAY_FACETS = [MULTI[f] for f in FACETS if f in MULTI]


def datasette_path(q: Query, database: str) -> str:
    """The datasette JSON URL for ``q``: the same filters, match, page size and facets."""
    args: list[tuple[str, str]] = [("_size", "25")]
    tokens = words(q.text)
    if tokens:
        args += [
            ("_search", fts_expression(tokens, "sqlite")),
            ("_searchmode", "raw"),
            ("_fts_table", "course_fts"),
            ("_fts_pk", "id"),
        ]
    for facet in FACETS:
        values = q.selected(facet) or (("active", "stale") if facet == "status" else ())
        if not values:
            continue
        col = _COLUMN[facet]
        if facet in MULTI:
            if len(values) != 1:
                raise ValueError("datasette's arraycontains takes one value")
            args.append((f"{col}__arraycontains", values[0]))
        else:
            args.append((f"{col}__in", ",".join(values)))
    if q.max_price_eur is not None:
        args.append(("price_eur__lte", str(q.max_price_eur)))
    if q.min_rating is not None:
        args.append(("rating__gte", str(q.min_rating)))
    if q.min_hours is not None:
        args.append(("_where", f"coalesce(hours_max, hours_min) >= {float(q.min_hours)}"))
    if q.max_hours is not None:
        args.append(("_where", f"coalesce(hours_max, hours_min) <= {float(q.max_hours)}"))
    sort = {"price": ("_sort", "price_eur"), "rating": ("_sort_desc", "rating")}.get(q.sort)
    if sort:
        args.append(sort)
    args += [("_facet", f) for f in DATASETTE_FACETS]
    args += [("_facet_array", f) for f in DATASETTE_ARRAY_FACETS]
    return f"/{database}/course.json?{urlencode(args)}"


class DatasetteClient:
    """datasette's own in-process client on one SQLite file, on an event loop of its own.

    Time limits are raised (the defaults of 1 s per query and 200 ms per facet would cut
    its answers short at 100k courses) and facet suggestions are off: we measure the same
    work, not extras.
    """

    def __init__(self, path: Path) -> None:
        from datasette.app import Datasette

        self.database = path.stem
        self.loop = asyncio.new_event_loop()
        self.ds = Datasette(
            files=[str(path)],
            settings={
                "sql_time_limit_ms": 60_000,
                "facet_time_limit_ms": 60_000,
                "suggest_facets": False,
                "num_sql_threads": 1,
            },
        )
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, q: Query) -> dict[str, Any]:
        async def fetch() -> dict[str, Any]:
            resp = await self.ds.client.get(datasette_path(q, self.database))
            if resp.status_code != 200:
                raise RuntimeError(f"datasette answered {resp.status_code}: {resp.text[:300]}")
            data: dict[str, Any] = resp.json()
            return data

        return self.loop.run_until_complete(fetch())

    def close(self) -> None:
        for db in self.ds.databases.values():
            db.close()
        self.ds.executor.shutdown(wait=True)
        self.loop.close()


@contextmanager
def datasette_client(path: Path) -> Iterator[DatasetteClient]:
    client = DatasetteClient(path)
    try:
        yield client
    finally:
        client.close()


# -- the run -----------------------------------------------------------------------------


def run(
    engine: sa.Engine,
    repeat: int = 11,
    *,
    baseline_repeat: int = 4,
    datasette_file: Path | None = None,
    datasette_repeat: int = 3,
) -> tuple[list[Timing], float]:
    """Timings per query (ours, the baseline and datasette; totals and facet counts checked
    against the baseline) and the snapshot's cold load. The first run of each is a warm-up.

    Ours is timed with the snapshot's cache of full-text matches emptied before every run
    (a query typed for the first time) and, as ``warm``, with it kept (a facet clicked on
    the same text).
    """
    searcher = Searcher(engine)
    t0 = time.perf_counter()
    searcher.snapshot()
    cold = time.perf_counter() - t0

    def fresh(q: Query) -> Any:
        searcher.snapshot().fts_cache.clear()
        return searcher.search(q)

    timings = []
    client = DatasetteClient(datasette_file) if datasette_file is not None else None
    try:
        with engine.connect() as conn:
            for name, q in QUERIES:
                ours_t, ours = _timed(partial(fresh, q), repeat)
                warm_t, _ = _timed(partial(searcher.search, q), repeat)
                base_t, (total, _ids, facets) = _timed(partial(baseline, conn, q), baseline_repeat)
                if ours.total != total:
                    raise AssertionError(f"{name}: totals differ, ours {ours.total} vs SQL {total}")
                for facet in ("cost", "language", "topic"):
                    mine = {fv.value: fv.count for fv in ours.facets[facet]}
                    theirs = {k: v for k, v in facets[facet].items() if k in mine}
                    if mine != theirs:
                        raise AssertionError(f"{name}: {facet} counts differ")
                timing = Timing(name, ours_t[1:], base_t[1:], total, warm=warm_t[1:])
                if client is not None:
                    ds_t, answer = _timed(partial(client.get, q), datasette_repeat)
                    got = answer.get("filtered_table_rows_count")
                    if got != total:
                        raise AssertionError(f"{name}: datasette counted {got}, ours {total}")
                    if answer.get("facets_timed_out"):
                        raise AssertionError(f"{name}: datasette facets timed out")
                    timing.datasette = ds_t[1:]
                timings.append(timing)
    finally:
        if client is not None:
            client.close()
    return timings, cold


def summary(timings: list[Timing]) -> dict[str, float]:
    ours = [t for x in timings for t in x.ours]
    base = [t for x in timings for t in x.baseline]
    ds = [t for x in timings for t in x.datasette]
    warm = [t for x in timings for t in x.warm]
    out = {
        "p50": Timing.pct(ours, 0.5),
        "p95": Timing.pct(ours, 0.95),
        "warm_p50": Timing.pct(warm, 0.5),
        "warm_p95": Timing.pct(warm, 0.95),
        "base_p50": Timing.pct(base, 0.5),
        "base_p95": Timing.pct(base, 0.95),
        "ratio_p95": Timing.pct(ours, 0.95) / Timing.pct(base, 0.95),
        "ratio_median_per_query": statistics.median(
            statistics.median(x.ours) / statistics.median(x.baseline) for x in timings
        ),
        "ds_p50": Timing.pct(ds, 0.5),
        "ds_p95": Timing.pct(ds, 0.95),
        "ds_ratio_p95": float("nan"),
        "ds_ratio_median_per_query": float("nan"),
    }
    if ds:
        out["ds_ratio_p95"] = out["p95"] / out["ds_p95"]
        out["ds_ratio_median_per_query"] = statistics.median(
            statistics.median(x.ours) / statistics.median(x.datasette) for x in timings
        )
    return out
