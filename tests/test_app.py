"""The Streamlit app through streamlit.testing.v1.AppTest: every page, with preset state.

Each test gets its own SQLite catalog (curated starter set plus a few records of its
own, including hostile ones) through COURSERADAR_DATABASE_URL. Download buttons build
their files lazily; a recording MediaFileManager lets the tests run those callables
and compare the bytes with catalog.export.export for the same rows.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
import streamlit.testing.v1.app_test as app_test_module
from sqlalchemy.engine import Engine
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from catalog import saved_searches, shortlists
from catalog.bootstrap import open_catalog
from catalog.export import export
from catalog.i18n import describe
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.search import Query, search, searcher_for
from ui import presets
from ui.i18n import TEXTS
from ui.lists import NEW_LIST

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
HOSTILE_TITLE = "<script>alert(1)</script> **bold** [x](javascript:alert(2)) $x$"


def hostile_records() -> list[CourseRecord]:
    return [
        CourseRecord(
            source="test",
            source_id="evil",
            title=HOSTILE_TITLE,
            url="javascript:alert(1)",
            provider='=HYPERLINK("http://evil")',
            description="<img src=x onerror=alert(3)> :red[styled] # heading",
            topics=["nlp"],
            languages=["de"],
            cost="free",
        ),
        CourseRecord(
            source="test",
            source_id="plain",
            title="Sprachmodelle verstehen",
            url="https://example.org/sprachmodelle",
            provider="Beispiel-Akademie",
            topics=["llm-and-generative-ai"],
            languages=["de"],
            cost="free",
            certificate="completion",
        ),
    ]


@pytest.fixture
def catalog_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A seeded catalog the app opens through COURSERADAR_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setenv("COURSERADAR_DATABASE_URL", url)
    monkeypatch.delenv("COURSERADAR_SCHEDULE", raising=False)
    eng = open_catalog(url)
    import_records(eng, "test", hostile_records(), full=True)
    yield eng
    eng.dispose()


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MediaFileManager]:
    """The MediaFileManagers AppTest creates, so deferred downloads can be run."""
    made: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return made


def new_app(**query_params: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query_params)
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def by_label(widgets: Any, label: str) -> Any:
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget labelled {label!r}: {[w.label for w in widgets]}"
    return found[0]


def unescape(text: str) -> str:
    out, skip = [], False
    for ch in text:
        if ch == "\\" and not skip:
            skip = True
            continue
        out.append(ch)
        skip = False
    return "".join(out)


def only_our_style(at: AppTest) -> bool:
    """The only raw HTML on a page is the app's own static <style>, never scraped text."""
    return all(
        h.proto.body.startswith("<style>") and "alert" not in h.proto.body for h in at.get("html")
    )


