"""The price filter and sort in a real browser, on the starter catalog's free, priced and
unknown-priced courses (the server and browser of tests/test_e2e_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from catalog.bootstrap import open_catalog
from catalog.i18n import price_text
from catalog.search import Query, searcher_for
from tests.test_e2e_browser import _rows, _sentence, _settle, browser, server

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # fixtures


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)


def _set_highest_price(page: Any, value: str) -> None:
    box = page.get_by_role("spinbutton", name="Highest price (EUR)")
    box.fill(value)
    box.press("Enter")
    page.wait_for_url(re.compile(rf"max_price_eur={value}"), timeout=30000)
    _settle(page)


def test_price_filter_and_sort_with_free_and_unknown_prices(
    server: tuple[str, Path], browser: Any
) -> None:
    base, data_dir = server
    page = browser.new_page(viewport={"width": 1440, "height": 1100})
    _open(page, base + "/?sort=price")
    engine = open_catalog(f"sqlite:///{data_dir / 'catalog.sqlite3'}", seed=False)
    searcher = searcher_for(engine)
    free = searcher.search(Query(costs=("free",))).total
    assert free >= 20
    # Sorted by price, the free courses come first, shown as 0 €.
    first = _rows(page)
    assert first and all("0 €" in row for row in first), first
    page.get_by_text("Free courses first; those of unknown price last.").wait_for(timeout=15000)

    # The last page holds courses of unknown price, shown as "?".
    everything = searcher.search(Query(sort="price"))
    _open(page, f"{base}/?sort=price&page={everything.pages}")
    expected = searcher.search(Query(sort="price", page=everything.pages)).rows
    assert {price_text(row) for row in expected} == {"?"}
    shown = _rows(page)
    assert shown and all(
        row.startswith(course["title"]) for row, course in zip(shown, expected, strict=False)
    )

    # Highest price 0: every free course, and a word on those of unknown price.
    _open(page, base + "/?sort=price")
    _set_highest_price(page, "0")
    assert _sentence(page).startswith(f"{free} courses up to 0 EUR")
    left_out = searcher.search(Query(max_price_eur=0)).unknown["price"]
    assert left_out > 0
    page.get_by_text(f"{left_out} more of unknown price are left out").wait_for(timeout=15000)

    # Highest price 100: the free ones still pass, cheapest first.
    _set_highest_price(page, "100")
    within = searcher.search(Query(max_price_eur=100, sort="price", per_page=200))
    assert within.total > free
    assert _sentence(page).startswith(f"{within.total} courses up to 100 EUR")
    cheapest = _rows(page)
    assert cheapest[0].startswith(within.rows[0]["title"]) and "0 €" in cheapest[0]
    engine.dispose()
