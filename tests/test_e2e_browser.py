"""The app in a real browser: `courseradar serve` driven by Debian's Chromium via Playwright.

Search, filter, tick rows into a shortlist, download an export and check its bytes, then
open the copied URL in a fresh page and get the same view. Screenshots go to the test's
tmp_path; the search page's also to docs/screenshot.png, which the README shows (each run
refreshes it). Skips without /usr/bin/chromium unless COURSERADAR_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog import shortlists
from catalog.bootstrap import open_catalog
from catalog.export import export
from catalog.search import Query, searcher_for

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "screenshot.png"
EXE = shutil.which("courseradar", path=str(Path(sys.executable).parent)) or "courseradar"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A running `courseradar serve` on a free port with its own data dir."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("COURSERADAR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and COURSERADAR_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    data_dir = tmp_path / "data"
    port = _free_port()
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(data_dir)}
    env.pop("COURSERADAR_DATABASE_URL", None)
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [EXE, "serve", "--headless", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # stop the whole group, anything serve started included
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                output = (tmp_path / "server.log").read_text()[-2000:]
                pytest.fail(f"server did not start: {output}")
            time.sleep(0.3)
        yield base, data_dir
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # anything of the group still there
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _settle(page: Any) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000
    )
    page.wait_for_timeout(300)


def _rows(page: Any) -> list[str]:
    """The text of the visible result rows (the grid keeps an accessible copy in the DOM)."""
    rows = page.locator("[data-testid='stDataFrame'] [role='row']")
    return [rows.nth(i).inner_text() for i in range(1, rows.count())]


def _sentence(page: Any) -> str:
    return page.locator("[data-testid='stHeading'] h3").first.inner_text()


def _tick(page: Any, row: int) -> None:
    """Tick result row ``row`` (0-based) in the canvas grid by clicking its row marker."""
    box = page.locator("[data-testid='stDataFrameResizable']").first.bounding_box()
    height = 38  # row_height of the results table; the header row is as high
    page.mouse.click(box["x"] + 16, box["y"] + height * (row + 1) + height / 2)
    _settle(page)


def test_search_filter_shortlist_export_and_shared_link(
    server: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    base, data_dir = server
    page = browser.new_page(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
    page.goto(base + "/")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    assert "courses" in _sentence(page)

    # Search for a word.
    box = page.get_by_placeholder(re.compile("transformers"))
    box.fill("learning")
    box.press("Enter")
    page.wait_for_url(re.compile(r"text=learning"), timeout=30000)
    _settle(page)
    assert 'matching "learning"' in _sentence(page)

    # Apply a filter: Cost = free, picked from the multiselect with its count.
    cost = page.locator("[data-testid='stMultiSelect']").filter(has_text="Cost")
    cost.locator("input").click()
    page.get_by_role("option", name=re.compile(r"^free \(\d+\)$")).click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"costs=free"), timeout=30000)
    _settle(page)
    assert _sentence(page).split(" ", 1)[1].startswith("free courses matching")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=False)

    query = Query(text="learning", costs=("free",))
    engine = open_catalog(f"sqlite:///{data_dir / 'catalog.sqlite3'}", seed=False)
    expected = list(searcher_for(engine).iter_all(query))
    first_rows = _rows(page)
    assert first_rows and first_rows[0].startswith(expected[0]["title"])

    # Tick two rows and put them on a new shortlist.
    _tick(page, 0)
    _tick(page, 1)
    page.get_by_text("2 selected").wait_for(timeout=15000)
    page.get_by_label("Name of the new list").fill("Browser list")
    page.get_by_role("button", name="Add to shortlist").click()
    page.get_by_text("Added 2 course(s)").wait_for(timeout=15000)
    items = shortlists.items(engine, "Browser list")
    assert [r["id"] for r in items] == [r["id"] for r in expected[:2]]
    page.screenshot(path=str(tmp_path / "selected.png"), full_page=False)

    # Download the export of the whole search and check its bytes.
    with page.expect_download(timeout=30000) as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    target = tmp_path / "download.csv"
    info.value.save_as(target)
    assert target.read_bytes() == export(expected, "csv", "en")

    # The address reproduces the view in a fresh page.
    url = page.url
    assert "text=learning" in url and "costs=free" in url
    other = browser.new_page(viewport={"width": 1440, "height": 1000})
    other.goto(url)
    other.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(other)
    assert _sentence(other) == _sentence(page)
    assert _rows(other) == first_rows
    assert other.get_by_placeholder(re.compile("transformers")).input_value() == "learning"
    other.screenshot(path=str(tmp_path / "reloaded.png"), full_page=False)

    # Picks in further facets change the counts shown in the first one's labels; the
    # first selection must stay the value "free", never become its old label.
    for facet in ("Level", "Language"):
        box = other.locator("[data-testid='stMultiSelect']").filter(has_text=facet)
        box.locator("input").click()
        other.get_by_role("option", name=re.compile(r"\(\d[\d,]*\)$")).first.click()
        other.keyboard.press("Escape")
        other.wait_for_url(re.compile(facet.lower() + "s="), timeout=30000)
        _settle(other)
    picked = urllib.parse.parse_qs(urllib.parse.urlsplit(other.url).query)
    assert picked["costs"] == ["free"], other.url
    assert all("(" not in v for values in picked.values() for v in values), other.url

    # In German, the widgets show German labels; the sort kept across the switch must not
    # come back as its English label ("Relevance"), and a further pick still reaches the URL.
    other.get_by_text("Deutsch", exact=True).click()
    other.get_by_text("Kurse suchen").wait_for(timeout=30000)
    _settle(other)
    kind = other.locator("[data-testid='stMultiSelect']").filter(has_text="Art")
    kind.locator("input").click()
    other.get_by_role("option", name=re.compile(r"\(\d[\d,]*\)$")).first.click()
    other.keyboard.press("Escape")
    other.wait_for_url(re.compile("kinds="), timeout=30000)
    _settle(other)
    assert other.locator("[data-testid='stException']").count() == 0
    german = urllib.parse.parse_qs(urllib.parse.urlsplit(other.url).query)
    assert {k: v for k, v in german.items() if k != "kinds"} == picked, other.url
    assert "Kurse" in _sentence(other)

    # The README's picture: the search page with a quick start applied.
    shot = browser.new_page(viewport={"width": 1440, "height": 1000})
    shot.goto(base + "/?topics=llm-and-generative-ai&topics=prompt-engineering&topics=nlp"
              "&topics=ai-productivity-tools&costs=free&costs=free_audit")  # fmt: skip
    shot.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(shot)
    shot.screenshot(path=str(tmp_path / "readme.png"), full_page=False)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "readme.png", SCREENSHOT)
    engine.dispose()


@pytest.mark.parametrize("path", ["/shortlists", "/sources"])
def test_a_bookmarked_page_opens_inside_the_app(
    server: tuple[str, Path], browser: Any, path: str
) -> None:
    """The first visit to a fresh app may be a bookmark of another page than the start page.
    It opens inside the app (its navigation and language switch), not as a bare script
    with Streamlit's file-list navigation."""
    base, _ = server
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(base + path)
    page.get_by_text("Language / Sprache").wait_for(timeout=60000)
    _settle(page)
    assert page.get_by_role("link", name="Search", exact=True).count() == 1
    assert page.locator("[data-testid='stSidebarNav']").count() == 0


