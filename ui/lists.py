"""The shortlist picker that the Search and Course detail pages put beside "Add".

Options are list ids shown by name, under a key that follows the names
(:func:`ui.state.labelled_key`), the choice remembered by id. Picked by name, a list renamed
in another tab (or "+ New list …" after a language switch) came back as a value no longer
offered, and the picker fell back to the first list, on the very click of "Add" if that
was the next thing the browser sent.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from catalog import shortlists
from ui import state
from ui.i18n import t

NEW_LIST = -1  # the "+ New list …" option (list ids are positive)


def pick_list(
    engine: Engine, lang: str, base_key: str, choice_key: str, *, offer_new: bool
) -> tuple[int, str]:
    """Draw the picker (widget keys from ``base_key``, the choice kept under ``choice_key``);
    returns (list id or NEW_LIST, the name shown for it).

    Without ``offer_new`` and without any list, the one option is the default list's
    name (NEW_LIST: "Add" creates it)."""
    names = {row["id"]: str(row["name"]) for row in shortlists.lists(engine)}
    if offer_new:
        names[NEW_LIST] = t("new_list_option", lang)
    elif not names:
        names[NEW_LIST] = t("default_list_name", lang)
    options = list(names)
    remembered = state.get(choice_key)
    choice: int = st.selectbox(
        t("target_list", lang),
        options,
        index=options.index(remembered) if remembered in names else 0,
        format_func=names.__getitem__,
        key=state.labelled_key(base_key, names.values()),
        width=260,
    )
    state.put(choice_key, choice)
    return choice, names[choice]
