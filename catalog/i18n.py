"""English and German words for fields, values and the one-sentence search summary.

Kept in the library (not the app) because exports and the CLI speak them too.
"""

from __future__ import annotations

from typing import Any

from catalog.filters import FACET, FILTERS, RANGE, Facet, Range, shown
from catalog.vocabulary import COST, KIND, LEVEL, VOCABULARIES

LANGS = ("en", "de")

# Course fields' labels in exports, tables and the app; a facet's ("cost", "topic") is in
# its row of catalog.filters.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "id": {"en": "ID", "de": "ID"},
    "title": {"en": "Title", "de": "Titel"},
    "platform": {"en": "Platform", "de": "Plattform"},
    "url": {"en": "Link", "de": "Link"},
    "description": {"en": "Description", "de": "Beschreibung"},
    "topics": {"en": "Topics", "de": "Themen"},
    "skills": {"en": "Skills", "de": "Fähigkeiten"},
    "languages": {"en": "Languages", "de": "Sprachen"},
    "subtitle_languages": {"en": "Subtitles", "de": "Untertitel"},
    "price_amount": {"en": "Price", "de": "Preis"},
    "price_currency": {"en": "Currency", "de": "Währung"},
    "price_eur": {"en": "Price (EUR)", "de": "Preis (EUR)"},
    "price_rate_date": {"en": "Rate date", "de": "Kursdatum"},
    "price_is_estimate": {"en": "Estimated price", "de": "Preis geschätzt"},
    "hours_min": {"en": "Hours (min)", "de": "Stunden (min)"},
    "hours_max": {"en": "Hours (max)", "de": "Stunden (max)"},
    "hours": {"en": "Hours", "de": "Stunden"},
    "weeks": {"en": "Weeks", "de": "Wochen"},
    "hours_per_week_min": {"en": "Hours/week (min)", "de": "Stunden/Woche (min)"},
    "hours_per_week_max": {"en": "Hours/week (max)", "de": "Stunden/Woche (max)"},
    "start_date": {"en": "Start", "de": "Beginn"},
    "rating": {"en": "Rating", "de": "Bewertung"},
    "rating_count": {"en": "Ratings", "de": "Bewertungen"},
    "enrollments": {"en": "Enrolments", "de": "Einschreibungen"},
    "sources": {"en": "Sources", "de": "Quellen"},
    "source_id": {"en": "Source ID", "de": "Quell-ID"},
    "first_seen": {"en": "First seen", "de": "Zuerst gesehen"},
    "last_seen": {"en": "Last seen", "de": "Zuletzt gesehen"},
    "checked_on": {"en": "Checked on", "de": "Geprüft am"},
    "note": {"en": "Note", "de": "Notiz"},
    "offers": {"en": "Offers", "de": "Angebote"},
    **{f.name: {"en": f.label("en"), "de": f.label("de")} for f in FACET.values()},
}
# The labels of every vocabulary's values (catalog.vocabulary): facet -> value -> lang.
VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    name: {t.code: {"en": t.en, "de": t.de} for t in vocab.terms}
    for name, vocab in VOCABULARIES.items()
}

LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "de": "Englisch"},
    "de": {"en": "German", "de": "Deutsch"},
    "es": {"en": "Spanish", "de": "Spanisch"},
    "fr": {"en": "French", "de": "Französisch"},
    "it": {"en": "Italian", "de": "Italienisch"},
    "pt": {"en": "Portuguese", "de": "Portugiesisch"},
    "nl": {"en": "Dutch", "de": "Niederländisch"},
    "pl": {"en": "Polish", "de": "Polnisch"},
    "ru": {"en": "Russian", "de": "Russisch"},
    "tr": {"en": "Turkish", "de": "Türkisch"},
    "ar": {"en": "Arabic", "de": "Arabisch"},
    "zh": {"en": "Chinese", "de": "Chinesisch"},
    "ja": {"en": "Japanese", "de": "Japanisch"},
    "ko": {"en": "Korean", "de": "Koreanisch"},
    "hi": {"en": "Hindi", "de": "Hindi"},
    "uk": {"en": "Ukrainian", "de": "Ukrainisch"},
    "sv": {"en": "Swedish", "de": "Schwedisch"},
    "fi": {"en": "Finnish", "de": "Finnisch"},
}


def field_label(name: str, lang: str = "en") -> str:
    return FIELD_LABELS.get(name, {}).get(lang) or name


