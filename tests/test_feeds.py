"""Feeds one can subscribe to: each saved search's Atom feed at a stable address of the
running app, links that open the search itself, the address printed by the CLI, and a
--base-url that is not http(s) refused."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from catalog import saved_searches
from catalog.bootstrap import open_catalog
from catalog.query import Query
from tests.test_e2e_browser import _sentence, _settle, browser, server

__all__ = ["browser", "server"]  # fixtures
A = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(
    "bad", ["ftp://radar.example", "javascript:alert(1)", "localhost:8501", "http://", "radar"]
)
def test_a_base_url_that_is_not_http_is_refused(engine: Engine, bad: str) -> None:
    saved_searches.save(engine, "nlp", Query(topics=("nlp",)))
    with pytest.raises(saved_searches.SavedSearchError, match="must be an http"):
        saved_searches.atom_feed(engine, "nlp", base_url=bad)


def test_feed_links_open_the_search_and_name_the_feeds_own_address(engine: Engine) -> None:
    search_id = saved_searches.save(engine, "nlp", Query(topics=("nlp",), costs=("free",)))
    root = ET.fromstring(saved_searches.atom_feed(engine, "nlp", base_url="http://h:8501/"))
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {
        "alternate": "http://h:8501/?topics=nlp&costs=free",
        "self": f"http://h:8501/feeds/{search_id}.atom",
    }
    assert saved_searches.feed_url(engine, "NLP", "http://h:8501") == links["self"]
    saved_searches.save(
        engine, "nlp", Query(topics=("llm-and-generative-ai",)), replace_existing=True
    )
    assert saved_searches.feed_url(engine, "nlp", "http://h:8501") == links["self"]  # stable


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(data_dir)}
    env.pop("COURSERADAR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args], capture_output=True, text=True, env=env,
        timeout=120,
    )  # fmt: skip


def test_cli_prints_the_feeds_address_and_refuses_a_bad_base_url(data_dir: Path) -> None:
    saved = cli("saved", "save", "Deutsch", "--language", "de", data_dir=data_dir)
    assert saved.returncode == 0, saved.stderr
    assert "http://localhost:8501/feeds/1.atom" in saved.stdout
    done = cli("feed", "Deutsch", "--base-url", "https://radar.example/", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "https://radar.example/feeds/1.atom" in done.stderr
    assert ET.fromstring(done.stdout).find(f"{A}link").get("href") == (
        "https://radar.example/?languages=de"
    )
    bad = cli("feed", "Deutsch", "--base-url", "ftp://radar.example", data_dir=data_dir)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().startswith("error: the app's address must be an http(s) URL")
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.browser
def test_the_running_app_serves_each_feed_and_its_link_opens_the_search(
    server: tuple[str, Path], browser: Any
) -> None:
    base, data_dir = server
    engine = open_catalog(f"sqlite:///{data_dir / 'catalog.sqlite3'}", seed=False)
    search_id = saved_searches.save(engine, "Deutsch", Query(languages=("de",)))
    with urllib.request.urlopen(f"{base}/feeds/{search_id}.atom", timeout=30) as answer:
        assert answer.headers["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(answer.read())
    assert root.findtext(f"{A}title") == "CourseRadar: Deutsch"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links["self"] == f"{base}/feeds/{search_id}.atom"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{base}/feeds/{search_id + 1}.atom", timeout=30)
    assert missing.value.code == 404
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(links["alternate"])
    page.wait_for_selector("[data-testid='stDataFrame']", timeout=60000)
    _settle(page)
    assert "courses in German" in _sentence(page)
    engine.dispose()
