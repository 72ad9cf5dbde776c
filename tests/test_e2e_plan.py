"""Plan and watch in a real browser: create a shortlist on the Shortlists page, refresh
edX (a local server) twice with a changed price, offer and start date between the runs,
see the changes on the page, and download the list's Atom feed and its .ics calendar.

Uses the served app and Chromium of tests/test_e2e_browser.py; skips as it does. The
page's screenshot goes to docs/shortlist-changes.png, which the README shows.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import icalendar
import pytest

from catalog import shortlists
from catalog.bootstrap import open_catalog
from catalog.search import Query, searcher_for
from tests.support import ics
from tests.support.httpserver import Reply, StubServer
from tests.test_cli_refresh import cli, endpoint_env
from tests.test_e2e_browser import _settle, browser, server
from tests.test_plan_watch import FIRST, SECOND

__all__ = ["browser", "server"]  # fixtures, used by name
pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "shortlist-changes.png"


def _refresh(env: dict[str, str]) -> None:
    done = cli("refresh", "--source", "edx", env=env)
    assert done.returncode == 0, done.stderr + done.stdout


def _last_table_rows(page: Any) -> list[str]:
    """The rows of the page's last data grid (the changes), from its accessible copy."""
    grid = page.locator("[data-testid='stDataFrame']").last
    grid.scroll_into_view_if_needed()
    rows = grid.locator("[role='row']")
    # The grid fills its accessible copy after it drew; on a busy machine that is later.
    page.wait_for_function(
        "g => [...g.querySelectorAll('[role=row]')].slice(1).some(r => r.innerText.trim())",
        arg=grid.element_handle(),
        timeout=30000,
    )
    return [rows.nth(i).inner_text() for i in range(1, rows.count())]


def test_a_changed_price_shows_on_the_page_in_the_feed_and_in_the_calendar(
    server: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    base, data_dir = server
    with StubServer() as edx:
        edx.robots("User-agent: *\nAllow: /\n")
        edx.route("/edx/catalog", Reply.json(FIRST), Reply.json(SECOND))
        env = {
            "COURSERADAR_DATA_DIR": str(data_dir),
            **endpoint_env("edx", {"sitemap": edx.url("/edx/catalog"), "site": edx.url("/")}),
        }
        page = browser.new_page(viewport={"width": 1440, "height": 1150}, accept_downloads=True)
        page.goto(base + "/shortlists")
        page.get_by_text("Language / Sprache").wait_for(timeout=60000)
        _settle(page)
        _refresh(env)

        # Create the list in the browser; the course goes on it as from the search page.
        page.get_by_role("button", name="Create a shortlist").click()
        page.get_by_label("Name of the new list").fill("Spring plan")
        page.get_by_role("button", name="Create", exact=True).click()
        page.get_by_text("Created “Spring plan”").wait_for(timeout=15000)
        engine = open_catalog(f"sqlite:///{data_dir / 'catalog.sqlite3'}", seed=False)
        found = searcher_for(engine).search(Query(text="Machine Learning with Python"))
        course = next(r for r in found.rows if r["source"] == "edx")
        shortlists.add(engine, "Spring plan", [course["id"]])

        _refresh(env)  # the price, the offer and the start date change

    page.reload()
    page.get_by_role("heading", name="Changes (3)").wait_for(timeout=60000)
    _settle(page)
    text = "\n".join(_last_table_rows(page))
    assert "certificate price 49 -> 79 USD" in text, text
    assert "now free to audit" in text and "next start 2027-03-01" in text
    page.screenshot(path=str(tmp_path / "shortlist.png"), full_page=False)
    shutil.copyfile(tmp_path / "shortlist.png", SCREENSHOT)  # the README's picture

    with page.expect_download(timeout=30000) as info:
        page.get_by_role("button", name="Atom feed").click()
    feed = ET.fromstring(Path(info.value.path()).read_bytes())
    titles = [e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry")]
    assert len(titles) == 3
    assert any(t.startswith("Machine Learning with Python: certificate price 49") for t in titles)

    with page.expect_download(timeout=30000) as info:
        page.get_by_role("button", name="Calendar (.ics)").click()
    assert info.value.suggested_filename.endswith(".ics")
    data = Path(info.value.path()).read_bytes()
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert [e.decoded("DTSTART").isoformat() for e in events] == ["2027-03-01"]
    assert [e.get("UID") for e in ics.read(data).walk("VEVENT")] == [
        f"course-{course['id']}-start@courseradar"
    ]
    engine.dispose()
