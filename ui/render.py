"""Turning course rows into what the screen shows, safely.

Scraped text is untrusted. It reaches the page only as dataframe cells (rendered as
text), through :func:`md` (Markdown-escaped, for st.markdown), or as plain strings in
widget labels after :func:`md`. Links are kept only for http(s) URLs (:func:`safe_url`);
anything else (javascript:, data:, relative paths) becomes blank. Nothing here uses
``unsafe_allow_html``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from catalog.export import FORMATS, MEDIA_TYPES
from catalog.i18n import hours_text, price_text, source_label
from catalog.vocabulary import VOCABULARIES
from ui.i18n import TEXTS, field_label, t, value_label

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_OK = re.compile(r"^https?://[^\s\x00-\x1f\x7f\"<>\\^`{|}]+$", re.IGNORECASE)
# Fields whose values are codes of a vocabulary, shown by their labels.
FACET_FIELDS = set(VOCABULARIES)


def md(text: Any) -> str:
    """Scraped text for st.markdown: every Markdown, directive and LaTeX character escaped."""
    value = _CONTROL.sub("", str(text if text is not None else ""))
    return _MD_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def safe_url(url: Any) -> str | None:
    """The URL if it is a plain http(s) link, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if _URL_OK.match(url) else None


def when(value: Any) -> str:
    """A timestamp to the minute (stored in UTC), or blank."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)[:16]


FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON", "md": "Markdown"}


def download_buttons(
    export: Callable[[str], Any], file_stem: str, key: str, help: str | None = None
) -> None:
    """One download button per export format, side by side; ``export(fmt)`` gives the data
    (bytes, or a callable Streamlit runs only when the button is clicked)."""
    with st.container(horizontal=True):
        for fmt in FORMATS:
            st.download_button(
                FORMAT_LABELS[fmt],
                data=export(fmt),
                file_name=f"{file_stem}.{fmt}",
                mime=MEDIA_TYPES[fmt],
                key=f"{key}_{fmt}",
                on_click="ignore",
                icon=":material/download:",
                help=help,
            )


def choosing(lang: str, *, multi: bool = False, typing: bool = False) -> dict[str, Any]:
    """Keyword arguments for st.selectbox / st.multiselect that keep Streamlit's own
    English words off the page: our placeholder (else "Choose options"), no typing to
    filter unless ``typing`` (else "No results" for a word that matches nothing) and, for
    a multiselect, no "Select all"."""
    kw: dict[str, Any] = {"placeholder": t("choose", lang)}
    kw["filter_mode"] = "contains" if typing else None
    if multi:
        kw["select_all"] = False
    return kw


def link(url: Any) -> str:
    """A link column's cell: the http(s) URL, or blank (a None cell reads "None")."""
    return safe_url(url) or ""


def run_state(state_: Any, lang: str) -> str:
    """A run's or source's state (ok, failed, stopped, ...) in ``lang``."""
    return t(f"run_state_{state_}", lang) if f"run_state_{state_}" in TEXTS else str(state_ or "")


def typed_date(text: Any) -> date | None:
    """A typed date: 2027-03-01 or 1.3.2027 (as Germans write it); None if neither."""
    if not isinstance(text, str) or not text.strip():
        return None
    for parse in (date.fromisoformat, lambda s: datetime.strptime(s, "%d.%m.%Y").date()):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return None


def languages(codes: Sequence[str], lang: str) -> str:
    return ", ".join(value_label("language", c, lang) for c in codes or () if c)


def value_text(name: str, value: Any, lang: str) -> str:
    """Any course field as display text in ``lang``."""
    if value is None or value == "" or value == []:
        return ""
    if name in FACET_FIELDS:
        return value_label(name, str(value), lang)
    if name == "source":
        return source_label(str(value), lang)
    if name == "sources":
        return ", ".join(source_label(str(v), lang) for v in value if v)
    if name in ("topics",):
        return ", ".join(value_label("topic", v, lang) for v in value if v)
    if name in ("languages", "subtitle_languages"):
        return languages(value, lang)
    if name == "offers":
        return "; ".join(offer_text(o, lang) for o in value if isinstance(o, dict))
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if v is not None)
    return _CONTROL.sub("", str(value))


