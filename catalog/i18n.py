"""English and German words for fields, values and the one-sentence search summary.

Kept in the library (not the app) because exports and the CLI speak them too.
"""

from __future__ import annotations

from typing import Any

LANGS = ("en", "de")

FIELD_LABELS: dict[str, dict[str, str]] = {
    "id": {"en": "ID", "de": "ID"},
    "title": {"en": "Title", "de": "Titel"},
    "provider": {"en": "Provider", "de": "Anbieter"},
    "platform": {"en": "Platform", "de": "Plattform"},
    "url": {"en": "Link", "de": "Link"},
    "description": {"en": "Description", "de": "Beschreibung"},
    "kind": {"en": "Kind", "de": "Art"},
    "topics": {"en": "Topics", "de": "Themen"},
    "topic": {"en": "Topic", "de": "Thema"},
    "skills": {"en": "Skills", "de": "Fähigkeiten"},
    "level": {"en": "Level", "de": "Niveau"},
    "languages": {"en": "Languages", "de": "Sprachen"},
    "language": {"en": "Language", "de": "Sprache"},
    "subtitle_languages": {"en": "Subtitles", "de": "Untertitel"},
    "cost": {"en": "Cost", "de": "Kosten"},
    "price_amount": {"en": "Price", "de": "Preis"},
    "price_currency": {"en": "Currency", "de": "Währung"},
    "price_eur": {"en": "Price (EUR)", "de": "Preis (EUR)"},
    "price_rate_date": {"en": "Rate date", "de": "Kursdatum"},
    "price_is_estimate": {"en": "Estimated price", "de": "Preis geschätzt"},
    "certificate": {"en": "Certificate", "de": "Zertifikat"},
    "hours_min": {"en": "Hours (min)", "de": "Stunden (min)"},
    "hours_max": {"en": "Hours (max)", "de": "Stunden (max)"},
    "hours": {"en": "Hours", "de": "Stunden"},
    "weeks": {"en": "Weeks", "de": "Wochen"},
    "hours_per_week_min": {"en": "Hours/week (min)", "de": "Stunden/Woche (min)"},
    "hours_per_week_max": {"en": "Hours/week (max)", "de": "Stunden/Woche (max)"},
    "pace": {"en": "Pace", "de": "Tempo"},
    "start_date": {"en": "Start", "de": "Beginn"},
    "rating": {"en": "Rating", "de": "Bewertung"},
    "rating_count": {"en": "Ratings", "de": "Bewertungen"},
    "enrollments": {"en": "Enrolments", "de": "Einschreibungen"},
    "source": {"en": "Source", "de": "Quelle"},
    "sources": {"en": "Sources", "de": "Quellen"},
    "source_id": {"en": "Source ID", "de": "Quell-ID"},
    "status": {"en": "Status", "de": "Status"},
    "first_seen": {"en": "First seen", "de": "Zuerst gesehen"},
    "last_seen": {"en": "Last seen", "de": "Zuletzt gesehen"},
    "checked_on": {"en": "Checked on", "de": "Geprüft am"},
    "note": {"en": "Note", "de": "Notiz"},
    "offers": {"en": "Offers", "de": "Angebote"},
}

VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "cost": {
        "free": {"en": "free", "de": "kostenlos"},
        "free_audit": {"en": "free to audit", "de": "kostenlos (Zertifikat kostet)"},
        "paid": {"en": "paid", "de": "kostenpflichtig"},
        "subscription": {"en": "subscription", "de": "Abonnement"},
    },
    "certificate": {
        "none": {"en": "no certificate", "de": "kein Zertifikat"},
        "completion": {"en": "certificate of completion", "de": "Teilnahmezertifikat"},
        "professional": {"en": "professional certificate", "de": "Berufszertifikat"},
        "certification": {"en": "proctored certification", "de": "Prüfungszertifizierung"},
        "academic_credit": {"en": "academic credit", "de": "Studienleistung (ECTS)"},
        "degree": {"en": "degree", "de": "Studienabschluss"},
    },
    "level": {
        "beginner": {"en": "beginner", "de": "Einsteiger"},
        "intermediate": {"en": "intermediate", "de": "Fortgeschrittene"},
        "advanced": {"en": "advanced", "de": "Experten"},
        "mixed": {"en": "all levels", "de": "alle Niveaus"},
    },
    "kind": {
        "course": {"en": "course", "de": "Kurs"},
        "specialization": {"en": "specialization", "de": "Spezialisierung"},
        "professional_certificate": {
            "en": "professional certificate",
            "de": "Berufszertifikat-Programm",
        },
        "certification": {"en": "certification exam", "de": "Zertifizierungsprüfung"},
        "learning_path": {"en": "learning path", "de": "Lernpfad"},
        "degree": {"en": "degree", "de": "Studiengang"},
        "nanodegree": {"en": "nanodegree", "de": "Nanodegree"},
    },
    "pace": {
        "self_paced": {"en": "self-paced", "de": "im eigenen Tempo"},
        "scheduled": {"en": "scheduled", "de": "mit festen Terminen"},
    },
    "status": {
        "active": {"en": "active", "de": "aktiv"},
        "stale": {"en": "not seen lately", "de": "zuletzt nicht gesehen"},
        "removed": {"en": "removed", "de": "entfernt"},
    },
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


