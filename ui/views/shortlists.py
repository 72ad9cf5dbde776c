"""Shortlists: create, rename, delete; per course a note, a position, the person's own
dates (plan to start, finish by) and a remove box; the list's effort, its changes with
their dates, and its feed and calendar.

Edits in the table are written one item at a time (catalog.shortlists), so a second
browser tab editing the same list loses nothing; the table is then redrawn from the
database. Courses that disappeared upstream stay, marked.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import changes, feeds, ical, planning, shortlists
from catalog.export import file_stem
from ui import data, lists, render, state, watch
from ui.i18n import field_label, t, value_label
from ui.render import md

lang = state.lang()
eng = data.engine()
st.title(t("page_shortlists", lang))


def _report(action: object) -> None:
    """Run a list action; a problem becomes one line on the page."""
    try:
        action()  # type: ignore[operator]
    except shortlists.UserDataError as exc:
        st.error(md(exc.text(lang)))
    else:
        state.bump_editor()
        st.rerun()


with (
    st.popover(t("create_list", lang), icon=":material/add:"),
    st.form("create_list", clear_on_submit=True, border=False),
):
    name = st.text_input(t("new_list_name", lang), key=state.W_NEW_LIST, max_chars=80)
    if st.form_submit_button(t("create", lang)):
        try:
            list_id = shortlists.new_list(eng, name)
        except shortlists.UserDataError as exc:
            st.error(md(exc.text(lang)))
        else:
            state.put(state.LIST_CHOICE, list_id)
            state.flash(t("created_list", lang, name=" ".join(name.split())))
            st.rerun()

all_lists = shortlists.lists(eng)
if not all_lists:
    st.info(t("no_lists", lang), icon=":material/star:")
    st.stop()

by_id = {row["id"]: row for row in all_lists}
labels = {i: t("list_option", lang, name=row["name"], n=row["count"]) for i, row in by_id.items()}

with st.container(horizontal=True, vertical_alignment="bottom"):
    choice = lists.choose(
        t("choose_list", lang), labels, state.W_LIST_CHOICE, state.LIST_CHOICE, width=360
    )
    current = by_id[choice]["name"]
    with st.popover(t("rename", lang), icon=":material/edit:"):
        new_name = st.text_input(t("new_name", lang), value=current, max_chars=80)
        if st.button(t("rename", lang), key="do_rename"):
            _report(lambda: shortlists.rename(eng, choice, new_name))
    with st.popover(t("delete_list", lang), icon=":material/delete:"):
        st.write(md(t("delete_confirm", lang, name=current)))
        if st.button(t("delete_yes", lang), type="primary", key="do_delete"):
            _report(lambda: shortlists.delete_list(eng, choice))

items = shortlists.items(eng, choice)
if not items:
    st.info(t("empty_list", lang), icon=":material/star:")
    st.stop()

gone = sum(1 for row in items if row["status"] == "removed")
if gone:
    st.warning(t("removed_count", lang, n=gone), icon=":material/warning:")


def _status(row: dict[str, object]) -> str:
    if row["status"] == "removed":
        return t("removed_marker", lang)
    return value_label("status", str(row["status"]), lang)


frame = pd.DataFrame(
    {
        "position": [row["position"] for row in items],
        "title": [row["title"] for row in items],
        "url": [render.link(row["url"]) for row in items],
        "provider": [row["provider"] or "" for row in items],
        "cost": [value_label("cost", row["cost"], lang) if row["cost"] else "" for row in items],
        "effort": [planning.effort_text(row, lang) for row in items],
        "start": [row["start_date"] for row in items],
        "plan_start": [row["plan_start"] for row in items],
        "finish_by": [row["finish_by"] for row in items],
        "status": [_status(row) for row in items],
        "note": [row["note"] for row in items],
        "remove": [False for _ in items],
    }
)
editor_key = f"{state.W_EDITOR}_{choice}_{state.editor_version()}"
st.markdown(md(t("list_effort", lang, text=planning.list_effort(items).text(lang))))
st.caption(t("list_help", lang))
# German readers write dates day first; the picker shows this format too.
date_format = "DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD"
st.data_editor(
    frame,
    key=editor_key,
    hide_index=True,
    num_rows="fixed",
    # What a person edits comes first; the facts follow (and may scroll on a small screen).
    column_order=[
        *("position", "remove", "title", "plan_start", "finish_by", "note", "status"),
        *("start", "effort", "cost", "provider", "url"),
    ],
    disabled=["title", "url", "provider", "cost", "status", "effort", "start"],
    column_config={
        "position": st.column_config.NumberColumn(
            t("position", lang), min_value=1, max_value=len(items), step=1, width="small"
        ),
        "title": st.column_config.TextColumn(field_label("title", lang), width=320),
        "url": st.column_config.LinkColumn(
            field_label("url", lang), display_text=r"^https?://(?:www\.)?([^/?#]+)"
        ),
        "provider": st.column_config.TextColumn(field_label("provider", lang)),
        "cost": st.column_config.TextColumn(field_label("cost", lang)),
        "effort": st.column_config.TextColumn(t("effort", lang), width=220),
        "start": st.column_config.DateColumn(field_label("start_date", lang), format=date_format),
        "plan_start": st.column_config.DateColumn(t("plan_start", lang), format=date_format),
        "finish_by": st.column_config.DateColumn(t("finish_by", lang), format=date_format),
        "status": st.column_config.TextColumn(field_label("status", lang)),
        "note": st.column_config.TextColumn(field_label("note", lang), width=300, max_chars=5000),
        "remove": st.column_config.CheckboxColumn(t("remove", lang), width=80),
    },
)

edits = (state.get(editor_key) or {}).get("edited_rows") or {}
if edits:
    try:
        for index, change in sorted(edits.items(), key=lambda kv: int(kv[0])):
            course_id = items[int(index)]["id"]
            if change.get("remove"):
                shortlists.remove(eng, choice, [course_id])
                continue
            if "note" in change:
                shortlists.set_note(eng, choice, course_id, change["note"] or "")
            if "plan_start" in change or "finish_by" in change:
                row = items[int(index)]
                dates = {k: change.get(k, row[k]) for k in ("plan_start", "finish_by")}
                planning.set_plan(eng, choice, course_id, **dates)
            if change.get("position") is not None:
                shortlists.move(eng, choice, course_id, int(change["position"]))
    except shortlists.UserDataError as exc:
        st.error(md(exc.text(lang)))
    else:
        state.flash(t("saved_changes", lang))
        state.bump_editor()
        st.rerun()

st.markdown("**" + t("export_list", lang) + "**")
render.download_buttons(
    lambda fmt: data.deferred_list_export(choice, fmt, lang),
    file_stem(current),
    "dl_list",
)
st.markdown("**" + t("follow_list", lang) + "**")
with st.container(horizontal=True):
    watch.feed_and_calendar(
        lambda: feeds.shortlist_feed(eng, choice, lang),
        lambda: ical.shortlist_calendar(eng, choice, lang),
        f"courseradar-list-{choice}",
        "list",
        lang,
        t("list_feed_help", lang),
    )
found = changes.shortlist_changes(eng, choice, limit=200)
st.subheader(t("changes_count", lang, n=len(found)))
watch.changes_table(found, lang, key=f"changes_{choice}")
