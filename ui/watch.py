"""What the Shortlists and Saved searches pages share for plan and watch: the table of a
list's or a search's changes with their dates, and the feed and calendar downloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from catalog.changes import Change
from ui.i18n import t
from ui.render import safe_url


def changes_table(changes: Sequence[Change], lang: str, key: str) -> None:
    """The changes, newest first: date, course (linked), what changed, which source."""
    if not changes:
        st.caption(t("no_course_changes", lang))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "when": [c.at.strftime("%Y-%m-%d %H:%M") for c in changes],
                "course": [c.title for c in changes],
                "what": [c.text(lang) for c in changes],
                "source": [c.source or "" for c in changes],
                "url": [safe_url(c.url) for c in changes],
            }
        ),
        hide_index=True,
        key=key,
        column_config={
            "when": st.column_config.TextColumn(t("change_when", lang), width="small"),
            "course": st.column_config.TextColumn(t("change_course", lang), width=280),
            "what": st.column_config.TextColumn(t("change_what", lang), width=320),
            "source": st.column_config.TextColumn(t("change_source", lang), width="small"),
            "url": st.column_config.LinkColumn(
                "", display_text=r"^https?://(?:www\.)?([^/?#]+)", width="small"
            ),
        },
    )


def feed_and_calendar(
    feed: Callable[[], bytes],
    calendar: Callable[[], bytes],
    file_stem: str,
    key: str,
    lang: str,
    feed_help: str,
) -> None:
    """The Atom feed and the iCalendar file, made only when their button is clicked."""
    for data, ext, mime, icon, label, hint in (
        (feed, "atom", "application/atom+xml", "rss_feed", t("feed_download", lang), feed_help),
        (calendar, "ics", "text/calendar", "calendar_month", t("calendar", lang), None),
    ):
        st.download_button(
            label,
            data=data,
            file_name=f"{file_stem}.{ext}",
            mime=mime,
            key=f"{'feed' if ext == 'atom' else ext}_{key}",
            on_click="ignore",
            icon=f":material/{icon}:",
            help=hint or t("calendar_help", lang),
        )
