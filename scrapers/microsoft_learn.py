"""Microsoft Learn: certifications, exams, learning paths and courses from the Learn Catalog API.

OPTIONAL SOURCE. Microsoft announced that this unauthenticated endpoint keeps working until
June 2026 and is then deprecated in favour of the Learn Platform API, which needs a
Microsoft Entra sign-in and an onboarded app. When it goes, this module reports errors and
the AI certifications stay listed through the curated data file; the module is kept so
``sources check`` says plainly when the old endpoint stops answering.

Endpoint relied on: ``GET https://learn.microsoft.com/api/catalog/?locale=en-us&type=
certifications,exams,learningPaths,courses`` (no auth, one JSON object, a few MB). Arrays
and fields (Learn Catalog API developer reference, learn.microsoft.com/training/support/
catalog-api-developer-reference, and its 2022 docs source; the .NET wrapper
markjulmar/MSLearnCatalogAPI, src/Models/*.cs):

* ``certifications``: uid, title, subtitle, url, certification_type, exams, levels, roles,
  products, subjects, study_guide, last_modified;
* ``exams``: uid, title, subtitle, display_name ("AI-102"), url, locales, levels, roles,
  products, courses, providers, study_guide, last_modified;
* ``learningPaths`` (and ``modules`` when asked for): uid, title, summary (HTML), url,
  duration_in_minutes, levels, roles, products, subjects, rating{count, average},
  popularity, locale, last_modified, modules, number_of_children;
* ``courses`` (instructor-led): uid, course_number, title, summary, duration_in_hours,
  url, locales, certification, exam, levels, roles, products;
* taxonomies ``levels``, ``roles``, ``products``, ``subjects``: {id, name, children[]}.

Mapping: certifications and exams are kind ``certification`` with certificate
``certification`` (a proctored exam; the exam fee is not in the API, so price stays null).
Learning paths and modules are free, self-paced, with no certificate; instructor-led
courses are scheduled. Product and subject ids are resolved to their names for
``categories``; an item counts as AI when a product, subject or role is one of
``AI_PRODUCTS`` / ``AI_SUBJECTS`` / ``AI_ROLES`` or it is one of ``AI_CREDENTIALS``
(AI-900, AI-102, DP-100 and their certifications), and then also carries the category
"Artificial Intelligence" (plus "Machine Learning" for the ML ones) so the topic
classifier's scope rule keeps it. The id lists follow Learn's taxonomy as documented and
seen in public code; no saved catalog response is public, so the fixture is built by hand.
Not checked live.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar

from scrapers.base import Fetcher, ParseResult, RawCourse, Request, Scraper, as_list
from scrapers.bodies import api_json
from scrapers.clean import (
    clean_str,
    html_text,
    is_positive,
    iso_minutes,
    page_error,
    without_tracking,
)

PROVIDER = "Microsoft"
PLATFORM = "Microsoft Learn"

# Learn taxonomy ids that make an item an AI item.
AI_PRODUCTS = frozenset(
    {
        "ai-services",
        "azure-ai-services",
        "azure-cognitive-services",
        "azure-openai",
        "azure-ai-studio",
        "ai-studio",
        "azure-ai-foundry",
        "azure-machine-learning",
        "azure-ai-search",
        "azure-cognitive-search",
        "azure-ai-document-intelligence",
        "azure-form-recognizer",
        "azure-ai-language",
        "azure-ai-speech",
        "azure-ai-vision",
        "azure-ai-content-safety",
        "azure-ai-bot-service",
        "azure-bot-service",
        "ai-builder",
        "microsoft-copilot-studio",
        "microsoft-365-copilot",
        "github-copilot",
        "semantic-kernel",
        "ml-net",
        "windows-ml",
    }
)
AI_SUBJECTS = frozenset(
    {"artificial-intelligence", "machine-learning", "generative-ai", "responsible-ai"}
)
AI_ROLES = frozenset({"ai-engineer", "ai-edge-engineer", "data-scientist"})
AI_CREDENTIALS = frozenset(
    {
        "exam.ai-900",
        "exam.ai-102",
        "exam.dp-100",
        "certification.azure-ai-fundamentals",
        "certification.azure-ai-engineer",
        "certification.azure-data-scientist",
    }
)
# Of the above, the ones that are about machine learning in particular.
ML_IDS = frozenset(
    {
        "azure-machine-learning",
        "machine-learning",
        "data-scientist",
        "ml-net",
        "exam.dp-100",
        "certification.azure-data-scientist",
    }
)

# Top-level arrays this module turns into records, with what they are.
_ITEM_ARRAYS = ("certifications", "exams", "learningPaths", "modules", "courses")
_TAXONOMIES = ("levels", "roles", "products", "subjects")

_error = partial(page_error, "microsoft-learn")
# The API's HTML: every text node apart ("<b>KI</b>?" -> "KI ?").
_api_text = partial(html_text, nodes_apart=True)


class MicrosoftLearnScraper(Scraper):
    name = "microsoft-learn"
    title = "Microsoft Learn (optional: endpoint ends June 2026)"
    homepage = "https://learn.microsoft.com/training/"
    endpoints: ClassVar[dict[str, str]] = {
        "start": "https://learn.microsoft.com/api/catalog/"
        "?locale=en-us&type=certifications,exams,learningPaths,courses"
    }
    confirmed = (
        "field names from Microsoft's Learn Catalog API developer reference and the "
        "markjulmar/MSLearnCatalogAPI models; fixture built by hand; not checked live; "
        "endpoint announced to end June 2026"
    )

    def gather(self, fetcher: Fetcher) -> Iterator[Request]:
        """The catalog is one document: a single request (taxonomies come with it)."""
        yield Request(self.endpoint["start"], kind="catalog")

    def read(self, content: bytes, url: str) -> ParseResult:
        return _parse(content)


def _parse(content: bytes) -> ParseResult:
    try:
        data = api_json(content, dict)
    except ValueError as exc:
        return _error(str(exc))
    present = [key for key in _ITEM_ARRAYS if key in data]
    if not present:
        return _error("none of certifications/exams/learningPaths/modules/courses in answer")

    names = {key: _taxonomy(data.get(key)) for key in _TAXONOMIES}
    result = ParseResult()
    for key in present:
        items = data[key]
        if not isinstance(items, list):
            result.errors.append(f"microsoft-learn: '{key}' is not a list")
            continue
        for i, item in enumerate(items):
            record = _record(key, item, names) if isinstance(item, dict) else None
            if record is None:
                result.errors.append(f"microsoft-learn: {key}[{i}] has no uid or title")
            else:
                result.records.append(record)
    return result


def _record(array: str, item: dict[str, Any], names: dict[str, dict[str, str]]) -> RawCourse | None:
    uid = clean_str(item.get("uid"))
    title = clean_str(item.get("title"))
    if not uid or not title:
        return None
    record = RawCourse(
        source_id=uid,
        title=title,
        url=without_tracking(clean_str(item.get("url")), _is_campaign) or None,
        provider=PROVIDER,
        platform=PLATFORM,
    )
    extra: dict[str, Any] = {"catalog_type": array}
    if array in ("certifications", "exams"):
        description = _exam(record, item, extra)
    elif array in ("learningPaths", "modules"):
        description = _learning_path(record, item, extra, array)
    else:
        description = _instructor_led(record, item, extra)
    if description:
        record["description"] = description
    if as_list(item.get("locales")):  # exams and courses: the languages they are offered in
        record["language"] = as_list(item.get("locales"))
    elif clean_str(item.get("locale")):  # paths and modules: the locale of this metadata
        record["language"] = clean_str(item.get("locale"))
    levels = as_list(item.get("levels"))
    if levels:
        record["level"] = levels[0] if len(levels) == 1 else ", ".join(levels)
    _add_taxonomy(record, extra, item, names)
    if item.get("last_modified"):
        extra["last_modified"] = item["last_modified"]
    record["extra"] = extra
    return record


def _exam(record: RawCourse, item: dict[str, Any], extra: dict[str, Any]) -> str:
    """A certification or exam: a proctored exam (its fee is not in the API); its
    description."""
    record["kind"] = "certification"
    record["certificate"] = "Proctored certification exam"
    display = clean_str(item.get("display_name"))
    if display:
        extra["exam_code"] = display
        if display.lower() not in record["title"].lower():
            record["title"] = f"Exam {display}: {record['title']}"
    for key in ("certification_type", "exams", "courses", "study_guide", "providers"):
        if item.get(key):
            extra[key] = item[key]
    return _api_text(item.get("subtitle")) or _api_text(item.get("summary"))


def _learning_path(
    record: RawCourse, item: dict[str, Any], extra: dict[str, Any], array: str
) -> str:
    """A learning path or module: free, self-paced, no certificate; its description."""
    record["kind"] = "learning_path" if array == "learningPaths" else "course"
    record["cost"] = "free"
    record["certificate"] = "No certificate"
    record["pace"] = "self-paced"
    description = _api_text(item.get("summary"))
    minutes = item.get("duration_in_minutes")
    if isinstance(minutes, int | float) and is_positive(minutes):
        record["effort"] = iso_minutes(round(minutes))
        extra["duration_in_minutes"] = minutes
    rating = item.get("rating")
    if isinstance(rating, dict):
        if is_positive(rating.get("average")):
            record["rating"] = rating["average"]
        if is_positive(rating.get("count")):
            record["rating_count"] = rating["count"]
    for key in ("popularity", "number_of_children", "modules"):
        if item.get(key) is not None:
            extra[key] = item[key]
    return description


def _instructor_led(record: RawCourse, item: dict[str, Any], extra: dict[str, Any]) -> str:
    """An instructor-led course: scheduled; its description."""
    record["kind"] = "course"
    record["pace"] = "scheduled"
    description = _api_text(item.get("summary"))
    hours = item.get("duration_in_hours")
    if is_positive(hours):
        record["effort"] = f"{hours:g} hours"
    for key in ("course_number", "certification", "exam"):
        if item.get(key):
            extra[key] = item[key]
    return description


def _add_taxonomy(
    record: RawCourse,
    extra: dict[str, Any],
    item: dict[str, Any],
    names: dict[str, dict[str, str]],
) -> None:
    """Products and subjects by name as categories, plus "Artificial Intelligence" (and
    "Machine Learning") for an AI item (see the module docstring); the ids in ``extra``."""
    products = as_list(item.get("products"))
    subjects = as_list(item.get("subjects"))
    roles = as_list(item.get("roles"))
    categories = [names["products"].get(p, p) for p in products]
    categories += [names["subjects"].get(s, s) for s in subjects]
    ids = {record["source_id"], *products, *subjects, *roles}
    if ids & (AI_PRODUCTS | AI_SUBJECTS | AI_ROLES | AI_CREDENTIALS):
        categories.append("Artificial Intelligence")
        if ids & ML_IDS:
            categories.append("Machine Learning")
    categories = list(dict.fromkeys(c for c in categories if c))
    if categories:
        record["categories"] = categories
    if products:
        extra["products"] = products
    if subjects:
        extra["subjects"] = subjects
    if roles:
        extra["roles"] = [names["roles"].get(r, r) for r in roles]


def _taxonomy(items: Any) -> dict[str, str]:
    """[{id, name, children[{id, name}]}] -> {id: name}, children included."""
    out: dict[str, str] = {}
    stack = list(items) if isinstance(items, list) else []
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("id") and node.get("name"):
            out[str(node["id"])] = str(node["name"]).strip()
        if isinstance(node.get("children"), list):
            stack.extend(node["children"])
    return out


def _is_campaign(key: str) -> bool:
    """The ``WT.mc_id`` campaign parameter the API appends to every URL."""
    return key.lower().startswith("wt.")
