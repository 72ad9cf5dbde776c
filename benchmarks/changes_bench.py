"""What recording course changes costs a refresh: ``python -m benchmarks.changes_bench [N]``.

An SQLite catalog of N priced courses is imported, then imported again twice over fresh
copies: once with only the description changed (every listing rewritten and re-merged, no
change to record) and once with the price, its EUR value, the level and the start date of
every course changed (four change events per course, catalog.store.status). Prints the
best of three seconds of each and their ratio: the cost of recording the changes on top
of re-merging the same courses. Run with ``PYTHONPATH`` pointing at an older checkout's
``catalog``/``scrapers`` to compare with a version that recorded fewer changes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date

from catalog import db
from catalog.record import CourseRecord
from catalog.refresh import import_records


def records(n: int, *, facts: int, text: int) -> list[CourseRecord]:
    return [
        CourseRecord(
            source="bench",
            source_id=f"c{i}",
            title=f"Machine learning course {i}",
            description=f"Version {text} of the description of course {i}.",
            topics=["machine-learning"],
            cost="paid",
            price_amount=49.0 + facts,
            price_currency="USD",
            price_eur=45.0 + facts,
            level=("beginner", "advanced")[facts],
            start_date=date(2027, 1 + facts, 1),
        )
        for i in range(n)
    ]


def second_import(n: int, *, facts: int, text: int) -> tuple[float, int]:
    """Seconds of the second import (best of three) and the change events it wrote."""
    best, events = float("inf"), 0
    for _ in range(3):
        with tempfile.TemporaryDirectory() as folder:
            engine = db.make_engine(f"sqlite:///{folder}/bench.sqlite3")
            db.upgrade(engine)
            import_records(engine, "bench", records(n, facts=0, text=0), full=True)
            again = records(n, facts=facts, text=text)
            start = time.perf_counter()
            import_records(engine, "bench", again, full=True)
            best = min(best, time.perf_counter() - start)
            with engine.connect() as conn:
                events = conn.exec_driver_sql(
                    "SELECT count(*) FROM courseevent WHERE event != 'new'"
                ).scalar_one()
            engine.dispose()
    return best, int(events)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    plain, none = second_import(n, facts=0, text=1)
    changed, events = second_import(n, facts=1, text=1)
    head = f"re-import of {n:,} courses,"
    print(f"{head} description changed only: {plain:.2f} s ({none} events)")
    print(f"{head} four facts changed each:   {changed:.2f} s ({events:,} events)")
    print(f"ratio (cost of recording the changes): {changed / plain:.2f}")


if __name__ == "__main__":
    main()
