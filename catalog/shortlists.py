"""Named shortlists of courses, with a note and a position per course.

Shortlists are user data: refreshes never touch them, and a course that disappears
upstream stays on a list (its ``status`` says ``removed``). Every write is a handful of
per-item statements in one write transaction, never a read-modify-write of a whole
list, so two sessions editing one list at once lose nothing. Writers of one list are
serialised by the transaction's lock (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's
``SELECT ... FOR UPDATE`` on the list row), which keeps positions unique.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from catalog.db import write_tx
from catalog.models import Course, Shortlist, ShortlistItem
from catalog.search import fetch_rows

LIST = Shortlist.__table__  # type: ignore[attr-defined]
ITEM = ShortlistItem.__table__  # type: ignore[attr-defined]
COURSE = Course.__table__  # type: ignore[attr-defined]

NAME_MAX = 80
NOTE_MAX = 5000

ListRef = str | int


class UserDataError(ValueError):
    """A problem with a person's lists or saved searches, in one line they can act on:
    English as ``str()`` (the CLI), German as ``text("de")`` (the app)."""

    def __init__(self, message: str, german: str | None = None) -> None:
        super().__init__(message)
        self.german = german

    def text(self, lang: str) -> str:
        return self.german if lang == "de" and self.german else str(self)


class ShortlistError(UserDataError):
    """A shortlist problem the user can fix, in one line."""


def utcnow() -> datetime:
    return datetime.now(UTC)


# What a name belongs to, as the German messages say it.
_OF_WHAT = {"shortlist": "der Merkliste", "saved search": "der gespeicherten Suche"}


def clean_name(
    name: str, what: str = "shortlist", error: type[UserDataError] = ShortlistError
) -> str:
    """Trimmed name of 1-80 printable characters, or ``error`` saying what is wrong."""
    of = _OF_WHAT.get(what, "")
    if not isinstance(name, str):
        raise error(f"a {what} name must be text", f"Der Name {of} muss Text sein.")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise error(f"a {what} name cannot be empty", f"Der Name {of} darf nicht leer sein.")
    if len(cleaned) > NAME_MAX:
        raise error(
            f"a {what} name can have at most {NAME_MAX} characters",
            f"Der Name {of} darf höchstens {NAME_MAX} Zeichen haben.",
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned):
        raise error(
            f"a {what} name cannot contain control characters",
            f"Der Name {of} darf keine Steuerzeichen enthalten.",
        )
    return cleaned


def _exists(name: str) -> ShortlistError:
    return ShortlistError(
        f"a shortlist named {name!r} already exists", f"Eine Merkliste „{name}“ gibt es schon."
    )


def _not_on(course_id: int, name: str) -> ShortlistError:
    return ShortlistError(
        f"course {course_id} is not on the shortlist {name!r}",
        f"Kurs {course_id} steht nicht auf der Merkliste „{name}“.",
    )


def _clean_note(note: str) -> str:
    text = "".join(
        ch for ch in str(note) if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    ).strip()
    if len(text) > NOTE_MAX:
        raise ShortlistError(
            f"a note can have at most {NOTE_MAX} characters",
            f"Eine Notiz darf höchstens {NOTE_MAX} Zeichen haben.",
        )
    return text


def _find(conn: Connection, ref: ListRef, *, lock: bool = False) -> tuple[int, str]:
    """(id, name) of a list given by name or id; locks its row in write transactions."""
    by_id = isinstance(ref, int)
    cond = LIST.c.id == ref if by_id else LIST.c.name == " ".join(str(ref).split())
    stmt = sa.select(LIST.c.id, LIST.c.name).where(cond)
    if lock:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None and not by_id:  # names are unique regardless of case
        folded = sa.func.lower(LIST.c.name) == " ".join(str(ref).split()).lower()
        stmt = sa.select(LIST.c.id, LIST.c.name).where(folded)
        row = conn.execute(stmt.with_for_update() if lock else stmt).first()
    if row is None and isinstance(ref, str) and ref.strip().isdigit():
        return _find(conn, int(ref.strip()), lock=lock)
    if row is None:
        raise ShortlistError(
            f"no shortlist named {ref!r}; see `courseradar shortlist list`",
            f"Es gibt keine Merkliste „{ref}“.",
        )
    return int(row.id), str(row.name)


def list_id(conn: Connection, ref: ListRef) -> int:
    """The id of a list given by name or id (ShortlistError when there is none)."""
    return _find(conn, ref)[0]


def get_list(engine: Engine, ref: ListRef) -> dict[str, Any]:
    """id, name and created_at of a list given by name or id."""
    with engine.connect() as conn:
        found, _ = _find(conn, ref)
        row = conn.execute(sa.select(LIST).where(LIST.c.id == found)).one()
    return dict(row._mapping)


def _check_unique(conn: Connection, name: str, except_id: int | None = None) -> None:
    stmt = sa.select(LIST.c.id).where(sa.func.lower(LIST.c.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(LIST.c.id != except_id)
    if conn.execute(stmt).first() is not None:
        raise _exists(name)


def new_list(engine: Engine, name: str) -> int:
    """Create an empty list; returns its id."""
    name = clean_name(name)
    try:
        with write_tx(engine) as conn:
            _check_unique(conn, name)
            key = conn.execute(
                LIST.insert().values(name=name, created_at=utcnow())
            ).inserted_primary_key
    except sa.exc.IntegrityError:  # a concurrent create of the same name won
        raise _exists(name) from None
    assert key is not None
    return int(key[0])


def ensure_list(engine: Engine, name: str) -> int:
    """The id of the list called ``name``, creating it if needed."""
    name = clean_name(name)
    with engine.connect() as conn:
        row = conn.execute(sa.select(LIST.c.id).where(LIST.c.name == name)).first()
    if row is not None:
        return int(row.id)
    try:
        return new_list(engine, name)
    except ShortlistError:
        with engine.connect() as conn:
            return _find(conn, name)[0]


def rename(engine: Engine, ref: ListRef, new_name: str) -> None:
    new_name = clean_name(new_name)
    try:
        with write_tx(engine) as conn:
            list_id, _ = _find(conn, ref, lock=True)
            _check_unique(conn, new_name, except_id=list_id)
            conn.execute(LIST.update().where(LIST.c.id == list_id).values(name=new_name))
    except sa.exc.IntegrityError:
        raise _exists(new_name) from None


def delete_list(engine: Engine, ref: ListRef) -> None:
    with write_tx(engine) as conn:
        list_id, _ = _find(conn, ref, lock=True)
        conn.execute(ITEM.delete().where(ITEM.c.shortlist_id == list_id))
        conn.execute(LIST.delete().where(LIST.c.id == list_id))


def lists(engine: Engine) -> list[dict[str, Any]]:
    """Every list with its item count, by name."""
    count = (
        sa.select(sa.func.count(ITEM.c.id))
        .where(ITEM.c.shortlist_id == LIST.c.id)
        .scalar_subquery()
        .label("count")
    )
    stmt = sa.select(LIST.c.id, LIST.c.name, LIST.c.created_at, count).order_by(
        sa.func.lower(LIST.c.name), LIST.c.id
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def _ids(course_ids: Iterable[int]) -> list[int]:
    out: list[int] = []
    for value in course_ids:
        try:
            cid = int(value)
        except (TypeError, ValueError):
            raise ShortlistError(
                f"{value!r} is not a course id", f"„{value}“ ist keine Kurs-ID."
            ) from None
        if cid not in out:
            out.append(cid)
    return out


def add(engine: Engine, ref: ListRef, course_ids: Iterable[int]) -> int:
    """Append courses at the end of the list; ones already on it stay where they are.

    Returns how many were added. Each course is one INSERT ... SELECT max(position)+1,
    skipped on conflict, so concurrent adds never overwrite each other.
    """
    ids = _ids(course_ids)
    added = 0
    with write_tx(engine) as conn:
        list_id, _ = _find(conn, ref, lock=True)
        if ids:
            known = set(conn.execute(sa.select(COURSE.c.id).where(COURSE.c.id.in_(ids))).scalars())
            missing = [i for i in ids if i not in known]
            if missing:
                ids_text = ", ".join(map(str, missing))
                raise ShortlistError(
                    f"no course with id {ids_text}", f"Kein Kurs mit der ID {ids_text}."
                )
        now = utcnow()
        for cid in ids:
            next_pos = (
                sa.select(sa.func.coalesce(sa.func.max(ITEM.c.position), 0) + 1)
                .where(ITEM.c.shortlist_id == list_id)
                .scalar_subquery()
            )
            absent = ~sa.exists().where(ITEM.c.shortlist_id == list_id, ITEM.c.course_id == cid)
            stmt = ITEM.insert().from_select(
                ["shortlist_id", "course_id", "position", "note", "added_at"],
                sa.select(
                    sa.literal(list_id),
                    sa.literal(cid),
                    next_pos,
                    sa.literal(""),
                    sa.literal(now, sa.DateTime(timezone=True)),
                ).where(absent),
            )
            added += len(conn.execute(stmt.returning(ITEM.c.id)).all())
    return added


def remove(engine: Engine, ref: ListRef, course_ids: Iterable[int]) -> int:
    """Take courses off the list; returns how many were on it."""
    ids = _ids(course_ids)
    with write_tx(engine) as conn:
        list_id, _ = _find(conn, ref, lock=True)
        if not ids:
            return 0
        result = conn.execute(
            ITEM.delete().where(ITEM.c.shortlist_id == list_id, ITEM.c.course_id.in_(ids))
        )
        return result.rowcount or 0


def set_note(engine: Engine, ref: ListRef, course_id: int, note: str) -> None:
    """Replace the note of one item (only that row is written)."""
    text = _clean_note(note)
    with write_tx(engine) as conn:
        list_id, name = _find(conn, ref, lock=True)
        result = conn.execute(
            ITEM.update()
            .where(ITEM.c.shortlist_id == list_id, ITEM.c.course_id == int(course_id))
            .values(note=text)
        )
        if not result.rowcount:
            raise _not_on(course_id, name)


def move(engine: Engine, ref: ListRef, course_id: int, to: str | int) -> None:
    """Reorder: ``to`` is "up", "down", "top", "bottom" or a 1-based position.

    Neighbours are shifted with one ranged UPDATE, so the order stays a clean sequence
    and no other item's note or membership is rewritten.
    """
    with write_tx(engine) as conn:
        list_id, name = _find(conn, ref, lock=True)
        here = ITEM.c.shortlist_id == list_id
        current = conn.execute(
            sa.select(ITEM.c.position).where(here, ITEM.c.course_id == int(course_id))
        ).scalar()
        if current is None:
            raise _not_on(course_id, name)
        ordered = sa.select(ITEM.c.position).where(here).order_by(ITEM.c.position, ITEM.c.id)
        if to in ("up", "down"):
            if to == "up":
                stmt = sa.select(sa.func.max(ITEM.c.position)).where(
                    here, ITEM.c.position < current
                )
            else:
                stmt = sa.select(sa.func.min(ITEM.c.position)).where(
                    here, ITEM.c.position > current
                )
            target = conn.execute(stmt).scalar()
        elif to == "top":
            target = conn.execute(ordered.limit(1)).scalar()
        elif to == "bottom":
            target = conn.execute(sa.select(sa.func.max(ITEM.c.position)).where(here)).scalar()
        else:
            try:
                rank = int(to)
            except (TypeError, ValueError):
                raise ShortlistError(
                    f"move to {to!r}? use up, down, top, bottom or a position number",
                    f"Wohin mit „{to}“? Eine Positionsnummer angeben.",
                ) from None
            total = conn.execute(sa.select(sa.func.count()).where(here)).scalar_one()
            rank = min(max(rank, 1), total)
            target = conn.execute(ordered.offset(rank - 1).limit(1)).scalar()
        if target is None or target == current:
            return
        if target > current:
            conn.execute(
                ITEM.update()
                .where(here, ITEM.c.position > current, ITEM.c.position <= target)
                .values(position=ITEM.c.position - 1)
            )
        else:
            conn.execute(
                ITEM.update()
                .where(here, ITEM.c.position >= target, ITEM.c.position < current)
                .values(position=ITEM.c.position + 1)
            )
        conn.execute(
            ITEM.update().where(here, ITEM.c.course_id == int(course_id)).values(position=target)
        )


def items(engine: Engine, ref: ListRef) -> list[dict[str, Any]]:
    """The list's courses in order: course rows plus ``note``, ``position``, ``status``
    and the person's ``plan_start`` and ``finish_by`` dates (None until set).

    ``position`` is 1-based and gapless as shown; ``status`` is the course's own
    (``removed`` once it disappeared upstream).
    """
    with engine.connect() as conn:
        list_id, _ = _find(conn, ref)
        entries = conn.execute(
            sa.select(ITEM.c.course_id, ITEM.c.note, ITEM.c.plan_start, ITEM.c.finish_by)
            .where(ITEM.c.shortlist_id == list_id)
            .order_by(ITEM.c.position, ITEM.c.id)
        ).all()
    rows = {row["id"]: row for row in fetch_rows(engine, [e.course_id for e in entries])}
    out: list[dict[str, Any]] = []
    for entry in entries:
        row = rows.get(entry.course_id)
        if row is None:  # courses are never deleted; defensive only
            continue
        row = dict(row)
        row["note"] = entry.note or ""
        row["plan_start"], row["finish_by"] = entry.plan_start, entry.finish_by
        row["position"] = len(out) + 1
        out.append(row)
    return out


def list_names(engine: Engine) -> list[str]:
    return [row["name"] for row in lists(engine)]


def export_list(engine: Engine, ref: ListRef, fmt: str, lang: str = "en") -> bytes:
    """The list in an export format; the app's download and the CLI's file are these bytes."""
    from catalog.export import export

    return export(items(engine, ref), fmt, lang)
