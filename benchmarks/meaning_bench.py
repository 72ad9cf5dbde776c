"""Search quality on own-words queries: ``python -m benchmarks.meaning_bench``.

The labelled queries (benchmarks/meaning_queries.toml, labelling rule in docs/search.md)
run against a fresh starter catalog, words only, meaning only (the nearest vectors) and
hybrid (the default). Printed per mode: hit@5 (queries with a fitting course in the first
five: the issue's target is >= 90% for hybrid), recall@5 (fitting courses in the first
five over min(5, number fitting)), MRR and nDCG@10; then every exact-title query words
alone find in the first five that the hybrid ranking loses, and per query the first rank
of a fitting course. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

QUERIES = Path(__file__).with_name("meaning_queries.toml")
MODES = ("words", "meaning", "hybrid")


def load_queries() -> list[dict[str, object]]:
    return list(tomllib.loads(QUERIES.read_text())["query"])


def _ranker(engine: sa.Engine, mode: str) -> Callable[[str], list[str]]:
    """text -> curated ids of the first ten results in ``mode``."""
    from catalog.search import Query, search, searcher_for
    from catalog.search.embedding import default_embedder

    with engine.connect() as conn:
        slug: dict[int, str] = dict(
            conn.execute(
                sa.text("SELECT course_id, source_id FROM listing WHERE source = 'curated'")
            ).all()
        )
    searcher = searcher_for(engine)

    def ranked(text: str) -> list[str]:
        if mode == "meaning":
            snap = searcher.snapshot()
            vectors, embedder = searcher.vectors(snap), default_embedder()
            assert vectors is not None and embedder is not None
            positions, _ = vectors.nearest(embedder.embed([text], query=True)[0], 10)
            ids = [int(snap.ids[p]) for p in positions]
        else:
            result = search(engine, Query(text=text, per_page=10, words_only=mode == "words"))
            ids = [row["id"] for row in result.rows]
        return [slug[i] for i in ids if i in slug]

    return ranked


def _scores(ranked: list[str], fits: set[str]) -> dict[str, float]:
    first = next((i for i, slug in enumerate(ranked) if slug in fits), None)
    gains = sum(1 / math.log2(i + 2) for i, slug in enumerate(ranked[:10]) if slug in fits)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(fits))))
    return {
        "hit@5": float(first is not None and first < 5),
        "recall@5": len(set(ranked[:5]) & fits) / min(5, len(fits)),
        "MRR": 0.0 if first is None else 1 / (first + 1),
        "nDCG@10": gains / ideal,
        "first": -1 if first is None else first + 1,
    }


def run(modes: tuple[str, ...] = MODES, verbose: bool = True) -> dict[str, dict[str, float]]:
    from catalog.bootstrap import open_catalog

    queries = load_queries()
    table: dict[str, dict[str, float]] = {}
    per_query: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_catalog(f"sqlite:///{Path(tmp) / 'catalog.sqlite3'}")
        for mode in modes:
            ranked = _ranker(engine, mode)
            start = time.perf_counter()
            rows = [_scores(ranked(str(q["text"])), set(q["fits"])) for q in queries]  # type: ignore[call-overload]
            elapsed = time.perf_counter() - start
            table[mode] = {
                k: statistics.fmean(r[k] for r in rows)
                for k in ("hit@5", "recall@5", "MRR", "nDCG@10")
            }
            table[mode]["seconds"] = elapsed
            per_query[mode] = [int(r["first"]) for r in rows]
        engine.dispose()
    if verbose:
        _print(queries, table, per_query)
    return table


def _print(
    queries: list[dict[str, object]],
    table: dict[str, dict[str, float]],
    per_query: dict[str, list[int]],
) -> None:
    de = sum(q["lang"] == "de" for q in queries)
    print(f"{len(queries)} labelled queries ({de} German, {len(queries) - de} English)\n")
    print(f"{'mode':8} {'hit@5':>7} {'recall@5':>9} {'MRR':>6} {'nDCG@10':>8} {'seconds':>8}")
    for mode, row in table.items():
        print(
            f"{mode:8} {row['hit@5']:7.1%} {row['recall@5']:9.3f} {row['MRR']:6.3f} "
            f"{row['nDCG@10']:8.3f} {row['seconds']:8.2f}"
        )
    if "words" in per_query and "hybrid" in per_query:
        lost = [
            q["text"]
            for q, w, h in zip(queries, per_query["words"], per_query["hybrid"], strict=True)
            if q["kind"] == "exact-title" and 0 < w <= 5 and not 0 < h <= 5
        ]
        print(
            f"\nexact-title queries words find in the first five and hybrid loses: {lost or 'none'}"
        )
    print("\nfirst rank of a fitting course (- = not in the first ten):")
    print("  " + "  ".join(f"{m:>7}" for m in per_query) + "  query")
    for i, q in enumerate(queries):
        cells = "  ".join(
            f"{(per_query[m][i] if per_query[m][i] > 0 else '-'):>7}" for m in per_query
        )
        print(f"  {cells}  {q['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    args = parser.parse_args()
    os.environ.pop("COURSERADAR_EMBEDDER", None)
    run(tuple(args.modes))


if __name__ == "__main__":
    main()