def value_label(facet: str, value: str, lang: str = "en") -> str:
    """Human word for a facet value; topics and languages by their own tables."""
    if facet in ("topic", "topics"):
        from catalog.topics import topic_labels

        return topic_labels(lang).get(value, value)
    if facet in ("language", "languages"):
        return LANGUAGE_NAMES.get(value, {}).get(lang, value)
    return VALUE_LABELS.get(facet, {}).get(value, {}).get(lang, value)


# Sources whose scraper title is a description rather than a name: (English, German).
SOURCE_LABELS = {
    "curated": ("starter catalog", "Startkatalog"),
    "schemaorg": ("schema.org markup", "schema.org-Auszeichnung"),
    "xikolo": ("Xikolo platforms", "Xikolo-Plattformen"),
}


def source_label(name: str, lang: str = "en") -> str:
    """A source as a person reads it: its name ("Coursera", without the title's remarks
    in brackets), the starter catalog, or the file a list was imported from."""
    if name in SOURCE_LABELS:
        return SOURCE_LABELS[name][1 if lang == "de" else 0]
    if name.startswith("import:"):
        return ("Import: " if lang == "de" else "import: ") + name.removeprefix("import:")
    from scrapers import SOURCES, scraper_class

    return scraper_class(name).title.split(" (")[0] if name in SOURCES else name


def hours_text(row: dict[str, Any], dash: str = "–") -> str:
    """A course's total hours, "12" or "10–20" (``dash`` "-" where only ASCII will do)."""
    lo, hi = row.get("hours_min"), row.get("hours_max")
    if lo is None and hi is None:
        return ""
    if lo is None or hi is None or lo == hi:
        return f"{(hi if hi is not None else lo):g}"
    return f"{lo:g}{dash}{hi:g}"


def price_eur(row: dict[str, Any]) -> float | None:
    """What taking a course costs in EUR, as the price filter and sort compare it: 0 for
    a free course, else its EUR price; None where that is unknown."""
    if row.get("cost") == "free":
        return 0.0
    value = row.get("price_eur")
    return float(value) if isinstance(value, int | float) else None


def price_text(row: dict[str, Any], unknown: str = "?") -> str:
    """A course's price as tables show it: "0 €" for a free course, "~45 €" for one
    converted or estimated, ``unknown`` where it is not known."""
    value = price_eur(row)
    if value is None:
        return unknown
    estimated = row.get("price_is_estimate") or row.get("price_currency") not in (None, "EUR")
    return f"{'~' if value and estimated else ''}{value:,.0f} €"


# What front ends say under a search sorted by a column some courses have no value in.
SORT_NOTES = {
    "price": ("Free courses first; those of unknown price last.",
              "Kostenlose Kurse zuerst, solche mit unbekanntem Preis zuletzt."),
    "duration": ("Courses of unknown duration last.", "Kurse mit unbekannter Dauer zuletzt."),
    "rating": ("Courses without a rating last.", "Kurse ohne Bewertung zuletzt."),
    "start_date": ("Courses without a known start date last.",
                   "Kurse ohne bekannten Beginn zuletzt."),
}  # fmt: skip


def search_notes(query: Any, unknown: dict[str, int], lang: str = "en") -> list[str]:
    """The lines a front end shows under a search's summary: what the sort does with
    unknown values, and how many courses each range filter left out for one."""
    notes = [_say(SORT_NOTES[query.sort], lang)] if query.sort in SORT_NOTES else []
    for name, count in unknown.items():
        if count:
            notes.append(_say(RANGE[name].left_out, lang).format(n=f"{count:,}"))
    return notes


def sparse_note(name: str, known: int, size: int, lang: str = "en") -> str:
    """The start of what front ends say of a filter most courses state no value for."""
    what = _say(RANGE[name].stated, lang)
    if lang == "de":
        return f"Nur {known} von {size} Kursen nennen {what}"
    return f"Only {known} of {size} courses state {what}"


def _join(values: list[str], lang: str) -> str:
    word = " or " if lang == "en" else " oder "
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + word + values[-1]


# The phrases after the noun in the order the sentence reads them (rows of
# catalog.filters); a row with a phrase that is not named here comes last.
_SENTENCE = (
    "topic",
    "provider",
    "language",
    "certificate",
    "price",
    "hours",
    "rating",
    "pace",
    "status",
)
_ROWS = {row.name: row for row in FILTERS}
_PHRASES = (
    *(_ROWS[name] for name in _SENTENCE),
    *(row for row in FILTERS if row.phrase and row.name not in _SENTENCE),
)