def offer_text(offer: dict[str, Any], lang: str) -> str:
    parts = [str(offer.get("label") or "")]
    if offer.get("certificate"):
        parts.append(value_label("certificate", offer["certificate"], lang))
    if offer.get("price_amount") is not None:
        parts.append(f"{offer['price_amount']:g} {offer.get('price_currency') or ''}".strip())
    if offer.get("credits"):
        parts.append(f"{offer['credits']:g} ECTS")
    return " · ".join(p for p in parts if p)


# The results table: column -> label key (field names of catalog.i18n).
RESULT_COLUMNS = (
    "title",
    "url",
    "provider",
    "cost",
    "price_eur",
    "certificate",
    "level",
    "languages",
    "hours",
    "rating",
)


def results_frame(rows: Sequence[dict[str, Any]], lang: str) -> pd.DataFrame:
    """One page of rows as a DataFrame of plain values (links only if http/https)."""
    data = {
        "title": [_CONTROL.sub("", r.get("title") or "") for r in rows],
        "url": [link(r.get("url")) for r in rows],
        "provider": [r.get("provider") or "" for r in rows],
        "cost": [value_text("cost", r.get("cost"), lang) for r in rows],
        "price_eur": [price_text(r) for r in rows],
        "certificate": [value_text("certificate", r.get("certificate"), lang) for r in rows],
        "level": [value_text("level", r.get("level"), lang) for r in rows],
        "languages": [languages(r.get("languages") or (), lang) for r in rows],
        "hours": [hours_text(r) for r in rows],
        "rating": [f"{r['rating']:.1f} ★" if r.get("rating") is not None else "" for r in rows],
    }
    frame = pd.DataFrame(data, columns=list(RESULT_COLUMNS))
    if any(r.get("status") not in (None, "active") for r in rows):
        frame["status"] = [value_text("status", r.get("status"), lang) for r in rows]
    return frame


def results_config(lang: str) -> dict[str, Any]:
    """column_config for :func:`results_frame`: every column sized so the table fits a
    laptop screen; the link is an icon (the detail page shows the address)."""
    cc = st.column_config
    return {
        "title": cc.TextColumn(field_label("title", lang), width=280),
        "url": cc.LinkColumn(
            field_label("url", lang),
            display_text=":material/open_in_new:",
            width=50,
            help=t("link_help", lang),
        ),
        "provider": cc.TextColumn(field_label("provider", lang), width=125),
        "cost": cc.TextColumn(field_label("cost", lang), width=90),
        "price_eur": cc.TextColumn(
            field_label("price_eur", lang),
            width=75,
            alignment="right",
            help=t("price_column_help", lang),
        ),
        "certificate": cc.TextColumn(field_label("certificate", lang), width=120),
        "level": cc.TextColumn(field_label("level", lang), width=90),
        "languages": cc.TextColumn(field_label("languages", lang), width=80),
        "hours": cc.TextColumn(field_label("hours", lang), width=55, alignment="right"),
        "rating": cc.TextColumn(field_label("rating", lang), width=60, alignment="right"),
        "status": cc.TextColumn(field_label("status", lang)),
    }


def facts_frame(course: dict[str, Any], names: Sequence[str], lang: str) -> pd.DataFrame:
    """A two-column field/value table of a course (values as text)."""
    rows = []
    for name in names:
        text = value_text(name, course.get(name), lang)
        if name == "url":
            text = link(course.get("url"))
        elif name == "price_eur":
            text = price_text(course, unknown="")
        if text:
            rows.append({t("field", lang): field_label(name, lang), t("value", lang): text})
    return pd.DataFrame(rows, columns=[t("field", lang), t("value", lang)])


def similar_frame(rows: Sequence[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The courses nearest in meaning: id (for the course number above), title, provider,
    languages and the similarity."""
    columns = ["id", field_label("title", lang), field_label("provider", lang)]
    columns += [field_label("languages", lang), t("similarity", lang)]
    data = [
        (
            int(r["id"]),
            _CONTROL.sub("", r.get("title") or ""),
            r.get("provider") or "",
            languages(r.get("languages") or (), lang),
            f"{r['similarity']:.2f}",
        )
        for r in rows
    ]
    return pd.DataFrame(data, columns=columns)
