"""Bulk load of N generated courses in a process of its own: ``python -m benchmarks.loader URL N``.

A process of its own so that its peak RSS (VmHWM) is the import's and nothing else's.
Prints one JSON line: seconds to generate the corpus, RSS once it is in memory, wall and
CPU seconds of ``catalog.store.upsert_records`` (one transaction, commit included), and
the peak RSS of the whole process.
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
    from benchmarks import corpus
    from catalog import store
    from catalog.bootstrap import open_catalog

    engine = open_catalog(url, seed=False)
    t0 = time.perf_counter()
    records = corpus.generate(n)
    gen = time.perf_counter() - t0
    rss_input = status_kb("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    store.upsert_records(engine, "bench", records)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    engine.dispose()
    print(
        json.dumps(
            {
                "n": n,
                "generate_s": gen,
                "rss_input_mb": rss_input / 1024,
                "load_s": wall,
                "load_cpu_s": cpu,
                "peak_rss_mb": status_kb("VmHWM") / 1024,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