def hours_text(row: dict[str, Any], dash: str = "–") -> str:
    """A course's total hours, "12" or "10–20" (``dash`` "-" where only ASCII will do)."""
    lo, hi = row.get("hours_min"), row.get("hours_max")
    if lo is None and hi is None:
        return ""
    if lo is None or hi is None or lo == hi:
        return f"{(hi if hi is not None else lo):g}"
    return f"{lo:g}{dash}{hi:g}"


def _join(values: list[str], lang: str) -> str:
    word = " or " if lang == "en" else " oder "
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + word + values[-1]


# Words for the summary sentence, where facet labels would not read as grammar:
# (singular, plural) nouns per kind, and cost/level words in the position they take.
KIND_NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "course": ("course", "courses"),
        "specialization": ("specialization", "specializations"),
        "professional_certificate": ("professional certificate", "professional certificates"),
        "certification": ("certification exam", "certification exams"),
        "learning_path": ("learning path", "learning paths"),
        "degree": ("degree", "degrees"),
        "nanodegree": ("nanodegree", "nanodegrees"),
    },
    "de": {
        "course": ("Kurs", "Kurse"),
        "specialization": ("Spezialisierung", "Spezialisierungen"),
        "professional_certificate": ("Berufszertifikat-Programm", "Berufszertifikat-Programme"),
        "certification": ("Zertifizierungsprüfung", "Zertifizierungsprüfungen"),
        "learning_path": ("Lernpfad", "Lernpfade"),
        "degree": ("Studiengang", "Studiengänge"),
        "nanodegree": ("Nanodegree", "Nanodegrees"),
    },
}
COST_WORDS = {
    "en": {"free": "free", "free_audit": "free-to-audit", "paid": "paid",
           "subscription": "subscription"},
    "de": {"free": "kostenlos", "free_audit": "kostenlos belegbar", "paid": "kostenpflichtig",
           "subscription": "im Abonnement"},
}  # fmt: skip
LEVEL_WORDS = {
    "en": {"beginner": "beginner", "intermediate": "intermediate", "advanced": "advanced",
           "mixed": "all-level"},
    "de": {"beginner": "Einsteiger", "intermediate": "Fortgeschrittene", "advanced": "Experten",
           "mixed": "alle Niveaus"},
}  # fmt: skip


def describe(query: Any, total: int, lang: str = "en") -> str:
    """One plain sentence of what is shown.

    "37 free or free-to-audit courses about NLP in German with a certificate";
    German puts cost and level after the noun, where they need no inflection:
    "37 Kurse (kostenlos oder kostenlos belegbar) für Einsteiger zum Thema NLP auf Deutsch".
    """
    de = lang == "de"
    lang = "de" if de else "en"
    number = 0 if total == 1 else 1  # index into (singular, plural)
    nouns = KIND_NOUNS[lang]
    kinds = query.kinds or ("course",)
    noun = _join([nouns.get(k, (k, k))[number] for k in kinds], lang)
    costs = [COST_WORDS[lang].get(c, c) for c in query.costs]
    levels = [LEVEL_WORDS[lang].get(v, v) for v in query.levels]
    parts: list[str] = [f"{total:,}".replace(",", "." if de else ",")]
    if de:
        parts.append(noun)
        if costs:
            parts.append(f"({_join(costs, lang)})")
        if levels:
            parts.append("für " + _join(levels, lang))
    else:
        parts += [_join(costs, lang)] if costs else []
        parts += [_join(levels, lang)] if levels else []
        parts.append(noun)
    if query.text:
        text = query.text if len(query.text) <= 60 else query.text[:57] + "..."
        parts.append(f"zu „{text}“" if de else f'matching "{text}"')
    if query.topics:
        topics = _join([value_label("topic", t, lang) for t in query.topics], lang)
        parts.append(f"zum Thema {topics}" if de else f"about {topics}")
    if query.providers:
        parts.append(("von " if de else "by ") + _join(list(query.providers), lang))
    if query.languages:
        langs = _join([value_label("language", c, lang) for c in query.languages], lang)
        parts.append(f"auf {langs}" if de else f"in {langs}")
    if query.certificates:
        certs = [c for c in query.certificates if c != "none"]
        if certs and len(certs) == len(query.certificates):
            names = _join([value_label("certificate", c, lang) for c in certs], lang)
            parts.append(f"mit {names}" if de else f"with {names}")
        elif "none" in query.certificates and not certs:
            parts.append("ohne Zertifikat" if de else "without a certificate")
        else:
            names = _join([value_label("certificate", c, lang) for c in query.certificates], lang)
            parts.append(f"({names})")
    if query.max_price_eur is not None:
        price = f"{query.max_price_eur:g} EUR"
        parts.append(f"bis {price}" if de else f"up to {price}")
    if query.min_hours is not None or query.max_hours is not None:
        lo = "" if query.min_hours is None else f"{query.min_hours:g}"
        hi = "" if query.max_hours is None else f"{query.max_hours:g}"
        parts.append(f"{lo}–{hi} Stunden" if de else f"{lo}–{hi} hours")
    if query.min_rating is not None:
        parts.append(f"ab {query.min_rating:g} Sternen" if de else f"rated {query.min_rating:g}+")
    if query.paces:
        parts.append(_join([value_label("pace", p, lang) for p in query.paces], lang))
    if query.statuses and tuple(query.statuses) != ("active",):
        parts.append(
            "(" + _join([value_label("status", s, lang) for s in query.statuses], lang) + ")"
        )
    return " ".join(parts)
