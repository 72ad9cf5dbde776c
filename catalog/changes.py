"""What changed about the courses a person follows: a shortlist's, a saved search's.

A refresh or an import records a CourseEvent per changed fact (catalog.store.status):
the cost model, the price and its EUR value, the certificate, the level, the start date
and the status (stale, removed, back), with the source and the time. This module reads
them back as :class:`Change` values, newest first, and says each in English or German
("now free to audit", "certificate price 49 -> 79 USD (+27 EUR)", "next start
2027-03-01", "removed by the provider"). A price change and the change of its EUR value
recorded at the same moment are one change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.i18n import change_phrase, value_label
from catalog.models import Course, CourseEvent, ShortlistItem
from catalog.shortlists import ListRef, list_id
from catalog.vocabulary import STATUSES

EVENT = CourseEvent.__table__  # type: ignore[attr-defined]
COURSE = Course.__table__  # type: ignore[attr-defined]
ITEM = ShortlistItem.__table__  # type: ignore[attr-defined]

# The events a person following courses is told about ("new" is not a change of a course).
CHANGE_EVENTS = (
    "cost_changed",
    "price_changed",
    "price_eur_changed",
    "certificate_changed",
    "level_changed",
    "start_changed",
    "stale",
    "removed",
    "returned",
)
LIMIT = 500
# Up to this many courses are named in the query (a shortlist); more (a broad saved search)
# would exceed the bound-parameter limits, so the newest events are read and filtered.
IN_LIMIT = 1000


@dataclass(frozen=True)
class Change:
    """One change of one course, as recorded: ``old``/``new`` as the event stores them."""

    id: int  # the event's id: stable, so a feed entry is not repeated
    course_id: int
    title: str
    url: str | None
    at: datetime
    event: str
    old: str | None
    new: str | None
    source: str | None
    certificate: str | None  # the course's certificate now (names a price as its price)
    eur_old: float | None = None  # with a price change: the EUR values at that moment
    eur_new: float | None = None

    def text(self, lang: str = "en") -> str:
        """The change in one phrase, in ``lang`` (en or de)."""
        return describe_change(self, lang)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "course_id": self.course_id,
            "title": self.title,
            "event": self.event,
            "old": self.old,
            "new": self.new,
            "source": self.source,
            "text": self.text(lang),
        }


def since_datetime(value: date | datetime | None) -> datetime | None:
    """A day means from its start, in UTC; a naive time is taken as UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def course_changes(
    engine: Engine,
    course_ids: Iterable[int],
    since: date | datetime | None = None,
    limit: int = LIMIT,
) -> list[Change]:
    """The changes of these courses after ``since`` (all when None), newest first."""
    ids = sorted({int(i) for i in course_ids})
    if not ids:
        return []
    start = since_datetime(since)
    stmt = (
        sa.select(
            *(EVENT.c[n] for n in ("id", "course_id", "at", "event", "old", "new", "source")),
            COURSE.c.title,
            COURSE.c.url,
            COURSE.c.certificate,
        )
        .join(COURSE, COURSE.c.id == EVENT.c.course_id)
        .where(EVENT.c.event.in_(CHANGE_EVENTS))
        .order_by(EVENT.c.at.desc(), EVENT.c.id.desc())
    )
    if start is not None:
        stmt = stmt.where(EVENT.c.at > start)
    wanted = limit * 2  # a price and its EUR value are two events, one change
    with engine.connect() as conn:
        if len(ids) <= IN_LIMIT:
            rows = conn.execute(stmt.where(EVENT.c.course_id.in_(ids)).limit(wanted)).all()
        else:
            chosen = set(ids)
            rows = []
            for row in conn.execute(stmt.execution_options(yield_per=1000)):
                if row.course_id in chosen:
                    rows.append(row)
                    if len(rows) >= wanted:
                        break
    return _combine(rows)[:limit]


def _combine(rows: Sequence[Any]) -> list[Change]:
    """Changes from event rows; a price change takes the EUR change recorded with it."""
    changes = [
        Change(
            id=int(r.id),
            course_id=int(r.course_id),
            title=str(r.title),
            url=r.url,
            at=_utc(r.at),
            event=str(r.event),
            old=r.old,
            new=r.new,
            source=r.source,
            certificate=r.certificate,
        )
        for r in rows
    ]
    eur = {(c.course_id, c.at): c for c in changes if c.event == "price_eur_changed"}
    priced = {(c.course_id, c.at) for c in changes if c.event == "price_changed"}
    out: list[Change] = []
    for change in changes:
        key = (change.course_id, change.at)
        if change.event == "price_eur_changed" and key in priced:
            continue
        if change.event == "price_changed" and key in eur:
            change = replace(change, eur_old=_num(eur[key].old), eur_new=_num(eur[key].new))
        out.append(change)
    return out


