"""The app's way to the library: one cached engine, cached searches, export bytes.

The engine is an ``st.cache_resource`` (one per process and database URL), so the
Searcher's in-memory snapshot is built once and shared by every session. Search results
are ``st.cache_data`` keyed by the Query's params *and* the catalog version, so a
refresh (which bumps the version) makes every cached page stale by itself;
:func:`clear_caches` is for a refresh started from the app. Only the visible page of
rows is ever fetched for the screen; exports stream every row when a download is asked
for, not on every rerun.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine

from catalog import db
from catalog.export import export
from catalog.search import Query, SearchResult, course_detail, searcher_for


def database_url() -> str:
    return db.database_url()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    from catalog.bootstrap import open_catalog

    return open_catalog(url)


def engine() -> Engine:
    """The catalog engine (schema upgraded, starter catalog loaded), one per process."""
    return _engine(database_url())


def version() -> int:
    """The catalog version: part of every cache key, so a refresh invalidates results."""
    with engine().connect() as conn:
        return db.catalog_version(conn)


def warm_up() -> None:
    """Load what the first page needs before a browser asks for it: the libraries the
    pages import, the taxonomy and the catalog's search snapshot. ``courseradar serve``
    runs this in a thread once Streamlit listens, while the browser loads the page, so
    the first visitor's run finds it done (or waits for the part still under way).

    Then it freezes what is loaded by now (``gc.freeze``): libraries, taxonomy and
    snapshot live as long as the process, ~140,000 objects. Streamlit collects garbage
    after every script run (``runner.postScriptGC``), and that full collection walked all
    of them, 70-110 ms per run on a 2-core machine, while the run's last message to the
    browser waited for the interpreter lock. Frozen, the collector skips them; objects
    made later (sessions, results) are collected as before."""
    import gc
    import importlib

    from catalog.topics import default_taxonomy

    # The search page's imports; pyarrow is what st.dataframe sends the rows as.
    for module in ("ui.render", "catalog.shortlists", "catalog.i18n", "pyarrow"):
        importlib.import_module(module)
    default_taxonomy()
    searcher_for(engine()).snapshot()
    gc.freeze()


@st.cache_data(show_spinner=False)
def known_topics(catalog_version: int, url: str) -> list[str]:
    from catalog.topics import default_taxonomy

    return [t.slug for t in default_taxonomy().topics]


def topics() -> list[str]:
    return known_topics(version(), database_url())


@st.cache_data(max_entries=256, show_spinner=False)
def _search(params: str, catalog_version: int, url: str) -> SearchResult:
    query = Query.from_params(json.loads(params))
    return searcher_for(engine()).search(query)


def search(query: Query) -> SearchResult:
    """One page of rows plus total and facet counts, cached per query and catalog version."""
    params = json.dumps(query.to_params(), sort_keys=True)
    return _search(params, version(), database_url())


@st.cache_data(max_entries=256, show_spinner=False)
def _detail(course_id: int, catalog_version: int, url: str) -> dict[str, Any] | None:
    return course_detail(engine(), course_id)


def detail(course_id: int) -> dict[str, Any] | None:
    return _detail(int(course_id), version(), database_url())


@st.cache_data(max_entries=256, show_spinner=False)
def _similar(course_id: int, catalog_version: int, url: str) -> list[dict[str, Any]] | None:
    return searcher_for(engine()).similar(course_id, 8)


def similar(course_id: int) -> list[dict[str, Any]] | None:
    """The courses nearest in meaning (other providers first); None without a vector."""
    return _similar(int(course_id), version(), database_url())


def rows_for(ids: list[int]) -> list[dict[str, Any]]:
    from catalog.search import fetch_rows

    return fetch_rows(engine(), ids)


def export_search(eng: Engine, query: Query, fmt: str, lang: str) -> bytes:
    """Every row of the search in ``fmt``: the same call `courseradar export` makes."""
    return export(searcher_for(eng).iter_all(query), fmt, lang)


def deferred_search_export(query: Query, fmt: str, lang: str) -> Callable[[], bytes]:
    """A callable for st.download_button: the export is built only when clicked."""
    eng = engine()
    return lambda: export_search(eng, query, fmt, lang)


def deferred_list_export(list_id: int, fmt: str, lang: str) -> Callable[[], bytes]:
    from catalog.shortlists import export_list

    eng = engine()
    return lambda: export_list(eng, list_id, fmt, lang)


def refresh_function() -> Callable[..., Any] | None:
    """``catalog.refresh.refresh_sources`` if this installation has it, else None."""
    try:
        from catalog import refresh
    except Exception:
        return None
    func = getattr(refresh, "refresh_sources", None)
    return func if callable(func) else None


def clear_caches() -> None:
    """After a refresh from the app: drop every cached result at once."""
    st.cache_data.clear()
