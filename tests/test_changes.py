"""Changes recorded by imports, read back per shortlist and saved search, said in English
and German; a removed course stays on its list, in its feed and in its calendar; the
person's dates and the effort of a list. Both dialects (the ``engine`` fixture)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from types import SimpleNamespace

import icalendar
import pytest
import sqlalchemy as sa

from catalog import changes, feeds, ical, planning, saved_searches, shortlists
from catalog.models import CourseEvent
from catalog.refresh import import_records
from catalog.search import Query
from tests.support import ics
from tests.test_catalog import sample

EVENT = CourseEvent.__table__  # type: ignore[attr-defined]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def listed(engine: sa.Engine) -> tuple[sa.Engine, dict[str, int]]:
    import_records(engine, "t", sample(), full=True)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.text("SELECT source_id, id FROM course")).all())
    shortlists.new_list(engine, "Plan")
    shortlists.add(engine, "Plan", [ids["ml"], ids["ki"], ids["nlp"]])
    return engine, ids


def test_an_import_records_each_watched_fact_with_its_source(
    listed: tuple[sa.Engine, dict[str, int]],
) -> None:
    engine, ids = listed
    since = datetime.now(UTC)
    changed = sample()
    ml, ki = changed[0], changed[3]
    ml.cost, ml.price_amount, ml.price_eur = "free", None, None
    ml.level = "intermediate"
    ki.start_date, ki.certificate = date(2027, 9, 1), "completion"
    import_records(engine, "t", changed, full=True)
    found = changes.shortlist_changes(engine, "plan", since)
    said = {(c.course_id, c.text("en")) for c in found}
    assert said == {
        (ids["ml"], "now free"),
        (ids["ml"], "price no longer given (was 49 USD)"),
        (ids["ml"], "level: beginner -> intermediate"),
        (ids["ki"], "next start 2027-09-01"),
        (ids["ki"], "certificate: no certificate -> certificate of completion"),
    }
    assert {c.source for c in found} == {"t"}
    german = {c.text("de") for c in found}
    assert {"jetzt kostenlos", "Niveau: Einsteiger -> Fortgeschrittene"} <= german
    assert "nächster Beginn 2027-09-01" in german
    # nothing changed since this moment; the dl course is on no list
    assert changes.shortlist_changes(engine, "Plan", datetime.now(UTC)) == []
    assert all(c.course_id != ids["dl"] for c in found)


def test_a_broad_search_reads_the_same_changes_without_naming_every_course(
    listed: tuple[sa.Engine, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, ids = listed
    saved_searches.save(engine, "All", Query())
    changed = sample()
    changed[0].level, changed[2].level = "advanced", "advanced"
    import_records(engine, "t", changed, full=True)
    named = changes.saved_search_changes(engine, "All")
    monkeypatch.setattr(changes, "IN_LIMIT", 1)  # as with more courses than that
    assert changes.saved_search_changes(engine, "All") == named
    assert {c.course_id for c in named} == {ids["ml"], ids["dl"]}
    assert len(changes.saved_search_changes(engine, "All", limit=1)) == 1


def test_a_price_and_its_eur_value_are_one_change() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    base = {"course_id": 1, "title": "X", "url": None, "at": at, "source": "s"}
    price = changes.Change(
        id=2, event="price_changed", old="49 USD", new="79 USD", certificate="completion", **base
    )
    eur = changes.Change(
        id=3, event="price_eur_changed", old="45.00", new="72.00", certificate="completion", **base
    )
    price = changes._combine([_row(price), _row(eur)])
    assert [c.text() for c in price] == ["certificate price 49 -> 79 USD (+27 EUR)"]
    assert price[0].text("de") == "Zertifikatspreis 49 -> 79 USD (+27 EUR)"
    alone = changes._combine([_row(eur)])
    assert alone[0].text() == "price in EUR 45 -> 72 EUR"


def _row(change: changes.Change) -> object:
    """An event row as the query returns it (attribute access by column name)."""
    return SimpleNamespace(**{k: getattr(change, k) for k in change.__dataclass_fields__})


def test_a_removed_course_stays_on_the_list_in_the_feed_and_in_the_calendar(
    listed: tuple[sa.Engine, dict[str, int]],
) -> None:
    engine, ids = listed
    planning.set_plan(engine, "Plan", ids["ki"], plan_start="2027-03-01", finish_by=None)
    saved_searches.save(engine, "German", Query(languages=("de",)))
    without_ki = [r for r in sample() if r.source_id != "ki"]
    for _ in range(3):  # missed three refreshes in a row: removed
        import_records(engine, "t", without_ki, full=True)
    rows = {r["id"]: r for r in shortlists.items(engine, "Plan")}
    assert rows[ids["ki"]]["status"] == "removed"
    texts = [c.text() for c in changes.shortlist_changes(engine, "Plan")]
    assert texts == ["removed by the provider", "not seen at the provider lately"]
    for data in (feeds.shortlist_feed(engine, "Plan"), saved_searches.atom_feed(engine, "German")):
        titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(data).iter(f"{ATOM}entry")]
        assert "Künstliche Intelligenz: Grundlagen: removed by the provider" in titles
    data = ical.shortlist_calendar(engine, "Plan", "de")
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    start = events[f"course-{ids['ki']}-start@courseradar"]
    assert str(start["SUMMARY"]) == "[entfernt] Beginn: Künstliche Intelligenz: Grundlagen"
    assert "Vom Anbieter entfernt" in str(start["DESCRIPTION"])
    mine = {e.get("UID"): e for e in ics.read(data).walk("VEVENT")}
    assert mine.keys() == events.keys()
    plan = mine[f"shortlist-1-course-{ids['ki']}-plan-start@courseradar"]
    assert plan.get("SUMMARY") == "[entfernt] Geplanter Beginn: Künstliche Intelligenz: Grundlagen"
    assert plan.get("DTSTART") == "20270301"
    # it comes back
    import_records(engine, "t", sample(), full=True)
    assert changes.shortlist_changes(engine, "Plan")[0].text() == "back at the provider"


def test_plan_dates_are_checked_and_kept_per_list(
    listed: tuple[sa.Engine, dict[str, int]],
) -> None:
    engine, ids = listed
    with pytest.raises(shortlists.ShortlistError, match="not a date"):
        planning.set_plan(engine, "Plan", ids["ml"], plan_start="soon", finish_by=None)
    with pytest.raises(shortlists.ShortlistError, match="before plan to start"):
        planning.set_plan(
            engine, "Plan", ids["ml"], plan_start="2027-05-01", finish_by="2027-04-01"
        )
    with pytest.raises(shortlists.ShortlistError, match="not on the shortlist"):
        planning.set_plan(engine, "Plan", ids["dl"], plan_start="2027-05-01", finish_by=None)
    planning.set_plan(engine, "Plan", ids["ml"], plan_start="2027-05-01", finish_by="2027-06-30")
    row = next(r for r in shortlists.items(engine, "Plan") if r["id"] == ids["ml"])
    assert (row["plan_start"], row["finish_by"]) == (date(2027, 5, 1), date(2027, 6, 30))
    import_records(engine, "t", sample(), full=True)  # a refresh leaves user data alone
    row = next(r for r in shortlists.items(engine, "Plan") if r["id"] == ids["ml"])
    assert row["plan_start"] == date(2027, 5, 1)


def test_effort_in_a_planners_terms() -> None:
    weekly = {"hours_per_week_min": 3.0, "hours_per_week_max": 5.0, "weeks": 6.0}
    assert planning.effort_text(weekly) == "3–5 h/week × 6 weeks (18–30 h)"
    assert planning.effort_text(weekly, "de") == "3–5 h/Woche × 6 Wochen (18–30 h)"
    assert planning.effort_text({"hours_min": 12.0, "hours_max": 12.0}) == "12 h"
    assert planning.effort_text({}) == ""
    total = planning.list_effort([weekly, {"hours_max": 10.0}, {}])
    assert (total.hours_min, total.hours_max, total.unknown) == (28.0, 40.0, 1)
    assert total.text() == (
        "3 courses: 28–40 h in all, 3–5 h/week taken together, the longest 6 weeks; "
        "1 without a stated effort"
    )
    assert total.text("de").startswith("3 Kurse: zusammen 28–40 h")
