"""Saved searches on SQLite and PostgreSQL: save/load, new-since counts, the Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import saved_searches
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.saved_searches import SavedSearchError
from catalog.search import Query

A = "{http://www.w3.org/2005/Atom}"


def record(n: int, **kw: object) -> CourseRecord:
    fields: dict[str, object] = {
        "title": f"NLP course {n}",
        "url": f"https://example.org/c/{n}",
        "provider": "Example U",
        "topics": ["nlp"],
        "languages": ["de"],
        "cost": "free",
    }
    fields.update(kw)
    return CourseRecord(source="test", source_id=f"c{n}", **fields)  # type: ignore[arg-type]


def ids_by_title(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT title, id FROM course")).all())


def test_save_list_load_delete(engine: Engine) -> None:
    import_records(engine, "test", [record(1)], full=True)
    query = Query(text="sprache", topics=("nlp",), languages=("de",), sort="price", page=3)
    saved_searches.save(engine, " German NLP ", query)
    loaded = saved_searches.load(engine, "German NLP")
    assert loaded.topics == ("nlp",) and loaded.sort == "price" and loaded.text == "sprache"
    assert loaded.page == 1  # the page is not part of a saved search
    with pytest.raises(SavedSearchError, match="already exists"):
        saved_searches.save(engine, "german nlp", Query())
    saved_searches.save(engine, "German NLP", Query(costs=("free",)), replace_existing=True)
    assert saved_searches.load(engine, "German NLP").costs == ("free",)
    with pytest.raises(SavedSearchError, match="unknown cost"):
        saved_searches.save(engine, "bad", Query(costs=("cheap",)))
    saved_searches.save(engine, "all", Query())
    assert [s["name"] for s in saved_searches.list(engine)] == ["all", "German NLP"]
    saved_searches.delete(engine, "all")
    with pytest.raises(SavedSearchError, match="no saved search"):
        saved_searches.load(engine, "all")


def test_new_since_and_mark_viewed(engine: Engine) -> None:
    import_records(engine, "test", [record(1), record(2, languages=["en"])], full=True)
    saved_searches.save(engine, "de nlp", Query(topics=("nlp",), languages=("de",)))
    assert saved_searches.new_since(engine, "de nlp") == []
    import_records(
        engine,
        "test",
        [record(1), record(2, languages=["en"]), record(3), record(4), record(5, topics=["mlops"])],
        full=True,
    )
    new = saved_searches.new_since(engine, "de nlp")
    assert sorted(r["title"] for r in new) == ["NLP course 3", "NLP course 4"]
    assert all(r["new_at"].tzinfo is not None for r in new)
    counts = {s["name"]: s["new"] for s in saved_searches.list(engine)}
    assert counts == {"de nlp": 2}

    saved_searches.mark_viewed(engine, "de nlp")
    assert saved_searches.new_since(engine, "de nlp") == []
    import_records(engine, "test", [record(n) for n in (1, 3, 4, 6)], full=True)
    assert [r["title"] for r in saved_searches.new_since(engine, "de nlp")] == ["NLP course 6"]
    # Looking at an earlier moment again shows everything new since then.
    saved_searches.mark_viewed(engine, "de nlp", at=datetime(2000, 1, 1, tzinfo=UTC))
    assert len(saved_searches.new_since(engine, "de nlp")) == 4


def test_atom_feed(engine: Engine) -> None:
    import_records(engine, "test", [record(1)], full=True)
    saved_searches.save(engine, "feed me", Query(topics=("nlp",)))
    hostile = "<script>alert(1)</script> & \x1b\x0b friends"
    import_records(
        engine,
        "test",
        [
            record(1),
            record(2, title=hostile, url="javascript:alert(1)"),
            record(3, description="Grundlagen der Sprachverarbeitung – für alle"),
        ],
        full=True,
    )
    ids = ids_by_title(engine)
    data = saved_searches.atom_feed(engine, "feed me", base_url="https://radar.example/")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)
    assert root.tag == f"{A}feed"
    assert root.findtext(f"{A}title") == "CourseRadar: feed me"
    assert root.findtext(f"{A}id").startswith("urn:courseradar:saved-search:")
    assert root.find(f"{A}updated") is not None and root.find(f"{A}author/{A}name") is not None
    alt = root.find(f"{A}link")
    assert alt is not None and alt.get("href") == "https://radar.example/?topics=nlp"
    entries = root.findall(f"{A}entry")
    by_id = {e.findtext(f"{A}id"): e for e in entries}
    assert set(by_id) == {f"urn:courseradar:course:{ids[t]}" for t in ids if t != "NLP course 1"}
    bad = by_id[f"urn:courseradar:course:{ids[hostile]}"]
    assert bad.findtext(f"{A}title") == "<script>alert(1)</script> &  friends"
    assert bad.find(f"{A}link") is None  # javascript: is never a link
    good = by_id[f"urn:courseradar:course:{ids['NLP course 3']}"]
    assert good.find(f"{A}link").get("href") == "https://example.org/c/3"
    assert "Sprachverarbeitung – für alle" in good.findtext(f"{A}summary")
    updated = good.findtext(f"{A}updated")
    assert datetime.strptime(updated, "%Y-%m-%dT%H:%M:%SZ").year >= 2025
    # A feed reader keeps entries: the feed does not change when the person looks in the app.
    saved_searches.mark_viewed(engine, "feed me")
    again = ET.fromstring(saved_searches.atom_feed(engine, "feed me"))
    assert len(again.findall(f"{A}entry")) == 2
