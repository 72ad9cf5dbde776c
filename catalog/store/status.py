"""Status marking: listings a source no longer shows go stale, then removed; a course
re-merged from its listings records what changed in the facts a person decides by (cost
model, price and its EUR value, certificate, level, start date, status: stale, removed,
back), with the source whose refresh or import saw it and the time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalog.store.bulk import COURSE, EVENT, LISTING, SOURCE, _chunks, _insert, utcnow
from catalog.store.merging import merge

# The facts whose change is recorded, with the event each writes (catalog.changes reads
# them). The price itself is compared as "amount currency" (price_changed).
WATCHED = (
    ("cost", "cost_changed"),
    ("price_eur", "price_eur_changed"),
    ("certificate", "certificate_changed"),
    ("level", "level_changed"),
    ("start_date", "start_changed"),
)


def recompute_courses(
    conn: Connection,
    course_ids: Sequence[int],
    *,
    run_id: int | None,
    now: datetime,
    source: str | None = None,
) -> None:
    """Re-merge courses from their listings; record what changed (see WATCHED), with
    ``source``, the source whose refresh or import brought the change."""
    for chunk in _chunks(course_ids):
        listings: dict[int, list[tuple[str, dict[str, Any], str]]] = {}
        for row in conn.execute(
            sa.select(LISTING.c.course_id, LISTING.c.source, LISTING.c.record, LISTING.c.status)
            .where(LISTING.c.course_id.in_(chunk))
            .order_by(LISTING.c.id)
        ):
            listings.setdefault(row.course_id, []).append((row.source, row.record, row.status))
        before = {
            row.id: row
            for row in conn.execute(
                sa.select(
                    COURSE.c.id,
                    COURSE.c.price_amount,
                    COURSE.c.price_currency,
                    COURSE.c.status,
                    *(COURSE.c[name] for name, _ in WATCHED),
                ).where(COURSE.c.id.in_(chunk))
            )
        }
        updates: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for course_id, items in listings.items():
            live = [(s, r) for s, r, st in items if st != "removed"] or [
                (s, r) for s, r, _ in items
            ]
            new = merge(live)
            new["status"] = _course_status([st for _, _, st in items])
            new["updated_at"] = now
            new["last_seen"] = now
            new["b_id"] = course_id
            old = before.get(course_id)
            if old is not None:
                events += _record_changes(old, new, {"run_id": run_id, "source": source, "at": now})
            updates.append(new)
        if events:  # one executemany per chunk, not a statement per change
            conn.execute(EVENT.insert(), events)
        for u in updates:  # a course that went stale or removed keeps when it was last seen
            if u["last_seen"] is None:
                u["last_seen"] = _last_seen(conn, u["b_id"])
        if updates:
            conn.execute(COURSE.update().where(COURSE.c.id == sa.bindparam("b_id")), updates)


def _record_changes(old: Any, new: dict[str, Any], when: dict[str, Any]) -> list[dict[str, Any]]:
    """Event rows for what re-merging changed of a course (``when``: run_id, source, at);
    a course no longer active gets no new ``last_seen`` (None: its listings' latest is
    looked up)."""
    course_id = new["b_id"]
    changes: list[tuple[str, str | None, str | None]] = []
    old_price = _price_text(old.price_amount, old.price_currency)
    new_price = _price_text(new["price_amount"], new["price_currency"])
    if old_price != new_price:
        changes.append(("price_changed", old_price, new_price))
    for name, event in WATCHED:
        before, after = _fact_text(getattr(old, name)), _fact_text(new.get(name))
        if before != after:
            changes.append((event, before, after))
    if old.status != new["status"]:
        name = "returned" if new["status"] == "active" else new["status"]
        changes.append((name, old.status, new["status"]))
        if new["status"] != "active":
            new["last_seen"] = None
    return [
        {"course_id": course_id, **when, "event": event, "old": before, "new": after}
        for event, before, after in changes
    ]


def _fact_text(value: Any) -> str | None:
    """A watched fact as the event stores it: dates as ISO days, EUR to the cent."""
    if value is None:
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{float(value):.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    return str(value)


def _last_seen(conn: Connection, course_id: int) -> datetime:
    value = conn.execute(
        sa.select(sa.func.max(LISTING.c.last_seen)).where(LISTING.c.course_id == course_id)
    ).scalar()
    return value or utcnow()


def _course_status(statuses: list[str]) -> str:
    if "active" in statuses:
        return "active"
    if "stale" in statuses:
        return "stale"
    return "removed"


def _price_text(amount: float | None, currency: str | None) -> str | None:
    if amount is None:
        return None
    return f"{amount:g} {currency or ''}".strip()


def mark_missing(
    conn: Connection,
    source: str,
    seen: set[str],
    *,
    run_id: int | None,
    now: datetime | None = None,
    remove_after: int = 3,
) -> tuple[int, int]:
    """After a successful refresh: listings the source no longer shows go stale, and are
    removed once missed ``remove_after`` refreshes in a row. Returns (stale, removed)."""
    now = now or utcnow()
    rows = conn.execute(
        sa.select(
            LISTING.c.id,
            LISTING.c.source_id,
            LISTING.c.course_id,
            LISTING.c.missed_refreshes,
            LISTING.c.status,
        ).where(LISTING.c.source == source, LISTING.c.status != "removed")
    ).all()
    updates = []
    stale = removed = 0
    for row in rows:
        if row.source_id in seen:
            continue
        missed = row.missed_refreshes + 1
        status = "removed" if missed >= remove_after else "stale"
        stale += status == "stale"
        removed += status == "removed"
        updates.append({"b_id": row.id, "missed": missed, "status": status})
    if updates:
        conn.execute(
            LISTING.update()
            .where(LISTING.c.id == sa.bindparam("b_id"))
            .values(missed_refreshes=sa.bindparam("missed"), status=sa.bindparam("status")),
            updates,
        )
        affected = sorted({r.course_id for r in rows if r.source_id not in seen})
        recompute_courses(conn, affected, run_id=run_id, now=now, source=source)
    return stale, removed


def set_source(
    conn: Connection,
    name: str,
    *,
    title: str = "",
    state: str,
    at: datetime,
    success: bool,
) -> None:
    """Record a source's last refresh (and last success) and its live listing count."""
    count = conn.execute(
        sa.select(sa.func.count())
        .select_from(LISTING)
        .where(LISTING.c.source == name, LISTING.c.status != "removed")
    ).scalar_one()
    values: dict[str, Any] = {
        "title": title,
        "last_refresh_at": at,
        "last_state": state,
        "listing_count": count,
    }
    if success:
        values["last_success_at"] = at
    stmt = _insert(conn, SOURCE).values(name=name, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[SOURCE.c.name], set_=values))