def _num(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def shortlist_changes(
    engine: Engine, ref: ListRef, since: date | datetime | None = None, limit: int = LIMIT
) -> list[Change]:
    """The changes of the courses on a shortlist (removed ones included)."""
    with engine.connect() as conn:
        found = list_id(conn, ref)
        ids = conn.execute(sa.select(ITEM.c.course_id).where(ITEM.c.shortlist_id == found))
        course_ids = list(ids.scalars())
    return course_changes(engine, course_ids, since, limit)


def saved_search_changes(
    engine: Engine, name: str, since: date | datetime | None = None, limit: int = LIMIT
) -> list[Change]:
    """The changes of the courses a saved search matches, whatever their status now (a
    course the provider removed is told as removed, not left out)."""
    from catalog import saved_searches
    from catalog.search import searcher_for

    query = replace(saved_searches.load(engine, name), statuses=STATUSES)
    return course_changes(engine, searcher_for(engine).matching_ids(query), since, limit)


# --- saying a change -----------------------------------------------------------------


def _money(text: str | None) -> tuple[str, str]:
    """("49", "USD") from the stored "49 USD"."""
    amount, _, currency = (text or "").partition(" ")
    return amount, currency


def _price_text(change: Change, lang: str) -> str:
    cert = change.certificate not in (None, "none")
    (old_amount, old_cur), new_cur = _money(change.old), _money(change.new)[1]
    if change.old is None:
        text = change_phrase("cert_price_set" if cert else "price_set", lang, new=change.new or "")
    elif change.new is None:
        text = change_phrase("price_gone", lang, old=change.old)
    else:
        old = old_amount if old_cur == new_cur else str(change.old)
        text = change_phrase("cert_price" if cert else "price", lang, old=old, new=change.new)
    if change.eur_old is not None and change.eur_new is not None and new_cur != "EUR":
        delta = round(change.eur_new - change.eur_old)
        if delta:
            text += f" ({delta:+d} EUR)"
    elif change.eur_new is not None and change.old is None and new_cur != "EUR":
        text += f" ({change.eur_new:.0f} EUR)"
    return text


def _label(facet: str, value: str | None, lang: str) -> str:
    return change_phrase("unknown", lang) if value is None else value_label(facet, value, lang)


def describe_change(change: Change, lang: str = "en") -> str:
    """One phrase for a change, in English or German."""
    event, old, new = change.event, change.old, change.new
    if event == "cost_changed" and new in ("free", "free_audit"):
        return change_phrase("now_" + new, lang)
    if event == "cost_changed":
        labels = {k: _label("cost", v, lang) for k, v in (("old", old), ("new", new))}
        return change_phrase("cost", lang, **labels)
    if event == "price_changed":
        return _price_text(change, lang)
    if event == "price_eur_changed":
        return change_phrase("price_eur", lang, old=_eur(old, lang), new=_eur(new, lang))
    if event == "certificate_changed" and old is None and new is not None:
        return change_phrase("certificate_set", lang, new=_label("certificate", new, lang))
    if event == "certificate_changed":
        labels = {k: _label("certificate", v, lang) for k, v in (("old", old), ("new", new))}
        return change_phrase("certificate", lang, **labels)
    if event == "level_changed":
        labels = {k: _label("level", v, lang) for k, v in (("old", old), ("new", new))}
        return change_phrase("level", lang, **labels)
    if event == "start_changed":
        if new is None:
            return change_phrase("start_gone", lang, old=old or "")
        return change_phrase("start", lang, new=new)
    if event in ("stale", "removed", "returned"):
        return change_phrase(event, lang)
    return f"{event}: {old} -> {new}"


def _eur(value: str | None, lang: str) -> str:
    number = _num(value)
    return change_phrase("unknown", lang) if number is None else f"{number:.0f}"


__all__ = [
    "CHANGE_EVENTS",
    "Change",
    "course_changes",
    "describe_change",
    "saved_search_changes",
    "shortlist_changes",
    "since_datetime",
]
