"""Scope: normalise raw records and apply the AI/ML scope rule.

:func:`normalize_and_scope` is the one step a refresh (:class:`Normalizer`, a page at a
time) and a file import (``courseradar import``, a row at a time) share; each
words its own item errors and decides what a source id seen twice means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.db import data_dir
from catalog.record import CourseRecord, RawCourse
from catalog.refresh.runs import ItemError, describe, one_line
from scrapers.base import as_list

if TYPE_CHECKING:
    from catalog.rates import Rates

ScopeRule = Callable[[CourseRecord], bool]


def rates_path() -> Path:
    """Where ``courseradar rates update`` keeps the user's newer ECB file."""
    return data_dir() / "ecb_rates.xml"


def current_rates() -> Rates:
    """The newest rates available: the user's copy when newer than the shipped file."""
    from catalog.rates import load_rates

    return load_rates(rates_path())


def record_in_scope(record: CourseRecord) -> bool:
    """The scope rule on a normalised record (categories come from its raw values)."""
    from catalog.topics import in_scope

    categories = as_list(record.raw.get("categories")) if isinstance(record.raw, dict) else []
    return in_scope(record.title, record.description, record.skills, categories)


@dataclass(frozen=True)
class Scoped:
    """One raw record after :func:`normalize_and_scope`.

    Importable when neither ``failed`` nor ``missing`` is set; ``wanted`` is then the
    scope rule's verdict. ``source_id`` is the raw record's when normalising raised.
    """

    record: CourseRecord | None
    source_id: str
    wanted: bool = False
    missing: str | None = None  # "source_id" or "title": the record has none
    failed: str | None = None  # one line: why normalising or the scope rule raised


def normalize_and_scope(
    raw: RawCourse, *, source: str, rates: Rates | None, scope: ScopeRule | None = record_in_scope
) -> Scoped:
    """Normalise ``raw``, check it has a source id and a title, and ask ``scope`` (None:
    everything is wanted). Never raises: a failure is the result's ``failed``."""
    from catalog.normalize import normalize_course

    try:
        rec = normalize_course(raw, source=source, rates=rates)
    except Exception as exc:  # normalize_course promises not to raise; be sure
        sid = str(raw.get("source_id") or "") if isinstance(raw, dict) else ""
        return Scoped(None, sid, failed=one_line(describe(exc)))
    sid = str(rec.source_id or "").strip()
    if not sid:
        return Scoped(rec, sid, missing="source_id")
    if not rec.title:
        return Scoped(rec, sid, missing="title")
    try:
        wanted = scope is None or scope(rec)
    except Exception as exc:
        return Scoped(rec, sid, failed=one_line(f"scope: {describe(exc)}"))
    return Scoped(rec, sid, wanted=bool(wanted))


@dataclass
class Normalized:
    """Records ready for import, by source id, and what did not make it."""

    records: dict[str, CourseRecord] = field(default_factory=dict)
    out_of_scope: set[str] = field(default_factory=set)
    keep: set[str] = field(default_factory=set)  # seen, but not importable this time
    errors: list[ItemError] = field(default_factory=list)

    @property
    def gathered(self) -> int:
        return len(set(self.records) | self.out_of_scope | self.keep)


def normalize_all(
    items: Iterable[tuple[str, RawCourse]],
    *,
    source: str,
    rates: Rates | None = None,
    scope: ScopeRule | None = record_in_scope,
) -> Normalized:
    """Normalise raw records and apply the scope rule; a bad record is an ItemError.

    A source id seen twice keeps the last record (the detail page after the listing).
    ``scope=None`` imports everything.
    """
    normalizer = Normalizer(source=source, rates=rates, scope=scope)
    normalizer.add(items)
    return normalizer.result()


class Normalizer:
    """:func:`normalize_all` a page at a time, so a refresh normalises the records of one
    page while the fetcher waits for the next."""

    def __init__(
        self,
        *,
        source: str,
        rates: Rates | None = None,
        scope: ScopeRule | None = record_in_scope,
    ) -> None:
        self.source, self.rates, self.scope = source, rates, scope
        self.out = Normalized()

    def add(self, items: Iterable[tuple[str, RawCourse]]) -> None:
        """``items`` are (key, raw) pairs; the key (the page's URL) names a record that
        has no source id of its own."""
        out = self.out
        for key, raw in items:
            got = normalize_and_scope(raw, source=self.source, rates=self.rates, scope=self.scope)
            sid = got.source_id
            if got.failed is not None:
                out.errors.append(ItemError(sid or key, "normalize", got.failed))
                if sid:
                    out.keep.add(sid)
            elif got.missing == "source_id":
                title = got.record.title if got.record is not None else ""
                shown = f" ({title[:80]})" if title else ""
                out.errors.append(ItemError(key, "normalize", f"record without a source_id{shown}"))
            elif got.missing == "title":
                out.errors.append(ItemError(sid, "normalize", "record without a title"))
                out.keep.add(sid)
            elif got.wanted and got.record is not None:
                out.records[sid] = got.record
                out.out_of_scope.discard(sid)
            else:
                out.out_of_scope.add(sid)
                out.records.pop(sid, None)

    def result(self) -> Normalized:
        """What was added so far; ``keep`` leaves out ids a later record imported."""
        self.out.keep -= set(self.out.records)
        return self.out
