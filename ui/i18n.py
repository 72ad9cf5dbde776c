# ruff: noqa: E501 - sentences of a translation table read better unbroken
"""The app's own words in English and German (field and value names live in catalog.i18n,
the range filters' chips in catalog.filters, as the CLI and exports share them).

Every other label, button, message and help text of the app comes from :data:`TEXTS`
through :func:`t`, so the language switch covers everything; a test checks both languages
have every key.
"""

from __future__ import annotations

from typing import Any

from catalog.i18n import LANGS, field_label, value_label

__all__ = ["LANGS", "TEXTS", "field_label", "language_name", "t", "value_label"]

TEXTS: dict[str, dict[str, str]] = {
    # app and navigation
    "app_title": {"en": "CourseRadar", "de": "CourseRadar"},
    "tagline": {
        "en": "AI and machine-learning courses and certifications, compared in one place.",
        "de": "KI- und Machine-Learning-Kurse und -Zertifikate, an einem Ort verglichen.",
    },
    "page_search": {"en": "Search", "de": "Suche"},
    "page_detail": {"en": "Course detail", "de": "Kursdetails"},
    "page_compare": {"en": "Compare", "de": "Vergleichen"},
    "page_shortlists": {"en": "Shortlists", "de": "Merklisten"},
    "page_saved": {"en": "Saved searches", "de": "Gespeicherte Suchen"},
    "page_sources": {"en": "Sources", "de": "Quellen"},
    "language": {"en": "Language", "de": "Sprache"},
    "filters": {"en": "Filters", "de": "Filter"},
    # search page
    "quick_starts": {
        "en": "Quick start: where does automation reach your work first?",
        "de": "Schnellstart: Wo erreicht die Automatisierung Ihre Arbeit zuerst?",
    },
    "quick_starts_help": {
        "en": "Each role picks the topics a person in that job would start with. "
        "You can change the filters afterwards.",
        "de": "Jede Rolle wählt die Themen, mit denen man in diesem Beruf anfangen würde. "
        "Die Filter lassen sich danach ändern.",
    },
    "search_label": {"en": "Search courses", "de": "Kurse suchen"},
    "search_placeholder": {
        "en": "e.g. transformers, Prompt, Sprachmodelle, AWS …",
        "de": "z. B. Transformer, Prompt, Sprachmodelle, AWS …",
    },
    "active_filters": {
        "en": "Active filters (click to remove)",
        "de": "Aktive Filter (klicken zum Entfernen)",
    },
    "clear_all": {"en": "Clear all", "de": "Alle entfernen"},
    "link_help": {
        "en": "Opens the course page on the provider's site (http/https links only).",
        "de": "Öffnet die Kursseite beim Anbieter (nur http/https-Links).",
    },
    "price_column_help": {
        "en": "0 € = free; ~ = converted or estimated; ? = price unknown.",
        "de": "0 € = kostenlos; ~ = umgerechnet oder geschätzt; ? = Preis unbekannt.",
    },
    "sort": {"en": "Sort by", "de": "Sortieren nach"},
    "per_page": {"en": "Rows per page", "de": "Zeilen pro Seite"},
    "sort_relevance": {"en": "Relevance", "de": "Relevanz"},
    "sort_price": {"en": "Price (lowest first)", "de": "Preis (günstigste zuerst)"},
    "sort_duration": {"en": "Duration (shortest first)", "de": "Dauer (kürzeste zuerst)"},
    "sort_rating": {"en": "Rating (best first)", "de": "Bewertung (beste zuerst)"},
    "sort_newest": {"en": "Newest in the catalog", "de": "Neu im Katalog"},
    "sort_start_date": {"en": "Start date (soonest first)", "de": "Beginn (nächster zuerst)"},
    "page_of": {"en": "Page {page} of {pages}", "de": "Seite {page} von {pages}"},
    "words_only": {"en": "Words only", "de": "Nur Wörter"},
    "words_only_help": {
        "en": "Off: courses that match your words or their meaning, in any language. On: only courses that contain every word.",
        "de": "Aus: Kurse, die Ihre Wörter oder deren Bedeutung treffen, in jeder Sprache. An: nur Kurse, die jedes Wort enthalten.",
    },
    "matched_hybrid": {
        "en": "Matched by words and meaning.",
        "de": "Nach Wörtern und Bedeutung gefunden.",
    },
    "matched_words_no_vectors": {
        "en": "Matched by words only. Meaning-based search is not ready for this catalog yet; its course vectors are computed at the next import or refresh, or by the command courseradar embed.",
        "de": "Nur nach Wörtern gefunden. Die Bedeutungssuche ist für diesen Katalog noch nicht bereit; die Kursvektoren entstehen beim nächsten Import oder Abgleich oder mit dem Befehl courseradar embed.",
    },
    "no_results": {
        "en": "No course matches. Remove a filter or try fewer words.",
        "de": "Kein Kurs passt. Entfernen Sie einen Filter oder suchen Sie mit weniger Wörtern.",
    },
    "select_hint": {
        "en": "Tick rows on the left to add them to a shortlist or compare them.",
        "de": "Zeilen links anhaken, um sie auf eine Merkliste zu setzen oder zu vergleichen.",
    },
    "selected_n": {"en": "{n} selected", "de": "{n} ausgewählt"},
    "target_list": {"en": "Shortlist", "de": "Merkliste"},
    "new_list_option": {"en": "+ New list …", "de": "+ Neue Liste …"},
    "new_list_name": {"en": "Name of the new list", "de": "Name der neuen Liste"},
    "default_list_name": {"en": "My shortlist", "de": "Meine Merkliste"},
    "add_to_list": {"en": "Add to shortlist", "de": "Auf die Merkliste"},
    "added_to_list": {
        "en": "Added {n} course(s) to “{name}”.",
        "de": "{n} Kurs(e) zu „{name}“ hinzugefügt.",
    },
    "compare_selected": {"en": "Compare", "de": "Vergleichen"},
    "compare_needs": {
        "en": "Select two to four courses to compare.",
        "de": "Wählen Sie zwei bis vier Kurse zum Vergleichen.",
    },
    "show_details": {"en": "Details", "de": "Details"},
    "export_title": {"en": "Export all {n} results", "de": "Alle {n} Treffer exportieren"},
    "export_help": {
        "en": "Every matching course (all pages), column headers in the app's language.",
        "de": "Alle passenden Kurse (alle Seiten), Spaltennamen in der Sprache der App.",
    },
    "invalid_url": {
        "en": "This link has a filter CourseRadar cannot read ({error}); showing all courses.",
        "de": "Dieser Link enthält einen Filter, den CourseRadar nicht lesen kann ({error}); "
        "es werden alle Kurse gezeigt.",
    },
    "reset": {"en": "Reset filters", "de": "Filter zurücksetzen"},
    "any": {"en": "any", "de": "beliebig"},
    "max_price": {"en": "Highest price (EUR)", "de": "Höchstpreis (EUR)"},
    "max_price_help": {
        "en": "What the course or its certificate costs; 0 = free only.",
        "de": "Was der Kurs oder sein Zertifikat kostet; 0 = nur kostenlose.",
    },
    "hours": {"en": "Total hours", "de": "Stunden insgesamt"},
    "min_hours": {"en": "from", "de": "von"},
    "max_hours": {"en": "to", "de": "bis"},
    "min_rating": {"en": "Lowest rating (0–5)", "de": "Mindestbewertung (0–5)"},
    "start_dates": {"en": "Next start", "de": "Nächster Beginn"},
    "start_from": {"en": "on or after", "de": "ab"},
    "start_to": {"en": "on or before", "de": "bis"},
    "greyed_out": {
        "en": ", so this filter and its sort are greyed out.",
        "de": "; deshalb sind dieser Filter und seine Sortierung ausgegraut.",
    },
    "facet_more": {
        "en": "Showing the {n} most common values.",
        "de": "Die {n} häufigsten Werte werden gezeigt.",
    },
    "chip_text": {"en": "“{text}”", "de": "„{text}“"},
    # detail page
    "choose_course": {"en": "Course ID", "de": "Kurs-ID"},
    "no_course": {
        "en": "Pick a course on the Search page (tick a row, then “Details”).",
        "de": "Wählen Sie einen Kurs auf der Suchseite (Zeile anhaken, dann „Details“).",
    },
    "course_missing": {
        "en": "There is no course with ID {id}.",
        "de": "Es gibt keinen Kurs mit der ID {id}.",
    },
    "open_course": {"en": "Open the course page", "de": "Kursseite öffnen"},
    "no_link": {"en": "No safe web link is known.", "de": "Kein sicherer Weblink bekannt."},
    "facts": {"en": "All facts", "de": "Alle Angaben"},
    "listings": {"en": "Where it is listed", "de": "Wo er gelistet ist"},
    "history": {"en": "Price and status changes", "de": "Preis- und Statusänderungen"},
    "similar": {"en": "Similar courses", "de": "Ähnliche Kurse"},
    "similar_none": {
        "en": "No similar courses yet, as this course has no vector for meaning-based search.",
        "de": "Noch keine ähnlichen Kurse, denn für diesen Kurs fehlt der Vektor der Bedeutungssuche.",
    },
    "similarity": {"en": "Similarity", "de": "Ähnlichkeit"},
    "no_history": {"en": "No changes recorded yet.", "de": "Noch keine Änderungen erfasst."},
    "price_over_time": {"en": "Price over time", "de": "Preis im Zeitverlauf"},
    "offers": {"en": "Ways to take it", "de": "Wege zum Kurs"},
    "add_to_compare": {"en": "Add to compare", "de": "Zum Vergleich"},
    "when": {"en": "When", "de": "Wann"},
    "event": {"en": "Change", "de": "Änderung"},
    "old": {"en": "Before", "de": "Vorher"},
    "new": {"en": "After", "de": "Nachher"},
    "field": {"en": "Field", "de": "Feld"},
    "value": {"en": "Value", "de": "Wert"},
    "event_new": {"en": "new in the catalog", "de": "neu im Katalog"},
    "event_price_changed": {"en": "price changed", "de": "Preis geändert"},
    "event_stale": {"en": "not seen lately", "de": "zuletzt nicht gesehen"},
    "event_removed": {"en": "removed", "de": "entfernt"},
    "event_returned": {"en": "back again", "de": "wieder da"},
    "event_active": {"en": "active again", "de": "wieder aktiv"},
    # compare page
    "compare_intro": {
        "en": "Up to four courses side by side.",
        "de": "Bis zu vier Kurse nebeneinander.",
    },
    "compare_courses": {"en": "Courses to compare", "de": "Kurse im Vergleich"},
    "compare_add_id": {"en": "Add a course by ID", "de": "Kurs per ID hinzufügen"},
    "compare_add": {"en": "Add", "de": "Hinzufügen"},
    "compare_full": {"en": "Four courses at most.", "de": "Höchstens vier Kurse."},
    # shortlists page
    "create_list": {"en": "Create a shortlist", "de": "Merkliste anlegen"},
    "create": {"en": "Create", "de": "Anlegen"},
    "created_list": {"en": "Created “{name}”.", "de": "„{name}“ angelegt."},
    "choose_list": {"en": "Shortlist", "de": "Merkliste"},
    "list_option": {"en": "{name} ({n})", "de": "{name} ({n})"},
    "no_lists": {
        "en": "No shortlist yet. Create one here or add courses from the Search page.",
        "de": "Noch keine Merkliste. Legen Sie hier eine an oder fügen Sie Kurse auf der Suchseite hinzu.",
    },
    "empty_list": {
        "en": "This list is empty: tick rows on the Search page and press “Add to shortlist”.",
        "de": "Diese Liste ist leer: Zeilen auf der Suchseite anhaken und „Auf die Merkliste“ drücken.",
    },
    "rename": {"en": "Rename", "de": "Umbenennen"},
    "new_name": {"en": "New name", "de": "Neuer Name"},
    "delete_list": {"en": "Delete list", "de": "Liste löschen"},
    "delete_confirm": {
        "en": "Delete “{name}” and its notes? The courses stay in the catalog.",
        "de": "„{name}“ mit allen Notizen löschen? Die Kurse bleiben im Katalog.",
    },
    "delete_yes": {"en": "Yes, delete", "de": "Ja, löschen"},
    "deleted": {"en": "Deleted.", "de": "Gelöscht."},
    "list_help": {
        "en": "Edit notes and positions in the table; tick “Remove” to take a course off.",
        "de": "Notizen und Positionen in der Tabelle ändern; „Entfernen“ anhaken, um einen Kurs zu streichen.",
    },
    "position": {"en": "#", "de": "#"},
    "remove": {"en": "Remove", "de": "Entfernen"},
    "removed_marker": {"en": "⚠ removed upstream", "de": "⚠ bei der Quelle entfernt"},
    "removed_count": {
        "en": "{n} course(s) on this list disappeared upstream; they stay here, marked.",
        "de": "{n} Kurs(e) dieser Liste gibt es bei der Quelle nicht mehr; sie bleiben markiert hier.",
    },
    "export_list": {"en": "Export this list", "de": "Diese Liste exportieren"},
    "saved_changes": {"en": "Saved.", "de": "Gespeichert."},
    # saved searches page
    "save_current": {"en": "Save the current search", "de": "Aktuelle Suche speichern"},
    "current_search": {"en": "Current search: {text}", "de": "Aktuelle Suche: {text}"},
    "search_name": {"en": "Name", "de": "Name"},
    "replace": {"en": "Replace a search of that name", "de": "Gleichnamige Suche ersetzen"},
    "save": {"en": "Save", "de": "Speichern"},
    "saved_ok": {"en": "Saved “{name}”.", "de": "„{name}“ gespeichert."},
    "no_saved": {
        "en": "No saved searches yet. Save one above to follow new courses.",
        "de": "Noch keine gespeicherten Suchen. Speichern Sie oben eine, um neue Kurse zu verfolgen.",
    },
    "new_since": {"en": "{n} new since you last looked", "de": "{n} neu seit Ihrem letzten Besuch"},
    "new_label": {"en": "New since you last looked", "de": "Neu seit Ihrem letzten Besuch"},
    "last_viewed": {"en": "Last looked: {when}", "de": "Zuletzt angesehen: {when}"},
    "never": {"en": "never", "de": "nie"},
    "open": {"en": "Open", "de": "Öffnen"},
    "mark_viewed": {"en": "Mark as seen", "de": "Als gesehen markieren"},
    "feed_download": {"en": "Atom feed", "de": "Atom-Feed"},
    "feed_subscribe": {"en": "Feed address", "de": "Feed-Adresse"},
    "feed_address_help": {
        "en": "Copy this address ({url}) into a feed reader: it stays the same while the app runs here.",
        "de": "Diese Adresse ({url}) in einen Feedreader kopieren: Sie bleibt gleich, solange die App hier läuft.",
    },
    "feed_help": {
        "en": "Subscribe in a feed reader to hear about new courses for this search.",
        "de": "In einem Feedreader abonnieren, um von neuen Kursen dieser Suche zu erfahren.",
    },
    "delete": {"en": "Delete", "de": "Löschen"},
    "new_courses": {"en": "The new courses", "de": "Die neuen Kurse"},
    "unreadable": {"en": "(cannot be read any more)", "de": "(nicht mehr lesbar)"},
    # sources page
    "sources_intro": {
        "en": "Where the catalog comes from and how fresh it is.",
        "de": "Woher der Katalog stammt und wie aktuell er ist.",
    },
    "schedule": {"en": "Refresh schedule: {schedule}", "de": "Aktualisierungsplan: {schedule}"},
    "schedule_none": {"en": "none (refresh by hand)", "de": "keiner (von Hand aktualisieren)"},
    "col_source": {"en": "Source", "de": "Quelle"},
    "col_listings": {"en": "Listings", "de": "Einträge"},
    "col_last_refresh": {"en": "Last refresh", "de": "Letzte Aktualisierung"},
    "col_state": {"en": "State", "de": "Zustand"},
    "col_last_success": {"en": "Last success", "de": "Letzter Erfolg"},
    "col_started": {"en": "Started", "de": "Gestartet"},
    "col_added": {"en": "Added", "de": "Neu"},
    "col_updated": {"en": "Updated", "de": "Geändert"},
    "col_errored": {"en": "Errors", "de": "Fehler"},
    "col_removed": {"en": "Removed", "de": "Entfernt"},
    "col_message": {"en": "Message", "de": "Meldung"},
    "col_key": {"en": "Item", "de": "Objekt"},
    "col_stage": {"en": "Stage", "de": "Schritt"},
    "col_error": {"en": "Error", "de": "Fehler"},
    "col_course": {"en": "Course", "de": "Kurs"},
    "recent_runs": {"en": "Recent runs", "de": "Letzte Läufe"},
    "run_errors": {
        "en": "Errors of the last run of {source}",
        "de": "Fehler des letzten Laufs von {source}",
    },
    "no_errors": {"en": "No errors in the last runs.", "de": "Keine Fehler in den letzten Läufen."},
    "no_sources": {"en": "No source has been loaded yet.", "de": "Noch keine Quelle geladen."},
    "recent_changes": {"en": "What changed recently", "de": "Was sich zuletzt geändert hat"},
    "no_changes": {"en": "No changes recorded.", "de": "Keine Änderungen erfasst."},
    "refresh_now": {"en": "Refresh now", "de": "Jetzt aktualisieren"},
    "refresh_sources": {"en": "Sources to refresh", "de": "Zu aktualisierende Quellen"},
    "refresh_missing": {
        "en": "Refreshing from the app needs the refresh pipeline, which this installation "
        "does not have yet; use `courseradar refresh` when it arrives.",
        "de": "Das Aktualisieren aus der App braucht die Aktualisierungs-Pipeline, die diese "
        "Installation noch nicht hat; sobald es sie gibt: `courseradar refresh`.",
    },
    "refreshing": {"en": "Refreshing …", "de": "Wird aktualisiert …"},
    "refresh_done": {
        "en": "Refresh finished: {ok} ok, {failed} failed.",
        "de": "Aktualisierung fertig: {ok} erfolgreich, {failed} fehlgeschlagen.",
    },
    "refresh_failed": {
        "en": "The refresh stopped: {error}",
        "de": "Die Aktualisierung brach ab: {error}",
    },
    "progress": {
        "en": "{source}: {stage} {done}/{total}",
        "de": "{source}: {stage} {done}/{total}",
    },
    # plan and watch: dates, effort, changes, feeds and calendars
    "plan_start": {"en": "Plan to start", "de": "Geplanter Beginn"},
    "finish_by": {"en": "Finish by", "de": "Abschließen bis"},
    "effort": {"en": "Effort", "de": "Aufwand"},
    "list_effort": {"en": "Effort: {text}", "de": "Aufwand: {text}"},
    "changes_count": {"en": "Changes ({n})", "de": "Änderungen ({n})"},
    "no_course_changes": {
        "en": "No changes recorded for these courses yet.",
        "de": "Für diese Kurse sind noch keine Änderungen verzeichnet.",
    },
    "change_when": {"en": "Date (UTC)", "de": "Datum (UTC)"},
    "change_course": {"en": "Course", "de": "Kurs"},
    "change_what": {"en": "Change", "de": "Änderung"},
    "change_source": {"en": "Source", "de": "Quelle"},
    "calendar": {"en": "Calendar (.ics)", "de": "Kalender (.ics)"},
    "calendar_help": {
        "en": "Start dates and your own dates, for a calendar app; a second download updates the same events.",
        "de": "Starttermine und Ihre eigenen Termine für eine Kalender-App; ein neuer Download aktualisiert dieselben Termine.",
    },
    "list_feed_help": {
        "en": "Subscribe in a feed reader to hear when a course on this list changes price, offer, start date or status.",
        "de": "In einem Feed-Reader abonnieren, um zu erfahren, wenn sich Preis, Angebot, Starttermin oder Status eines Kurses dieser Liste ändert.",
    },
    "follow_list": {"en": "Follow this list", "de": "Dieser Liste folgen"},
    "run_state_ok": {"en": "ok", "de": "erfolgreich"},
    "run_state_failed": {"en": "failed", "de": "fehlgeschlagen"},
    "run_state_stopped": {"en": "stopped", "de": "abgebrochen"},
    "run_state_skipped": {"en": "skipped (already running)", "de": "übersprungen (läuft schon)"},
    "run_state_running": {"en": "running", "de": "läuft"},
    # generic
    "choose": {"en": "Choose", "de": "Auswählen"},
    "date_placeholder": {"en": "YYYY-MM-DD", "de": "JJJJ-MM-TT"},
    "date_unreadable": {
        "en": "“{text}” is not a date; write it as 2027-03-01.",
        "de": "„{text}“ ist kein Datum; bitte als 2027-03-01 oder 01.03.2027 schreiben.",
    },
    "error": {"en": "Error: {error}", "de": "Fehler: {error}"},
    "yes": {"en": "yes", "de": "ja"},
    "no": {"en": "no", "de": "nein"},
}

_LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def t(key: str, lang: str = "en", **values: Any) -> str:
    """The text ``key`` in ``lang`` (English if missing), with ``{placeholders}`` filled."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def language_name(code: str) -> str:
    """A language's name in itself, so a person finds their own in the switch."""
    return _LANGUAGE_NAMES.get(code, code)
