"""SQLModel tables of the catalog.

``Course`` is the merged, searchable view of one course; ``Listing`` is one sighting of
it in one source, keyed by (source, source_id) and holding the raw values, so a parser
fix can re-normalise without refetching. User data (shortlists, notes, saved searches)
points at ``Course.id``, which never changes once given: courses are never deleted,
only marked stale or removed.

Schema changes go through Alembic (catalog/migrations); these classes are the source
the first migration was written from and must stay in step with the latest one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json(**kw: Any) -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False, **kw))


class CourseBase(SQLModel):
    """The fields of the course record (catalog.record), shared by table and API variants."""

    title: str
    url: str | None = None
    provider: str | None = Field(default=None, index=True)
    platform: str | None = None
    description: str | None = None
    kind: str = "course"
    level: str | None = None
    cost: str | None = None
    price_amount: float | None = None
    price_currency: str | None = None
    price_eur: float | None = None
    price_rate_date: date | None = None
    price_is_estimate: bool = False
    certificate: str | None = None
    hours_min: float | None = None
    hours_max: float | None = None
    weeks: float | None = None
    hours_per_week_min: float | None = None
    hours_per_week_max: float | None = None
    pace: str | None = None
    start_date: date | None = None
    rating: float | None = None
    rating_count: int | None = None
    enrollments: int | None = None
    checked_on: date | None = None


class Course(CourseBase, table=True):
    """One course as the catalog shows it, merged from its listings."""

    __table_args__ = (
        UniqueConstraint("key", name="uq_course_key"),
        # Migration 0003: what catalog.search's snapshot reads, so it reads no course page.
        Index(
            "ix_course_snapshot",
            *("id", "topics", "languages", "sources", "cost", "certificate", "level", "kind"),
            *("provider", "pace", "status", "price_eur", "hours_min", "hours_max", "rating"),
            *("enrollments", "start_date", "first_seen"),
        ).ddl_if(dialect="sqlite"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # "source:source_id" of the listing that created the course; lets bulk loads find
    # the ids they just inserted without a round trip per row.
    key: str
    source: str = Field(index=True)  # source of the primary listing
    source_id: str
    topics: list[str] = _json()
    skills: list[str] = _json()
    languages: list[str] = _json()
    subtitle_languages: list[str] = _json()
    sources: list[str] = _json()  # every source that lists the course
    offers: list[dict[str, Any]] = _json()
    # Diacritic-folded, lower-cased text for full-text search on both dialects.
    search_title: str = ""
    search_body: str = ""
    first_seen: datetime
    last_seen: datetime
    status: str = Field(default="active", index=True)
    updated_at: datetime


# The course columns holding JSON lists: the store writes them serialised, rows read back
# parse them.
COURSE_JSON_COLUMNS = tuple(
    c.name
    for c in Course.__table__.columns  # type: ignore[attr-defined]
    if isinstance(c.type, JSON)
)


class Listing(SQLModel, table=True):
    """One sighting of a course in one source; the unit a refresh upserts."""

    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_listing_source_id"),
        Index("ix_listing_course", "course_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str
    source_id: str
    course_id: int = Field(foreign_key="course.id")
    url: str | None = None
    content_hash: str
    record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    first_seen: datetime
    last_seen: datetime
    status: str = "active"
    missed_refreshes: int = 0


class CourseEvent(SQLModel, table=True):
    """What changed about a course, when, and which source said so: new, price_changed,
    price_eur_changed, cost_changed, certificate_changed, level_changed, start_changed,
    stale, removed, returned (catalog.changes reads them)."""

    __table_args__ = (Index("ix_event_course", "course_id"), Index("ix_event_at", "at"))

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id")
    run_id: int | None = Field(default=None, foreign_key="refreshrun.id")
    at: datetime
    event: str
    old: str | None = None
    new: str | None = None
    source: str | None = None  # migration 0005_plan; None for events recorded before it


class Source(SQLModel, table=True):
    """What the catalog knows about each source: its last refresh and listing count."""

    name: str = Field(primary_key=True)
    title: str = ""
    last_refresh_at: datetime | None = None
    last_success_at: datetime | None = None
    last_state: str | None = None
    listing_count: int = 0


class RefreshRun(SQLModel, table=True):
    """One refresh (or import) of one source, with its outcome counts."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    started_at: datetime
    finished_at: datetime | None = None
    state: str = "running"  # running, ok, failed
    gathered: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errored: int = 0
    out_of_scope: int = 0
    stale: int = 0
    removed: int = 0
    message: str | None = None


class RefreshItem(SQLModel, table=True):
    """Per-object result of a run: its state and, on error, the stage and reason."""

    __table_args__ = (Index("ix_item_run", "run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="refreshrun.id")
    key: str  # URL or source_id
    stage: str  # gather, fetch, parse, import
    state: str  # added, updated, unchanged, errored
    error: str | None = None


class Shortlist(SQLModel, table=True):
    """A named list of courses a person keeps (user data: never touched by refreshes)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    created_at: datetime


class ShortlistItem(SQLModel, table=True):
    """A course on a shortlist, with its position and the person's note."""

    __table_args__ = (
        UniqueConstraint("shortlist_id", "course_id", name="uq_shortlist_course"),
        Index("ix_shortlistitem_list", "shortlist_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shortlist_id: int = Field(foreign_key="shortlist.id", ondelete="CASCADE")
    course_id: int = Field(foreign_key="course.id")
    position: int = 0
    note: str = ""
    added_at: datetime
    # Migration 0005_plan: the person's own target dates for the course.
    plan_start: date | None = None
    finish_by: date | None = None


class SavedSearch(SQLModel, table=True):
    """A search a person named, to come back to and to follow as a feed."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    query: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime
    last_viewed_at: datetime | None = None


class CourseVector(SQLModel, table=True):
    """A course's sentence embedding (migration 0004): the model that made it, the hash
    of the text it was made from, and the vector as float16 bytes."""

    __tablename__ = "course_vector"
    course_id: int = Field(primary_key=True, foreign_key="course.id")
    model: str
    text_hash: str
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Meta(SQLModel, table=True):
    """Small key/value facts: the catalog version bumped on every write (cache key)."""

    key: str = Field(primary_key=True)
    value: str
