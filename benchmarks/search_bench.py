"""Search plus all facet counts: CourseRadar's Query path against hand-written SQL.

The baseline is what a careful engineer would write by hand in SQL for the same result:
the matching set computed once into a temporary table, the page and the total from it,
one GROUP BY per facet (json_each for the multi-valued ones), and for a facet with a
selected value the datasette-style recount without that facet's own filter.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    ("both: python + topic + price", Query(text="python", topics=("python-for-ai",), max_price_eur=150)),
    ("both: analysis + sort rating", Query(text="analysis", sort="rating")),
]  # fmt: skip


@dataclass
class Timing:
    name: str
    ours: list[float]
    baseline: list[float]
    total: int

    @staticmethod
    def pct(values: list[float], q: float) -> float:
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


# -- the hand-written SQL baseline (SQLite) --------------------------------------------

_COLUMN = {**SINGLE, **MULTI}


def _conditions(q: Query, skip: str | None = None) -> tuple[list[str], dict[str, Any]]:
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
                f"EXISTS (SELECT 1 FROM json_each(c.{col}) j WHERE j.value IN ({','.join(names)}))"
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


def baseline(conn: sa.Connection, q: Query) -> tuple[int, list[int], dict[str, dict[str, int]]]:
    tokens = words(q.text)
    match = " ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in tokens)
    join = "JOIN course_fts f ON f.rowid = c.id AND course_fts MATCH :match" if tokens else ""
    rank = "bm25(course_fts, 10.0, 1.0)" if tokens else "0"
    base_params = {"match": match} if tokens else {}

    def select_into(where: list[str], params: dict[str, Any]) -> None:
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.m")
        sql = (
            f"CREATE TEMP TABLE m AS SELECT c.id, {rank} AS rank, c.price_eur, c.rating, "
            f"c.hours_max, c.enrollments, "
            + ", ".join(f"c.{col}" for col in _COLUMN.values())
            + f" FROM course c {join}"
            + (" WHERE " + " AND ".join(where) if where else "")
        )
        conn.execute(sa.text(sql), {**base_params, **params})

    where, params = _conditions(q)
    select_into(where, params)
    total = conn.exec_driver_sql("SELECT count(*) FROM m").scalar_one()
    order = {
        "relevance": "rank, id" if tokens else "enrollments DESC, rating DESC, id",
        "price": "price_eur IS NULL, price_eur, id",
        "rating": "rating IS NULL, rating DESC, id",
        "duration": "hours_max IS NULL, hours_max, id",
    }.get(q.sort, "id")
    ids = [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM m ORDER BY {order} LIMIT 25")]
    page = conn.execute(
        sa.text("SELECT * FROM course WHERE id IN (" + ",".join(map(str, ids or [0])) + ")")
    ).all()
    assert len(page) == len(ids)
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        col = _COLUMN[facet]
        selected = q.selected(facet) or (facet == "status")
        source = "m"
        if selected:  # recount without this facet's own filter, datasette-style
            other_where, other_params = _conditions(q, skip=facet)
            select_into(other_where, other_params)
        if facet in MULTI:
            sql = f"SELECT j.value, count(*) FROM {source} m2, json_each(m2.{col}) j GROUP BY 1"
        else:
            sql = f"SELECT {col}, count(*) FROM {source} WHERE {col} IS NOT NULL GROUP BY 1"
        facets[facet] = dict(conn.exec_driver_sql(sql).all())
        if selected:
            select_into(where, params)
    return total, ids, facets


def run(engine: sa.Engine, repeat: int = 7) -> tuple[list[Timing], float]:
    """Timings per query (ours and the baseline, same results checked) and the cold load."""
    searcher = Searcher(engine)
    t0 = time.perf_counter()
    searcher.snapshot()
    cold = time.perf_counter() - t0
    timings = []
    with engine.connect() as conn:
        for name, q in QUERIES:
            ours_t, ours = _timed(lambda q=q: searcher.search(q), repeat)
            base_t, (total, ids, facets) = _timed(lambda q=q: baseline(conn, q), repeat)
            if ours.total != total:
                raise AssertionError(f"{name}: totals differ, ours {ours.total} vs SQL {total}")
            for facet in ("cost", "language", "topic"):
                mine = {fv.value: fv.count for fv in ours.facets[facet]}
                theirs = {k: v for k, v in facets[facet].items() if k in mine}
                if mine != theirs:
                    raise AssertionError(f"{name}: {facet} counts differ")
            timings.append(Timing(name, ours_t[1:], base_t[1:], total))
    return timings, cold


def summary(timings: list[Timing]) -> dict[str, float]:
    ours = [t for x in timings for t in x.ours]
    base = [t for x in timings for t in x.baseline]
    return {
        "p50": Timing.pct(ours, 0.5),
        "p95": Timing.pct(ours, 0.95),
        "base_p50": Timing.pct(base, 0.5),
        "base_p95": Timing.pct(base, 0.95),
        "ratio_p95": Timing.pct(ours, 0.95) / Timing.pct(base, 0.95),
        "ratio_median_per_query": statistics.median(
            statistics.median(x.ours) / statistics.median(x.baseline) for x in timings
        ),
    }
