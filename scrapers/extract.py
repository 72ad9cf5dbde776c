"""schema.org course data -> raw records: the mapping many course sites share, written once.

``course_from_schema`` follows https://schema.org/Course, /CourseInstance, /Offer,
/LearningResource and /EducationalOccupationalProgram, as seen in real documents: the SIB
Course with CHF offers, the NBIS CourseInstance array and the GTN LearningResource page
(tests/test_scrapers_realdata_a.py). Pure, like ``scrapers.markup``, which finds the nodes.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapers.base import RawCourse, RawOffer
from scrapers.clean import html_text
from scrapers.markup import as_nodes, json_ld, microdata, schema_courses, types_of

# --------------------------------------------------------------------------- value helpers


def _literal(value: Any) -> str | None:
    """A schema.org text value: string, number, {"@value"}, {"name"}, or a list of them."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        v = value.strip()
        return v or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        for key in ("@value", "name", "value"):
            if key in value:
                return _literal(value[key])
        return None
    if isinstance(value, list):
        for v in value:
            lit = _literal(v)
            if lit:
                return lit
    return None


def _names(value: Any) -> list[str]:
    """Names of things: strings, {"name"} objects, lists of either."""
    out: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        lit = _literal(v)
        if lit and lit not in out:
            out.append(lit)
    return out


def _languages(value: Any) -> list[str]:
    """inLanguage: "de", ["en", "de"], {"@type": "Language", "name", "alternateName"}."""
    out: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, dict):
            lit = _literal(v.get("alternateName")) or _literal(v.get("name"))
        else:
            lit = _literal(v)
        if lit and lit not in out:
            out.append(lit)
    return out


def _keywords(value: Any) -> list[str]:
    out: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        lit = _literal(v)
        if not lit:
            continue
        for part in lit.split(","):
            p = html_lib.unescape(part).strip()
            if p and p.lower() not in {o.lower() for o in out}:
                out.append(p)
    return out


def _http_url(value: Any, base: str) -> str | None:
    lit = _literal(value)
    if not lit:
        return None
    url = urljoin(base, lit) if base else lit
    return url if urlsplit(url).scheme in ("http", "https") else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "item"


def _price_value(price: Any) -> float | None:
    if isinstance(price, bool):
        return None
    if isinstance(price, int | float):
        return float(price)
    if isinstance(price, str):
        m = re.search(r"\d+(?:[.,]\d+)?", price)
        if m:
            return float(m.group(0).replace(",", "."))
    return None


def _offers(value: Any) -> list[RawOffer]:
    out: list[RawOffer] = []
    for off in as_nodes(value):
        price = off.get("price")
        currency = off.get("priceCurrency")
        spec = off.get("priceSpecification")
        if price is None and isinstance(spec, dict | list):
            spec0 = as_nodes(spec)[0] if as_nodes(spec) else {}
            price = spec0.get("price")
            currency = currency or spec0.get("priceCurrency")
        if price is None and off.get("lowPrice") is not None:
            price = off.get("lowPrice")
        offer: RawOffer = {
            "label": _literal(off.get("name")) or _literal(off.get("category")) or "offer"
        }
        if price is not None and not isinstance(price, dict | list):
            offer["price"] = price
        if _literal(currency):
            offer["currency"] = _literal(currency)
        if offer not in out:
            out.append(offer)
    return out


def _modes(value: Any) -> list[str]:
    # NBIS writes one mode with curly quotes (“onsite”): strip quote marks, keep the word.
    return [m.strip(" \"'“”‘’") for m in _names(value)]


_PACE_WORDS = ("self-paced", "self paced", "selfpaced", "asynchronous", "synchronous", "scheduled")


# --------------------------------------------------------------------------- the mapping


def course_from_schema(obj: dict[str, Any], *, page_url: str) -> RawCourse | None:
    """One schema.org Course-like node -> a RawCourse with the source's own spellings.

    Returns None when the node has no name (nothing to list). ``source_id``: see
    :func:`_source_id`. The next start is the latest ``startDate`` among the runs (parse is
    pure and does not know today's date); all runs' starts are kept in ``extra``.
    """
    types = types_of(obj)
    title = _literal(obj.get("name")) or _literal(obj.get("headline"))
    if not title:
        return None
    is_instance = "CourseInstance" in types and "Course" not in types
    # The runs of a Course; a bare CourseInstance is its own run.
    runs = [obj] if is_instance else as_nodes(obj.get("hasCourseInstance"))
    # Offers, keywords and skills of the runs count too, unless the node is the run itself.
    other_runs = [] if is_instance else runs

    own_url = _http_url(obj.get("url"), page_url) or _http_url(obj.get("@id"), page_url)
    page = page_url if urlsplit(page_url).scheme in ("http", "https") else None
    rec: RawCourse = {"title": " ".join(title.split()), "url": own_url or page}
    starts = sorted({s for s in (_literal(i.get("startDate")) for i in runs) if s})
    rec["source_id"] = _source_id(obj, page_url, own_url, title, starts if is_instance else [])
    _add_about(rec, obj, types, runs)
    _add_offers(rec, obj, other_runs)
    modes = _add_schedule(rec, obj, runs, starts)
    _add_reception(rec, obj, other_runs)
    rec["extra"] = _extra(types, modes, starts, runs)
    return rec


