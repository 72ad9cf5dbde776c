"""Every session-state key of the app, with typed accessors; the URL <-> Query sync.

Only this module reads or writes ``st.session_state`` and the search's
``st.query_params``; pages call the accessors. The current search is one
:class:`~catalog.search.Query`. It lives in the URL (``Query.to_params``; lists as
repeated parameters, comma-joined ones accepted too), so a copied link reproduces the
view, and in the session, so leaving the Search page and coming back keeps it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import date
from typing import Any

import streamlit as st

from catalog.filters import BOUND, FACET
from catalog.search import FACET_ATTR, FACETS, Query, QueryError
from ui import presets
from ui.render import typed_date

# -- keys ----------------------------------------------------------------------------
QUERY = "cr_query"  # Query: the current search
URL_SEEN = "cr_url_seen"  # the URL params last read or written for that search
LANG = "cr_lang"  # "en" | "de"
COMPARE = "cr_compare"  # list[int]: courses chosen for the Compare page
DETAIL = "cr_detail"  # int | None: the course the Course detail page shows
FLASH = "cr_flash"  # str | None: a one-shot confirmation shown on the next run
EDITOR_VERSION = "cr_editor_version"  # int: bumps to reset the shortlist editor
WIDGET_GEN = "cr_widget_gen"  # int: generation of the filter widgets (see wkey)
LIST_CHOICE = "cr_list_choice"  # int: the shortlist the Shortlists page shows
TARGET_CHOICE = "cr_target_choice"  # int: the list Search's "Add to shortlist" picker holds
DETAIL_CHOICE = "cr_detail_choice"  # int: the list Course detail's picker holds

# Widget keys (the widgets' values live under these keys; filter widgets add wkey's
# generation suffix).
W_LANG = "w_lang"
W_TEXT = "w_text"
W_FACET = {facet: f"w_facet_{facet}" for facet in FACETS}
FACET_KEYS = "facet_widget_keys"  # facet -> key of its multiselect in the last run
FACET_SHOWN = "facet_widget_shown"  # facet -> (wkey it was drawn for, value -> label shown)
FACET_SERIAL = "facet_widget_serial"  # int: the last facet widget key handed out
W_MAX_PRICE = "w_max_price"
W_MIN_HOURS = "w_min_hours"
W_MAX_HOURS = "w_max_hours"
W_MIN_RATING = "w_min_rating"
W_START_FROM = "w_start_from"
W_START_TO = "w_start_to"
W_SORT = "w_sort"
W_WORDS_ONLY = "w_words_only"
W_PER_PAGE = "w_per_page"
W_PAGE = "w_page"  # prefix: one pagination widget per shown search
W_CHIPS = "w_chips"
W_RESULTS = "w_results"  # prefix: one selection state per shown page of results
W_TARGET_LIST = "w_target_list"
W_TARGET_NEW = "w_target_new"
W_LIST_CHOICE = "w_list_choice"
W_NEW_LIST = "w_new_list"
W_RENAME = "w_rename"
W_EDITOR = "w_editor"
W_SAVE_NAME = "w_save_name"
W_SAVE_REPLACE = "w_save_replace"
W_COMPARE = "w_compare"
W_COMPARE_ADD = "w_compare_add"
W_DETAIL_LIST = "w_detail_list"
W_REFRESH_SOURCES = "w_refresh_sources"

PER_PAGE_CHOICES = (10, 25, 50, 100)
_TUPLE_FIELDS = {f.name for f in fields(Query) if isinstance(f.default, tuple)}
_QUERY_FIELDS = {f.name for f in fields(Query)}
# Names can hold commas ("Universität Leipzig, FOM"): only repeated parameters list them.
_NO_SPLIT = {row.attr for row in FACET.values() if row.free_text}


# -- language ------------------------------------------------------------------------


def _browser_lang() -> str:
    try:
        locale = st.context.locale or ""
    except Exception:  # no browser context (bare runs)
        locale = ""
    return "de" if locale.lower().startswith("de") else "en"


def lang() -> str:
    """The UI language: chosen in the sidebar, else the browser's (German or English)."""
    if LANG not in st.session_state:
        st.session_state[LANG] = _browser_lang()
    value: str = st.session_state[LANG]
    return value


def set_lang(value: str) -> None:
    st.session_state[LANG] = value if value in ("en", "de") else "en"


def lang_widget_changed() -> None:
    """Callback of the language switch: the filter widgets are drawn afresh from the
    Query in the new language. Streamlit keeps a selectbox's choice as the label it
    showed, so the sort kept across the switch came back as "Relevance", no sort at all,
    and the page failed on the next filter change."""
    value = st.session_state.get(W_LANG)
    if value:
        set_lang(value)
        write_widgets(query())


# -- the current query and the URL ---------------------------------------------------


def query() -> Query:
    value = st.session_state.get(QUERY)
    return value if isinstance(value, Query) else Query()


