"""The bulk-load path of catalog.store: streamed input, ids repeated across steps, the
canonical JSON its hashes are made of, and the upgrade that keeps old hashes valid."""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog import db, store
from catalog.record import CourseRecord, Offer
from catalog.refresh import import_records
from catalog.search import Query, search
from catalog.store import serialise, upsert
from tests.support.old_schema import copy_rows

_PLAIN = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"b": 1, "a": [1, 2.5, None, True, 'ü ✓ "q" \\ \x00'], "c": {"z": 1, "y": {}}},
        {"start_date": date(2026, 3, 1), "at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC)},
        {"huge": 2**70, "small": -(2**63)},
        CourseRecord(source="s", source_id="1", title="T", offers=[Offer("audit")]).to_dict(),
    ],
)
def test_dumps_is_compact_canonical_json(value: object) -> None:
    assert store.dumps(value) == _PLAIN.encode(value)


def _records(n: int, prefix: str = "c") -> Iterator[CourseRecord]:
    for i in range(n):
        yield CourseRecord(
            source="s",
            source_id=f"{prefix}{i}",
            title=f"Neural networks part {i} {'quantum' if i == n - 1 else 'classic'}",
            provider="Example",
            url=f"https://example.org/{prefix}/{i}",
            topics=["deep-learning"],
        )


def test_streamed_import_holds_a_few_steps_not_the_input(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upsert, "STEP", 50)
    alive = most = 0

    def gone() -> None:
        nonlocal alive
        alive -= 1

    def watched() -> Iterator[CourseRecord]:
        nonlocal alive, most
        for rec in _records(1000):
            weakref.finalize(rec, gone)
            alive += 1
            most = max(most, alive)
            yield rec
            del rec

    report = import_records(engine, "s", watched(), full=True)
    assert (report.added, report.gathered, report.state) == (1000, 1000, "ok")
    assert most <= 3 * 50, f"{most} records alive at once"
    # every step reached the full-text index, the first and the last
    assert search(engine, Query(text="neural networks")).total == 1000
    assert search(engine, Query(text="quantum")).total == 1


def test_an_id_repeated_steps_apart_ends_with_its_last_record(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upsert, "STEP", 3)
    records = list(_records(7))
    late = CourseRecord(
        source="s", source_id="c1", title="Transformers revised", provider="Example",
        topics=["nlp"], url="https://example.org/c/1",
    )  # fmt: skip
    twice_in_a_step = CourseRecord(source="s", source_id="c6", title="Diffusion models")
    report = import_records(engine, "s", [*records, late, twice_in_a_step], full=True)
    assert (report.added, report.updated, report.unchanged) == (7, 0, 0)
    rows = {r["source_id"]: r for r in search(engine, Query()).rows}
    assert len(rows) == 7
    assert rows["c1"]["title"] == "Transformers revised"
    assert rows["c6"]["title"] == "Diffusion models"
    assert search(engine, Query(text="transformers")).total == 1
    again = import_records(engine, "s", [*records[:1], late, *records[2:6], twice_in_a_step])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 7)


def _hashes(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT source_id, content_hash FROM listing")).all()
    return {str(sid): str(digest) for sid, digest in rows}


def test_upgrade_keeps_hashes_of_listings_written_before_compact_json(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old_spelling = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False).encode
    records = list(_records(30))
    records[0].offers = [Offer("verified", "completion", 49.0, "USD", 45.1)]
    records[1].description = "Künstliche Intelligenz ✓"
    records[1].raw = {"price": "49 €", "nested": {"b": 1, "a": None}}
    engine = db.make_engine(db_url)
    scratch = db.make_engine(f"sqlite:///{tmp_path / 'scratch.sqlite3'}")
    try:
        db.upgrade(engine, "0001")
        db.upgrade(scratch)  # today's code writes a newer schema; its rows go through 0001's
        with monkeypatch.context() as patch:
            patch.setattr(serialise, "dumps", old_spelling)
            first = import_records(scratch, "s", records, full=True)
        assert first.added == 30
        copy_rows(scratch, engine)
        before = _hashes(engine)
        db.upgrade(engine)
        after = _hashes(engine)
        assert all(after[k] != before[k] for k in before)  # every old hash was recomputed
        report = import_records(engine, "s", records, full=True)
        assert (report.updated, report.unchanged) == (0, 30)
    finally:
        engine.dispose()
        scratch.dispose()
