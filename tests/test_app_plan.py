"""Plan and watch in the app (AppTest): the Shortlists page's effort, dates, changes, feed
and calendar; the Saved searches page's changes and calendar."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import icalendar
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import saved_searches, shortlists
from catalog.refresh import import_records
from catalog.search import Query
from tests.support import ics
from tests.test_app import (
    catalog_engine,
    download,
    hostile_records,
    media,
    new_app,
    ok,
)

__all__ = ["catalog_engine", "media"]  # fixtures, used by name
ATOM = "{http://www.w3.org/2005/Atom}"


def _course_id(engine: Engine, source_id: str) -> int:
    with engine.connect() as conn:
        query = sa.text("SELECT id FROM course WHERE source_id = :s")
        return int(conn.execute(query, {"s": source_id}).scalar_one())


def _reprice(engine: Engine) -> None:
    records = hostile_records()
    plain = next(r for r in records if r.source_id == "plain")
    plain.cost, plain.price_amount, plain.price_currency, plain.price_eur = (
        "paid",
        49.0,
        "EUR",
        49.0,
    )
    import_records(engine, "test", records, full=True)


def test_shortlist_page_shows_effort_dates_changes_feed_and_calendar(
    catalog_engine: Engine, media: list[Any]
) -> None:
    course = _course_id(catalog_engine, "plain")
    shortlists.new_list(catalog_engine, "Plan")
    shortlists.add(catalog_engine, "Plan", [course])
    at = ok(new_app().run())
    ok(at.switch_page("views/shortlists.py").run())
    assert any(s.value == "Changes (0)" for s in at.subheader)

    editor = at.data_editor[0]
    at.session_state[editor.key] = {
        "edited_rows": {0: {"plan_start": "2027-05-04", "finish_by": "2027-06-30"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    item = shortlists.items(catalog_engine, "Plan")[0]
    assert (item["plan_start"], item["finish_by"]) == (date(2027, 5, 4), date(2027, 6, 30))

    _reprice(catalog_engine)
    ok(at.run())
    assert any(s.value == "Changes (2)" for s in at.subheader)
    table = at.dataframe[-1].value
    assert sorted(table["what"]) == ["certificate price now 49 EUR", "cost: free -> paid"]
    assert all(when.startswith(str(date.today().year)) for when in table["when"])

    feed = ET.fromstring(download(at, media, "feed_list"))
    titles = sorted(e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry"))
    assert titles == [
        "Sprachmodelle verstehen: certificate price now 49 EUR",
        "Sprachmodelle verstehen: cost: free -> paid",
    ]
    data = download(at, media, "ics_list")
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Finish by: Sprachmodelle verstehen",
        "Plan to start: Sprachmodelle verstehen",
    ]
    assert len(ics.read(data).walk("VEVENT")) == 2


def test_saved_searches_page_lists_the_changes_and_offers_the_calendar(
    catalog_engine: Engine, media: list[Any]
) -> None:
    saved_searches.save(catalog_engine, "German", Query(languages=("de",)))
    _reprice(catalog_engine)
    at = ok(new_app().run())
    ok(at.switch_page("views/saved.py").run())
    assert any(e.label == "Changes (2)" for e in at.expander)
    assert "cost: free -> paid" in list(at.dataframe[0].value["what"])
    feed = ET.fromstring(download(at, media, "feed_0"))
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert "Sprachmodelle verstehen: certificate price now 49 EUR" in titles
    calendar = ics.read(download(at, media, "ics_0"))
    assert calendar.get("X-WR-CALNAME") == "CourseRadar: German"
