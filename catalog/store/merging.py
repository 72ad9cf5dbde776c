"""Merge policy: which source's value wins when several sources list one course.

A course's fields are its listings' records merged field by field, in the order of the
sources' merge ranks (``scrapers.merge_rank``, from each source's registry entry); the
summary fields follow their own rule (cost: the cheapest way in, certificate: the best
one on offer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from catalog.record import CERTIFICATE_RANK, COST_RANK, DATE_FIELDS, FIELDS, LIST_FIELDS
from catalog.store.serialise import _hashable
from catalog.text import fold_case_and_accents
from scrapers import merge_rank

# Course fields merged from the listings' records: every field of the record but its
# identity (source, source_id, which every listing has its own) and its raw values.
SCALAR_FIELDS = tuple(f for f in FIELDS if f not in (*LIST_FIELDS, "source", "source_id", "raw"))
# Characters of description indexed: the opening of a description says what a course is
# about; indexing all of it tripled the bulk-load time for little better recall.
SEARCH_LIMIT = 500


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def merge(records: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Course fields from its listings' records, field by field by source priority.

    ``cost`` is the cheapest way in over all listings, ``certificate`` the best one on
    offer: the summary fields say what a learner can get at best.
    """
    if len(records) == 1:
        return _single(*records[0])
    ordered = sorted(records, key=lambda item: merge_rank(item[0]))
    out: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        out[name] = next((r.get(name) for _, r in ordered if r.get(name) is not None), None)
    out["price_is_estimate"] = bool(out["price_is_estimate"])
    out["kind"] = out["kind"] or "course"
    for name in LIST_FIELDS:
        merged: list[Any] = []
        for _, r in ordered:
            for value in r.get(name) or []:
                if value not in merged:
                    merged.append(value)
        out[name] = merged
    costs = [str(r["cost"]) for _, r in ordered if r.get("cost") in COST_RANK]
    out["cost"] = min(costs, key=lambda c: COST_RANK[c]) if costs else None
    certs = [str(r["certificate"]) for _, r in ordered if r.get("certificate") in CERTIFICATE_RANK]
    out["certificate"] = max(certs, key=lambda c: CERTIFICATE_RANK[c]) if certs else None
    for name in DATE_FIELDS:
        out[name] = _date(out[name])
    # by priority, then in listing order (a set's order changed with the hash seed)
    out["sources"] = sorted(dict.fromkeys(s for s, _ in records), key=merge_rank)
    out["search_title"] = fold_case_and_accents(out["title"])[:2000]
    out["search_body"] = _search_body(out)
    return out


def _single(source: str, r: dict[str, Any]) -> dict[str, Any]:
    """merge() for the common case of one listing, without the per-field search."""
    out = {name: r.get(name) for name in SCALAR_FIELDS}
    out["price_is_estimate"] = bool(out["price_is_estimate"])
    out["kind"] = out["kind"] or "course"
    for name in LIST_FIELDS:
        out[name] = list(_hashable(r.get(name) or []).values())
    if out["cost"] not in COST_RANK:
        out["cost"] = None
    if out["certificate"] not in CERTIFICATE_RANK:
        out["certificate"] = None
    for name in DATE_FIELDS:
        out[name] = _date(out[name])
    out["sources"] = [source]
    out["search_title"] = fold_case_and_accents(out["title"])[:2000]
    out["search_body"] = _search_body(out)
    return out


@lru_cache(maxsize=1)
def _topic_words() -> dict[str, str]:
    """Per topic slug, the words a searcher may type for it (slug, English, German)."""
    from catalog.topics import topic_labels

    en, de = topic_labels("en"), topic_labels("de")
    return {slug: f"{slug.replace('-', ' ')} {en[slug]} {de.get(slug, '')}" for slug in en}


def _search_body(course: dict[str, Any]) -> str:
    labels = _topic_words()
    parts = [course.get("provider"), course.get("platform"), *course.get("skills", [])]
    for slug in course.get("topics", []):
        parts.append(labels.get(slug, slug))
    parts.append((course.get("description") or "")[:SEARCH_LIMIT])
    return fold_case_and_accents(" ".join(p for p in parts if p))
