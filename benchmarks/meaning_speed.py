"""Speed of meaning-based search: ``python -m benchmarks.meaning_speed [--size 100000]``.

Builds a catalog of generated courses (benchmarks/corpus.py) in a temporary SQLite file
and prints, in one run:

- embedding throughput: the real model on a sample of the catalog's course texts, and
  what embedding the whole catalog would take at that rate;
- one query's embedding, first time (not cached);
- search + all facet counts, hybrid against words only, over the text queries of
  benchmarks/search_bench.py, with the full-text cache emptied before every run and the
  query's vector cached (as when a facet is clicked or a page turned; the first time a
  text is typed adds the query embedding above): p50, p95 and the ratio;
- the memory of the vectors held for search.

The catalog's vectors are the sample's real vectors, each course given one of them with
a little noise (embedding 100,000 courses here takes hours, see the throughput line):
the cost of the nearest-vector search does not depend on which vectors they are, and
similarities stay as real ones are, so the fused sets are of a real size. Nothing here
asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import sqlalchemy as sa

REPEAT = 11


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def _fill_vectors(engine: sa.Engine, sample: np.ndarray, model: str) -> None:
    from catalog.search.embedding import normalised
    from catalog.search.vectors import _store

    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM course ORDER BY id"))]
    rng = np.random.default_rng(20261204)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        base = sample[np.arange(start, start + len(chunk)) % len(sample)]
        vectors = normalised(base + rng.normal(0, 0.01, base.shape).astype(np.float32))
        _store(engine, model, [(cid, "bench", v) for cid, v in zip(chunk, vectors, strict=True)])


def run(size: int, sample_size: int) -> None:
    from benchmarks import corpus, search_bench
    from catalog import store
    from catalog.bootstrap import open_catalog
    from catalog.search import Searcher
    from catalog.search.embedding import default_embedder
    from catalog.search.vectors import _course_texts

    embedder = default_embedder()
    assert embedder is not None, "no embedding model here"
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_catalog(f"sqlite:///{Path(tmp) / 'catalog.sqlite3'}", seed=False)
        store.upsert_records(engine, "bench", corpus.generate(size))
        texts = list(_course_texts(engine).values())[:sample_size]
        t0 = time.perf_counter()
        sample = embedder.embed(texts)
        rate = len(texts) / (time.perf_counter() - t0)
        print(
            f"embedding: {rate:.1f} courses/s on {len(texts)} course texts ({os.cpu_count()} cores)"
        )
        print(f"  embedding {size:,} courses at that rate: {size / rate / 3600:.1f} h")
        firsts = []
        for i in range(5):
            t0 = time.perf_counter()
            embedder.embed([f"Wie lerne ich Thema {i} am besten?"], query=True)
            firsts.append(time.perf_counter() - t0)
        print(
            f"one query's embedding, first time: median {statistics.median(firsts) * 1000:.0f} ms"
        )
        _fill_vectors(engine, sample, embedder.name)
        searcher = Searcher(engine)
        snap = searcher.snapshot()
        vectors = searcher.vectors(snap)
        assert vectors is not None and vectors.complete
        print(
            f"vectors in memory at {size:,} courses: "
            f"{vectors.matrix.nbytes / 2**20:.0f} MB (float32)"
        )
        times: dict[str, list[float]] = {"words": [], "hybrid": []}
        warm: dict[str, list[float]] = {"words": [], "hybrid": []}
        totals: dict[str, list[int]] = {"words": [], "hybrid": []}
        for _name, base in search_bench.QUERIES:
            if not base.text:
                continue
            for mode in times:
                q = replace(base, words_only=mode == "words")
                for i in range(REPEAT):
                    snap.fts_cache.clear()
                    vectors.near_cache.clear()
                    t0 = time.perf_counter()
                    result = searcher.search(q)
                    if i:  # the first is a warm-up (and embeds the query)
                        times[mode].append(time.perf_counter() - t0)
                for _ in range(REPEAT - 1):
                    t0 = time.perf_counter()
                    searcher.search(q)
                    warm[mode].append(time.perf_counter() - t0)
                totals[mode].append(result.total)
        engine.dispose()
    for title, table in (
        ("full-text and nearest-vector caches emptied every run (a text typed anew)", times),
        ("caches kept (a facet clicked, a page turned)", warm),
    ):
        print(f"\nsearch + all facets, {len(totals['words'])} text queries, {title}:")
        for mode, values in table.items():
            print(
                f"  {mode:7} p50 {_pct(values, 0.5):6.1f} ms  p95 {_pct(values, 0.95):6.1f} ms  "
                f"median total {statistics.median(totals[mode]):,.0f}"
            )
        ratio = _pct(table["hybrid"], 0.95) / _pct(table["words"], 0.95)
        print(f"  hybrid p95 / words-only p95: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=128)
    args = parser.parse_args()
    os.environ.pop("COURSERADAR_EMBEDDER", None)
    run(args.size, args.sample)


if __name__ == "__main__":
    main()