def test_shortlists_page_keeps_the_chosen_list_when_its_count_changes(
    server: tuple[str, Path], browser: Any
) -> None:
    """The list picker shows "name (count)". When another tab takes a course off the chosen
    list, the page must stay on that list with its new count, never fall back to the first
    list (where the next note typed would be read against the wrong list)."""
    base, data_dir = server
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(base + "/")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    engine = open_catalog(f"sqlite:///{data_dir / 'catalog.sqlite3'}", seed=False)
    ids = [row["id"] for row in searcher_for(engine).search(Query()).rows[:6]]
    first = shortlists.new_list(engine, "Alpha")
    shortlists.add(engine, first, ids[:2])
    second = shortlists.new_list(engine, "Beta")
    shortlists.add(engine, second, ids[2:6])

    def shown() -> str:
        picker = page.locator("[data-testid='stSelectbox']").first
        return str(picker.evaluate("e => [...e.querySelectorAll('input')].map(i => i.value)[0]"))

    page.get_by_role("link", name="Shortlists", exact=True).click()
    page.get_by_role("heading", name="Shortlists").wait_for(timeout=30000)
    _settle(page)
    assert shown() == "Alpha (2)"
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Beta (4)").click()
    _settle(page)
    assert shown() == "Beta (4)"
    shortlists.remove(engine, second, [ids[2]])  # another tab
    for language in ("Deutsch", "English"):  # two runs the browser starts
        page.get_by_text(language, exact=True).click()
        _settle(page)
    assert shown() == "Beta (3)"
    engine.dispose()
