"""German throughout: every page of the app, walked in German over a catalog of German
courses, shows no string of the English catalogue (ui/i18n.py's texts, the field and
value labels of catalog/i18n.py, the search's notes) and leaves none of Streamlit's own
English words to its widgets (placeholders, "Select all", typing that says "No results")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from catalog import i18n as catalog_i18n
from catalog import saved_searches, shortlists
from catalog.bootstrap import open_catalog
from catalog.filters import RANGE
from catalog.models import RefreshRun
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.refresh.runs import ItemError, RunReport, record_failure, start_run
from catalog.search import Query, search
from ui.i18n import TEXTS

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
RUN = RefreshRun.__table__  # type: ignore[attr-defined]
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def english_catalogue() -> set[str]:
    """Every English text of the interface that its German differs from, cut at its
    placeholders into the pieces a page would show (pieces of four letters or more)."""
    pairs: list[tuple[str, str]] = [(v["en"], v["de"]) for v in TEXTS.values()]
    pairs += [(v["en"], v["de"]) for v in catalog_i18n.FIELD_LABELS.values()]
    pairs += [(v["en"], v["de"]) for vs in catalog_i18n.VALUE_LABELS.values() for v in vs.values()]
    pairs += [(v["en"], v["de"]) for v in catalog_i18n.LANGUAGE_NAMES.values()]
    pairs += [tuple(r.left_out) for r in RANGE.values()]  # type: ignore[misc]
    pairs += list(catalog_i18n.SORT_NOTES.values())
    pairs += list(catalog_i18n.SOURCE_LABELS.values())
    pieces: set[str] = set()
    for english, german in pairs:
        if english == german:
            continue
        for piece in _PLACEHOLDER.split(english):
            piece = piece.strip(" .,:;()“”\"'–-")
            if sum(ch.isalpha() for ch in piece) >= 4 and piece not in german:
                pieces.add(piece)
    return pieces


def german_records() -> list[CourseRecord]:
    def course(sid: str, title: str, **kw: Any) -> CourseRecord:
        return CourseRecord(
            source="kurse", source_id=sid, title=title, url=f"https://kurse.example/{sid}",
            provider="Beispiel-Akademie", languages=["de"], topics=["llm-and-generative-ai"],
            description="Ein Kurs über Sprachmodelle für Einsteigerinnen und Einsteiger.", **kw,
        )  # fmt: skip

    return [
        course("a", "Sprachmodelle verstehen", cost="free", certificate="completion",
               level="beginner", hours_max=8.0, pace="self_paced", start_date=date(2027, 3, 1)),
        course("b", "Generative KI im Büro", cost="paid", price_amount=120.0,
               price_currency="EUR", price_eur=120.0, certificate="professional",
               start_date=date(2027, 4, 1)),
        course("c", "Prompts schreiben", cost="free_audit", kind="course",
               start_date=date(2027, 5, 1)),
        CourseRecord(source="kurse", source_id="d", title="Ohne Link",
                     topics=["llm-and-generative-ai"], languages=["de"]),
    ]  # fmt: skip


@pytest.fixture
def german_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'de.sqlite3'}"
    monkeypatch.setenv("COURSERADAR_DATABASE_URL", url)
    monkeypatch.delenv("COURSERADAR_SCHEDULE", raising=False)
    eng = open_catalog(url, seed=False)
    import_records(eng, "kurse", german_records(), full=True)
    failed = RunReport(source="kaputt", run_id=start_run(eng, "kaputt"), state="failed",
                       message="Zeitüberschreitung")  # fmt: skip
    failed.errors = [ItemError("Seite 1", "fetch", "Zeitüberschreitung")]
    record_failure(eng, failed, title="Kaputt")
    with eng.begin() as conn:  # a run stopped by a person who left the page
        conn.execute(RUN.insert().values(source="kurse", started_at=sa.func.now(),
                                         state="stopped", message=None))  # fmt: skip
    ids = [r["id"] for r in search(eng, Query()).rows]
    liste = shortlists.new_list(eng, "Meine Auswahl")
    shortlists.add(eng, liste, ids[:2])
    shortlists.set_note(eng, liste, ids[0], "Zuerst ansehen")
    saved_searches.save(eng, "Sprachmodelle", Query(topics=("llm-and-generative-ai",)))
    yield eng
    eng.dispose()


def _strings(message: Message) -> Iterator[str]:
    """Every text field of an element's message (ids and keys aside)."""
    for descriptor, value in message.ListFields():
        if descriptor.name in ("id", "form_id", "deferred_file_id", "key"):
            continue
        values = value if descriptor.is_repeated else [value]
        for item in values:
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str):
                yield item


