"""No internals reach a person: a page left while a refresh runs is a stopped run (not a
failed one, no "StopException"), a failed file import says why without a class name and
leaves no empty ``import:*`` source behind, and list errors come in German too."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from catalog import saved_searches, shortlists
from catalog.models import RefreshRun, Source
from catalog.query import Query
from catalog.refresh import file_rows, refresh_source
from catalog.refresh.file_import import FileImportError, import_file
from tests.support.httpserver import StubServer
from tests.test_refresh import ml, polite, served

RUN = RefreshRun.__table__  # type: ignore[attr-defined]
SOURCE = Source.__table__  # type: ignore[attr-defined]


def _runs(engine: Engine, source: str) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(RUN.c.state, RUN.c.message).where(RUN.c.source == source).order_by(RUN.c.id)
        )
        return [(r.state, r.message) for r in rows]


def _source_state(engine: Engine, source: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(SOURCE.c.last_state).where(SOURCE.c.name == source)).scalar()


def test_leaving_the_page_while_a_refresh_runs_is_a_stopped_run(engine: Engine) -> None:
    def page_left(source: str, stage: str, done: int, total: int) -> None:
        raise StopException  # what Streamlit raises in the page's script when it is left

    with StubServer() as server:
        scraper = served(server, ml(1, 2))
        with polite() as fetcher:
            assert refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper).state == "ok"
            with pytest.raises(StopException):
                refresh_source(engine, "fake", fetcher=fetcher, scraper=scraper, progress=page_left)
    (first, _), (second, message) = _runs(engine, "fake")
    assert (first, second) == ("ok", "stopped")
    assert message is not None and "StopException" not in message
    assert _source_state(engine, "fake") == "ok"  # the source did not fail


def _breaks_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(path: Path, **kw: object) -> object:
        raise OSError("Input/output error")
        yield  # a generator, as read_rows is

    monkeypatch.setattr(file_rows, "read_rows", unreadable)


def test_a_failed_import_names_no_class_and_leaves_no_new_source(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "mine.csv"
    good.write_text("title,url,topics\nDeep Learning Basics,https://example.org/dl,deep learning\n")
    assert import_file(engine, good).report.state == "ok"
    fresh = tmp_path / "fresh.csv"
    fresh.write_text("title,url\n")
    _breaks_off(monkeypatch)
    with pytest.raises(FileImportError, match="cannot read"):
        import_file(engine, fresh)
    assert _runs(engine, "import:fresh") == [] and _source_state(engine, "import:fresh") is None
    with pytest.raises(FileImportError) as failed:
        import_file(engine, good)  # a source that holds courses keeps its failed run
    assert "_Unreadable" not in str(failed.value)
    state, message = _runs(engine, "import:mine")[-1]
    assert state == "failed" and message is not None
    assert message.startswith("import failed: cannot read") and "_Unreadable" not in message


def test_list_and_saved_search_errors_speak_german(engine: Engine) -> None:
    with pytest.raises(shortlists.UserDataError) as empty:
        shortlists.new_list(engine, "   ")
    assert str(empty.value) == "a shortlist name cannot be empty"
    assert empty.value.text("de") == "Der Name der Merkliste darf nicht leer sein."
    shortlists.new_list(engine, "Q1")
    with pytest.raises(shortlists.UserDataError) as taken:
        shortlists.new_list(engine, "q1")
    assert taken.value.text("de") == "Eine Merkliste „q1“ gibt es schon."
    with pytest.raises(shortlists.UserDataError) as long:
        saved_searches.save(engine, "x" * 81, Query())
    assert long.value.text("de") == (
        "Der Name der gespeicherten Suche darf höchstens 80 Zeichen haben."
    )
    saved_searches.save(engine, "NLP", Query())
    with pytest.raises(shortlists.UserDataError) as again:
        saved_searches.save(engine, "nlp", Query())
    assert "gibt es schon" in again.value.text("de")
