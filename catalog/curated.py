"""The curated starter catalog that ships inside the package.

A fresh machine without network still gets a useful catalog: ``catalog/data/curated.toml``
holds entries a person wrote by hand from each provider's public course page. This module
reads that file with the standard library, checks every entry strictly (a typo in a
hand-written file must fail loudly, not become a half-empty record) and returns
:class:`~catalog.record.CourseRecord` objects with ``source="curated"``.

Prices stay in the currency the file states; converting to EUR is the import pipeline's job.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from catalog.record import CERTIFICATES, COSTS, KINDS, LEVELS, PACES, CourseRecord, Offer

SOURCE = "curated"
DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "curated.toml"

REQUIRED_KEYS = ("id", "title", "provider", "url", "kind", "topics", "checked")
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "cost": COSTS,
    "certificate": CERTIFICATES,
    "level": LEVELS,
    "pace": PACES,
}
_TEXT_KEYS = ("id", "title", "provider", "platform", "url", "description", "price_currency")
_LIST_KEYS = ("topics", "skills", "languages", "subtitle_languages")
_NUMBER_KEYS = (
    "price_amount",
    "hours_min",
    "hours_max",
    "weeks",
    "hours_per_week_min",
    "hours_per_week_max",
)
_DATE_KEYS = ("checked", "start_date")
ENTRY_KEYS = frozenset(
    (*_TEXT_KEYS, *_LIST_KEYS, *_NUMBER_KEYS, *_DATE_KEYS, *VOCABULARIES, "offers")
)
OFFER_KEYS = frozenset(("label", "certificate", "price_amount", "price_currency", "credits"))

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")  # BCP 47, the shapes we use
_CURRENCY = re.compile(r"^[A-Z]{3}$")  # ISO 4217


class CuratedDataError(ValueError):
    """A curated entry breaks the file's rules; the one-line message names the entry."""


