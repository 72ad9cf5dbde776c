"""Xikolo platforms (openHPI, openSAP, mooc.house, lernen.cloud, OpenWHO, KI-Campus).

Why one module for six sites: they all run HPI's Xikolo and share its JSON:API, and many
German-language AI courses live there (openHPI, KI-Campus at learn.ki-campus.org).

Endpoint: ``GET <base>/api/v2/courses`` with ``Accept: application/vnd.api+json;
xikolo-version=4.0``. Response: ``{data: [{id, type: "courses", attributes: {...}}],
links: {next?}}``. Attributes used: title, slug, abstract, description (only on the
single-course endpoint), language, start_at, end_at, status (external, preparation,
announced, preview, active, self-paced), classifiers (hash: name -> list, e.g. category,
topic), teachers (a string), enrollable, hidden, external_url, certificates
{confirmation_of_participation: {available, threshold}, record_of_achievement:
{available, threshold}, qualified_certificate: {available}}. Paging: ``links.next`` when
present (JSON:API); the server pages by 500, so one page usually holds a platform.

Where the shape comes from (built by hand, not checked live from here): the endpoint
definition ``Xikolo::V2::Courses::Courses`` in the public repository openHPI/xikolo-core
(entity attributes, ``certificates`` reading cop_enabled / roa_enabled / proctored,
``paginate! per_page: 500``), the openHPI iOS client openHPI/xikolo-ios
(Common/Data/Model/Course.swift reads the same attributes and ``classifiers.category`` /
``classifiers.topic``; CourseCertificatesHash.swift: available, threshold) and the
versioned Accept header of its Routes.swift.

Each platform is an endpoint (its base URL), so a test server or a further Xikolo site is
one setting away. ``source_id`` is ``<platform>:<slug>`` (slugs repeat across platforms);
the course page is ``<base>/courses/<slug>``. Costs: the platforms publish that learning,
the Confirmation of Participation and the Record of Achievement are free; openHPI's
Qualified Certificate is paid, at a price the API does not give (left null).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from scrapers.base import Fetcher, ParseResult, RawCourse, RawOffer, Request, Scraper, as_list
from scrapers.bodies import parse_json, sniff

ACCEPT = "application/vnd.api+json; xikolo-version=4.0"
HEADERS = (("Accept", ACCEPT),)

PLATFORM_NAMES = {
    "openhpi": "openHPI",
    "opensap": "openSAP",
    "moochouse": "mooc.house",
    "lernencloud": "lernen.cloud",
    "openwho": "OpenWHO",
    "kicampus": "KI-Campus",
}

_CERTS = (
    ("qualified_certificate", "Qualified Certificate"),
    ("record_of_achievement", "Record of Achievement"),
    ("confirmation_of_participation", "Confirmation of Participation"),
)
_SCHEDULED = {"announced", "preview", "active"}


class XikoloScraper(Scraper):
    """Courses of the Xikolo platforms through their public JSON:API."""

    name = "xikolo"
    title = "Xikolo platforms (openHPI, openSAP, mooc.house, lernen.cloud, OpenWHO, KI-Campus)"
    homepage = "https://open.hpi.de"
    endpoints: ClassVar[dict[str, str]] = {
        "openhpi": "https://open.hpi.de",
        "opensap": "https://open.sap.com",
        "moochouse": "https://mooc.house",
        "lernencloud": "https://lernen.cloud",
        "openwho": "https://openwho.org",
        "kicampus": "https://learn.ki-campus.org",
    }
    confirmed = (
        "response shape from openHPI's public code (xikolo-core API v2 courses endpoint, "
        "xikolo-ios client); fixture built by hand; not checked live"
    )

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        for base in self.endpoint.values():
            yield Request(base.rstrip("/") + "/api/v2/courses", headers=HEADERS, kind="api")

    def _platform(self, url: str) -> tuple[str, str]:
        """(platform key, base URL) for a response URL; unknown hosts keep their host name."""
        host = urlsplit(url).netloc
        for key, base in self.endpoint.items():
            if urlsplit(base).netloc == host:
                return key, base.rstrip("/")
        parts = urlsplit(url)
        return host.removeprefix("www.") or "xikolo", f"{parts.scheme}://{parts.netloc}"

    def read(self, content: bytes, url: str) -> ParseResult:
        if sniff(content) == "empty":
            return ParseResult(errors=["empty body"])
        try:
            doc = parse_json(content)
        except ValueError as exc:
            return ParseResult(errors=[str(exc)])
        if not isinstance(doc, dict) or "data" not in doc:
            if isinstance(doc, dict) and doc.get("errors"):
                return ParseResult(errors=[f"JSON:API error document: {_api_error(doc)}"])
            return ParseResult(errors=["not a JSON:API document (no top-level 'data')"])
        data = doc["data"]
        resources = data if isinstance(data, list) else [data]
        key, base = self._platform(url)
        result = ParseResult()
        skipped = 0
        for res in resources:
            if not isinstance(res, dict) or res.get("type", "courses") != "courses":
                continue
            rec = _record(res, key, base)
            if rec is None:
                skipped += 1
            else:
                result.records.append(rec)
        if skipped:
            result.errors.append(f"{skipped} course(s) without title or slug skipped")
        if not result.records and not skipped and resources:
            result.errors.append("JSON:API document without course resources")
        nxt = (doc.get("links") or {}).get("next") if isinstance(doc.get("links"), dict) else None
        if isinstance(nxt, dict):
            nxt = nxt.get("href")
        if isinstance(nxt, str) and nxt.strip():
            result.follow.append(Request(urljoin(url, nxt.strip()), headers=HEADERS, kind="api"))
        return result


def _api_error(doc: dict[str, Any]) -> str:
    first = doc["errors"][0] if isinstance(doc["errors"], list) and doc["errors"] else {}
    if isinstance(first, dict):
        return str(first.get("title") or first.get("detail") or first.get("status") or "unknown")
    return str(first)


def _record(res: dict[str, Any], key: str, base: str) -> RawCourse | None:
    attrs = res.get("attributes")
    if not isinstance(attrs, dict):
        return None
    title = attrs.get("title")
    slug = attrs.get("slug")
    if not isinstance(title, str) or not title.strip() or not isinstance(slug, str) or not slug:
        return None
    rec: RawCourse = {
        "source_id": f"{key}:{slug}",
        "title": " ".join(title.split()),
        "url": f"{base}/courses/{slug}",
        "platform": PLATFORM_NAMES.get(key, key),
        "kind": "course",
    }
    description = attrs.get("description") or attrs.get("abstract")
    if isinstance(description, str) and description.strip():
        rec["description"] = description.strip()
    if attrs.get("language"):
        rec["language"] = attrs["language"]
    classifiers = attrs.get("classifiers")
    categories: list[str] = []
    if isinstance(classifiers, dict):
        for values in classifiers.values():
            categories += [v for v in as_list(values) if v not in categories]
    if categories:
        rec["categories"] = categories
    if attrs.get("start_at"):
        rec["start_date"] = attrs["start_at"]
    status = attrs.get("status")
    if status == "self-paced":
        rec["pace"] = "self-paced"
    elif status in _SCHEDULED and attrs.get("start_at"):
        rec["pace"] = "scheduled"
    _add_offers(rec, attrs.get("certificates"))
    rec["extra"] = {
        "id": res.get("id"),
        "status": status,
        "end_at": attrs.get("end_at"),
        "teachers": attrs.get("teachers"),
        "enrollable": attrs.get("enrollable"),
        "hidden": attrs.get("hidden"),
        "external_url": attrs.get("external_url"),
        "classifiers": classifiers if isinstance(classifiers, dict) else None,
    }
    return rec


def _add_offers(rec: RawCourse, certs: Any) -> None:
    """Enrolment and the certificates on offer; the best of them as the certificate.
    Learning is free on every Xikolo platform; so are CoP and RoA (module docstring)."""
    offers: list[RawOffer] = [{"label": "Enrolment", "certificate": None, "price": 0}]
    best: str | None = None
    if isinstance(certs, dict):
        for field, label in _CERTS:
            entry = certs.get(field)
            if not (isinstance(entry, dict) and entry.get("available")):
                continue
            best = best or label
            if field == "qualified_certificate":
                offers.append({"label": label, "certificate": label, "price": None})
            else:
                offers.append({"label": label, "certificate": label, "price": 0})
        rec["certificate"] = best or "none"
    rec["offers"] = offers
