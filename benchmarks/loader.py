"""Bulk load of N generated courses in a process of its own: ``python -m benchmarks.loader URL N
[--stream | --floor CATALOG]``.

A process of its own so that its peak RSS (VmHWM) is the load's and nothing else's. Prints
one JSON line.

- default: the corpus is generated into a list first (timed apart), then
  ``catalog.store.upsert_records`` loads it in one transaction, commit included: the
  bulk-load rate.
- ``--stream``: the import stage as ``courseradar import`` and a refresh run it
  (``catalog.refresh.import_records``: run row, counts, one transaction) reading records
  from a generator as it goes, so the peak RSS is the import's own, not a list of 100k
  records held by the caller. Its time includes generating the records.
- ``--floor CATALOG`` (SQLite): the baseline. The rows a load wrote into CATALOG are read
  into memory first, then written into an empty catalog at URL by the database alone:
  the same batches of 2,000 through executemany, the same full-text INSERT ... SELECT
  per batch, one commit. No Python work per course is left but handing rows over, so
  this is what the file format costs on this machine, whatever the code around it does.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def status_kb(field: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status, in KiB (0 where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def floor(url: str, source: str) -> dict[str, float]:
    """Write the rows of the catalog at ``source`` into the empty one at ``url``, timed."""
    import sqlite3

    from catalog.bootstrap import open_catalog
    from catalog.db import write_tx
    from catalog.store import STEP, _fts_config

    with sqlite3.connect(source) as src:
        tables = {
            name: (
                [c[1] for c in src.execute(f"PRAGMA table_info({name})")],
                src.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall(),
            )
            for name in ("course", "courseevent", "listing")
        }
    engine = open_catalog(url, seed=False)
    t0, c0 = time.perf_counter(), time.process_time()
    with write_tx(engine) as conn:  # the catalog's pragmas and BEGIN IMMEDIATE
        _fts_config(conn, bulk=True)
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for start in range(0, len(tables["course"][1]), STEP):
            for name, (columns, rows) in tables.items():
                raw.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    rows[start : start + STEP],
                )
                if name == "course":
                    raw.execute(
                        "INSERT INTO course_fts (rowid, search_title, search_body) "
                        "SELECT id, search_title, search_body FROM course WHERE id > ?",
                        (rows[start][columns.index("id")] - 1,),
                    )
        _fts_config(conn, bulk=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    engine.dispose()
    return {"load_s": wall, "load_cpu_s": cpu}


def main() -> None:
    url, n = sys.argv[1], int(sys.argv[2])
    if "--floor" in sys.argv[3:]:
        figures = floor(url, sys.argv[sys.argv.index("--floor") + 1])
        print(json.dumps({"n": n, "mode": "floor", **figures}), flush=True)
        return
    stream = "--stream" in sys.argv[3:]
    from benchmarks import corpus
    from catalog import store
    from catalog.bootstrap import open_catalog
    from catalog.refresh import import_records

    engine = open_catalog(url, seed=False)
    corpus.load_seeds()  # the seed files are read before the clock starts in both modes
    rss_before = status_kb("VmRSS")
    gen = 0.0
    if stream:
        t0, c0 = time.perf_counter(), time.process_time()
        report = import_records(engine, "bench", corpus.iter_records(n), title="bench")
        loaded = report.added
    else:
        t0 = time.perf_counter()
        records = corpus.generate(n)
        gen = time.perf_counter() - t0
        rss_before = status_kb("VmRSS")
        t0, c0 = time.perf_counter(), time.process_time()
        loaded = store.upsert_records(engine, "bench", records).added
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    engine.dispose()
    print(
        json.dumps(
            {
                "n": n,
                "mode": "stream" if stream else "list",
                "loaded": loaded,
                "generate_s": gen,
                "rss_input_mb": rss_before / 1024,
                "load_s": wall,
                "load_cpu_s": cpu,
                "peak_rss_mb": status_kb("VmHWM") / 1024,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