def same_file(a: bytes, b: bytes, fmt: str) -> bool:
    """Byte-equal; XLSX member by member, apart from the save time openpyxl stamps into
    each zip entry and into docProps/core.xml (catalog/export.py cannot pin those yet)."""
    if fmt != "xlsx":
        return a == b

    def members(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out = {n: z.read(n) for n in z.namelist()}
        out["docProps/core.xml"] = re.sub(
            rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", out["docProps/core.xml"]
        )
        return out

    return members(a) == members(b)


def escaped(text: str, specials: str) -> bool:
    """Every Markdown-special character in ``text`` has a backslash before it."""
    previous = ""
    for ch in text:
        if ch in specials and previous != "\\":
            return False
        previous = "" if previous == "\\" and ch == "\\" else ch
    return True


def sentence(at: AppTest) -> str:
    return unescape(at.subheader[0].value)


def download(at: AppTest, media: list[MediaFileManager], key: str) -> bytes:
    button = at.get("download_button")
    proto = next(b.proto for b in button if b.proto.id.endswith(key) or key in b.proto.id)
    for manager in reversed(media):
        entry = manager._deferred_callables.get(proto.deferred_file_id)
        if entry is not None:
            data = entry["callable"]()
            return data if isinstance(data, bytes) else str(data).encode()
    raise AssertionError(f"no deferred download for {key}")


def table_titles(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["title"])


def test_warm_up_keeps_what_it_loaded_out_of_the_collector(catalog_engine: Engine) -> None:
    """serve's warm-up freezes what it loaded (libraries, taxonomy, search snapshot), so the
    full collection Streamlit runs after every script run walks only what came later."""
    probe = (
        "import gc; from ui import data; data.warm_up(); "
        "print(gc.get_freeze_count(), len(gc.get_objects()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr[-2000:]
    frozen, tracked = map(int, done.stdout.split()[-2:])
    assert frozen > 50_000, frozen
    assert tracked < frozen // 20, (frozen, tracked)


# -- every page ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_page_renders(catalog_engine: Engine, lang: str) -> None:
    at = new_app()
    at.context = {"locale": "de-DE" if lang == "de" else "en-US"}
    ok(at.run())
    for page in ("detail", "compare", "shortlists", "saved", "sources", "search"):
        ok(at.switch_page(f"views/{page}.py").run())
        assert at.title, page


def test_search_filters_change_results_and_counts(catalog_engine: Engine) -> None:
    at = ok(new_app().run())
    everything = search(catalog_engine, Query()).total
    assert sentence(at) == describe(Query(), everything)
    cost = by_label(at.multiselect, "Cost")
    assert "free" in cost.options[0] or any("free" in o for o in cost.options)
    cost.set_value(["free"])
    ok(at.run())
    free = search(catalog_engine, Query(costs=("free",)))
    assert sentence(at) == describe(Query(costs=("free",)), free.total)
    assert free.total < everything
    assert at.session_state["cr_query"].costs == ("free",)
    assert at.query_params["costs"] == "free"
    # Other facets count within the filtered set ("label (count)").
    language = by_label(at.multiselect, "Language")
    de_count = next(fv.count for fv in free.facets["language"] if fv.value == "de")
    assert f"German ({de_count})" in language.options
    language.set_value(["de"])
    ok(at.run())
    both = search(catalog_engine, Query(costs=("free",), languages=("de",)))
    assert sentence(at) == describe(Query(costs=("free",), languages=("de",)), both.total)
    assert set(table_titles(at)) == {row["title"] for row in both.rows}
    # Numeric filter and sort.
    by_label(at.number_input, "Highest price (EUR)").set_value(0.0)
    ok(at.run())
    assert at.session_state["cr_query"].max_price_eur == 0.0
    # A chip removes its filter.
    chips = by_label(at.pills, "Active filters (click to remove)")
    chips.set_value("language:de")
    ok(at.run())
    assert at.session_state["cr_query"].languages == ()
    assert at.session_state["cr_query"].costs == ("free",)


def test_facet_widgets_stay_unless_a_selected_label_changes(catalog_engine: Engine) -> None:
    """A facet's multiselect keeps its key (no remount in the browser) while the labels of
    its selected values stay; when another filter changes such a label's count, it gets a
    new key and still holds the same values. (AppTest hands widgets their values, not the
    labels a browser sends back, so tests/test_e2e_browser.py is where an old label handed
    back as a value would show.)"""
    at = ok(new_app().run())

    def keys() -> dict[str, str]:
        return {w.label: str(w.key) for w in at.multiselect}

    first = keys()
    by_label(at.multiselect, "Cost").set_value(["free"])
    ok(at.run())
    # A facet's own counts do not depend on its own filter; the others' labels changed.
    assert keys() == first
    by_label(at.multiselect, "Cost").set_value(["free", "paid"])
    ok(at.run())
    assert keys() == first
    assert at.session_state["cr_query"].costs == ("free", "paid")
    by_label(at.multiselect, "Language").set_value(["en"])
    ok(at.run())
    now = keys()
    assert now["Cost"] != first["Cost"]  # "Free (n)" counts English courses now
    assert {k: v for k, v in now.items() if k != "Cost"} == {
        k: v for k, v in first.items() if k != "Cost"
    }
    assert by_label(at.multiselect, "Cost").value == ["free", "paid"]
    ok(at.run())
    assert keys() == now
    query = Query(costs=("free", "paid"), languages=("en",))
    assert at.session_state["cr_query"] == query
    assert sentence(at) == describe(query, search(catalog_engine, query).total)


def test_text_search_sort_and_pages(catalog_engine: Engine) -> None:
    at = ok(new_app().run())
    by_label(at.text_input, "Search courses").set_value("learning")
    ok(at.run())
    query = Query(text="learning")
    result = search(catalog_engine, query)
    assert table_titles(at) == [row["title"] for row in result.rows]
    by_label(at.selectbox, "Sort by").set_value("price")  # rating: greyed out, none rated
    ok(at.run())
    assert at.session_state["cr_query"].sort == "price"
    assert at.query_params["sort"] == "price"
    at2 = ok(new_app(page="2").run())
    assert table_titles(at2) == [r["title"] for r in search(catalog_engine, Query(page=2)).rows]


def test_role_preset_applies_and_stays_editable(catalog_engine: Engine) -> None:
    at = ok(new_app().run())
    at.button(key="preset_data").click()
    ok(at.run())
    preset = presets.BY_KEY["data"]
    assert at.session_state["cr_query"].topics == preset.topics
    assert at.button(key="preset_data").proto.type == "primary"
    topic = by_label(at.multiselect, "Topic")
    assert topic.value == list(preset.topics)
    topic.set_value(list(preset.topics[:1]))
    ok(at.run())
    assert at.session_state["cr_query"].topics == preset.topics[:1]
    assert at.button(key="preset_data").proto.type == "secondary"


def test_presets_use_known_topics() -> None:
    from catalog.topics import default_taxonomy

    slugs = {t.slug for t in default_taxonomy().topics}
    assert len(presets.PRESETS) == 7
    for preset in presets.PRESETS:
        assert set(preset.topics) <= slugs, preset.key
        assert preset.label["en"] and preset.label["de"]


def test_every_text_in_both_languages() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == {"en", "de"}, key
        assert entry["en"].count("{") == entry["de"].count("{"), key


# -- shortlists ------------------------------------------------------------------------


def select_rows(at: AppTest, rows: list[int]) -> None:
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}


def test_shortlist_add_note_remove_export(catalog_engine: Engine, media: list[Any]) -> None:
    at = ok(new_app().run())
    titles = table_titles(at)
    select_rows(at, [0, 2])
    ok(at.run())
    target = by_label(at.selectbox, "Shortlist")
    assert (target.options, target.value) == (["+ New list …"], NEW_LIST)
    by_label(at.text_input, "Name of the new list").set_value("Für später")
    by_label(at.button, "Add to shortlist").click()
    ok(at.run())
    assert "Added 2 course(s)" in unescape(at.success[0].value)
    items = shortlists.items(catalog_engine, "Für später")
    assert [r["title"] for r in items] == [titles[0], titles[2]]

    ok(at.switch_page("views/shortlists.py").run())
    editor = at.data_editor[0]
    assert list(editor.value["title"]) == [titles[0], titles[2]]
    at.session_state[editor.key] = {
        "edited_rows": {0: {"note": "ask the client to pay"}, 1: {"position": 1}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    items = shortlists.items(catalog_engine, "Für später")
    assert [r["title"] for r in items] == [titles[2], titles[0]]
    assert items[1]["note"] == "ask the client to pay"
    assert list(at.data_editor[0].value["note"]) == ["", "ask the client to pay"]

    for fmt in ("csv", "xlsx", "json", "md"):
        assert same_file(download(at, media, f"dl_list_{fmt}"), export(items, fmt, "en"), fmt)

    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"remove": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    assert [r["title"] for r in shortlists.items(catalog_engine, "Für später")] == [titles[0]]


def test_add_to_list_picker_keeps_its_list_through_a_rename(catalog_engine: Engine) -> None:
    """The picker beside "Add" holds a list by id: renamed in another tab, the list stays
    picked under its new name, and "Add" adds to it, not to the first list."""
    first = shortlists.new_list(catalog_engine, "Alpha")
    second = shortlists.new_list(catalog_engine, "Beta")
    at = ok(new_app().run())
    select_rows(at, [0])
    ok(at.run())
    by_label(at.selectbox, "Shortlist").set_value(second)
    ok(at.run())
    shortlists.rename(catalog_engine, second, "Zeta")  # another tab
    ok(at.run())
    picker = by_label(at.selectbox, "Shortlist")
    assert picker.options == ["Alpha", "Zeta", "+ New list …"]
    assert picker.value == second
    by_label(at.button, "Add to shortlist").click()
    ok(at.run())
    assert len(shortlists.items(catalog_engine, second)) == 1
    assert shortlists.items(catalog_engine, first) == []


def test_shortlist_page_create_rename_delete(catalog_engine: Engine) -> None:
    at = new_app()
    ok(at.run())
    ok(at.switch_page("views/shortlists.py").run())
    by_label(at.text_input, "Name of the new list").set_value("Ideas")
    by_label(at.button, "Create").click()
    ok(at.run())
    assert shortlists.list_names(catalog_engine) == ["Ideas"]
    by_label(at.text_input, "New name").set_value("Ideen")
    at.button(key="do_rename").click()
    ok(at.run())
    assert shortlists.list_names(catalog_engine) == ["Ideen"]
    at.button(key="do_delete").click()
    ok(at.run())
    assert shortlists.list_names(catalog_engine) == []


def test_removed_course_marked_on_shortlist(catalog_engine: Engine) -> None:
    with catalog_engine.connect() as conn:
        evil = conn.execute(sa.text("SELECT id FROM course WHERE source_id = 'evil'")).scalar()
    shortlists.new_list(catalog_engine, "watch")
    shortlists.add(catalog_engine, "watch", [evil])
    for _ in range(3):
        import_records(catalog_engine, "test", hostile_records()[1:], full=True)
    at = ok(new_app().run())
    ok(at.switch_page("views/shortlists.py").run())
    assert list(at.data_editor[0].value["status"]) == ["⚠ removed upstream"]
    assert at.warning


# -- exports of the search ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "de"])
def test_search_export_bytes_match_library(
    catalog_engine: Engine, media: list[Any], lang: str
) -> None:
    at = new_app(topics=["nlp", "deep-learning"], sort="price")
    at.context = {"locale": "de" if lang == "de" else "en"}
    ok(at.run())
    query = Query(topics=("nlp", "deep-learning"), sort="price")
    rows = list(searcher_for(catalog_engine).iter_all(query))
    assert len(rows) > 25  # the export holds every page, not just the one shown
    for fmt in ("csv", "xlsx", "json", "md"):
        assert same_file(download(at, media, f"dl_search_{fmt}"), export(rows, fmt, lang), fmt)
    csv = download(at, media, "dl_search_csv").decode("utf-8-sig")
    assert csv.startswith("ID,Titel" if lang == "de" else "ID,Title")
    book = openpyxl.load_workbook(io.BytesIO(download(at, media, "dl_search_xlsx")))
    assert book.active.max_row == len(rows) + 1


# -- URL state ----------------------------------------------------------------------------


def test_url_round_trip(catalog_engine: Engine) -> None:
    params = {
        "text": "learning",
        "topics": ["deep-learning", "nlp"],
        "costs": "free,free_audit",
        "sort": "rating",
        "per_page": "10",
    }
    at = ok(new_app(**params).run())
    expected = Query(
        text="learning",
        topics=("deep-learning", "nlp"),
        costs=("free", "free_audit"),
        sort="rating",
        per_page=10,
    )
    assert at.session_state["cr_query"] == expected
    result = search(catalog_engine, expected)
    assert table_titles(at) == [r["title"] for r in result.rows]
    assert sentence(at) == describe(expected, result.total)
    assert by_label(at.text_input, "Search courses").value == "learning"
    # What the app wrote into the address bar reproduces the view in a new session.
    copied = dict(at.query_params)
    again = ok(new_app(**copied).run())
    assert again.session_state["cr_query"] == expected
    assert table_titles(again) == table_titles(at)
    # Providers keep their commas; several values come as repeated parameters.
    comma = "Universität Leipzig, FOM Hochschule"
    at3 = ok(new_app(providers=[comma]).run())
    assert at3.session_state["cr_query"].providers == (comma,)
    assert at3.query_params["providers"] == comma


@pytest.mark.parametrize(
    "params",
    [
        {"costs": "cheap"},
        {"page": "x"},
        {"min_rating": "abc"},
        {"start_from": "2026-13-45"},
        {"topics": "no-such-topic"},
        {"per_page": "100000"},
        {"sort": "<script>"},
    ],
)
def test_invalid_url_params_warn_and_fall_back(catalog_engine: Engine, params: dict) -> None:
    at = ok(new_app(**params).run())
    assert len(at.warning) == 1
    assert "cannot read" in at.warning[0].value
    assert at.session_state["cr_query"] == Query()
    assert at.dataframe  # the default view is shown


# -- language ------------------------------------------------------------------------------


def test_language_switch(catalog_engine: Engine, media: list[Any]) -> None:
    at = ok(new_app().run())
    assert by_label(at.multiselect, "Topic")
    at.segmented_control[0].set_value("de")
    ok(at.run())
    assert by_label(at.multiselect, "Thema")
    assert by_label(at.text_input, "Kurse suchen")
    assert sentence(at).endswith("Kurse")
    assert at.title[0].value == "CourseRadar"
    csv = download(at, media, "dl_search_csv").decode("utf-8-sig")
    assert csv.startswith("ID,Titel,Anbieter")
    ok(at.switch_page("views/sources.py").run())
    assert at.title[0].value == "Quellen"
    # The browser's language is the default.
    de = new_app()
    de.context = {"locale": "de-AT"}
    ok(de.run())
    assert by_label(de.multiselect, "Kosten")


# -- hostile scraped text ---------------------------------------------------------------------


def test_hostile_text_is_text_and_links_are_http_only(catalog_engine: Engine) -> None:
    at = ok(new_app(text="alert").run())
    frame = at.dataframe[0].value
    assert HOSTILE_TITLE in list(frame["title"])
    row = frame[frame["title"] == HOSTILE_TITLE].iloc[0]
    assert row["url"] is None or row["url"] == ""
    assert not any("javascript:" in str(v) for v in frame["url"])
    assert only_our_style(at)
    with catalog_engine.connect() as conn:
        evil = conn.execute(sa.text("SELECT id FROM course WHERE source_id = 'evil'")).scalar()
    ok(at.switch_page("views/detail.py").run())
    at.query_params["course"] = str(evil)
    ok(at.run())
    # Markdown-rendered scraped text arrives escaped: no tag, link, emphasis or directive.
    for block in [*at.title, *at.markdown, *at.caption]:
        assert escaped(block.value, "<>[]()*_:$#`"), block.value
    assert unescape(at.title[0].value) == HOSTILE_TITLE
    assert not at.get("link_button")
    assert only_our_style(at)
    listings = at.dataframe[1].value
    assert not any("javascript:" in str(v) for v in listings.to_numpy().ravel())


# -- detail and compare ------------------------------------------------------------------------


def test_detail_page_shows_fields_listings_history(catalog_engine: Engine) -> None:
    at = new_app()
    ok(at.run())
    ok(at.switch_page("views/detail.py").run())
    assert at.info  # nothing chosen yet
    select = ok(new_app().run())
    select_rows(select, [0])
    ok(select.run())
    by_label(select.button, "Details").click()
    ok(select.run())
    first = search(catalog_engine, Query()).rows[0]
    assert unescape(select.title[0].value) == first["title"]
    assert select.query_params["course"] == str(first["id"])
    facts = select.dataframe[0].value
    assert "Provider" in list(facts["Field"])
    assert select.get("link_button")
    history = select.dataframe[-1].value
    assert "new in the catalog" in list(history["Change"])


def test_compare_page(catalog_engine: Engine) -> None:
    at = ok(new_app().run())
    titles = table_titles(at)
    select_rows(at, [0, 1, 3])
    ok(at.run())
    by_label(at.button, "Compare").click()
    ok(at.run())
    frame = at.dataframe[0].value
    assert len(frame.columns) == 3
    assert [c.rsplit(" (#", 1)[0] for c in frame.columns] == [titles[0], titles[1], titles[3]]
    assert "Cost" in list(frame.index)
    assert at.query_params["ids"].count(",") == 2
    # A shared link shows the same comparison.
    ids = at.query_params["ids"]
    shared = new_app()
    ok(shared.run())
    shared.query_params["ids"] = ids
    ok(shared.switch_page("views/compare.py").run())
    assert list(shared.dataframe[0].value.columns) == list(frame.columns)


# -- saved searches --------------------------------------------------------------------------------


def test_saved_searches_page(catalog_engine: Engine, media: list[Any]) -> None:
    at = ok(new_app(topics="nlp", languages="de").run())
    ok(at.switch_page("views/saved.py").run())
    by_label(at.text_input, "Name").set_value("Deutsch NLP")
    by_label(at.button, "Save").click()
    ok(at.run())
    assert saved_searches.load(catalog_engine, "Deutsch NLP") == Query(
        topics=("nlp",), languages=("de",)
    )
    assert at.metric[0].value == "0"
    import_records(
        catalog_engine,
        "test",
        [
            *hostile_records(),
            CourseRecord(
                source="test",
                source_id="new1",
                title="Neu: Textanalyse",
                topics=["nlp"],
                languages=["de"],
            ),
        ],
        full=True,
    )
    ok(at.run())
    assert at.metric[0].value == "1"
    feed = ET.fromstring(download(at, media, "feed_0"))
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries] == [
        "Neu: Textanalyse"
    ]
    at.button(key="seen_0").click()
    ok(at.run())
    assert at.metric[0].value == "0"
    at.button(key="open_0").click()
    ok(at.run())
    assert at.session_state["cr_query"] == Query(topics=("nlp",), languages=("de",))
    assert by_label(at.multiselect, "Topic").value == ["nlp"]


# -- sources ---------------------------------------------------------------------------------------


def test_sources_page(catalog_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import catalog.refresh

    calls: list[list[str]] = []

    def fake_refresh(engine: Engine, names: list[str], progress: Any = None) -> list[Any]:
        calls.append(list(names))
        if progress:
            progress(names[0], "fetch", 1, 2)
        import_records(
            engine,
            "test",
            [
                *hostile_records(),
                CourseRecord(source="test", source_id="fresh", title="Fresh from the refresh"),
            ],
            full=True,
        )

        class Report:
            state = "ok"

        return [Report()]

    monkeypatch.setenv("COURSERADAR_SCHEDULE", "daily 03:00")
    monkeypatch.setattr(catalog.refresh, "refresh_sources", fake_refresh, raising=False)
    at = ok(new_app().run())
    before = search(catalog_engine, Query()).total
    ok(at.switch_page("views/sources.py").run())
    sources = at.dataframe[0].value
    assert {"starter catalog", "test"} <= set(sources["Source"])
    assert any("daily 03:00" in unescape(m.value) for m in at.markdown)
    assert "Fresh" not in str(at.dataframe[-1].value)
    by_label(at.multiselect, "Sources to refresh").set_value(["coursera"])
    ok(at.run())
    by_label(at.button, "Refresh now").click()
    ok(at.run())
    assert calls == [["coursera"]]
    changes = at.dataframe[-1].value
    assert "Fresh from the refresh" in list(changes["Course"])
    ok(at.switch_page("views/search.py").run())
    assert sentence(at).startswith(f"{before + 1:,}")

    monkeypatch.delattr(catalog.refresh, "refresh_sources")
    missing = ok(new_app().run())
    ok(missing.switch_page("views/sources.py").run())
    button = by_label(missing.button, "Refresh now")
    assert button.disabled
    assert any("refresh pipeline" in c.value for c in missing.caption)
