"""Compare two to four courses side by side: one column per course, one row per field.

The courses come from the Search page's selection (or ``?ids=1,2,3`` in the URL, so a
comparison can be shared).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data, render, state
from ui.i18n import field_label, t
from ui.render import md, safe_url

FIELDS = (
    "provider",
    "platform",
    "kind",
    "topics",
    "level",
    "languages",
    "subtitle_languages",
    "cost",
    "price_eur",
    "price_amount",
    "price_currency",
    "certificate",
    "offers",
    "hours_min",
    "hours_max",
    "weeks",
    "hours_per_week_max",
    "pace",
    "start_date",
    "rating",
    "rating_count",
    "enrollments",
    "sources",
    "status",
    "checked_on",
)

lang = state.lang()
from_url = [int(x) for x in state.page_param("ids").split(",") if x.strip().isdigit()]
if from_url and not state.compare_ids():
    state.set_compare(from_url)
ids = state.compare_ids()

st.title(t("page_compare", lang))
st.caption(t("compare_intro", lang))

rows = data.rows_for(ids)
titles = {r["id"]: f"{r['title']} (#{r['id']})" for r in rows}
state.put(state.W_COMPARE, [r["id"] for r in rows])


def _changed() -> None:
    state.set_compare(state.get(state.W_COMPARE) or [])


with st.container(horizontal=True, vertical_alignment="bottom"):
    st.multiselect(
        t("compare_courses", lang),
        [r["id"] for r in rows],
        format_func=lambda i: titles.get(i, str(i)),
        key=state.W_COMPARE,
        on_change=_changed,
        width=700,
        **render.choosing(lang, multi=True),
    )
    extra = st.number_input(t("compare_add_id", lang), min_value=1, step=1, value=None, width=160)
    if st.button(t("compare_add", lang), disabled=extra is None or len(rows) >= 4):
        state.set_compare([*ids, int(extra or 0)])
        st.rerun()

if len(rows) < 2:
    st.info(t("compare_needs", lang), icon=":material/compare_arrows:")
else:
    table = {titles[r["id"]]: [render.value_text(f, r.get(f), lang) for f in FIELDS] for r in rows}
    frame = pd.DataFrame(table, index=[field_label(f, lang) for f in FIELDS])
    frame = frame[(frame != "").any(axis=1)]  # a field no course knows is left out
    st.dataframe(frame, height=min(38 * (len(frame) + 1) + 3, 900))
    columns = st.columns(len(rows))
    for column, row in zip(columns, rows, strict=True):
        url = safe_url(row.get("url"))
        with column:
            st.markdown("**" + md(row["title"]) + "**")
            if url:
                st.link_button(t("open_course", lang), url, icon=":material/open_in_new:")
            if st.button(t("show_details", lang), key=f"cmp_detail_{row['id']}"):
                state.set_detail(row["id"])
                st.switch_page("views/detail.py", query_params={"course": str(row["id"])})

if ids:
    state.set_page_param("ids", ",".join(str(i) for i in ids))
