"""CourseRadar's Streamlit entry script: page setup, language switch, navigation.

Thin on purpose: every page lives in ui/views/ and calls the library through ui.data;
session state belongs to ui.state. Run it with ``courseradar serve``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run ui/app.py` puts ui/ on sys.path, not the project: make `ui` importable
# even when the package is not installed.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from ui import state  # noqa: E402
from ui.i18n import LANGS, language_name, t  # noqa: E402

st.set_page_config(
    page_title="CourseRadar",
    page_icon=":material/radar:",
    layout="wide",
    initial_sidebar_state=280,
)
# Our own static style (no scraped text): less padding, so the results table fits a laptop.
st.html(
    "<style>[data-testid='stMainBlockContainer']"
    "{padding-left:2rem;padding-right:2rem;padding-top:3.5rem}</style>"
)

lang = state.lang()
with st.sidebar:
    st.segmented_control(
        f"{t('language', lang)} / {t('language', 'de' if lang == 'en' else 'en')}",
        options=list(LANGS),
        format_func=language_name,
        default=lang,
        key=state.W_LANG,
        on_change=state.lang_widget_changed,
        required=True,
    )
lang = state.lang()

# Not "pages/": Streamlit runs a pages/ folder beside the entry script as a multipage app
# of its own until a run of the process has called st.navigation, so a bookmark of
# /shortlists opened first on a fresh server showed that page bare, without this script.
PAGES = Path(__file__).resolve().parent / "views"
# (file, title key, icon, url path); the Search page is the default at "/".
PAGE_TABLE = (
    ("search.py", "page_search", ":material/search:", None),
    ("detail.py", "page_detail", ":material/article:", "course"),
    ("compare.py", "page_compare", ":material/compare_arrows:", "compare"),
    ("shortlists.py", "page_shortlists", ":material/star:", "shortlists"),
    ("saved.py", "page_saved", ":material/notifications:", "saved"),
    ("sources.py", "page_sources", ":material/satellite_alt:", "sources"),
)
pages = [
    st.Page(PAGES / file, title=t(title, lang), icon=icon, url_path=path, default=path is None)
    for file, title, icon, path in PAGE_TABLE
]
page = st.navigation(pages, position="top")
message = state.pop_flash()
if message:
    st.toast(message)
page.run()
