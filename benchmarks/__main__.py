"""Run the benchmarks and print a table: ``python -m benchmarks [--sizes 10000,100000]``.

Figures are printed and written to docs/benchmarks.md; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import corpus, search_bench
from catalog import db, store
from catalog.bootstrap import open_catalog

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def bulk_load(url: str, n: int) -> tuple[object, float, float]:
    """Generate n courses and load them in one bulk upsert; returns engine, rate, gen secs."""
    t0 = time.perf_counter()
    records = corpus.generate(n)
    gen = time.perf_counter() - t0
    engine = open_catalog(url, seed=False)
    t0 = time.perf_counter()
    store.upsert_records(engine, "bench", records)
    rate = n / (time.perf_counter() - t0)
    return engine, rate, gen


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}, "
        "by `python -m benchmarks` (the corpus is built from ../shared/realdata).",
        "",
        "## Search plus all facet counts (SQLite)",
        "",
        "Each query runs the full search: the total, one page of 25 rows, and counts for "
        f"all {len(search_bench.FACETS)} facets. The baseline is hand-written SQL for the "
        "same result (matching set once in a temp table, a GROUP BY per facet), measured "
        f"in the same run; {args.repeat - 1} timed runs per query after one warm-up.",
        "",
        "| courses | bulk load (courses/s) | snapshot load (ms) | p50 (ms) | p95 (ms) "
        "| SQL p50 (ms) | SQL p95 (ms) | p95 ratio | median per-query ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    details: list[str] = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite3"
            engine, rate, _gen = bulk_load(url, n)
            timings, cold = search_bench.run(engine, repeat=args.repeat)  # type: ignore[arg-type]
            s = search_bench.summary(timings)
            row = (
                f"| {n:,} | {rate:,.0f} | {cold * 1000:.0f} | {s['p50']:.1f} | {s['p95']:.1f} "
                f"| {s['base_p50']:.1f} | {s['base_p95']:.1f} | {s['ratio_p95']:.2f} "
                f"| {s['ratio_median_per_query']:.2f} |"
            )
            lines.append(row)
            print(row, flush=True)
            details += [
                "",
                f"### Per query at {n:,} courses",
                "",
                "| query | matches | ours p50 (ms) | SQL p50 (ms) |",
                "|---|---|---|---|",
            ]
            for t in timings:
                details.append(
                    f"| {t.name} | {t.total:,} | {search_bench.Timing.pct(t.ours, 0.5):.1f} "
                    f"| {search_bench.Timing.pct(t.baseline, 0.5):.1f} |"
                )
            db.make_engine(url).dispose()
            engine.dispose()  # type: ignore[attr-defined]
    lines += [
        "",
        "Targets (issue 2): p95 <= 50 ms and <= 1.5x the baseline at 100k; bulk load >= 20,000 "
        "courses/s. The bulk load is one upsert of every course into a fresh catalog "
        "(listings, courses, the FTS index, one transaction); the snapshot load is the "
        "one-off cost of the first search after the catalog changed.",
        *details,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        DOCS.parent.mkdir(exist_ok=True)
        DOCS.write_text(text)


if __name__ == "__main__":
    main()
