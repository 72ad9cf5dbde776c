"""Run searches in a loop until a stop file appears; print counts and errors as JSON.

Started as a separate process by test_concurrency.py, so searches from *another
process* (another app server, a `courseradar search`) run against the catalog while a
refresh writes it. Usage: ``python search_loop.py DATABASE_URL STOP_FILE``; prints
"ready" after the first search, then one JSON line with the counts when stopped.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from catalog.db import make_engine
from catalog.search import Query, search

QUERIES = [
    Query(text="deep learning"),
    Query(text="maschinelles lernen", languages=("de",)),
    Query(costs=("free", "free_audit"), sort="price"),
    Query(text="workshop", certificates=("completion",), sort="rating"),
    Query(statuses=("active", "stale", "removed"), per_page=100),
]


def main() -> None:
    url, stop = sys.argv[1], Path(sys.argv[2])
    engine = make_engine(url)
    done, errors = 0, []
    deadline = time.monotonic() + 300  # never outlive a broken test
    while not stop.exists() and time.monotonic() < deadline:
        query = QUERIES[done % len(QUERIES)]
        try:
            result = search(engine, query)
            if result.total < len(result.rows):
                errors.append(f"total {result.total} < rows {len(result.rows)}")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        done += 1
        if done == 1:  # the test starts refreshing once every process searches
            sys.stdout.write("ready\n")
            sys.stdout.flush()
    engine.dispose()
    sys.stdout.write(json.dumps({"searches": done, "errors": errors[:20], "errored": len(errors)}))


if __name__ == "__main__":
    main()
