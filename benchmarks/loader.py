"""Bulk load of N generated courses in a process of its own: ``python -m benchmarks.loader URL N
[--stream]``.

A process of its own so that its peak RSS (VmHWM) is the load's and nothing else's. Prints
one JSON line.

- default: the corpus is generated into a list first (timed apart), then
  ``catalog.store.upsert_records`` loads it in one transaction, commit included: the
  bulk-load rate.
- ``--stream``: the import stage as ``courseradar import`` and a refresh run it
  (``catalog.refresh.import_records``: run row, counts, one transaction) reading records
  from a generator as it goes, so the peak RSS is the import's own, not a list of 100k
  records held by the caller. Its time includes generating the records.
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


def main() -> None:
    url, n = sys.argv[1], int(sys.argv[2])
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
