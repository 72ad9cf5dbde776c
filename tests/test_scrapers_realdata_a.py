"""Real captured responses and pages (shared/realdata) through schemaorg, edx, mit-ocw, xikolo.

The files are read where they lie (never copied into the repository) and each test skips
with the reason when the folder is absent. Counts and values were checked by hand against
the files. Broken input must come back as errors, never as an exception.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers import get_scraper
from scrapers.base import ParseResult
from scrapers.extract import course_from_schema
from scrapers.markup import json_ld, schema_courses

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"


def _read(rel: str) -> bytes:
    path = REALDATA / rel
    if not path.exists():
        pytest.skip(
            f"real data {rel} not present at {REALDATA} (see shared/realdata/PROVENANCE.md)"
        )
    return path.read_bytes()


def _by_id(result: ParseResult) -> dict[str, dict]:
    return {str(r["source_id"]): dict(r) for r in result.records}


# ---------------------------------------------------------------------- schema.org

SIB = "schemaorg-course-other/sib_training_course_jsonld.json"
NBIS = "schemaorg-course-other/nbis_course_instances_jsonld.json"
GTN = "schemaorg-course-other/gtn_galaxy_intro_101_learningresource.html"


def test_sib_course_with_chf_offers_and_p1dt6h_duration():
    url = "https://www.sib.swiss/training/course/first-steps-with-r.jsonld"
    result = get_scraper("schemaorg").parse(_read(SIB), url)
    assert result.errors == []
    assert len(result.records) == 1
    rec = result.records[0]
    assert rec["title"] == "First steps with R in Life Sciences"
    assert rec["provider"] == "SIB Swiss Institute of Bioinformatics"
    assert rec["language"] == "en-GB"
    assert rec["level"] == "Beginner"
    assert rec["duration"] == "P1DT6H"
    assert rec["offers"] == [
        {"label": "Academic Price", "price": 120, "currency": "CHF"},
        {"label": "Industry Price", "price": 600, "currency": "CHF"},
    ]
    assert (rec["price"], rec["currency"]) == (120, "CHF")
    assert rec["pace"] == "synchronous"
    assert rec["start_date"] == "2022-10-10"  # the later of the two runs
    assert rec["extra"]["start_dates"] == ["2022-06-08", "2022-10-10"]
    assert "biostatistics" in rec["skills"]
    # No url, courseCode or identifier in the document: the document URL stands in.
    assert rec["url"] == url
    assert rec["source_id"] == url + "#first-steps-with-r-in-life-sciences"


def test_nbis_array_of_course_instances():
    url = "https://www.nbis.se/training/events.jsonld"
    result = get_scraper("schemaorg").parse(_read(NBIS), url)
    assert result.errors == []
    # 32 objects: 29 typed CourseInstance, 3 untyped talks that are not courses.
    assert len(result.records) == 29
    recs = _by_id(result)
    assert len(recs) == 29
    nn = recs["https://uppsala.instructure.com/courses/75565"]
    assert nn["title"] == "Neural Networks and Deep Learning"
    assert nn["start_date"] == "2023-03-20T00:00:00"
    assert nn["language"] == "en-GB"
    assert nn["pace"] == "synchronous"
    assert nn["extra"]["course_mode"] == ["onsite", "synchronous", "full-time"]
    ml = recs["https://uppsala.instructure.com/courses/70535"]
    assert ml["title"] == "Introduction to Biostatistics and Machine Learning"
    # The curly-quoted mode “onsite” is read as the word it means.
    assert ml["extra"]["course_mode"][0] == "onsite"
    # Six instances carry neither url nor @id: ids from the document URL, name and start.
    no_url = sorted(k for k in recs if k.startswith(url + "#"))
    assert len(no_url) == 6
    assert url + "#rna-seq-data-analysis-2021-11-15" in no_url
    assert all(r["url"].startswith("https://") for r in recs.values())


def test_gtn_learning_resource_page_json_ld():
    url = (
        "https://training.galaxyproject.org/training-material/topics/introduction/"
        "tutorials/galaxy-intro-101/tutorial.html"
    )
    content = _read(GTN)
    nodes = schema_courses(json_ld(content))
    assert len(nodes) == 1
    assert nodes[0]["@type"] == "LearningResource"
    rec = course_from_schema(nodes[0], page_url=url)
    assert rec is not None
    assert rec["title"] == "Hands-on for 'Galaxy 101' tutorial"
    # identifier is the repository URL shared by all tutorials, so the page URL is the id.
    assert rec["source_id"] == url
    assert rec["provider"] == "Galaxy Training Network"
    assert rec["language"] == "en"  # Language object: alternateName
    assert rec["effort"] == "PT1H"
    assert rec["cost"] == "free"  # isAccessibleForFree: true
    result = get_scraper("schemaorg").parse(content, url)
    assert result.errors == []
    assert [r["source_id"] for r in result.records] == [url]
    assert result.records[0]["platform"] == "training.galaxyproject.org"


def test_schemaorg_page_without_course_data_is_an_error():
    content = _read("mit-ocw/mit_ocw_courses_listing_2015.html")
    result = get_scraper("schemaorg").parse(content, "https://ocw.mit.edu/courses/x/")
    assert result.records == []
    assert result.errors == ["no schema.org Course / CourseInstance data on the page"]


# ---------------------------------------------------------------------- edX

EDX_2016 = "edx/edx_search_api_all_2016.json"
EDX_DISCOVERY = "edx/edx_discovery_api_catalog_courses_mitx_partially_scrubbed.json"


def test_edx_2016_search_api_all_courses():
    result = get_scraper("edx").parse(_read(EDX_2016), "https://www.edx.org/search/api/all")
    assert result.errors == []
    assert result.follow == []
    assert len(result.records) == 893
    recs = _by_id(result)
    assert len(recs) == 893  # URL paths are unique where course codes are not
    rec = recs["course/introduction-programming-java-part-1-uc3mx-it-1-1x-0"]
    assert rec["title"] == (
        "Introduction to Programming with Java Part 1: Starting to Code with Java"
    )
    assert (
        rec["url"]
        == "https://www.edx.org/course/introduction-programming-java-part-1-uc3mx-it-1-1x-0"
    )
    assert rec["provider"] == "UC3Mx"
    assert rec["level"] == "Introductory"
    assert rec["language"] == "English"
    assert rec["categories"] == ["Computer Science"]
    assert rec["pace"] == "self-paced"
    assert rec["start_date"] == "2015-11-17"  # start_time 1447736400
    assert rec["offers"] == [{"label": "verified", "certificate": "verified"}]
    assert rec["extra"]["code"] == "IT.1.1x"
    levels = {r["level"] for r in result.records}
    assert levels == {"Introductory", "Intermediate", "Advanced"}
    assert sum(1 for r in result.records if r["pace"] == "self-paced") == 268


def test_edx_discovery_page_offers_from_seats():
    url = "https://discovery.edx.org/api/v1/catalogs/1/courses/"
    result = get_scraper("edx").parse(_read(EDX_DISCOVERY), url)
    assert result.errors == []
    assert result.follow == []  # "next": "" on this (last) page
    recs = _by_id(result)
    assert sorted(recs) == ["MITx+15.071x", "MITx+8.370.3x_review"]
    edge = recs["MITx+15.071x"]
    assert edge["title"] == "The Analytics Edge"
    assert edge["url"] == "https://www.edx.org/course/the-analytics-edge"
    assert edge["provider"] == "Massachusetts Institute of Technology"
    assert edge["level"] == "Intermediate"
    assert edge["categories"] == ["Data Analysis & Statistics"]
    assert edge["language"] == "en-us"
    assert edge["effort"] == "10–15 hours per week"
    assert edge["duration"] == "13 weeks"
    assert edge["pace"] == "instructor_paced"
    assert edge["start_date"] == "2019-02-20T15:00:00Z"
    assert edge["enrollments"] == 90600
    assert edge["offers"] == [
        {"label": "verified", "certificate": "verified", "price": "150.00", "currency": "USD"},
        {"label": "audit", "certificate": None, "price": "0.00", "currency": "USD"},
    ]
    assert (edge["price"], edge["currency"]) == ("150.00", "USD")
    review = recs["MITx+8.370.3x_review"]
    # The course marketing URL carries utm_* tracking: dropped.
    assert review["url"] == "https://www.edx.org/course/quantum-information-science-i-part-3-review"
    assert "offers" not in review  # no seats on its unpublished run
    assert review["extra"]["availability"] == "Archived"


def test_edx_discovery_next_becomes_a_follow_request():
    body = _read(EDX_DISCOVERY).replace(
        b'"next": ""', b'"next": "https://discovery.edx.org/api/v1/catalogs/1/courses/?page=2"', 1
    )
    result = get_scraper("edx").parse(body, "https://discovery.edx.org/api/v1/catalogs/1/courses/")
    assert [r.url for r in result.follow] == [
        "https://discovery.edx.org/api/v1/catalogs/1/courses/?page=2"
    ]
    assert len(result.records) == 2


# ---------------------------------------------------------------------- MIT OCW

OCW_DATA = "mit-ocw/mit_ocw_next_course_data_16-01.json"
OCW_LIST = "mit-ocw/mit_ocw_courses_listing_2015.html"
OCW_PAGE = "mit-ocw/mit_ocw_course_16-346-astrodynamics_2015.html"


def test_ocw_data_json():
    slug = "16-01-unified-engineering-i-ii-iii-iv-fall-2005-spring-2006"
    url = f"https://ocw.mit.edu/courses/{slug}/data.json"
    result = get_scraper("mit-ocw").parse(_read(OCW_DATA), url)
    assert result.errors == []
    [rec] = result.records
    assert rec["source_id"] == slug
    assert rec["title"] == "Unified Engineering I, II, III, & IV"
    assert rec["url"] == f"https://ocw.mit.edu/courses/{slug}/"
    assert rec["level"] == "Undergraduate"
    assert rec["description"].startswith("The basic objective of Unified Engineering")
    assert rec["categories"][:3] == ["Engineering", "Aerospace Engineering", "Materials Selection"]
    assert "Project Management" in rec["categories"]
    assert (rec["price"], rec["cost"], rec["certificate"]) == ("0", "free", "none")
    assert rec["extra"]["course_number"] == "16.01"
    assert rec["extra"]["term"] == "Fall"
    assert rec["extra"]["year"] == "2005"
    assert len(rec["extra"]["instructors"]) == 10
    assert "Prof. Raúl Radovitzky" in rec["extra"]["instructors"]


def test_ocw_legacy_listing():
    url = "http://ocw.mit.edu/courses/aeronautics-and-astronautics/"
    result = get_scraper("mit-ocw").parse(_read(OCW_LIST), url)
    assert result.errors == []
    assert result.follow == []
    assert len(result.records) == 79
    levels = [r["level"] for r in result.records]
    assert levels.count("Graduate") == 48
    assert levels.count("Undergraduate") == 31
    first = result.records[0]
    assert (
        first["source_id"] == "16-00-introduction-to-aerospace-engineering-and-design-spring-2003"
    )
    assert first["title"] == "Introduction to Aerospace Engineering and Design"
    assert first["url"] == (
        "http://ocw.mit.edu/courses/aeronautics-and-astronautics/"
        "16-00-introduction-to-aerospace-engineering-and-design-spring-2003"
    )
    assert first["extra"] == {"course_number": "16.00"}
    cross = _by_id(result)[
        "2-00aj-exploring-sea-space-earth-fundamentals-of-engineering-design-spring-2009"
    ]
    assert cross["title"] == "Exploring Sea, Space, & Earth: Fundamentals of Engineering Design"
    assert cross["extra"] == {"course_number": "16.00AJ"}


def test_ocw_legacy_course_page_microdata():
    url = (
        "http://ocw.mit.edu/courses/aeronautics-and-astronautics/"
        "16-346-astrodynamics-fall-2008/index.htm"
    )
    result = get_scraper("mit-ocw").parse(_read(OCW_PAGE), url)
    assert result.errors == []
    [rec] = result.records
    assert rec["source_id"] == "16-346-astrodynamics-fall-2008"
    assert rec["title"] == "Astrodynamics"
    assert rec["url"] == url.removesuffix("index.htm")
    assert rec["level"] == "Graduate"
    assert rec["description"].startswith("This course covers the fundamentals of astrodynamics")
    assert "Course Features" not in rec["description"]
    assert rec["extra"]["course_number"] == "16.346"
    assert rec["extra"]["term"] == "Fall 2008"
    assert rec["extra"]["instructors"] == ["Prof. Richard Battin"]
    assert "Kepler" in rec["skills"]
    assert rec["categories"] == [
        "Aerospace Engineering > Astrodynamics",
        "Aerospace Engineering > Guidance and Control Systems",
    ]


# ---------------------------------------------------------------------- broken input


def _truncated(rel: str) -> bytes:
    data = _read(rel)
    return data[: len(data) // 2]


BROKEN = [
    ("edx", EDX_2016, "https://www.edx.org/search/api/all"),
    ("edx", EDX_DISCOVERY, "https://discovery.edx.org/api/v1/catalogs/1/courses/"),
    ("schemaorg", SIB, "https://www.sib.swiss/x.jsonld"),
    ("schemaorg", NBIS, "https://www.nbis.se/x.jsonld"),
    ("mit-ocw", OCW_DATA, "https://ocw.mit.edu/courses/x/data.json"),
    ("xikolo", EDX_DISCOVERY, "https://open.hpi.de/api/v2/courses"),
]


@pytest.mark.parametrize(("source", "rel", "url"), BROKEN, ids=[f"{s}:{r}" for s, r, _ in BROKEN])
def test_truncated_json_is_an_error_not_an_exception(source: str, rel: str, url: str):
    result = get_scraper(source).parse(_truncated(rel), url)
    assert result.records == []
    assert len(result.errors) == 1
    assert "not valid JSON" in result.errors[0]


@pytest.mark.parametrize("source", ["schemaorg", "edx", "mit-ocw", "xikolo"])
def test_empty_body_is_an_error(source: str):
    result = get_scraper(source).parse(b"", "https://example.org/x")
    assert result.records == [] and result.follow == []
    assert result.errors == ["empty body"]


@pytest.mark.parametrize("source", ["schemaorg", "edx", "mit-ocw", "xikolo"])
def test_html_without_data_is_an_error(source: str):
    html = b"<!DOCTYPE html><html><head><title>x</title></head><body><p>Hallo</p></body></html>"
    result = get_scraper(source).parse(html, "https://example.org/somewhere")
    assert result.records == []
    assert len(result.errors) == 1


@pytest.mark.parametrize("source", ["edx", "mit-ocw", "xikolo"])
def test_someone_elses_real_json_is_an_error(source: str):
    other = _read("futurelearn/futurelearn_api_v1_courses_2017.json")
    result = get_scraper(source).parse(other, "https://example.org/feed.json")
    assert result.records == []
    assert len(result.errors) == 1


# ---------------------------------------------------------------------- gather and configuration


def test_xikolo_gather_sends_versioned_accept_header_per_platform():
    requests = list(get_scraper("xikolo").gather(_NoNetwork()))
    assert [r.url for r in requests][:2] == [
        "https://open.hpi.de/api/v2/courses",
        "https://open.sap.com/api/v2/courses",
    ]
    assert "https://learn.ki-campus.org/api/v2/courses" in [r.url for r in requests]
    assert all(
        r.headers == (("Accept", "application/vnd.api+json; xikolo-version=4.0"),) for r in requests
    )


def test_xikolo_endpoint_override_keeps_platform_key():
    scraper = get_scraper("xikolo", {"openhpi": "http://127.0.0.1:8765"})
    body = (
        b'{"data": [{"type": "courses", "id": "1", "attributes": {"title": "T", "slug": "s"}}],'
        b' "links": {"next": "http://127.0.0.1:8765/api/v2/courses?page=2"}}'
    )
    result = scraper.parse(body, "http://127.0.0.1:8765/api/v2/courses")
    assert result.records[0]["source_id"] == "openhpi:s"
    assert result.records[0]["url"] == "http://127.0.0.1:8765/courses/s"
    assert result.follow[0].headers[0][0] == "Accept"


def test_xikolo_json_api_error_document():
    body = b'{"errors": [{"status": "406", "title": "Not Acceptable"}]}'
    result = get_scraper("xikolo").parse(body, "https://open.hpi.de/api/v2/courses")
    assert result.errors == ["JSON:API error document: Not Acceptable"]


def test_schemaorg_targets_from_keyword_env_and_endpoints(monkeypatch):
    from scrapers.schemaorg import SchemaOrgScraper

    default = [r.url for r in SchemaOrgScraper().gather(_NoNetwork())]
    assert default == ["https://ki-campus.org/sitemap.xml", "https://open.hpi.de/courses"]
    kinds = [r.kind for r in SchemaOrgScraper().gather(_NoNetwork())]
    assert kinds == ["sitemap", "listing"]
    monkeypatch.setenv(
        "COURSERADAR_SCHEMAORG_TARGETS", " https://a.example/s.xml\nhttps://b.example/c "
    )
    assert SchemaOrgScraper().targets == ["https://a.example/s.xml", "https://b.example/c"]
    assert SchemaOrgScraper(targets=["https://c.example/x"]).targets == ["https://c.example/x"]
    scraper = SchemaOrgScraper(url_pattern=r"/kurs/")
    sitemap = b"<urlset><url><loc>https://a.example/kurs/1</loc></url></urlset>"
    assert [r.url for r in scraper.parse(sitemap, "https://a.example/s.xml").follow] == [
        "https://a.example/kurs/1"
    ]


def test_edx_follow_html_pages_instead_of_page_data():
    from scrapers.edx import EdxScraper

    sitemap = b"<urlset><url><loc>https://www.edx.org/learn/ai/x-y</loc></url></urlset>"
    result = EdxScraper(follow="html").parse(sitemap, "https://www.edx.org/sitemap-0.xml")
    assert [(r.url, r.kind) for r in result.follow] == [
        ("https://www.edx.org/learn/ai/x-y", "page")
    ]
    with pytest.raises(ValueError):
        EdxScraper(follow="everything")
    assert [r.url for r in EdxScraper().gather(_NoNetwork())] == [
        "https://www.edx.org/sitemap-0.xml"
    ]


def test_mit_ocw_gathers_the_learn_api():
    [req] = list(get_scraper("mit-ocw").gather(_NoNetwork()))
    assert req.url == "https://api.learn.mit.edu/api/v1/courses/?platform=ocw&limit=100"


class _NoNetwork:
    def fetch(self, request):  # pragma: no cover - gather must not fetch
        raise AssertionError(f"gather fetched {request.url}")
