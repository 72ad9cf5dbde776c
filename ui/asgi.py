"""The app as `courseradar serve` runs it: Streamlit's st.App with the saved searches'
feed routes (ui/feeds.py) beside Streamlit's own; the pages are ui/app.py's."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run ui/asgi.py` puts ui/ on sys.path, not the project (as for ui/app.py).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from ui.feeds import ROUTES  # noqa: E402

app = st.App(str(Path(__file__).resolve().parent / "app.py"), routes=ROUTES)
