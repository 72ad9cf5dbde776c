"""Course detail: every field, every source that lists it, its price history, the link out.

The course comes from the URL (``?course=ID``, so the page can be linked) or from the
row picked on the Search page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import shortlists
from catalog.search import ROW_FIELDS
from ui import data, lists, render, state
from ui.i18n import field_label, t, value_label
from ui.render import md, safe_url, when

FACT_FIELDS = tuple(f for f in ROW_FIELDS if f not in ("title", "description", "offers"))


def _amount(text: str | None) -> float | None:
    """The number of a price text like "49 USD"."""
    try:
        return float((text or "").split(" ")[0])
    except ValueError:
        return None


lang = state.lang()
raw = state.page_param("course")
course_id = int(raw) if raw.strip().isdigit() else state.detail_id()

chosen = st.number_input(t("choose_course", lang), min_value=1, step=1, value=course_id, width=180)
if chosen is not None and chosen != course_id:
    course_id = int(chosen)
if course_id is None:
    st.title(t("page_detail", lang))
    st.info(t("no_course", lang), icon=":material/article:")
    st.stop()
state.set_detail(course_id)
state.set_page_param("course", str(course_id))

course = data.detail(course_id)
if course is None:
    st.title(t("page_detail", lang))
    st.warning(t("course_missing", lang, id=course_id))
    st.stop()

st.title(md(course["title"]))
by = [course.get("provider"), course.get("platform"), value_label("kind", course["kind"], lang)]
st.caption(md(" · ".join(str(b) for b in dict.fromkeys(b for b in by if b))))
if course.get("status") == "removed":
    st.warning(t("removed_marker", lang))

with st.container(horizontal=True, vertical_alignment="bottom"):
    url = safe_url(course.get("url"))
    if url:
        st.link_button(t("open_course", lang), url, icon=":material/open_in_new:", type="primary")
    else:
        st.caption(t("no_link", lang))
    if st.button(t("add_to_compare", lang), icon=":material/compare_arrows:"):
        state.set_compare([*state.compare_ids(), course_id])
        st.switch_page("views/compare.py")
    eng = data.engine()
    target, name = lists.pick_list(
        eng, lang, state.W_DETAIL_LIST, state.DETAIL_CHOICE, offer_new=False
    )
    if st.button(t("add_to_list", lang), icon=":material/star:"):
        try:
            list_id = shortlists.ensure_list(eng, name) if target == lists.NEW_LIST else target
            shortlists.add(eng, list_id, [course_id])
            st.success(md(t("added_to_list", lang, n=1, name=name)), icon=":material/star:")
        except shortlists.UserDataError as exc:
            st.error(md(exc.text(lang)))

if course.get("description"):
    st.markdown(md(course["description"]))

facts, listings, history, near = st.tabs(
    [t("facts", lang), t("listings", lang), t("history", lang), t("similar", lang)]
)
with near:
    similar = data.similar(course_id)
    if not similar:
        st.caption(md(t("similar_none", lang)))
    else:
        st.dataframe(render.similar_frame(similar, lang), hide_index=True)
with facts:
    st.dataframe(render.facts_frame(course, FACT_FIELDS, lang), hide_index=True)
    offers = [o for o in course.get("offers") or [] if isinstance(o, dict)]
    if offers:
        st.markdown("**" + t("offers", lang) + "**")
        st.dataframe(
            pd.DataFrame(
                {
                    t("field", lang): [render.offer_text(o, lang) for o in offers],
                    field_label("price_eur", lang): [
                        render.value_text("price_eur", o.get("price_eur"), lang) for o in offers
                    ],
                }
            ),
            hide_index=True,
        )

with listings:
    frame = pd.DataFrame(
        {
            field_label("source", lang): [
                render.value_text("source", x["source"], lang) for x in course["listings"]
            ],
            field_label("source_id", lang): [x["source_id"] for x in course["listings"]],
            field_label("url", lang): [render.link(x["url"]) for x in course["listings"]],
            field_label("first_seen", lang): [when(x["first_seen"]) for x in course["listings"]],
            field_label("last_seen", lang): [when(x["last_seen"]) for x in course["listings"]],
            field_label("status", lang): [
                value_label("status", x["status"], lang) for x in course["listings"]
            ],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={field_label("url", lang): st.column_config.LinkColumn()},
    )

with history:
    events = course["history"]
    if not events:
        st.caption(t("no_history", lang))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("when", lang): [when(e["at"]) for e in events],
                    t("event", lang): [t(f"event_{e['event']}", lang) for e in events],
                    t("old", lang): [e["old"] or "" for e in events],
                    t("new", lang): [e["new"] or "" for e in events],
                }
            ),
            hide_index=True,
        )
        prices = [e for e in events if e["event"] == "price_changed"]
        points = []
        if prices:  # the price before the first change held since the course was first seen
            points.append((course["first_seen"], prices[0]["old"]))
        points += [(e["at"], e["new"]) for e in prices]
        points = [(at, _amount(text)) for at, text in points if _amount(text) is not None]
        if len(points) >= 2:
            st.markdown("**" + t("price_over_time", lang) + "**")
            st.line_chart(pd.DataFrame(points, columns=["at", "price"]).set_index("at"))
