"""Saved searches: a named Query to come back to, "new since you last looked", Atom feeds.

A saved search stores ``Query.to_params()`` (without the page), so it reads back exactly
as a URL would. What is "new" for a saved search is a course matching its query that
first appeared (its ``new`` CourseEvent, written with the course's ``first_seen``) after
the person last looked; never-viewed searches count from when they were saved. Matching
runs through the shared Searcher sorted by newest, so the work is proportional to the
number of new courses, not to the size of the catalog.
"""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.db import write_tx
from catalog.feeds import FEED_LIMIT, is_http
from catalog.models import CourseEvent, SavedSearch
from catalog.search import Query, QueryError, searcher_for
from catalog.shortlists import UserDataError, clean_name

SAVED = SavedSearch.__table__  # type: ignore[attr-defined]
EVENT = CourseEvent.__table__  # type: ignore[attr-defined]


class SavedSearchError(UserDataError):
    """A saved-search problem the user can fix, in one line."""


def _utc(value: Any) -> datetime | None:
    """Aware UTC datetime from what either dialect returns (SQLite drops the zone)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _params(query: Query) -> dict[str, Any]:
    params = query.to_params()
    params.pop("page", None)
    return params


def _row(engine: Engine, name: str) -> Any:
    cleaned = " ".join(str(name).split())
    with engine.connect() as conn:
        row = conn.execute(sa.select(SAVED).where(SAVED.c.name == cleaned)).first()
        if row is None:  # names are unique regardless of case, so this finds at most one
            row = conn.execute(
                sa.select(SAVED).where(sa.func.lower(SAVED.c.name) == cleaned.lower())
            ).first()
    if row is None:
        raise SavedSearchError(
            f"no saved search named {name!r}; see `courseradar saved list`",
            f"Es gibt keine gespeicherte Suche „{name}“.",
        )
    return row


def _exists(name: str) -> SavedSearchError:
    return SavedSearchError(
        f"a saved search named {name!r} already exists",
        f"Eine gespeicherte Suche „{name}“ gibt es schon (zum Ersetzen ankreuzen).",
    )


def save(engine: Engine, name: str, query: Query, *, replace_existing: bool = False) -> int:
    """Store ``query`` under ``name``; an existing name is an error unless replacing."""
    name = clean_name(name, "saved search", SavedSearchError)
    try:
        query.validate()
    except QueryError as exc:
        raise SavedSearchError(str(exc)) from None
    params = _params(query)
    try:
        with write_tx(engine) as conn:
            existing = conn.execute(
                sa.select(SAVED.c.id).where(sa.func.lower(SAVED.c.name) == name.lower())
            ).scalar()
            if existing is not None:
                if not replace_existing:
                    raise _exists(name)
                conn.execute(SAVED.update().where(SAVED.c.id == existing).values(query=params))
                return int(existing)
            key = conn.execute(
                SAVED.insert().values(name=name, query=params, created_at=datetime.now(UTC))
            ).inserted_primary_key
    except sa.exc.IntegrityError:
        raise _exists(name) from None
    assert key is not None
    return int(key[0])


def list_saved(engine: Engine, *, with_counts: bool = True) -> builtins.list[dict[str, Any]]:
    """Every saved search by name, with its Query and (optionally) its new-since count."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(SAVED).order_by(sa.func.lower(SAVED.c.name))).all()
    out = []
    for row in rows:
        item = dict(row._mapping)
        item["created_at"] = _utc(item["created_at"])
        item["last_viewed_at"] = _utc(item["last_viewed_at"])
        try:
            item["query_obj"] = Query.from_params(row.query).validate()
        except QueryError:
            item["query_obj"] = None  # a search saved by an older version; still listed
        if with_counts:
            item["new"] = (
                len(_new_rows(engine, item["query_obj"], _since(row)))
                if item["query_obj"] is not None
                else 0
            )
        out.append(item)
    return out


def delete(engine: Engine, name: str) -> None:
    row = _row(engine, name)
    with write_tx(engine) as conn:
        conn.execute(SAVED.delete().where(SAVED.c.id == row.id))


def load(engine: Engine, name: str) -> Query:
    """The saved Query (page 1)."""
    row = _row(engine, name)
    try:
        return Query.from_params(row.query).validate()
    except QueryError as exc:
        raise SavedSearchError(f"saved search {name!r} no longer reads: {exc}") from None


def mark_viewed(engine: Engine, name: str, at: datetime | None = None) -> None:
    """Remember that the person looked now: the new-since count starts over."""
    row = _row(engine, name)
    with write_tx(engine) as conn:
        conn.execute(
            SAVED.update()
            .where(SAVED.c.id == row.id)
            .values(last_viewed_at=at or datetime.now(UTC))
        )


def _since(row: Any) -> datetime:
    since = _utc(row.last_viewed_at) or _utc(row.created_at)
    assert since is not None
    return since


def _new_rows(
    engine: Engine, query: Query, since: datetime, limit: int | None = None
) -> builtins.list[dict[str, Any]]:
    """Rows matching ``query`` that first appeared after ``since``, newest first."""
    newest = replace(query, sort="newest", page=1)
    out: builtins.list[dict[str, Any]] = []
    # The search sorts by first_seen, newest first, but may hold it to the second only:
    # stop at the first course from an earlier second, skip same-second ones not newer.
    floor = since.replace(microsecond=0)
    for row in searcher_for(engine).iter_all(newest, batch=100):
        first = _utc(row.get("first_seen"))
        if first is None or first.replace(microsecond=0) < floor:
            break
        if first <= since:
            continue
        out.append(row)
        if limit is not None and len(out) >= limit:
            break
    if out:
        ids = [r["id"] for r in out]
        with engine.connect() as conn:
            at: dict[int, Any] = dict(
                conn.execute(
                    sa.select(EVENT.c.course_id, sa.func.min(EVENT.c.at))
                    .where(EVENT.c.event == "new", EVENT.c.course_id.in_(ids))
                    .group_by(EVENT.c.course_id)
                ).all()
            )
        for r in out:
            r["new_at"] = _utc(at.get(r["id"])) or _utc(r["first_seen"])
    return out


