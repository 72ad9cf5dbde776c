"""The app in a real browser, in German: an own-words German question finds an English
course by its meaning, says so, and the words-only toggle shows what words alone find;
the detail page lists similar courses. Driven as tests/test_e2e_browser.py drives it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_e2e_browser import _rows, _sentence, _settle, browser, server

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("meaning")]
__all__ = ["browser", "server"]  # fixtures, used by name

QUESTION = "Wie funktionieren große Sprachmodelle?"


def test_a_german_question_finds_english_courses_by_meaning(
    server: tuple[str, Path], browser: Any
) -> None:
    base, _ = server
    page = browser.new_page(viewport={"width": 1440, "height": 1100}, locale="de-DE")
    page.goto(base + "/")
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    box = page.get_by_placeholder(re.compile("Transformer"))
    box.fill(QUESTION)
    box.press("Enter")
    page.wait_for_url(re.compile(r"text=Wie"), timeout=30000)
    _settle(page)
    assert "Kurse" in _sentence(page)
    page.get_by_text("Nach Wörtern und Bedeutung gefunden.").wait_for(timeout=10000)
    first_five = _rows(page)[:5]
    assert any("Large Language Models" in row for row in first_five), first_five

    page.get_by_text("Nur Wörter").click()
    page.wait_for_url(re.compile(r"words_only=True"), timeout=30000)
    _settle(page)
    page.get_by_text("Kein Kurs passt.", exact=False).first.wait_for(timeout=10000)

    page.goto(base + "/course?course=14")
    page.get_by_role("tab", name="Ähnliche Kurse").click()
    _settle(page)
    similar = _rows(page)
    assert similar and any("Language" in row or "LLM" in row for row in similar), similar
