"""Why a course is in the catalog and why it has each topic: ``courseradar explain``.

The scope rule and the topic tags are decided by :class:`catalog.topics.Taxonomy` from a
listing's title, description, skill tags and the provider's categories (docs/scope.md). This
module finds a course in the catalog by id or title and asks the taxonomy again, on the same
evidence, for its reasons; a text that names no course is explained as a title alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.models import Course, Listing


class ExplainError(LookupError):
    """No course, or several, match what the user named; the message says which."""


@dataclass(frozen=True)
class Explanation:
    """The reasons for one course (``course_id`` None: a text explained as a title alone)."""

    title: str
    course_id: int | None
    in_scope: str | None  # why it is in scope; None: it is not
    topics: dict[str, str]  # {topic label: why}, in taxonomy order
    stored_topics: list[str] = field(default_factory=list)  # as the catalog holds them
    evidence: list[str] = field(default_factory=list)  # what was read, for people


def explain(engine: Engine | None, what: str, lang: str = "en") -> Explanation:
    """Explain the course with id ``what``, or titled ``what`` (exactly, else the one course
    whose title contains it); when none is titled so, ``what`` as a title alone."""
    text = " ".join(what.split())
    if not text:
        raise ExplainError("name a course id or title")
    course = _find(engine, text) if engine is not None else None
    if course is None:
        if text.isdigit():
            raise ExplainError(f"no course with id {text}")
        return _explained(text, None, None, [], [], [], lang)
    categories = _categories(engine, course["id"]) if engine is not None else []
    return _explained(
        course["title"],
        course["id"],
        course["description"],
        list(course["skills"] or []),
        categories,
        list(course["topics"] or []),
        lang,
    )


def _explained(
    title: str,
    course_id: int | None,
    description: str | None,
    skills: list[str],
    categories: list[str],
    stored: list[str],
    lang: str,
) -> Explanation:
    from catalog.topics import default_taxonomy

    taxonomy = default_taxonomy()
    reasons = taxonomy.explain(title, description, skills, categories)
    ordered = {taxonomy.label(s, lang): reasons[s] for s in taxonomy.slugs if s in reasons}
    evidence = ["title"]
    if description:
        evidence.append(f"description ({len(description)} characters)")
    if skills:
        evidence.append(f"{len(skills)} skill tags")
    if categories:
        evidence.append("categories " + ", ".join(categories[:8]))
    return Explanation(
        title,
        course_id,
        taxonomy.why_in_scope(title, description, skills, categories),
        ordered,
        stored,
        evidence,
    )


_COLUMNS = ("id", "title", "description", "skills", "topics")


def _find(engine: Engine, text: str) -> dict[str, Any] | None:
    table = Course.__table__  # type: ignore[attr-defined]
    cols = [table.c[name] for name in _COLUMNS]
    with engine.connect() as conn:
        if text.isdigit():
            rows = conn.execute(sa.select(*cols).where(table.c.id == int(text))).all()
        else:
            lowered = sa.func.lower(table.c.title)
            rows = conn.execute(sa.select(*cols).where(lowered == text.lower())).all()
            if not rows:
                like = "%" + text.lower().replace("%", "").replace("_", "") + "%"
                rows = conn.execute(sa.select(*cols).where(lowered.like(like)).limit(6)).all()
    if not rows:
        return None
    if len(rows) > 1:
        shown = "; ".join(f"{r.id}: {r.title}" for r in rows[:5])
        raise ExplainError(f"{len(rows)} or more courses match {text!r} ({shown}); give an id")
    return _parsed(dict(rows[0]._mapping))


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("skills", "topics"):
        if isinstance(row[name], str):
            row[name] = json.loads(row[name])
    return row


def _categories(engine: Engine, course_id: int) -> list[str]:
    """The provider categories of the course's listings, as the scope rule read them."""
    from scrapers.base import as_list

    table = Listing.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        raws = conn.execute(sa.select(table.c.raw).where(table.c.course_id == course_id)).all()
    found: list[str] = []
    for (raw,) in raws:
        if isinstance(raw, str):
            raw = json.loads(raw)
        if isinstance(raw, dict):
            for value in as_list(raw.get("categories")):
                if isinstance(value, str) and value not in found:
                    found.append(value)
    return found