def page_texts(at: AppTest) -> list[str]:
    """The page's texts; the language switch aside, which names both languages on purpose
    ("Sprache / Language", each language in itself) so a person finds their own."""
    texts: list[str] = []
    for node in at._tree:
        if getattr(node, "type", "") == "button_group" and "Language" in node.proto.label:
            continue
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            texts += _strings(proto)
        if getattr(node, "type", "") == "arrow_data_frame":
            frame = node.value  # type: ignore[union-attr]
            texts += [str(c) for c in frame.columns] + [str(i) for i in frame.index]
            texts += [str(v) for v in frame.to_numpy().ravel().tolist()]
    return texts


def widgets_speak_for_themselves(at: AppTest) -> list[str]:
    """Select widgets that would let Streamlit show its own English words."""
    problems = []
    for kind in ("multiselect", "selectbox"):
        for widget in at.get(kind):
            proto = widget.proto
            if not proto.placeholder:
                problems.append(f"{kind} {proto.label!r} has no placeholder")
            if kind == "multiselect" and proto.select_all != 0:
                problems.append(f"{kind} {proto.label!r} offers “Select all”")
            if proto.filter_mode != 3 and not proto.accept_new_options:  # 3: no typing
                problems.append(f"{kind} {proto.label!r} filters as one types (“No results”)")
    problems += [f"date_input {d.proto.label!r}" for d in at.get("date_input")]
    return problems


def english_on(at: AppTest, catalogue: set[str]) -> set[str]:
    found = set()
    for text in page_texts(at):
        for piece in catalogue:
            if re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", text):
                found.add(f"{piece!r} in {text[:80]!r}")
    if "None" in page_texts(at):
        found.add("None")
    return found


PAGES = [
    ("search.py", {}),
    ("search.py", {"max_price_eur": "0", "sort": "price"}),
    ("search.py", {"start_from": "2027-01-01", "sort": "start_date", "min_rating": "4"}),
    ("detail.py", {"course": "1"}),
    ("compare.py", {"ids": "1,2"}),
    ("shortlists.py", {}),
    ("saved.py", {}),
    ("sources.py", {}),
]


@pytest.mark.parametrize(("page", "params"), PAGES)
def test_every_page_in_german_shows_no_english(
    german_catalog: Engine, page: str, params: dict[str, str]
) -> None:
    catalogue = english_catalogue()
    assert {"Select two to four courses to compare", "Cost", "free to audit"} <= catalogue
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "de-DE"}
    at.query_params.update(params)
    at.run()
    if page != "search.py":
        at.switch_page(f"views/{page}").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, page
    assert english_on(at, catalogue) == set()
    assert widgets_speak_for_themselves(at) == []


def test_the_check_finds_english(german_catalog: Engine) -> None:
    """The same walk in English finds the English catalogue (so the check can fail)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "en-US"}
    at.run()
    found = english_on(at, english_catalogue())
    assert any("Search courses" in f for f in found), found


def test_a_start_date_is_typed_as_either_language_writes_it(german_catalog: Engine) -> None:
    from ui.render import typed_date

    assert typed_date("2027-03-01") == typed_date(" 1.3.2027 ") == date(2027, 3, 1)
    assert typed_date("März") is None and typed_date("") is None
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "de-DE"}
    at.query_params["start_from"] = "2027-01-01"  # few courses state a start: greyed out
    at.run()  # unless a date is set already
    box = next(w for w in at.text_input if w.label == "ab")
    assert box.proto.placeholder == "JJJJ-MM-TT"
    box.set_value("01.01.2020").run()
    assert at.query_params["start_from"] == "2020-01-01"
    box.set_value("bald").run()
    assert "start_from" not in at.query_params  # not a date: no date filter
