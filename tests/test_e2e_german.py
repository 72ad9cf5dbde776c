"""The German interface in a real browser: none of Streamlit's own English words (which
the app's texts cannot reach) shows on any page, dropdowns opened included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_e2e_browser import _settle, browser, server
from tests.test_german import english_catalogue

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # fixtures

# What Streamlit's widgets write on their own, in English only.
STREAMLIT_WORDS = (
    "Select all", "Choose options", "Choose an option", "No options to select", "No results",
    "Add an option", "yyyy", "YYYY", "None",
)  # fmt: skip
PAGES = ("Suche", "Kursdetails", "Vergleichen", "Merklisten", "Gespeicherte Suchen", "Quellen")


def _english(page: Any) -> list[str]:
    text = page.locator("[data-testid='stMain'], [data-testid='stSidebar']").all_inner_texts()
    shown = "\n".join(text).replace("Sprache / Language", "").replace("English", "")
    placeholders = page.eval_on_selector_all(
        "input, textarea", "els => els.map(e => e.placeholder || '')"
    )
    found = [w for w in STREAMLIT_WORDS if w in shown or any(w in p for p in placeholders)]
    found += [w for w in english_catalogue() if f" {w} " in f" {shown} " and len(w) > 6]
    return found


def test_no_english_on_any_page_in_german(server: tuple[str, Path], browser: Any) -> None:
    base, _ = server
    page = browser.new_page(viewport={"width": 1440, "height": 1100})
    page.goto(base + "/?costs=free")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    page.get_by_text("Deutsch", exact=True).click()
    page.get_by_text("Kurse suchen").wait_for(timeout=30000)
    _settle(page)
    assert _english(page) == []
    # An open dropdown: no "Select all", no English hint.
    page.locator("[data-testid='stMultiSelect']").filter(has_text="Niveau").locator("input").click()
    page.get_by_role("option").first.wait_for(timeout=15000)
    assert _english(page) == []
    listbox = page.get_by_role("listbox").first.inner_text()
    assert "Select all" not in listbox
    page.keyboard.press("Escape")
    assert page.get_by_placeholder("JJJJ-MM-TT").count() == 2
    for name in PAGES[1:]:
        page.get_by_role("link", name=name, exact=True).click()
        page.get_by_role("heading").first.wait_for(timeout=30000)
        _settle(page)
        assert _english(page) == [], name
