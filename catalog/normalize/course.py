"""One raw listing -> its :class:`catalog.record.CourseRecord`, from the field normalisers."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from catalog.normalize.cost import CostAndCertificate, normalize_cost_and_certificate
from catalog.normalize.counts import parse_count, parse_rating
from catalog.normalize.dates import parse_date
from catalog.normalize.effort import (
    Effort,
    _months_needed,
    estimate_subscription_cost,
    parse_effort,
)
from catalog.normalize.labels import normalize_kind_of, normalize_level, normalize_pace
from catalog.normalize.languages import normalize_languages
from catalog.normalize.primitives import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_TITLE_CHARS
from catalog.normalize.text import _short_text, clean_text, safe_url
from catalog.rates import Rates
from catalog.record import CourseRecord, RawCourse

_log = logging.getLogger(__name__)


Classifier = Callable[[str, str | None, list[str], list[str]], list[str]]


def _text_list(value: object, limit: int = 200) -> list[str]:
    """Tags from a list or a comma/semicolon separated string, cleaned and deduped in order."""
    if isinstance(value, str | bytes | bytearray):
        text = _short_text(value, MAX_DESCRIPTION_CHARS) or ""
        items: list[object] = list(re.split(r"\s*[,;|]\s*", text))
    elif isinstance(value, list | tuple):
        items = list(value[: limit * 2])
    else:
        return []
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("title")
        cleaned = _short_text(item, MAX_NAME_CHARS) if isinstance(item, str) else None
        if cleaned and cleaned not in out and len(out) < limit:
            out.append(cleaned)
    return out


def _jsonable(value: object, depth: int = 0) -> Any:
    """A JSON-safe copy: JSON values pass untouched; dates become ISO text, tuples/sets lists,
    bytes text, non-finite floats None, anything else its repr. Deep or cyclic nesting is cut."""
    if depth > 40:
        return None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v, depth + 1) for v in value]
    return repr(value)


def _default_classifier() -> Classifier:
    """``catalog.topics.classify``, imported on first use; where that module cannot be
    imported, a classifier that tags nothing: a record without topics beats no record."""
    try:
        from catalog.topics import classify
    except ImportError:
        return _no_topics
    return classify


def _no_topics(
    title: str, description: str | None, skills: list[str], cats: list[str]
) -> list[str]:
    return []


def _topics(
    classify: Classifier,
    title: str,
    description: str | None,
    skills: list[str],
    categories: list[str],
) -> list[str]:
    try:
        result = classify(title, description, skills, categories)
    except Exception:  # the taxonomy must not cost us the record
        _log.warning("topic classifier failed on %r", title[:80], exc_info=True)
        return []
    if not isinstance(result, list | tuple):
        return []
    return [t for t in dict.fromkeys(result) if isinstance(t, str) and t]


def _provider(value: object) -> str | None:
    if isinstance(value, list | tuple):
        names = _text_list(list(value), limit=20)
        return _short_text(", ".join(names), MAX_NAME_CHARS)
    if isinstance(value, Mapping):
        return _short_text(value.get("name"), MAX_NAME_CHARS)
    return _short_text(value, MAX_NAME_CHARS)


def _to_eur(rates: Rates | None, amount: float | None, currency: str | None) -> float | None:
    if amount is None or currency is None:
        return None
    if currency == "EUR":
        return round(amount, 2)
    return rates.to_eur(amount, currency) if rates is not None else None


def normalize_course(
    raw: RawCourse,
    *,
    source: str,
    rates: Rates | None = None,
    classify: Classifier | None = None,
) -> CourseRecord:
    """The normalised :class:`CourseRecord` of one raw listing; never raises.

    ``rates`` converts prices to EUR (pass ``catalog.rates.load_rates()``; normalising does no I/O,
    so without rates only EUR prices get a ``price_eur``). ``classify(title, description, skills,
    categories)`` tags topics; by default ``catalog.topics.classify``.
    A subscription course's ``price_amount`` is the estimated cost to its certificate
    (``price_is_estimate=True``: monthly price x months needed at the stated effort, from hours and
    hours per week, else from weeks); without any length it stays the monthly price
    (``price_is_estimate=False``, ``cost="subscription"`` says it is per month). Each offer keeps
    its own stated price.
    """
    data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    source_name = source if isinstance(source, str) else str(source)
    try:
        return _normalize_course(data, source_name, rates, classify)
    except Exception:  # last line of defence: a bare record, raw kept for a later re-run
        _log.warning("normalize_course failed for %s", source_name, exc_info=True)
        return CourseRecord(
            source=source_name,
            source_id=clean_text(str(data.get("source_id", ""))) or "",
            title=_short_text(data.get("title"), MAX_TITLE_CHARS) or "",
            raw=_jsonable(dict(data)),
        )


def _normalize_course(
    raw: Mapping[str, Any], source: str, rates: Rates | None, classify: Classifier | None
) -> CourseRecord:
    source_id = raw.get("source_id")
    title = _short_text(raw.get("title"), MAX_TITLE_CHARS) or ""
    description = _short_text(raw.get("description"), MAX_DESCRIPTION_CHARS)
    skills = _text_list(raw.get("skills"))
    categories = _text_list(raw.get("categories"))
    effort = parse_effort(raw.get("effort"), raw.get("duration"))
    price = _price(raw, effort, rates)
    if classify is None:
        classify = _default_classifier()
    return CourseRecord(
        source=source,
        source_id=(clean_text(str(source_id)) or "") if source_id is not None else "",
        title=title,
        url=safe_url(raw.get("url")),
        provider=_provider(raw.get("provider")),
        platform=_short_text(raw.get("platform"), MAX_NAME_CHARS),
        description=description,
        kind=normalize_kind_of(raw.get("kind"), raw.get("certificate")),
        topics=_topics(classify, title, description, skills, categories),
        skills=skills,
        level=normalize_level(raw.get("level")),
        languages=normalize_languages(raw.get("language")),
        subtitle_languages=normalize_languages(raw.get("subtitle_languages")),
        cost=price.money.cost,
        price_amount=price.amount,
        price_currency=price.money.price_currency,
        price_eur=price.eur,
        price_rate_date=price.rate_date,
        price_is_estimate=price.is_estimate,
        certificate=price.money.certificate,
        offers=price.money.offers,
        hours_min=effort.hours_min,
        hours_max=effort.hours_max,
        weeks=effort.weeks,
        hours_per_week_min=effort.hours_per_week_min,
        hours_per_week_max=effort.hours_per_week_max,
        pace=normalize_pace(raw.get("pace")),
        start_date=parse_date(raw.get("start_date")),
        rating=parse_rating(raw.get("rating")),
        rating_count=parse_count(raw.get("rating_count")),
        enrollments=parse_count(raw.get("enrollments")),
        raw=_jsonable(dict(raw)),
    )


@dataclass
class _Price:
    """A record's price fields: the cost model's, with the subscription estimate and EUR."""

    money: CostAndCertificate
    amount: float | None
    is_estimate: bool
    eur: float | None
    rate_date: date | None


def _price(raw: Mapping[str, Any], effort: Effort, rates: Rates | None) -> _Price:
    """Cost model and certificate of a listing, its price (a subscription's estimated to the
    certificate) and that price and each offer's in EUR."""
    extra_raw = raw.get("extra")
    extra: Mapping[str, Any] = extra_raw if isinstance(extra_raw, Mapping) else {}
    money = normalize_cost_and_certificate(
        raw.get("price"),
        raw.get("currency"),
        cost=raw.get("cost"),
        certificate=raw.get("certificate"),
        offers=raw.get("offers"),
        kind=raw.get("kind"),
        free=extra.get("free"),
        has_certificates=extra.get("has_certificates"),
    )
    amount, is_estimate = money.price_amount, False
    if money.cost == "subscription" and money.per_month and amount is not None:
        estimate = _subscription_estimate(amount, effort)
        if estimate is not None:
            amount, is_estimate = estimate, True
    eur = _to_eur(rates, amount, money.price_currency)
    for offer in money.offers:
        offer.price_eur = _to_eur(rates, offer.price_amount, offer.price_currency)
    rate_date = (
        rates.date
        if rates is not None and eur is not None and money.price_currency != "EUR"
        else None
    )
    return _Price(money, amount, is_estimate, eur, rate_date)


def _subscription_estimate(monthly: float, effort: Effort) -> float | None:
    """Cost to the certificate at the stated effort: from hours / hours-per-week, else weeks."""
    hours = effort.hours_max if effort.hours_max is not None else effort.hours_min
    pace = (
        effort.hours_per_week_max
        if effort.hours_per_week_max is not None
        else effort.hours_per_week_min
    )
    if hours is not None and pace is not None:
        return estimate_subscription_cost(monthly, hours, pace)
    if effort.weeks is not None and effort.weeks > 0:
        return round(monthly * _months_needed(effort.weeks), 2)
    return None
