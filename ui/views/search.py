"""Search page: quick starts, search box, facet filters with counts, one page of results.

The page draws what ui.state's Query says and changes it only through callbacks, so the
URL, the widgets and the results always agree. Only the visible page of rows is sent to
the browser; the export buttons build their files when clicked.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from typing import Any

import streamlit as st

from catalog import shortlists
from catalog.export import search_file_stem
from catalog.filters import BOUND, FACET, RANGE
from catalog.i18n import describe, search_notes, sparse_note
from catalog.search import FACETS, SORTS, Query, QueryError, sparse_ranges
from ui import data, lists, render, state
from ui.i18n import field_label, t, value_label
from ui.presets import PRESETS, matching
from ui.render import md

# Facets a freelancer decides by come first (the table's order: what it is about, what it
# costs, what it proves); the rarely used ones below the ranges.
FACET_ORDER = tuple(name for name, row in FACET.items() if not row.below_ranges)
FACET_MORE = tuple(name for name, row in FACET.items() if row.below_ranges)
SORT_RANGE = {row.sort: row.name for row in RANGE.values() if row.sort}

lang = state.lang()
query, warning = state.query_from_url(data.topics())
if warning:
    st.warning(md(t("invalid_url", lang, error=warning)), icon=":material/warning:")
try:
    result = data.search(query)
except QueryError as exc:  # only a catalog without some topic can get here
    st.warning(md(t("invalid_url", lang, error=str(exc))), icon=":material/warning:")
    query = Query(sort=query.sort)
    state.set_query(query)
    result = data.search(query)
if query.page > result.pages:
    query = replace(query, page=result.pages)
    state.set_query(query, sync_widgets=False)
    result = data.search(query)


def facet_widget(facet: str) -> None:
    values = result.facets.get(facet, [])
    counts = {fv.value: fv.count for fv in values}
    options = [fv.value for fv in values]
    options += [v for v in query.selected(facet) if v not in counts]

    def label(value: str, facet: str = facet, counts: dict[str, int] = counts) -> str:
        return f"{value_label(facet, value, lang)} ({counts.get(value, 0):,})"

    st.multiselect(
        field_label(facet, lang),
        options,
        default=list(query.selected(facet)),
        key=state.facet_key(facet, {v: label(v) for v in options}, query.selected(facet)),
        format_func=label,
        on_change=state.filters_changed,
        accept_new_options=FACET[facet].free_text,
        **{
            **render.choosing(lang, multi=True, typing=FACET[facet].free_text),
            "placeholder": t("any", lang),
        },
    )


# Range filters most of the catalog states no value for: greyed out, with the reason
# (a value already chosen stays editable, so it can be cleared).
sparse = sparse_ranges(data.engine())


def number(label: str, base: str, value: float | None, range_name: str, **kw: Any) -> None:
    st.number_input(
        label,
        value=value,
        min_value=0.0,
        key=state.wkey(base),
        on_change=state.filters_changed,
        placeholder=t("any", lang),
        disabled=range_name in sparse and value is None,
        **kw,
    )


def sparse_caption(range_name: str) -> None:
    if range_name in sparse:
        known, size = sparse[range_name]
        st.caption(md(sparse_note(range_name, known, size, lang) + t("greyed_out", lang)))


with st.sidebar:
    st.header(t("filters", lang))
    for facet in FACET_ORDER:
        facet_widget(facet)
    number(
        t("max_price", lang),
        state.W_MAX_PRICE,
        query.max_price_eur,
        "price",
        step=10.0,
        help=t("max_price_help", lang),
    )
    sparse_caption("price")
    st.caption(t("hours", lang))
    lo, hi = st.columns(2)
    with lo:
        number(t("min_hours", lang), state.W_MIN_HOURS, query.min_hours, "hours", step=1.0)
    with hi:
        number(t("max_hours", lang), state.W_MAX_HOURS, query.max_hours, "hours", step=1.0)
    sparse_caption("hours")
    number(
        t("min_rating", lang),
        state.W_MIN_RATING,
        query.min_rating,
        "rating",
        step=0.5,
        max_value=5.0,
    )
    sparse_caption("rating")
    st.caption(t("start_dates", lang))
    lo, hi = st.columns(2)
    for column, base, value, label in (
        (lo, state.W_START_FROM, query.start_from, "start_from"),
        (hi, state.W_START_TO, query.start_to, "start_to"),
    ):
        # Text, not st.date_input: its fields are always drawn as "yyyy/mm/dd".
        typed = column.text_input(
            t(label, lang),
            value=value.isoformat() if value else "",
            key=state.wkey(base),
            on_change=state.filters_changed,
            placeholder=t("date_placeholder", lang),
            max_chars=10,
            disabled="start" in sparse and value is None,
        )
        if typed.strip() and render.typed_date(typed) is None:
            column.caption(md(t("date_unreadable", lang, text=typed.strip())))
    sparse_caption("start")
    for facet in FACET_MORE:
        facet_widget(facet)
    st.button(t("reset", lang), on_click=state.reset_filters, icon=":material/restart_alt:")

st.title(t("app_title", lang), anchor=False)
st.caption(t("tagline", lang))

st.markdown(t("quick_starts", lang), help=t("quick_starts_help", lang))
chosen = matching(query)
with st.container(horizontal=True, gap="small"):
    for preset in PRESETS:
        st.button(
            preset.label[lang],
            key=f"preset_{preset.key}",
            type="primary" if preset.key == chosen else "secondary",
            on_click=state.preset_chosen,
            args=(preset.key,),
            help=preset.why[lang],
        )
st.text_input(
    t("search_label", lang),
    value=query.text,
    key=state.wkey(state.W_TEXT),
    placeholder=t("search_placeholder", lang),
    on_change=state.filters_changed,
    icon=":material/search:",
)
st.toggle(
    t("words_only", lang),
    value=query.words_only,
    key=state.wkey(state.W_WORDS_ONLY),
    help=t("words_only_help", lang),
    on_change=state.filters_changed,
)

active = state.chips(query)


def chip_label(chip: str) -> str:
    facet, _, value = chip.partition(":")
    if facet == "text":
        return md(t("chip_text", lang, text=value)) + " ✕"
    if facet in FACETS:
        return md(value_label(facet, value, lang)) + " ✕"
    return md(BOUND[chip].chip_label(getattr(query, chip), lang)) + " ✕"


if active:
    st.pills(
        t("active_filters", lang),
        options=active,
        format_func=chip_label,
        key=state.wkey(state.W_CHIPS),
        on_change=state.chip_removed,
    )

st.subheader(md(describe(query, result.total, lang)), anchor=False)
if result.matched_by == "hybrid":
    st.caption(t("matched_hybrid", lang))
elif result.matched_by == "words-no-vectors":
    st.caption(md(t("matched_words_no_vectors", lang)))
with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="bottom"):
    # Sorts on a column most courses leave empty are not offered (the sidebar says why).
    sorts = [s for s in SORTS if s == query.sort or SORT_RANGE.get(s) not in sparse]
    st.selectbox(
        t("sort", lang),
        sorts,
        index=sorts.index(query.sort),
        key=state.wkey(state.W_SORT),
        format_func=lambda s: t(f"sort_{s}", lang),
        on_change=state.filters_changed,
        width=240,
        **render.choosing(lang),
    )
    choices = sorted({*state.PER_PAGE_CHOICES, query.per_page})
    st.selectbox(
        t("per_page", lang),
        choices,
        index=choices.index(query.per_page),
        key=state.wkey(state.W_PER_PAGE),
        on_change=state.filters_changed,
        width=110,
        **render.choosing(lang),
    )

for note in search_notes(query, result.unknown, lang):
    st.caption(md(note))

rows = result.rows
selected: list[int] = []
if not rows:
    st.info(t("no_results", lang), icon=":material/search_off:")
else:
    # One selection per shown page: a new search or page starts with nothing ticked.
    signature = zlib.crc32(json.dumps(query.to_params(), sort_keys=True).encode())
    event = st.dataframe(
        render.results_frame(rows, lang),
        column_config=render.results_config(lang),
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=f"{state.W_RESULTS}_{signature}",
        row_height=38,
    )
    selected = [rows[i]["id"] for i in event.selection.rows if 0 <= i < len(rows)]
    if result.pages > 1:
        page_key = f"{state.W_PAGE}_{signature}"
        st.pagination(
            result.pages,
            default=query.page,
            key=page_key,
            on_change=state.page_changed,
            args=(page_key,),
        )
    st.caption(
        t("page_of", lang, page=query.page, pages=result.pages)
        + " · "
        + (t("selected_n", lang, n=len(selected)) if selected else t("select_hint", lang))
    )

if selected:
    eng = data.engine()
    with st.container(horizontal=True, vertical_alignment="bottom"):
        target, target_name = lists.pick_list(
            eng, lang, state.W_TARGET_LIST, state.TARGET_CHOICE, offer_new=True
        )
        new_name = None
        if target == lists.NEW_LIST:
            new_name = st.text_input(
                t("new_list_name", lang),
                value=t("default_list_name", lang),
                key=state.W_TARGET_NEW,
                width=220,
            )
        add = st.button(t("add_to_list", lang), type="primary", icon=":material/star:")
        compare = st.button(
            t("compare_selected", lang),
            icon=":material/compare_arrows:",
            disabled=len(selected) < 2,
        )
        details = st.button(
            t("show_details", lang), icon=":material/article:", disabled=len(selected) != 1
        )
    if add:
        making = target == lists.NEW_LIST
        name = new_name if making else target_name
        try:
            list_id = shortlists.ensure_list(eng, name or "") if making else target
            added = shortlists.add(eng, list_id, selected)
            st.success(md(t("added_to_list", lang, n=added, name=name)), icon=":material/star:")
        except shortlists.UserDataError as exc:
            st.error(md(exc.text(lang)))
    if compare:
        if len(selected) > 4:
            st.info(t("compare_full", lang))
        state.set_compare(selected)
        st.switch_page("views/compare.py")
    if details:
        state.set_detail(selected[0])
        st.switch_page("views/detail.py", query_params={"course": str(selected[0])})

if rows:
    st.markdown("**" + md(t("export_title", lang, n=f"{result.total:,}")) + "**")
    render.download_buttons(
        lambda fmt: data.deferred_search_export(query, fmt, lang),
        search_file_stem(query),
        "dl_search",
        help=t("export_help", lang),
    )

state.write_url(query)