def describe(query: Any, total: int, lang: str = "en") -> str:
    """One plain sentence of what is shown.

    "37 free or free-to-audit courses about NLP in German with a certificate";
    German puts cost and level after the noun, where they need no inflection:
    "37 Kurse (kostenlos oder kostenlos belegbar) für Einsteiger zum Thema NLP auf Deutsch".
    """
    lang = "de" if lang == "de" else "en"
    parts = [f"{total:,}".replace(",", "." if lang == "de" else ",")]
    parts += _noun_phrase(query, total != 1, lang)
    if query.text:
        text = query.text if len(query.text) <= 60 else query.text[:57] + "..."
        parts.append(f"zu „{text}“" if lang == "de" else f'matching "{text}"')
    for row in _PHRASES:
        if isinstance(row, Range):
            phrase = _range_phrase(row, query, lang)
        else:
            phrase = _facet_phrase(row, query, lang)
        if phrase is not None:
            parts.append(phrase)
    return " ".join(parts)


def _say(words: tuple[str, str], lang: str) -> str:
    return words[1] if lang == "de" else words[0]


def _noun_phrase(query: Any, plural: bool, lang: str) -> list[str]:
    """The kinds as the noun, costs and levels as its adjectives (after it in German)."""
    kinds = KIND.by_code
    noun = _join(
        [kinds[k].noun(lang, plural) if k in kinds else k for k in query.kinds or ("course",)],
        lang,
    )
    costs = [COST.by_code[c].adjective(lang) if c in COST.by_code else c for c in query.costs]
    levels = [LEVEL.by_code[v].adjective(lang) if v in LEVEL.by_code else v for v in query.levels]
    if lang == "de":
        return [
            noun,
            *([f"({_join(costs, lang)})"] if costs else []),
            *(["für " + _join(levels, lang)] if levels else []),
        ]
    return [
        *([_join(costs, lang)] if costs else []),
        *([_join(levels, lang)] if levels else []),
        noun,
    ]


def _facet_phrase(row: Facet, query: Any, lang: str) -> str | None:
    values = tuple(getattr(query, row.attr))
    if not values or row.phrase is None:
        return None
    if row.name == "status" and values == ("active",):
        return None  # active courses only: nothing worth saying
    if row.name == "certificate" and "none" in values:
        certs = [c for c in values if c != "none"]
        if not certs:
            return "ohne Zertifikat" if lang == "de" else "without a certificate"
        return "(" + _join([value_label(row.name, c, lang) for c in values], lang) + ")"
    return _say(row.phrase, lang).format(
        _join([value_label(row.name, v, lang) for v in values], lang)
    )


def _range_phrase(row: Range, query: Any, lang: str) -> str | None:
    low = getattr(query, row.low.attr) if row.low else None
    high = getattr(query, row.high.attr) if row.high else None
    if row.phrase is None or (low is None and high is None):
        return None
    return _say(row.phrase, lang).format(
        lo="" if low is None else shown(low), hi="" if high is None else shown(high)
    )


# What a recorded course change says (catalog.changes): event -> (English, German). The
# placeholders are filled in there; values are shown with their vocabulary labels.
CHANGE_PHRASES: dict[str, tuple[str, str]] = {
    "now_free": ("now free", "jetzt kostenlos"),
    "now_free_audit": ("now free to audit", "jetzt kostenlos belegbar"),
    "cost": ("cost: {old} -> {new}", "Kosten: {old} -> {new}"),
    "price": ("price {old} -> {new}", "Preis {old} -> {new}"),
    "cert_price": ("certificate price {old} -> {new}", "Zertifikatspreis {old} -> {new}"),
    "price_set": ("price now {new}", "Preis jetzt {new}"),
    "cert_price_set": ("certificate price now {new}", "Zertifikatspreis jetzt {new}"),
    "price_gone": ("price no longer given (was {old})", "kein Preis mehr angegeben (war {old})"),
    "price_eur": ("price in EUR {old} -> {new} EUR", "Preis in EUR {old} -> {new} EUR"),
    "certificate": ("certificate: {old} -> {new}", "Zertifikat: {old} -> {new}"),
    "certificate_set": ("now with {new}", "jetzt mit {new}"),
    "level": ("level: {old} -> {new}", "Niveau: {old} -> {new}"),
    "start": ("next start {new}", "nächster Beginn {new}"),
    "start_gone": ("no start date any more (was {old})", "kein Starttermin mehr (war {old})"),
    "stale": ("not seen at the provider lately", "beim Anbieter zuletzt nicht gesehen"),
    "removed": ("removed by the provider", "vom Anbieter entfernt"),
    "returned": ("back at the provider", "wieder beim Anbieter"),
    "unknown": ("unknown", "unbekannt"),
}


def change_phrase(key: str, lang: str = "en", **values: str) -> str:
    en, de = CHANGE_PHRASES[key]
    return (de if lang == "de" else en).format(**values)