def set_query(new: Query, *, sync_widgets: bool = True) -> None:
    """Make ``new`` the current search; refresh the filter widgets unless they caused it."""
    st.session_state[QUERY] = new
    if sync_widgets:
        write_widgets(new)


def url_params() -> dict[str, Any]:
    """The search part of the URL: lists for multi-valued fields, strings otherwise."""
    out: dict[str, Any] = {}
    for key in st.query_params:
        if key not in _QUERY_FIELDS:
            continue  # foreign parameters (utm_*, a page's own) are not the search's
        values = st.query_params.get_all(key)
        if key in _TUPLE_FIELDS:
            items: list[str] = []
            for value in values:
                items.extend([value] if key in _NO_SPLIT else value.split(","))
            out[key] = [item.strip() for item in items if item.strip()]
        else:
            out[key] = values[-1] if values else ""
    return out


def _as_url(q: Query) -> dict[str, Any]:
    return {
        k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in q.to_params().items()
    }


def query_from_url(known_topics: Sequence[str]) -> tuple[Query, str | None]:
    """The search to show: from the URL when it changed, else the session's.

    Returns (query, warning): an unreadable URL gives the default search and a one-line
    reason, never an exception.
    """
    url = url_params()
    current = st.session_state.get(QUERY)
    if isinstance(current, Query) and (not url or url == st.session_state.get(URL_SEEN)):
        return current, None
    warning = None
    try:
        new = Query.from_params(url).validate(known_topics)
    except (QueryError, TypeError, ValueError) as exc:
        new, warning = Query(), str(exc).splitlines()[0][:300]
    set_query(new)
    return new, warning


def url_for(q: Query) -> dict[str, Any]:
    """The URL parameters of a search (for st.switch_page and links)."""
    return _as_url(q)


def page_param(name: str) -> str:
    """A page's own URL parameter (``course`` on Course detail, ``ids`` on Compare)."""
    return str(st.query_params.get(name, ""))


def set_page_param(name: str, value: str) -> None:
    if st.query_params.get(name) != value:
        st.query_params[name] = value


def write_url(q: Query) -> None:
    """Put the search into the address bar (replacing only the search's parameters)."""
    params = _as_url(q)
    st.session_state[URL_SEEN] = params
    if url_params() == params and all(k in _QUERY_FIELDS for k in st.query_params):
        return
    st.query_params.from_dict(params)


# -- filter widgets <-> query --------------------------------------------------------
#
# The filter widgets take their initial values from the Query and carry a generation
# number in their keys. When the search changes from outside the widgets (a link, a
# quick start, a removed chip, an opened saved search, reset), the generation goes up
# and the widgets are drawn afresh from the new Query. So the app never writes a value
# into a live widget's state, which Streamlit warns about and which races with typing.


def generation() -> int:
    return int(st.session_state.get(WIDGET_GEN, 0))


def wkey(base: str) -> str:
    """The key of filter widget ``base`` in the current generation."""
    return f"{base}_{generation()}"


def write_widgets(q: Query) -> None:
    """Redraw every filter widget from ``q`` on the next run."""
    del q  # the widgets read the current Query for their initial values
    st.session_state[WIDGET_GEN] = generation() + 1


def _number(key: str) -> float | None:
    value = st.session_state.get(wkey(key))
    return None if value is None else float(value)


def _day(key: str) -> date | None:
    value = st.session_state.get(wkey(key))
    return value if isinstance(value, date) else typed_date(value)


def query_from_widgets() -> Query:
    """The search the filter widgets show now, back on page 1."""
    ss = st.session_state
    current = query()

    def read(base: str, default: Any) -> Any:
        key = wkey(base)
        return ss.get(key, default)

    changes: dict[str, Any] = {
        "text": (read(W_TEXT, current.text) or "").strip(),
        "max_price_eur": _number(W_MAX_PRICE) if wkey(W_MAX_PRICE) in ss else current.max_price_eur,
        "min_hours": _number(W_MIN_HOURS) if wkey(W_MIN_HOURS) in ss else current.min_hours,
        "max_hours": _number(W_MAX_HOURS) if wkey(W_MAX_HOURS) in ss else current.max_hours,
        "min_rating": _number(W_MIN_RATING) if wkey(W_MIN_RATING) in ss else current.min_rating,
        "start_from": _day(W_START_FROM) if wkey(W_START_FROM) in ss else current.start_from,
        "start_to": _day(W_START_TO) if wkey(W_START_TO) in ss else current.start_to,
        "sort": read(W_SORT, current.sort) or "relevance",
        "words_only": bool(read(W_WORDS_ONLY, current.words_only)),
        "per_page": int(read(W_PER_PAGE, current.per_page) or 25),
        "page": 1,
    }
    keys = ss.get(FACET_KEYS, {})
    for facet in FACETS:
        key = keys.get(facet)
        values = ss.get(key, current.selected(facet)) if key else current.selected(facet)
        changes[FACET_ATTR[facet]] = tuple(values or ())
    return replace(current, **changes)


