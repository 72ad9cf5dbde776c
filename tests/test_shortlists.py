"""Shortlists on SQLite and PostgreSQL: membership, notes, order, removed courses, concurrency."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import shortlists
from catalog.export import export
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.shortlists import ShortlistError


def record(n: int, **kw: object) -> CourseRecord:
    fields: dict[str, object] = {
        "title": f"Course {n}",
        "url": f"https://example.org/c/{n}",
        "provider": "Example U",
        "topics": ["machine-learning"],
        "languages": ["en"],
        "cost": "free",
    }
    fields.update(kw)
    return CourseRecord(source="test", source_id=f"c{n}", **fields)  # type: ignore[arg-type]


def load(engine: Engine, numbers: list[int]) -> dict[int, int]:
    """Import courses ``numbers`` as everything source "test" lists; {n: course id}."""
    import_records(engine, "test", [record(n) for n in numbers], full=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT source_id, id FROM course WHERE source = 'test'"))
        return {int(sid[1:]): cid for sid, cid in rows}


def titles(engine: Engine, name: str) -> list[str]:
    return [row["title"] for row in shortlists.items(engine, name)]


def test_lists_create_rename_delete(engine: Engine) -> None:
    first = shortlists.new_list(engine, "  Data   course ideas ")
    (only,) = shortlists.lists(engine)
    assert only["id"] == first and only["name"] == "Data course ideas" and only["count"] == 0
    shortlists.new_list(engine, "Another")
    with pytest.raises(ShortlistError, match="already exists"):
        shortlists.new_list(engine, "data course IDEAS")
    with pytest.raises(ShortlistError, match="empty"):
        shortlists.new_list(engine, "   ")
    with pytest.raises(ShortlistError, match="80"):
        shortlists.new_list(engine, "x" * 81)
    shortlists.new_list(engine, "y" * 80)
    with pytest.raises(ShortlistError, match="already exists"):
        shortlists.rename(engine, "Another", "Data course ideas")
    shortlists.rename(engine, "Another", "Later")
    assert shortlists.list_names(engine) == ["Data course ideas", "Later", "y" * 80]
    shortlists.delete_list(engine, "Later")
    with pytest.raises(ShortlistError, match="no shortlist named"):
        shortlists.items(engine, "Later")
    assert shortlists.list_names(engine) == ["Data course ideas", "y" * 80]


def test_add_remove_note_move(engine: Engine) -> None:
    ids = load(engine, [1, 2, 3, 4])
    shortlists.new_list(engine, "mine")
    assert shortlists.add(engine, "mine", [ids[2], ids[1]]) == 2
    assert shortlists.add(engine, "mine", [ids[1], ids[3]]) == 1  # idempotent, appends
    assert titles(engine, "mine") == ["Course 2", "Course 1", "Course 3"]
    with pytest.raises(ShortlistError, match="no course with id 999999"):
        shortlists.add(engine, "mine", [999999])

    shortlists.set_note(engine, "mine", ids[1], "  ask the employer to pay  ")
    rows = shortlists.items(engine, "mine")
    assert [r["position"] for r in rows] == [1, 2, 3]
    assert rows[1]["note"] == "ask the employer to pay"
    assert rows[1]["status"] == "active"
    with pytest.raises(ShortlistError, match="not on the shortlist"):
        shortlists.set_note(engine, "mine", ids[4], "x")

    shortlists.move(engine, "mine", ids[3], "up")
    assert titles(engine, "mine") == ["Course 2", "Course 3", "Course 1"]
    shortlists.move(engine, "mine", ids[2], "down")
    assert titles(engine, "mine") == ["Course 3", "Course 2", "Course 1"]
    shortlists.move(engine, "mine", ids[1], 1)
    assert titles(engine, "mine") == ["Course 1", "Course 3", "Course 2"]
    shortlists.move(engine, "mine", ids[1], "bottom")
    assert titles(engine, "mine") == ["Course 3", "Course 2", "Course 1"]
    shortlists.move(engine, "mine", ids[1], "top")
    shortlists.move(engine, "mine", ids[1], "up")  # already first: nothing happens
    assert titles(engine, "mine") == ["Course 1", "Course 3", "Course 2"]
    with pytest.raises(ShortlistError, match="position number"):
        shortlists.move(engine, "mine", ids[1], "sideways")

    assert shortlists.remove(engine, "mine", [ids[3], ids[4]]) == 1
    assert titles(engine, "mine") == ["Course 1", "Course 2"]
    assert shortlists.items(engine, "mine")[0]["note"] == "ask the employer to pay"
    shortlists.add(engine, "mine", [ids[3]])
    assert titles(engine, "mine") == ["Course 1", "Course 2", "Course 3"]
    assert shortlists.lists(engine)[0]["count"] == 3

    # The same list by id; export carries the notes.
    list_id = shortlists.lists(engine)[0]["id"]
    assert titles(engine, list_id) == titles(engine, str(list_id))
    csv = shortlists.export_list(engine, "mine", "csv")
    assert csv == export(shortlists.items(engine, "mine"), "csv")
    assert "ask the employer to pay" in csv.decode("utf-8-sig")


def test_removed_upstream_stays_marked_and_user_data_survives(engine: Engine) -> None:
    ids = load(engine, [1, 2, 3])
    shortlists.new_list(engine, "keep")
    shortlists.add(engine, "keep", [ids[1], ids[2], ids[3]])
    shortlists.set_note(engine, "keep", ids[2], "gone soon?")
    for _ in range(3):  # three full refreshes without course 2 -> removed
        again = load(engine, [1, 3, 4])
    assert again[1] == ids[1] and again[3] == ids[3]  # ids survive re-imports
    rows = shortlists.items(engine, "keep")
    assert [r["title"] for r in rows] == ["Course 1", "Course 2", "Course 3"]
    assert [r["status"] for r in rows] == ["active", "removed", "active"]
    assert rows[1]["note"] == "gone soon?"
    # It comes back: same id, same note, active again.
    load(engine, [1, 2, 3, 4])
    rows = shortlists.items(engine, "keep")
    assert rows[1]["status"] == "active" and rows[1]["note"] == "gone soon?"


def test_two_writers_lose_nothing(engine: Engine) -> None:
    ids = load(engine, list(range(1, 41)))
    shortlists.new_list(engine, "shared")
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker(numbers: list[int]) -> None:
        try:
            barrier.wait()
            for n in numbers:
                shortlists.add(engine, "shared", [ids[n]])
                shortlists.set_note(engine, "shared", ids[n], f"note {n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(list(range(1, 41, 2)),)),
        threading.Thread(target=worker, args=(list(range(2, 41, 2)),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = shortlists.items(engine, "shared")
    assert sorted(r["id"] for r in rows) == sorted(ids.values())
    assert all(r["note"] == f"note {int(r['title'].split()[1])}" for r in rows)
    with engine.connect() as conn:
        positions = conn.execute(sa.text("SELECT position FROM shortlistitem")).scalars().all()
    assert sorted(positions) == list(range(1, 41))  # unique: appends were serialised
