"""Coursera: the public catalog API (no sign-in).

Endpoints relied on:

* ``GET https://api.coursera.org/api/courses.v1?start=&limit=100&fields=...&includes=partnerIds``
  -> ``elements[]`` (id, slug, name, description, primaryLanguages, subtitleLanguages,
  workload, certificates, domainTypes[{domainId, subdomainId}], partnerIds, instructorIds,
  specializations, startDate, photoUrl, courseType), ``paging{next, total}`` and
  ``linked{"partners.v1": [{id, name}]}``. ``paging.next`` is the ``start`` of the next page;
  it is missing on the last page. Course page ``https://www.coursera.org/learn/{slug}``.
* ``GET https://api.coursera.org/api/onDemandSpecializations.v1`` (same paging) -> id, slug,
  name, description, tagline, partnerIds, courseIds, productVariant (``NormalS12n`` or
  ``ProfessionalCertificateS12n``, which live under ``/specializations/`` and
  ``/professional-certificates/``). Field names from public code: Coursera's own front-end
  resource ``onDemandSpecializations.v1`` and open-source clients listing it with
  ``limit``/``start``.

Also understood, because real bodies of them exist: a memberships answer whose courses sit in
``linked["courses.v1"]``, and the legacy (2013) course-about JSON (name, shortName,
shortDescription, estimatedClassWorkload, instructor); its topic ``id`` N is the course
``v1-N`` of courses.v1 (checked against a real 2015 listing).

Prices are not in the API, so price stays null; a ``certificates`` value (e.g. VerifiedCert)
becomes the hint "Course certificate". Raw values are written as phrases the normaliser
reads ("self-paced", "Course certificate"); the source's own codes stay in ``extra``.
Confirmed: courses.v1 and linked partners.v1 against two real 2016 pages (200 courses);
specialization fields from public code only; not checked live.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapers.base import Fetcher, ParseResult, RawCourse, Request, Scraper, as_list
from scrapers.bodies import api_json
from scrapers.clean import clean_str, page_error

PAGE_SIZE = 100
COURSE_FIELDS = (
    "name,slug,description,primaryLanguages,subtitleLanguages,workload,certificates,"
    "domainTypes,partnerIds,instructorIds,specializations,startDate,photoUrl,courseType"
)
SPECIALIZATION_FIELDS = "name,slug,description,tagline,partnerIds,courseIds,productVariant"
WEB = "https://www.coursera.org"
# courseType -> pace. v1.session courses ran on a calendar; v2 courses are on demand.
# Values are phrases the normaliser reads (catalog.normalize.normalize_pace), not vocabulary ids.
_PACE = {"v1.session": "scheduled", "v2.ondemand": "self-paced", "v2.capstone": "self-paced"}

_error = partial(page_error, "coursera")
# Coursera's texts are kept as written, inner line breaks included: only the ends are stripped.
_stripped = partial(clean_str, collapse=False)


class CourseraScraper(Scraper):
    name = "coursera"
    title = "Coursera"
    homepage = "https://www.coursera.org"
    endpoints: ClassVar[dict[str, str]] = {
        "courses": "https://api.coursera.org/api/courses.v1",
        "specializations": "https://api.coursera.org/api/onDemandSpecializations.v1",
    }
    confirmed = (
        "courses.v1 format from the two saved 2016 pages in shared/realdata (200 courses, "
        "linked partners.v1); onDemandSpecializations.v1 fields from public code; not checked live"
    )

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        """First page of courses, then first page of specializations / professional certs."""
        yield Request(self._page_url("courses", 0), kind="courses")
        yield Request(self._page_url("specializations", 0), kind="specializations")

    def _page_url(self, endpoint: str, start: int) -> str:
        fields = COURSE_FIELDS if endpoint == "courses" else SPECIALIZATION_FIELDS
        query = {
            "start": str(start),
            "limit": str(PAGE_SIZE),
            "fields": fields,
            "includes": "partnerIds",
        }
        return self.endpoint[endpoint] + "?" + urlencode(query, safe=",.()")

    def read(self, content: bytes, url: str) -> ParseResult:
        try:
            data = api_json(content, dict)
        except ValueError as exc:
            return _error(str(exc))
        if "elements" not in data:
            if _is_legacy_about(data):
                return _parse_legacy(data)
            return _error("no 'elements' in answer (not a Coursera API body)")
        elements = data["elements"]
        if not isinstance(elements, list):
            return _error("'elements' is not a list")

        linked: dict[str, Any] = data["linked"] if isinstance(data.get("linked"), dict) else {}
        partners = _names_by_id(linked.get("partners.v1"), "name")
        specs = _names_by_id(linked.get("specializations.v1"), "name")
        instructors = _names_by_id(linked.get("instructors.v1"), "fullName")

        result = ParseResult()
        is_spec_page = "onDemandSpecializations" in url
        for i, element in enumerate(elements):
            if not isinstance(element, dict):
                result.errors.append(f"coursera: element {i} is not an object")
                continue
            if "name" not in element:
                continue  # membership rows and the like: not listings
            if is_spec_page or ("courseIds" in element and "courseType" not in element):
                record = _specialization(element, partners)
            else:
                record = _course(element, partners, specs, instructors)
            if record is None:
                result.errors.append(f"coursera: element {i} has no id or name")
            else:
                result.records.append(record)

        # A memberships answer carries its courses only under linked["courses.v1"].
        if not result.records and isinstance(linked.get("courses.v1"), list):
            for element in linked["courses.v1"]:
                if isinstance(element, dict):
                    record = _course(element, partners, specs, instructors)
                    if record is not None:
                        result.records.append(record)

        follow = self._next_page(data.get("paging"), url, is_spec_page, result)
        if follow is not None:
            result.follow.append(follow)
        return result

    def _next_page(
        self, paging: Any, url: str, is_spec_page: bool, result: ParseResult
    ) -> Request | None:
        if not isinstance(paging, dict) or paging.get("next") in (None, ""):
            return None
        try:
            nxt = int(paging["next"])
        except (TypeError, ValueError):
            result.errors.append(f"coursera: paging.next is not a number: {paging['next']!r}")
            return None
        current = _start_of(url)
        if nxt <= current:
            result.errors.append(f"coursera: paging.next {nxt} does not move past start {current}")
            return None
        endpoint = "specializations" if is_spec_page else "courses"
        if url.startswith(("http://", "https://")):
            next_url = _replace_query(url, start=str(nxt))
        else:  # parsing a saved file: continue against the configured endpoint
            next_url = self._page_url(endpoint, nxt)
        return Request(next_url, kind=endpoint)


def _course(
    element: dict[str, Any],
    partners: dict[str, str],
    specs: dict[str, str],
    instructors: dict[str, str],
) -> RawCourse | None:
    course_id = _stripped(element.get("id"))
    title = _stripped(element.get("name"))
    if not course_id or not title:
        return None
    slug = _stripped(element.get("slug"))
    record = RawCourse(
        source_id=course_id,
        title=title,
        url=f"{WEB}/learn/{slug}" if slug else None,
        platform="Coursera",
        kind="course",
    )
    partner_ids = _add_provider(record, element, partners)
    description = _stripped(element.get("description"))
    if description:
        record["description"] = description
    languages = as_list(element.get("primaryLanguages"))
    if languages:
        record["language"] = languages
    subtitles = as_list(element.get("subtitleLanguages"))
    if subtitles:
        record["subtitle_languages"] = subtitles
    categories = _domain_categories(element.get("domainTypes"))
    if categories:
        record["categories"] = categories
    workload = _stripped(element.get("workload"))
    if workload:
        record["effort"] = workload
    certificates = as_list(element.get("certificates"))
    if certificates:  # e.g. ["VerifiedCert"]: a paid course certificate exists
        record["certificate"] = "Course certificate"
    course_type = _stripped(element.get("courseType"))
    if course_type in _PACE:
        record["pace"] = _PACE[course_type]
    start = _epoch_ms_to_date(element.get("startDate"))
    if start and course_type == "v1.session":
        record["start_date"] = start  # on-demand courses report a launch date, not a next start

    extra: dict[str, Any] = {}
    if certificates:
        extra["certificates"] = certificates
    if course_type:
        extra["course_type"] = course_type
    if partner_ids:
        extra["partner_ids"] = partner_ids
    extra.update(_linked_extra(element, specs, instructors))
    if extra:
        record["extra"] = extra
    return record


def _add_provider(
    record: RawCourse, element: dict[str, Any], partners: dict[str, str]
) -> list[str]:
    """The partners (linked partners.v1 names) as the provider; returns the partner ids."""
    partner_ids = as_list(element.get("partnerIds"))
    names = [partners[p] for p in partner_ids if p in partners]
    if names:
        record["provider"] = names[0] if len(names) == 1 else names
    return partner_ids


def _linked_extra(
    element: dict[str, Any], specs: dict[str, str], instructors: dict[str, str]
) -> dict[str, Any]:
    """Specializations and instructors by name, the raw start date, the photo."""
    extra: dict[str, Any] = {}
    spec_ids = as_list(element.get("specializations"))
    if spec_ids:
        extra["specializations"] = [specs.get(s, s) for s in spec_ids]
    instructor_ids = as_list(element.get("instructorIds"))
    if instructor_ids:
        extra["instructors"] = [instructors.get(x, x) for x in instructor_ids]
    if element.get("startDate") is not None:
        extra["start_date_raw"] = element["startDate"]
    if element.get("photoUrl"):
        extra["photo_url"] = element["photoUrl"]
    return extra


def _specialization(element: dict[str, Any], partners: dict[str, str]) -> RawCourse | None:
    spec_id = _stripped(element.get("id"))
    title = _stripped(element.get("name"))
    if not spec_id or not title:
        return None
    slug = _stripped(element.get("slug"))
    variant = _stripped(element.get("productVariant"))
    professional = variant == "ProfessionalCertificateS12n"
    path = "professional-certificates" if professional else "specializations"
    record = RawCourse(
        source_id=f"specialization:{spec_id}",
        title=title,
        url=f"{WEB}/{path}/{slug}" if slug else None,
        platform="Coursera",
        kind="professional_certificate" if professional else "specialization",
        certificate="Professional Certificate" if professional else "Specialization certificate",
    )
    partner_ids = _add_provider(record, element, partners)
    description = _stripped(element.get("description")) or _stripped(element.get("tagline"))
    if description:
        record["description"] = description
    extra: dict[str, Any] = {"course_ids": as_list(element.get("courseIds"))}
    if variant:
        extra["product_variant"] = variant
    if partner_ids:
        extra["partner_ids"] = partner_ids
    record["extra"] = extra
    return record


def _is_legacy_about(data: dict[str, Any]) -> bool:
    return (
        "name" in data
        and "shortName" in data
        and ("aboutTheCourse" in data or "shortDescription" in data)
    )


def _parse_legacy(data: dict[str, Any]) -> ParseResult:
    """The 2013-era course-about body: one course, topic id N = courses.v1 id ``v1-N``."""
    title = _stripped(data.get("name"))
    topic_id = _stripped(data.get("id"))
    short_name = _stripped(data.get("shortName"))
    if not title or not topic_id:
        return _error("legacy course-about body without id or name")
    record = RawCourse(
        source_id=f"v1-{topic_id}",
        title=title,
        url=f"{WEB}/learn/{short_name}" if short_name else None,
        platform="Coursera",
        kind="course",
        pace="scheduled",
    )
    description = _stripped(data.get("shortDescription"))
    if description:
        record["description"] = description
    workload = _stripped(data.get("estimatedClassWorkload"))
    if workload:
        record["effort"] = workload
    extra: dict[str, Any] = {"course_type": "v1.session", "legacy_about": True}
    if data.get("instructor"):
        extra["instructors"] = as_list(data.get("instructor"))
    record["extra"] = extra
    return ParseResult(records=[record])


def _names_by_id(items: Any, key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and item.get("id") is not None and item.get(key):
                out[str(item["id"])] = str(item[key]).strip()
    return out


def _domain_categories(domain_types: Any) -> list[str]:
    """domainTypes [{domainId, subdomainId}] -> the ids as Coursera spells them, deduplicated."""
    out: list[str] = []
    if isinstance(domain_types, list):
        for item in domain_types:
            if not isinstance(item, dict):
                continue
            for key in ("domainId", "subdomainId"):
                value = _stripped(item.get(key))
                if value and value not in out:
                    out.append(value)
    return out


def _epoch_ms_to_date(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _start_of(url: str) -> int:
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "start":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _replace_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query, safe=",.()")))
