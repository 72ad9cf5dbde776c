"""The course record every source becomes.

Field names are the project's public names for a course; exports and ``--format json`` use them
unchanged. Scrapers produce :class:`~scrapers.base.RawCourse` dicts (strings as the source
wrote them, re-exported here); ``catalog.normalize.normalize_course`` turns one into a
:class:`CourseRecord`. Unknown is ``None``, never a guess.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# The controlled vocabularies live in catalog.vocabulary (values with their labels);
# these names stay importable from here, where code has always found them.
from catalog.vocabulary import CERTIFICATE_RANK as CERTIFICATE_RANK
from catalog.vocabulary import CERTIFICATES as CERTIFICATES
from catalog.vocabulary import COST_RANK as COST_RANK
from catalog.vocabulary import COSTS as COSTS
from catalog.vocabulary import KINDS as KINDS
from catalog.vocabulary import LEVELS as LEVELS
from catalog.vocabulary import PACES as PACES
from catalog.vocabulary import STATUSES as STATUSES
from scrapers.base import RawCourse as RawCourse
from scrapers.base import RawOffer as RawOffer


@dataclass
class Offer:
    """A normalised way to take a course: audit, verified certificate, exam fee ..."""

    label: str
    certificate: str | None = None
    price_amount: float | None = None
    price_currency: str | None = None
    price_eur: float | None = None
    credits: float | None = None


@dataclass
class CourseRecord:
    """The normalised course record. ``raw`` keeps the source's values for re-normalising."""

    source: str
    source_id: str
    title: str
    url: str | None = None
    provider: str | None = None
    platform: str | None = None
    description: str | None = None
    kind: str = "course"
    topics: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    level: str | None = None
    languages: list[str] = field(default_factory=list)
    subtitle_languages: list[str] = field(default_factory=list)
    cost: str | None = None
    price_amount: float | None = None
    price_currency: str | None = None
    price_eur: float | None = None
    price_rate_date: date | None = None
    price_is_estimate: bool = False
    certificate: str | None = None
    offers: list[Offer] = field(default_factory=list)
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
    checked_on: date | None = None  # curated entries: when a person last verified the facts
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (dates as ISO strings)."""
        # Hand-rolled rather than dataclasses.asdict (which deep-copies every value), and
        # converting only the fields typed as dates or lists: a loop over every field
        # was still a tenth of a bulk load.
        out = self.__dict__.copy()  # the fields, in order, as __init__ set them
        if len(out) != len(FIELDS):  # an attribute added or deleted after __init__
            out = {f: getattr(self, f) for f in FIELDS}
        for f in DATE_FIELDS:
            value = out[f]
            if isinstance(value, date):
                out[f] = value.isoformat()
        for f in LIST_FIELDS:
            value = out[f]
            if isinstance(value, list):
                if Offer in map(type, value):
                    out[f] = [dataclasses.asdict(v) if isinstance(v, Offer) else v for v in value]
                else:
                    out[f] = value.copy()
        return out


# The record's field lists, for code that goes over fields (merge, exports, to_dict).
FIELDS = tuple(f.name for f in dataclasses.fields(CourseRecord))
# Annotations are strings here (postponed evaluation): "date | None", "list[Offer]".
DATE_FIELDS = tuple(
    f.name for f in dataclasses.fields(CourseRecord) if str(f.type).split(" ")[0] == "date"
)
LIST_FIELDS = tuple(
    f.name for f in dataclasses.fields(CourseRecord) if str(f.type).startswith("list[")
)