def _source_id(
    obj: dict[str, Any], page_url: str, own_url: str | None, title: str, starts: list[str]
) -> str:
    """courseCode or a non-URL identifier (prefixed with the page's host, as codes repeat
    across sites); else the node's own URL or ``@id``; else ``<page_url>#<name slug>``, with
    ``-<latest start>`` for a CourseInstance (``starts`` given). A URL-valued ``identifier``
    is not used: GTN gives every tutorial the same repository URL there."""
    code = _literal(obj.get("courseCode"))
    ident = obj.get("identifier")
    if isinstance(ident, dict):
        ident = ident.get("value") or ident.get("@value")
    ident_lit = _literal(ident)
    if ident_lit and urlsplit(ident_lit).scheme in ("http", "https"):
        ident_lit = None
    key = code or ident_lit
    if key:
        host = urlsplit(page_url).netloc
        return f"{host}:{key}" if host else key
    if own_url:
        return own_url
    suffix = f"-{starts[-1][:10]}" if starts else ""
    return f"{page_url}#{_slug(title)}{suffix}"


def _add_about(
    rec: RawCourse, obj: dict[str, Any], types: list[str], runs: list[dict[str, Any]]
) -> None:
    """Description, provider, languages, level and kind; provider and languages from the
    runs when the course itself does not state them."""
    description = _literal(obj.get("description")) or _literal(obj.get("abstract"))
    if description:
        rec["description"] = html_text(description) if "</" in description else description.strip()

    providers = _names(obj.get("provider")) or _names(obj.get("organizer"))
    if not providers:
        for run in runs:
            providers = _names(run.get("provider")) or _names(run.get("organizer"))
            if providers:
                break
    if providers:
        rec["provider"] = providers[0] if len(providers) == 1 else providers

    langs = _languages(obj.get("inLanguage"))
    if not langs:
        for run in runs:
            langs += [x for x in _languages(run.get("inLanguage")) if x not in langs]
    if langs:
        rec["language"] = langs[0] if len(langs) == 1 else langs

    level = _literal(obj.get("educationalLevel"))
    if level:
        rec["level"] = level
    if "CourseInstance" in types or "Course" in types or "LearningResource" in types:
        rec["kind"] = "course"


def _add_offers(rec: RawCourse, obj: dict[str, Any], other_runs: list[dict[str, Any]]) -> None:
    """Offers (the cheapest one's price as the price), a free course, the credential."""
    offers = _offers(obj.get("offers"))
    for run in other_runs:
        offers += [o for o in _offers(run.get("offers")) if o not in offers]
    if offers:
        rec["offers"] = offers
        priced = [(v, o) for o in offers if (v := _price_value(o.get("price"))) is not None]
        if priced:
            _, cheapest = min(priced, key=lambda p: p[0])
            rec["price"] = cheapest.get("price")
            if cheapest.get("currency"):
                rec["currency"] = cheapest.get("currency")
    if obj.get("isAccessibleForFree") is True or any(
        (_literal(o.get("category")) or "").lower() == "free" for o in as_nodes(obj.get("offers"))
    ):
        rec["cost"] = "free"

    credential = obj.get("educationalCredentialAwarded")
    cert = _literal(credential)
    if isinstance(credential, dict) and not cert:
        cert = _literal(credential.get("credentialCategory"))
    if cert:
        rec["certificate"] = cert


def _add_schedule(
    rec: RawCourse, obj: dict[str, Any], runs: list[dict[str, Any]], starts: list[str]
) -> list[str]:
    """Pace (from the runs' courseMode), effort, duration and the latest start; returns the
    course modes seen."""
    modes: list[str] = []
    for run in runs:
        modes += [m for m in _modes(run.get("courseMode")) if m not in modes]
    for word in _PACE_WORDS:
        hit = next((m for m in modes if m.lower() == word), None)
        if hit:
            rec["pace"] = hit
            break
    effort = _literal(obj.get("timeRequired"))
    duration = None
    for run in runs:
        effort = effort or _literal(run.get("courseWorkload"))
        duration = duration or _literal(run.get("duration"))
    if effort:
        rec["effort"] = effort
    if duration:
        rec["duration"] = duration
    if starts:
        rec["start_date"] = starts[-1]
    return modes


def _add_reception(rec: RawCourse, obj: dict[str, Any], other_runs: list[dict[str, Any]]) -> None:
    """Rating, skills (keywords and ``teaches``) and the provider's subjects (``about``)."""
    rating = obj.get("aggregateRating")
    if isinstance(rating, dict):
        if _literal(rating.get("ratingValue")):
            rec["rating"] = _literal(rating.get("ratingValue"))
        count = _literal(rating.get("ratingCount")) or _literal(rating.get("reviewCount"))
        if count:
            rec["rating_count"] = count

    skills = _keywords(obj.get("keywords")) + _names(obj.get("teaches"))
    for run in other_runs:
        skills += _keywords(run.get("keywords"))
    skills = list(dict.fromkeys(skills))
    if skills:
        rec["skills"] = skills
    categories = _names(obj.get("about"))
    if categories:
        rec["categories"] = categories


def _extra(
    types: list[str], modes: list[str], starts: list[str], runs: list[dict[str, Any]]
) -> dict[str, Any]:
    extra: dict[str, Any] = {"schema_type": types[0] if len(types) == 1 else types}
    if modes:
        extra["course_mode"] = modes
    if len(starts) > 1:
        extra["start_dates"] = starts
    schedules = [r.get("courseSchedule") for r in runs if r.get("courseSchedule")]
    if schedules:
        extra["course_schedule"] = schedules[0] if len(schedules) == 1 else schedules
    return extra


def courses_from_page(content: str | bytes, page_url: str) -> tuple[list[RawCourse], int]:
    """JSON-LD then microdata of an HTML page -> records, and how many course nodes were seen."""
    nodes = schema_courses(json_ld(content))
    if not nodes:
        nodes = schema_courses(microdata(content))
    records = [r for r in (course_from_schema(n, page_url=page_url) for n in nodes) if r]
    return records, len(nodes)
