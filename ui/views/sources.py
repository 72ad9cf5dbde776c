"""Sources: how fresh each source is, what failed in its last run, what changed lately.

"Refresh now" calls ``catalog.refresh.refresh_sources`` when this installation has it
(imported lazily; without it the button is shown disabled with a note) and clears the
app's cached results afterwards.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import streamlit as st

from catalog.i18n import source_label
from catalog.saved_searches import recent_changes
from catalog.stats import recent_runs, run_errors, source_table
from ui import data, state
from ui.i18n import field_label, t
from ui.render import choosing, link, md, run_state, when

lang = state.lang()
eng = data.engine()
st.title(t("page_sources", lang))
st.caption(t("sources_intro", lang))
schedule = os.environ.get("COURSERADAR_SCHEDULE", "").strip()
st.markdown(md(t("schedule", lang, schedule=schedule or t("schedule_none", lang))))

sources = source_table(eng)
if not sources:
    st.info(t("no_sources", lang))
else:
    st.dataframe(
        pd.DataFrame(
            [
                (source_label(name, lang), n, when(last), run_state(state_, lang), when(ok))
                for name, n, last, state_, ok in sources
            ],
            columns=[
                t("col_source", lang),
                t("col_listings", lang),
                t("col_last_refresh", lang),
                t("col_state", lang),
                t("col_last_success", lang),
            ],
        ),
        hide_index=True,
    )

# -- refresh now ------------------------------------------------------------------
refresh = data.refresh_function()
if refresh is None:
    st.button(t("refresh_now", lang), disabled=True, icon=":material/sync:")
    st.caption(t("refresh_missing", lang))
else:
    try:
        from scrapers import SOURCES

        known = sorted(SOURCES)
    except Exception:
        known = sorted(row[0] for row in sources)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        names = st.multiselect(
            t("refresh_sources", lang),
            known,
            key=state.W_REFRESH_SOURCES,
            width=520,
            format_func=lambda name: source_label(name, lang),
            **choosing(lang, multi=True),
        )
        start = st.button(
            t("refresh_now", lang), icon=":material/sync:", type="primary", disabled=not names
        )
    if start:
        with st.status(t("refreshing", lang), expanded=True) as status:
            bar = st.progress(0.0)

            def progress(source: str, stage: str, done: int, total: int) -> None:
                try:
                    share = min(max(done / total, 0.0), 1.0) if total else 0.0
                    text = t("progress", lang, source=source, stage=stage, done=done, total=total)
                    bar.progress(share, text=text)
                except Exception:  # a call from a worker thread has no page to draw on
                    return

            try:
                reports: list[Any] = refresh(eng, names, progress=progress)
            except Exception as exc:
                status.update(state="error")
                st.error(md(t("refresh_failed", lang, error=str(exc).splitlines()[0][:300])))
            else:
                ok = sum(1 for r in reports if getattr(r, "state", "") == "ok")
                status.update(
                    label=t("refresh_done", lang, ok=ok, failed=len(reports) - ok),
                    state="complete" if ok == len(reports) else "error",
                )
            finally:
                data.clear_caches()

# -- recent runs and their errors -----------------------------------------------------
st.subheader(t("recent_runs", lang))
runs = recent_runs(eng, limit=20)
if runs:
    st.dataframe(
        pd.DataFrame(
            {
                t("col_source", lang): [source_label(r["source"], lang) for r in runs],
                t("col_started", lang): [when(r["started_at"]) for r in runs],
                t("col_state", lang): [run_state(r["state"], lang) for r in runs],
                t("col_added", lang): [r["added"] for r in runs],
                t("col_updated", lang): [r["updated"] for r in runs],
                t("col_errored", lang): [r["errored"] for r in runs],
                t("col_removed", lang): [r["removed"] for r in runs],
                t("col_message", lang): [r["message"] or "" for r in runs],
            }
        ),
        hide_index=True,
    )
any_errors = False
for row in sources:
    last = recent_runs(eng, source=row[0], limit=1)
    errors = run_errors(eng, last[0]["id"]) if last else []
    if errors:
        any_errors = True
        source = source_label(row[0], lang)
        with st.expander(t("run_errors", lang, source=source) + f" ({len(errors)})"):
            st.dataframe(
                pd.DataFrame(
                    {
                        t("col_key", lang): [e["key"] for e in errors],
                        t("col_stage", lang): [e["stage"] for e in errors],
                        t("col_error", lang): [e["error"] or "" for e in errors],
                    }
                ),
                hide_index=True,
            )
if sources and not any_errors:
    st.caption(t("no_errors", lang))

# -- what changed -------------------------------------------------------------------
st.subheader(t("recent_changes", lang))
changes = recent_changes(eng, limit=200)
if not changes:
    st.caption(t("no_changes", lang))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("when", lang): [when(c["at"]) for c in changes],
                t("event", lang): [t(f"event_{c['event']}", lang) for c in changes],
                t("col_course", lang): [c["title"] for c in changes],
                t("col_source", lang): [source_label(c["source"], lang) for c in changes],
                t("old", lang): [c["old"] or "" for c in changes],
                t("new", lang): [c["new"] or "" for c in changes],
                "url": [link(c["url"]) for c in changes],
            }
        ),
        hide_index=True,
        column_config={
            "url": st.column_config.LinkColumn(
                field_label("url", lang), display_text=r"^https?://(?:www\.)?([^/?#]+)"
            )
        },
    )
