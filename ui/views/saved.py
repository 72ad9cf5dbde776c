"""Saved searches: save the current search, see what is new since you last looked, follow it.

"Open" makes a saved search the current one and goes to the Search page (the URL carries
it); "Mark as seen" starts the new-since count over; the Atom feed (new courses and the
changes of matching ones) is for feed readers, the calendar for calendar apps; the
changes since the search was saved are listed with their dates.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from catalog import changes, ical, saved_searches
from catalog.export import file_stem
from catalog.i18n import describe
from catalog.search import Query
from ui import data, state, watch
from ui.i18n import field_label, t
from ui.render import link, md, safe_url, when

lang = state.lang()
eng = data.engine()
st.title(t("page_saved", lang))

current = state.query()
current_total = data.search(current).total
with st.container(border=True):
    st.subheader(t("save_current", lang))
    st.markdown(md(t("current_search", lang, text=describe(current, current_total, lang))))
    with st.form("save_search", clear_on_submit=True, border=False):
        name = st.text_input(t("search_name", lang), key=state.W_SAVE_NAME, max_chars=80)
        replace_existing = st.checkbox(t("replace", lang), key=state.W_SAVE_REPLACE)
        if st.form_submit_button(t("save", lang), icon=":material/bookmark_add:"):
            try:
                saved_searches.save(eng, name, current, replace_existing=replace_existing)
            except saved_searches.UserDataError as exc:
                st.error(md(exc.text(lang)))
            else:
                state.flash(t("saved_ok", lang, name=" ".join(name.split())))
                st.rerun()

searches = saved_searches.list(eng)
if not searches:
    st.info(t("no_saved", lang), icon=":material/notifications:")
    st.stop()

# The app's own address (not this page's): the feed's links open the search itself.
_page = urlsplit(st.context.url or "")
base_url = f"{_page.scheme}://{_page.netloc}" if safe_url(st.context.url) else None


def _feed(search_name: str) -> Callable[[], bytes]:
    return lambda: saved_searches.atom_feed(eng, search_name, base_url=base_url, lang=lang)


def _calendar(search_name: str) -> Callable[[], bytes]:
    return lambda: ical.saved_search_calendar(eng, search_name, lang)


for index, item in enumerate(searches):
    query: Query | None = item["query_obj"]
    with st.container(border=True):
        head, count = st.columns([4, 1])
        head.subheader(md(item["name"]))
        if query is None:
            head.caption(t("unreadable", lang))
        else:
            head.markdown(md(describe(query, data.search(query).total, lang)))
        viewed = item["last_viewed_at"]
        head.caption(
            t(
                "last_viewed",
                lang,
                when=viewed.strftime("%Y-%m-%d %H:%M") if viewed else t("never", lang),
            )
        )
        count.metric(t("new_label", lang), item["new"])
        with st.container(horizontal=True):
            if query is not None and st.button(
                t("open", lang), key=f"open_{index}", type="primary", icon=":material/search:"
            ):
                state.set_query(query)
                st.switch_page("views/search.py", query_params=state.url_for(query))
            if st.button(t("mark_viewed", lang), key=f"seen_{index}", icon=":material/done_all:"):
                saved_searches.mark_viewed(eng, item["name"])
                st.rerun()
            watch.feed_and_calendar(
                _feed(item["name"]),
                _calendar(item["name"]),
                file_stem(item["name"]),
                str(index),
                lang,
                t("feed_help", lang),
            )
            if base_url is not None:
                address = saved_searches.feed_url(eng, item["name"], base_url)
                st.link_button(
                    t("feed_subscribe", lang),
                    address,
                    icon=":material/rss_feed:",
                    help=t("feed_address_help", lang, url=address),
                )
            if st.button(t("delete", lang), key=f"delete_{index}", icon=":material/delete:"):
                saved_searches.delete(eng, item["name"])
                st.rerun()
        if query is not None:
            found = changes.saved_search_changes(
                eng, item["name"], since=item["created_at"], limit=200
            )
            with st.expander(t("changes_count", lang, n=len(found))):
                watch.changes_table(found, lang, key=f"changes_{index}")
        if item["new"] and query is not None:
            with st.expander(t("new_courses", lang)):
                new = saved_searches.new_since(eng, item["name"], limit=200)
                st.dataframe(
                    pd.DataFrame(
                        {
                            field_label("title", lang): [r["title"] for r in new],
                            field_label("provider", lang): [r["provider"] or "" for r in new],
                            field_label("url", lang): [link(r["url"]) for r in new],
                            field_label("first_seen", lang): [when(r["new_at"]) for r in new],
                        }
                    ),
                    hide_index=True,
                    column_config={field_label("url", lang): st.column_config.LinkColumn()},
                )
