"""The shortlist pickers: beside "Add" on the Search and Course detail pages, and the
Shortlists page's choice of list.

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
from ui.render import choosing

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
    choice = choose(t("target_list", lang), names, base_key, choice_key, width=260)
    return choice, names[choice]


def choose(
    label: str, labels: dict[int, str], base_key: str, choice_key: str, *, width: int
) -> int:
    """A selectbox over ids shown by ``labels``: its key follows the labels, and the choice
    is remembered under ``choice_key`` (the first option when it is gone)."""
    options = list(labels)
    remembered = state.get(choice_key)
    choice: int = st.selectbox(
        label,
        options,
        index=options.index(remembered) if remembered in labels else 0,
        format_func=labels.__getitem__,
        key=state.labelled_key(base_key, labels.values()),
        width=width,
        **choosing(state.lang()),
    )
    state.put(choice_key, choice)
    return choice
