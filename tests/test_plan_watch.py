"""Plan and watch as a user runs it: two refreshes of edX against a local server, the
second with a changed price, a new free-audit offer and a moved start date; then the
changes, the Atom feeds and the iCalendar files through the real `courseradar` command.

The server (tests/support/httpserver.py) answers the edX endpoint with the first
catalogue, then the second; no test touches the network.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from copy import deepcopy
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tests.support import ics
from tests.support.httpserver import Reply, StubServer
from tests.test_cli_refresh import cli, endpoint_env

ATOM = "{http://www.w3.org/2005/Atom}"


def _course(key: str, title: str, start: str, seats: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "key": key,
        "uuid": key.lower(),
        "title": title,
        "short_description": f"<p>{title}: machine learning, neural networks, Python.</p>",
        "owners": [{"key": "PlanX", "name": "PlanX University"}],
        "level_type": "Introductory",
        "marketing_url": f"https://www.edx.org/learn/machine-learning/{key.lower()}",
        "course_runs": [
            {
                "key": f"course-v1:{key}+1T2027",
                "availability": "Upcoming",
                "start": start,
                "pacing_type": "instructor_paced",
                "content_language": "en-us",
                "min_effort": 3,
                "max_effort": 5,
                "weeks_to_complete": 6,
                "seats": seats,
            }
        ],
    }


VERIFIED_49 = [{"type": "verified", "price": "49.00", "currency": "USD"}]
FIRST = {
    "next": None,
    "results": [
        _course("PlanX+ML101", "Machine Learning with Python", "2027-01-15T00:00:00Z", VERIFIED_49),
        _course(
            "PlanX+DL201",
            "Deep Learning Foundations",
            "2027-02-01T00:00:00Z",
            [{"type": "verified", "price": "99.00", "currency": "USD"}],
        ),
    ],
}
SECOND = deepcopy(FIRST)
SECOND["results"][0]["course_runs"][0]["start"] = "2027-03-01T00:00:00Z"
SECOND["results"][0]["course_runs"][0]["seats"] = [
    {"type": "audit", "price": "0.00", "currency": "USD"},
    {"type": "verified", "price": "79.00", "currency": "USD"},
]


@pytest.fixture
def env(data_dir: Path) -> Any:
    with StubServer() as server:
        server.robots("User-agent: *\nAllow: /\n")
        server.route("/edx/catalog", Reply.json(FIRST), Reply.json(SECOND))
        yield {
            "COURSERADAR_DATA_DIR": str(data_dir),
            **endpoint_env(
                "edx", {"sitemap": server.url("/edx/catalog"), "site": server.url("/edx")}
            ),
        }


def ok(*args: str, env: dict[str, str]) -> str:
    done = cli(*args, env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def ids_by_title(env: dict[str, str]) -> dict[str, int]:
    rows = json.loads(ok("search", "--source", "edx", "--format", "json", env=env))
    return {r["title"]: r["id"] for r in rows}


def both_readers(data: bytes) -> tuple[list[Any], list[ics.Component]]:
    """The VEVENTs as icalendar reads them and as the hand-made RFC 5545 reader does."""
    cal = icalendar.Calendar.from_ical(data)
    mine = ics.read(data)
    assert mine.name == "VCALENDAR" and mine.get("VERSION") == "2.0"
    return list(cal.walk("VEVENT")), mine.walk("VEVENT")


def test_two_refreshes_give_exactly_the_changes_in_feeds_and_calendar(
    env: dict[str, str], tmp_path: Path
) -> None:
    ok("refresh", "--source", "edx", env=env)
    ids = ids_by_title(env)
    ml, dl = ids["Machine Learning with Python"], ids["Deep Learning Foundations"]
    ok("shortlist", "new", "Spring", env=env)
    ok("shortlist", "add", "Spring", str(ml), str(dl), env=env)
    ok("shortlist", "plan", "Spring", str(ml), "--start", "2027-03-01", env=env)
    ok("shortlist", "plan", "Spring", str(ml), "--finish", "2027-04-30", env=env)
    ok("saved", "save", "ML at edX", "--source", "edx", env=env)
    before = tmp_path / "before.ics"
    ok("calendar", "--shortlist", "Spring", "-o", str(before), env=env)

    ok("refresh", "--source", "edx", env=env)

    # the changes, as the CLI prints them
    rows = json.loads(ok("changes", "--shortlist", "Spring", "--format", "json", env=env))
    assert {r["course_id"] for r in rows} == {ml}
    texts = sorted(r["text"] for r in rows)
    assert len(texts) == 3, texts
    assert texts[1] == "next start 2027-03-01"
    assert texts[2] == "now free to audit"
    assert re.fullmatch(r"certificate price 49 -> 79 USD \(\+\d+ EUR\)", texts[0]), texts
    assert {r["source"] for r in rows} == {"edx"}
    german = json.loads(
        ok("changes", "--saved", "ML at edX", "--format", "json", "--lang", "de", env=env)
    )
    assert sorted(r["text"] for r in german)[1:] == [
        "jetzt kostenlos belegbar",
        "nächster Beginn 2027-03-01",
    ]
    later = ok("changes", "--shortlist", "Spring", "--since", "2999-01-01", env=env)
    assert "no changes" in later

    # the feeds: exactly those three change entries
    for args in (["--shortlist", "Spring"], ["ML at edX"]):
        feed = ET.fromstring(ok("feed", *args, env=env).encode())
        titles = sorted(e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry"))
        assert titles == sorted(f"Machine Learning with Python: {t}" for t in texts), args

    # the calendar: the moved start date under the same UID, the person's dates beside it
    after = tmp_path / "after.ics"
    ok("calendar", "--shortlist", "Spring", "-o", str(after), env=env)
    old_events, _ = both_readers(before.read_bytes())
    new_events, my_events = both_readers(after.read_bytes())
    starts = {str(e["UID"]): e.decoded("DTSTART").isoformat() for e in new_events}
    assert starts == {
        f"course-{ml}-start@courseradar": "2027-03-01",
        f"course-{dl}-start@courseradar": "2027-02-01",
        f"shortlist-1-course-{ml}-plan-start@courseradar": "2027-03-01",
        f"shortlist-1-course-{ml}-finish-by@courseradar": "2027-04-30",
    }
    assert {str(e["UID"]) for e in old_events} == set(starts)
    old_starts = {str(e["UID"]): e.decoded("DTSTART").isoformat() for e in old_events}
    assert {u for u in starts if starts[u] != old_starts[u]} == {f"course-{ml}-start@courseradar"}
    assert {e.get("UID"): e.get("DTSTART") for e in my_events} == {
        u: d.replace("-", "") for u, d in starts.items()
    }
    assert all(e.params("DTSTART") == {"VALUE": "DATE"} for e in my_events)
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", e.get("DTSTAMP") or "") for e in my_events)
    saved = tmp_path / "saved.ics"
    ok("calendar", "--saved", "ML at edX", "-o", str(saved), env=env)
    _, saved_events = both_readers(saved.read_bytes())
    assert {e.get("UID") for e in saved_events} == {
        f"course-{ml}-start@courseradar",
        f"course-{dl}-start@courseradar",
    }


def test_errors_are_one_line(env: dict[str, str]) -> None:
    for args in (
        ["changes"],
        ["changes", "--shortlist", "nope"],
        ["changes", "--saved", "nope"],
        ["calendar", "--shortlist", "a", "--saved", "b"],
        ["feed"],
        ["changes", "--shortlist", "x", "--since", "yesterday"],
    ):
        done = cli(*args, env=env)
        assert done.returncode == 2, args
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