def facet_key(facet: str, labels: Mapping[str, str], selected: Sequence[str]) -> str:
    """Key of a facet's multiselect, given the label of each value it shows now.

    The labels carry counts, which change whenever another filter does. Streamlit keeps a
    multiselect's selection as the labels it showed, so a widget kept while the label of a
    *selected* value changed handed back the old label ("free to audit (35,041)") as if it
    were a value. Then the facet gets a new key: a fresh widget, seeded from the Query.
    Otherwise it keeps its key, options and counts updated in place: a new widget is a
    remount in the browser, and ten of them were a third of a filter change's time.
    """
    ss = st.session_state
    keys: dict[str, str] = ss.setdefault(FACET_KEYS, {})
    shown: dict[str, tuple[str, dict[str, str]]] = ss.setdefault(FACET_SHOWN, {})
    base = wkey(W_FACET[facet])
    key = keys.get(facet)
    made_for, before = shown.get(facet, ("", {}))
    if key is None or made_for != base or any(before.get(v) != labels.get(v) for v in selected):
        serial = int(ss.get(FACET_SERIAL, 0)) + 1
        ss[FACET_SERIAL] = serial
        key = f"{base}_{serial}"
    keys[facet] = key
    shown[facet] = (base, dict(labels))
    return key


def labelled_key(base: str, labels: Iterable[str]) -> str:
    """A select widget's key that changes with the labels it shows.

    Streamlit keeps a select widget's choice as the label it showed. Kept across a change
    of that label (a list's count or name), the widget handed back a label that was no
    longer an option and fell back to the first option: the page switched lists under the
    user. A new key makes a fresh widget, seeded by the caller's ``index``.
    """
    digest = hashlib.sha1("\x1f".join(labels).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{base}_{digest}"


def filters_changed() -> None:
    """Callback of every filter widget: the widgets are the truth, the page starts over."""
    set_query(query_from_widgets(), sync_widgets=False)


def page_changed(key: str) -> None:
    """Callback of the pagination widget (its key is per shown search)."""
    page = st.session_state.get(key) or 1
    st.session_state[QUERY] = replace(query(), page=int(page))


def preset_chosen(key: str) -> None:
    """Callback of a quick-start button."""
    if key in presets.BY_KEY:
        set_query(presets.apply(presets.BY_KEY[key], query()))


def chip_removed() -> None:
    """Callback of the active-filter chips: the clicked chip's filter goes away."""
    chip = st.session_state.get(wkey(W_CHIPS))
    if chip:
        set_query(without(query(), chip))


def chips(q: Query) -> list[str]:
    """Ids of the active filters ("facet:value" or a field name), in display order."""
    out = [f"text:{q.text}"] if q.text else []
    for facet in FACETS:
        out.extend(f"{facet}:{value}" for value in q.selected(facet))
    for name in BOUND:
        if getattr(q, name) is not None:
            out.append(name)
    return out


def without(q: Query, chip: str) -> Query:
    """``q`` without the filter ``chip`` names, on page 1."""
    facet, _, value = chip.partition(":")
    if facet == "text":
        return replace(q, text="", page=1)
    if facet in FACET_ATTR:
        kept = tuple(v for v in q.selected(facet) if v != value)
        return q.with_facet(facet, kept)
    if chip in _QUERY_FIELDS:
        cleared: dict[str, Any] = {chip: None, "page": 1}
        return replace(q, **cleared)
    return q


def reset_filters() -> None:
    """Callback: every filter off, sort and page size kept."""
    q = query()
    set_query(Query(sort=q.sort, per_page=q.per_page))


# -- compare, detail, one-shot messages ----------------------------------------------


def compare_ids() -> list[int]:
    return list(st.session_state.get(COMPARE) or [])


def set_compare(ids: Sequence[int]) -> None:
    st.session_state[COMPARE] = list(dict.fromkeys(int(i) for i in ids))[:4]


def detail_id() -> int | None:
    value = st.session_state.get(DETAIL)
    return int(value) if value is not None else None


def set_detail(course_id: int | None) -> None:
    st.session_state[DETAIL] = course_id


def flash(message: str) -> None:
    st.session_state[FLASH] = message


def pop_flash() -> str | None:
    message: str | None = st.session_state.pop(FLASH, None)
    return message


def editor_version() -> int:
    return int(st.session_state.get(EDITOR_VERSION, 0))


def bump_editor() -> None:
    st.session_state[EDITOR_VERSION] = editor_version() + 1


def get(key: str, default: Any = None) -> Any:
    """Read a widget's value by its key (the keys are the constants above)."""
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    """Set a widget's value before it is drawn (or from a callback)."""
    st.session_state[key] = value