def load_curated(path: Path | None = None) -> list[CourseRecord]:
    """Read, validate and convert the curated file (the packaged one by default)."""
    source = DEFAULT_PATH if path is None else Path(path)
    try:
        with source.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CuratedDataError(f"{source}: not valid TOML: {_one_line(str(exc))}") from exc

    entries = document.get("course", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CuratedDataError(f"{source}: expected [[course]] tables")

    records: list[CourseRecord] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        name = _entry_name(entry, position)
        _validate_entry(entry, name)
        if entry["id"] in seen:
            raise CuratedDataError(f"{name}: duplicate id")
        seen.add(entry["id"])
        records.append(_to_record(entry))
    return records


def _entry_name(entry: dict[str, Any], position: int) -> str:
    """How an error message names an entry: its id, or its position when the id is missing."""
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id:
        return f"curated entry {entry_id!r}"
    return f"curated entry #{position} (no id)"


def _validate_entry(entry: dict[str, Any], name: str) -> None:
    """Raise CuratedDataError on the first rule an entry breaks."""

    def fail(problem: str) -> None:
        raise CuratedDataError(f"{name}: {problem}")

    for key in REQUIRED_KEYS:
        if key not in entry:
            fail(f"missing required key {key!r}")
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        fail(f"unknown key(s) {', '.join(unknown)}")

    for key in _TEXT_KEYS:
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            fail(f"{key} must be a non-empty string")
    for key, vocabulary in VOCABULARIES.items():
        if key in entry and entry[key] not in vocabulary:
            fail(f"{key} {entry[key]!r} is not one of {', '.join(vocabulary)}")
    for key in _LIST_KEYS:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            fail(f"{key} must be a list of non-empty strings")
    for key in _NUMBER_KEYS:
        if key in entry and not _is_number(entry[key]):
            fail(f"{key} must be a non-negative number")
    for key in _DATE_KEYS:
        # datetime is a subclass of date; a time of day would be a false precision here.
        if key in entry and (not isinstance(entry[key], date) or isinstance(entry[key], datetime)):
            fail(f"{key} must be a TOML date (YYYY-MM-DD)")

    if not _SLUG.match(entry["id"]):
        fail("id must be a lowercase slug (a-z, 0-9, single hyphens)")
    if not entry["url"].startswith("https://"):
        fail(f"url {entry['url']!r} must start with https://")
    if not entry["topics"]:
        fail("topics must not be empty")
    bad_topics = [t for t in entry["topics"] if not _SLUG.match(t)]
    if bad_topics:
        fail(f"topic(s) {', '.join(bad_topics)} are not slugs")
    for key in ("languages", "subtitle_languages"):
        bad = [code for code in entry.get(key, []) if not _LANGUAGE.match(code)]
        if bad:
            fail(f"{key} {', '.join(bad)} are not BCP 47 codes")
    problem = _price_problem(entry)
    if problem:
        fail(problem)
    for low, high in (("hours_min", "hours_max"), ("hours_per_week_min", "hours_per_week_max")):
        if low in entry and high in entry and entry[low] > entry[high]:
            fail(f"{low} is greater than {high}")

    offers = entry.get("offers", [])
    if not isinstance(offers, list) or not all(isinstance(o, dict) for o in offers):
        fail("offers must be [[course.offers]] tables")
    for number, offer in enumerate(offers, start=1):
        problem = _offer_problem(offer)
        if problem:
            fail(f"offer #{number}: {problem}")


def _offer_problem(offer: dict[str, Any]) -> str | None:
    """What is wrong with one offer, or None."""
    unknown = sorted(set(offer) - OFFER_KEYS)
    if unknown:
        return f"unknown key(s) {', '.join(unknown)}"
    label = offer.get("label")
    if not isinstance(label, str) or not label.strip():
        return "label must be a non-empty string"
    if "certificate" in offer and offer["certificate"] not in CERTIFICATES:
        return f"certificate {offer['certificate']!r} is not one of {', '.join(CERTIFICATES)}"
    if "credits" in offer and not _is_number(offer["credits"]):
        return "credits must be a non-negative number"
    if "price_amount" in offer and not _is_number(offer["price_amount"]):
        return "price_amount must be a non-negative number"
    return _price_problem(offer)


def _price_problem(table: dict[str, Any]) -> str | None:
    """An amount without a currency (or the reverse) cannot be compared; say so."""
    has_amount, has_currency = "price_amount" in table, "price_currency" in table
    if has_amount != has_currency:
        return "price_amount and price_currency must be given together"
    if has_currency and (
        not isinstance(table["price_currency"], str) or not _CURRENCY.match(table["price_currency"])
    ):
        return f"price_currency {table['price_currency']!r} is not an ISO 4217 code"
    return None


def _is_number(value: Any) -> bool:
    """TOML ints and floats count; booleans (an int subclass) and negatives do not."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _to_record(entry: dict[str, Any]) -> CourseRecord:
    """Build the record from an entry that already passed validation."""
    offers = [
        Offer(
            label=offer["label"],
            certificate=offer.get("certificate"),
            price_amount=_float(offer.get("price_amount")),
            price_currency=offer.get("price_currency"),
            credits=_float(offer.get("credits")),
        )
        for offer in entry.get("offers", [])
    ]
    return CourseRecord(
        source=SOURCE,
        source_id=entry["id"],
        title=entry["title"].strip(),
        url=entry["url"],
        provider=entry["provider"].strip(),
        platform=entry.get("platform"),
        description=entry.get("description"),
        kind=entry["kind"],
        topics=list(entry["topics"]),
        skills=list(entry.get("skills", [])),
        level=entry.get("level"),
        languages=list(entry.get("languages", [])),
        subtitle_languages=list(entry.get("subtitle_languages", [])),
        cost=entry.get("cost"),
        price_amount=_float(entry.get("price_amount")),
        price_currency=entry.get("price_currency"),
        certificate=entry.get("certificate"),
        offers=offers,
        hours_min=_float(entry.get("hours_min")),
        hours_max=_float(entry.get("hours_max")),
        weeks=_float(entry.get("weeks")),
        hours_per_week_min=_float(entry.get("hours_per_week_min")),
        hours_per_week_max=_float(entry.get("hours_per_week_max")),
        pace=entry.get("pace"),
        start_date=entry.get("start_date"),
        checked_on=entry["checked"],
        raw=_jsonable(entry),
    )


def _jsonable(value: Any) -> Any:
    """Copy an entry with dates as ISO strings, so ``raw`` survives json.dumps."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _one_line(text: str) -> str:
    return " ".join(text.split())