def new_since(engine: Engine, name: str, limit: int | None = None) -> builtins.list[dict[str, Any]]:
    """Courses of the saved search that are new since it was last viewed (or saved)."""
    row = _row(engine, name)
    return _new_rows(engine, load(engine, name), _since(row), limit)


def _summary(row: dict[str, Any]) -> str:
    facts = [
        row.get("provider"),
        row.get("platform") if row.get("platform") != row.get("provider") else None,
        row.get("cost"),
        None if row.get("price_eur") is None else f"{row['price_eur']:.0f} EUR",
        row.get("certificate") and f"certificate: {row['certificate']}",
        row.get("level"),
        ", ".join(row.get("languages") or []),
    ]
    head = " · ".join(str(f) for f in facts if f)
    description = " ".join(str(row.get("description") or "").split())
    if len(description) > 1000:
        description = description[:997] + "..."
    return "\n\n".join(p for p in (head, description) if p)


FEED_PATH = "/feeds/{id}.atom"  # where `courseradar serve` serves a saved search's feed


def check_base_url(url: str | None) -> str | None:
    """The app's address without a trailing slash; SavedSearchError unless it is an
    http(s) URL with a host (links in a feed must open in a browser)."""
    if url is None:
        return None
    if not is_http(url.strip()) or not urlsplit(url.strip()).netloc:
        raise SavedSearchError(
            f"the app's address must be an http(s) URL such as http://localhost:8501, "
            f"not {url[:60]!r}",
            f"Die Adresse der App muss eine http(s)-Adresse sein, etwa http://localhost:8501, "
            f"nicht „{url[:60]}“.",
        )
    return url.strip().rstrip("/")


def feed_url(engine: Engine, name: str, base_url: str) -> str:
    """The stable address of a saved search's feed on the app at ``base_url``: it stays
    the same while the search exists (it names its id, which a replace keeps)."""
    base = check_base_url(base_url)
    return f"{base}{FEED_PATH.format(id=_row(engine, name).id)}"


def name_of(engine: Engine, search_id: int) -> str | None:
    """The name of the saved search with ``search_id``, or None."""
    with engine.connect() as conn:
        name = conn.execute(sa.select(SAVED.c.name).where(SAVED.c.id == search_id)).scalar()
    return None if name is None else str(name)


def atom_feed(engine: Engine, name: str, base_url: str | None = None, lang: str = "en") -> bytes:
    """An Atom 1.0 feed (RFC 4287) of what is new for this saved search: the courses that
    appeared since it was saved, and the changes of the courses it matches since then
    (catalog.changes), the newest ``FEED_LIMIT`` of them; a feed reader remembers which
    entries it showed. With the app's ``base_url`` the feed links to the search itself
    and to its own stable address."""
    from catalog.changes import saved_search_changes
    from catalog.feeds import Entry, change_entry, word, write_feed

    base_url = check_base_url(base_url)
    row = _row(engine, name)
    query = load(engine, name)
    created = _utc(row.created_at)
    assert created is not None
    entries = [
        Entry(
            id=f"urn:courseradar:course:{course['id']}",
            title=course.get("title") or f"Course {course['id']}",
            updated=course["new_at"],
            link=course.get("url"),
            summary=_summary(course),
            categories=[str(t) for t in course.get("topics") or []],
        )
        for course in _new_rows(engine, query, created, FEED_LIMIT)
    ]
    changes = saved_search_changes(engine, row.name, since=created, limit=FEED_LIMIT)
    entries += [change_entry(c, lang) for c in changes]
    link = own = None
    if base_url:
        params = urlencode(_params(query), doseq=True)
        link = base_url + "/" + (f"?{params}" if params else "")
        own = base_url + FEED_PATH.format(id=row.id)
    return write_feed(
        feed_id=f"urn:courseradar:saved-search:{row.id}",
        title=f"CourseRadar: {row.name}",
        subtitle=word("search_subtitle", lang),
        entries=entries,
        since=created,
        link=link,
        self_link=own,
    )


def recent_changes(
    engine: Engine,
    events: tuple[str, ...] = ("new", "price_changed", "removed"),
    limit: int = 100,
) -> builtins.list[dict[str, Any]]:
    """The latest course events with the course's title and URL, newest first.

    What a person following the catalog wants to see: what arrived, what got cheaper
    or dearer, what went away (the Sources page lists them).
    """
    from catalog.models import Course

    course = Course.__table__  # type: ignore[attr-defined]
    stmt = (
        sa.select(
            EVENT.c.at,
            EVENT.c.event,
            EVENT.c.old,
            EVENT.c.new,
            EVENT.c.course_id,
            course.c.title,
            course.c.url,
            course.c.source,
        )
        .join(course, course.c.id == EVENT.c.course_id)
        .where(EVENT.c.event.in_(events))
        .order_by(EVENT.c.at.desc(), EVENT.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


# The verbs front ends use: save, list, delete, load.
list = list_saved
