"""Atom 1.0 feeds (RFC 4287): a saved search's and a shortlist's.

Both carry an entry per recorded change of their courses ("now free to audit",
"certificate price 49 -> 79 USD (+27 EUR)", "next start 2027-03-01", "removed by the
provider"); a saved search's also one per course new for it. Entry ids are stable
(``urn:courseradar:change:<event id>``, ``urn:courseradar:course:<id>``), so a feed
reader shows each once. Every text goes through ElementTree, which escapes it;
characters XML cannot hold are dropped (scraped text may hold them).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from catalog.changes import Change, shortlist_changes

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 100
_XML_INVALID = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_WORDS = {
    "shortlist_subtitle": (
        "Changes of the courses on this shortlist",
        "Änderungen der Kurse auf dieser Merkliste",
    ),
    "search_subtitle": (
        "New courses and changes for this saved search",
        "Neue Kurse und Änderungen zu dieser gespeicherten Suche",
    ),
    "seen_by": ("seen by {source} on {day}", "gesehen von {source} am {day}"),
}


def word(key: str, lang: str, **values: str) -> str:
    en, de = _WORDS[key]
    return (de if lang == "de" else en).format(**values)


def clean(value: object) -> str:
    return _XML_INVALID.sub("", str(value))


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_http(url: object) -> bool:
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


@dataclass
class Entry:
    """One feed entry, before it is written."""

    id: str
    title: str
    updated: datetime
    link: str | None = None
    summary: str = ""
    categories: list[str] = field(default_factory=list)


def change_entry(change: Change, lang: str = "en") -> Entry:
    text = change.text(lang)
    seen = word(
        "seen_by", lang, source=change.source or "CourseRadar", day=change.at.date().isoformat()
    )
    return Entry(
        id=f"urn:courseradar:change:{change.id}",
        title=f"{change.title}: {text}",
        updated=change.at,
        link=change.url if is_http(change.url) else None,
        summary=f"{text} ({seen})",
        categories=[change.event],
    )


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = clean(text)
    return el


def write_feed(
    *,
    feed_id: str,
    title: str,
    subtitle: str,
    entries: Iterable[Entry],
    since: datetime,
    link: str | None = None,
    self_link: str | None = None,
) -> bytes:
    """The feed document: the newest ``FEED_LIMIT`` entries, newest first; ``link`` opens
    what the feed follows in the app, ``self_link`` is the feed's own stable address."""
    chosen = sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)[:FEED_LIMIT]
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    _sub(feed, "subtitle", subtitle)
    _sub(feed, "updated", stamp(max([e.updated for e in chosen] or [since])))
    _sub(_sub(feed, "author"), "name", "CourseRadar")
    _sub(feed, "generator", "CourseRadar")
    if link and is_http(link):
        _sub(feed, "link", rel="alternate", type="text/html", href=link)
    if self_link and is_http(self_link):
        _sub(feed, "link", rel="self", type="application/atom+xml", href=self_link)
    for item in chosen:
        entry = _sub(feed, "entry")
        _sub(entry, "id", item.id)
        _sub(entry, "title", item.title, type="text")
        _sub(entry, "updated", stamp(item.updated))
        _sub(entry, "published", stamp(item.updated))
        if item.link and is_http(item.link):
            _sub(entry, "link", rel="alternate", type="text/html", href=item.link)
        for term in item.categories:
            _sub(entry, "category", term=term)
        if item.summary:
            _sub(entry, "summary", item.summary, type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def shortlist_feed(engine: Engine, ref: str | int, lang: str = "en") -> bytes:
    """The Atom feed of a shortlist: an entry per change of a course on it."""
    from catalog.shortlists import get_list

    row = get_list(engine, ref)
    changes = shortlist_changes(engine, row["id"], limit=FEED_LIMIT)
    created = row["created_at"]
    if isinstance(created, str):
        created = datetime.fromisoformat(created)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return write_feed(
        feed_id=f"urn:courseradar:shortlist:{row['id']}",
        title=f"CourseRadar: {row['name']}",
        subtitle=word("shortlist_subtitle", lang),
        entries=[change_entry(c, lang) for c in changes],
        since=created,
    )
