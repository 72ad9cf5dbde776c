"""scrapers.bodies, .markup, .extract and .clean: JSON-LD, microdata, schema.org mapping,
__NEXT_DATA__, sitemaps, HTML to text.

Inputs here are small hand-written snippets in the shapes schema.org documents; the real
documents are exercised in test_scrapers_realdata_a.py.
"""

from __future__ import annotations

import gzip
from functools import partial

import pytest

from scrapers.bodies import parse_json, sitemap_urls, sniff
from scrapers.clean import html_text as text_of
from scrapers.extract import course_from_schema, courses_from_page
from scrapers.markup import flatten_json_ld, json_ld, microdata, next_data, schema_courses

spaced_text = partial(text_of, nodes_apart=True)

PAGE = "https://example.org/courses/ml-basics"


def _ld(*blocks: str) -> str:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html><head>{scripts}</head><body></body></html>"


def test_json_ld_flattens_graph_and_arrays_and_skips_broken_blocks():
    html = _ld(
        "{not json",
        '{"@context": "https://schema.org", "@graph": [{"@type": "Course", "name": "A"},'
        ' {"@type": "Organization", "name": "O"}]}',
        '[{"@type": "Course", "name": "B"}, {"@type": "Person", "name": "P"}]',
        "",
    )
    names = [o.get("name") for o in json_ld(html)]
    assert names == ["A", "O", "B", "P"]


def test_json_ld_accepts_bytes_type_parameters_and_comment_wrappers():
    html = (
        b'<script type="application/ld+json; charset=utf-8"><!--{"@type": "Course",'
        b' "name": "Grundlagen der KI"}--></script>'
    )
    assert json_ld(html) == [{"@type": "Course", "name": "Grundlagen der KI"}]


def test_json_ld_of_page_without_blocks_is_empty():
    assert json_ld("<html><body><p>hello</p></body></html>") == []
    assert json_ld(b"") == []


def test_flatten_keeps_graph_owner_with_own_fields():
    doc = {"@context": "x", "@type": "WebSite", "name": "S", "@graph": [{"@type": "Course"}]}
    assert [o.get("@type") for o in flatten_json_ld(doc)] == ["Course", "WebSite"]


def test_microdata_nested_items_and_value_rules():
    html = """
    <div itemscope itemtype="http://schema.org/Course" itemid="urn:c1">
      <h1 itemprop="name">Deep Learning</h1>
      <meta itemprop="inLanguage" content="de">
      <a itemprop="url" href="https://example.org/dl">link</a>
      <time itemprop="startDate" datetime="2025-03-01">1. März</time>
      <div itemprop="provider" itemscope itemtype="https://schema.org/Organization">
        <span itemprop="name">HPI</span>
      </div>
      <span itemprop="keywords">nlp</span><span itemprop="keywords">cv</span>
    </div>
    <div itemscope itemtype="http://schema.org/WebPage"><span itemprop="name">W</span></div>
    """
    items = microdata(html)
    assert len(items) == 2
    course = items[0]
    assert course["@type"] == "Course"
    assert course["@id"] == "urn:c1"
    assert course["name"] == "Deep Learning"
    assert course["inLanguage"] == "de"
    assert course["url"] == "https://example.org/dl"
    assert course["startDate"] == "2025-03-01"
    assert course["provider"] == {"@type": "Organization", "name": "HPI"}
    assert course["keywords"] == ["nlp", "cv"]
    assert items[1] == {"@type": "WebPage", "name": "W"}


def test_schema_courses_picks_course_types_and_item_lists():
    items = [
        {"@type": "Organization", "name": "O"},
        {"@type": ["Course", "Thing"], "name": "A"},
        {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "item": {"@type": "Course", "name": "B"}},
                {
                    "@type": "ListItem",
                    "item": {"@type": "EducationalOccupationalProgram", "name": "C"},
                },
            ],
        },
        {"@type": "LearningResource", "name": "D"},
        {"name": "untyped talk"},
    ]
    assert [n["name"] for n in schema_courses(items)] == ["A", "B", "C", "D"]


def test_schema_courses_resolves_graph_references_and_drops_claimed_instances():
    items = flatten_json_ld(
        {
            "@graph": [
                {"@type": "Course", "name": "C", "hasCourseInstance": [{"@id": "#run1"}]},
                {"@type": "CourseInstance", "@id": "#run1", "startDate": "2025-05-01"},
                {"@type": "CourseInstance", "@id": "#other", "name": "Alone"},
            ]
        }
    )
    nodes = schema_courses(items)
    assert [n["name"] for n in nodes] == ["C", "Alone"]
    rec = course_from_schema(nodes[0], page_url=PAGE)
    assert rec is not None
    assert rec["start_date"] == "2025-05-01"


def test_course_from_schema_maps_the_documented_fields():
    obj = {
        "@type": "Course",
        "name": "  Machine Learning\n Basics ",
        "description": "<p>Learn <b>ML</b></p>",
        "url": "/courses/ml-basics",
        "courseCode": "ML101",
        "provider": [{"@type": "Organization", "name": "Uni A"}, {"name": "Uni B"}],
        "inLanguage": {"@type": "Language", "name": "German", "alternateName": "de"},
        "educationalLevel": "Introductory",
        "offers": [
            {"@type": "Offer", "price": 0, "priceCurrency": "EUR", "category": "Free"},
            {"@type": "Offer", "name": "Zertifikat", "price": "49.00", "priceCurrency": "EUR"},
        ],
        "educationalCredentialAwarded": {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "Certificate",
        },
        "hasCourseInstance": {
            "@type": "CourseInstance",
            "courseMode": ["online", "asynchronous"],
            "courseWorkload": "PT2H",
            "courseSchedule": {"@type": "Schedule", "repeatFrequency": "Weekly"},
            "startDate": "2025-04-01",
            "duration": "P6W",
        },
        "aggregateRating": {"ratingValue": 4.6, "ratingCount": 120},
        "timeRequired": "PT20H",
        "keywords": "neural networks, NLP",
        "about": [{"name": "Artificial Intelligence"}],
    }
    rec = course_from_schema(obj, page_url=PAGE)
    assert rec is not None
    assert rec["title"] == "Machine Learning Basics"
    assert rec["description"] == "Learn ML"
    assert rec["url"] == "https://example.org/courses/ml-basics"
    assert rec["source_id"] == "example.org:ML101"
    assert rec["provider"] == ["Uni A", "Uni B"]
    assert rec["language"] == "de"
    assert rec["level"] == "Introductory"
    assert rec["offers"] == [
        {"label": "Free", "price": 0, "currency": "EUR"},
        {"label": "Zertifikat", "price": "49.00", "currency": "EUR"},
    ]
    assert rec["price"] == 0
    assert rec["currency"] == "EUR"
    assert rec["cost"] == "free"
    assert rec["certificate"] == "Certificate"
    assert rec["pace"] == "asynchronous"
    assert rec["effort"] == "PT20H"
    assert rec["duration"] == "P6W"
    assert rec["start_date"] == "2025-04-01"
    assert rec["rating"] == "4.6"
    assert rec["rating_count"] == "120"
    assert rec["skills"] == ["neural networks", "NLP"]
    assert rec["categories"] == ["Artificial Intelligence"]
    assert rec["extra"]["course_schedule"] == {"@type": "Schedule", "repeatFrequency": "Weekly"}


def test_course_from_schema_ids_without_code_or_url():
    rec = course_from_schema({"@type": "Course", "name": "X Y"}, page_url=PAGE)
    assert rec is not None
    assert rec["source_id"] == PAGE + "#x-y"
    assert rec["url"] == PAGE
    inst = {"@type": "CourseInstance", "name": "Run", "startDate": "2024-02-03T00:00:00"}
    rec = course_from_schema(inst, page_url=PAGE)
    assert rec is not None
    assert rec["source_id"] == PAGE + "#run-2024-02-03"


def test_course_from_schema_ignores_url_identifier_and_nameless_nodes():
    obj = {"@type": "LearningResource", "name": "T", "identifier": "https://github.com/x/y"}
    rec = course_from_schema(obj, page_url=PAGE)
    assert rec is not None
    assert rec["source_id"] == PAGE + "#t"
    assert course_from_schema({"@type": "Course"}, page_url=PAGE) is None


def test_bare_course_instance_takes_organizer_and_mode():
    inst = {
        "@type": "CourseInstance",
        "name": "KI im Unternehmen",
        "url": "https://example.org/e/1",
        "organizer": {"@type": "Organization", "name": "IHK"},
        "courseMode": ["“onsite”", "synchronous"],
        "inLanguage": ["de", "en"],
        "startDate": "2025-06-01",
    }
    rec = course_from_schema(inst, page_url=PAGE)
    assert rec is not None
    assert rec["provider"] == "IHK"
    assert rec["pace"] == "synchronous"
    assert rec["extra"]["course_mode"] == ["onsite", "synchronous"]
    assert rec["language"] == ["de", "en"]
    assert rec["source_id"] == "https://example.org/e/1"


def test_courses_from_page_falls_back_to_microdata():
    html = '<div itemscope itemtype="https://schema.org/Course"><b itemprop="name">M</b></div>'
    records, seen = courses_from_page(html, PAGE)
    assert seen == 1
    assert records[0]["title"] == "M"


def test_next_data():
    html = (
        '<script id="__NEXT_DATA__" type="application/json">'
        '{"props": {"pageProps": {"course": {"title": "T"}}}, "buildId": "b1"}</script>'
    )
    assert next_data(html) == {"props": {"pageProps": {"course": {"title": "T"}}}, "buildId": "b1"}
    assert next_data("<html></html>") is None
    assert next_data('<script id="__NEXT_DATA__">{broken</script>') is None


def test_sitemap_urlset_index_namespaces_and_gzip():
    urlset = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:xhtml="http://www.w3.org/1999/xhtml">
      <url><loc> https://example.org/courses/a </loc><lastmod>2025-01-01</lastmod></url>
      <url><loc>https://example.org/about?x=1&amp;y=2</loc></url>
      <url><loc>https://example.org/courses/a</loc></url>
    </urlset>"""
    assert sitemap_urls(urlset) == (
        ["https://example.org/courses/a", "https://example.org/about?x=1&y=2"],
        [],
    )
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://example.org/sitemap-1.xml.gz</loc></sitemap></sitemapindex>"""
    assert sitemap_urls(gzip.compress(index)) == ([], ["https://example.org/sitemap-1.xml.gz"])
    no_ns = b"<urlset><url><loc>https://e.org/x</loc></url></urlset>"
    assert sitemap_urls(no_ns) == (["https://e.org/x"], [])


def test_sitemap_rejects_non_sitemaps_and_entities():
    assert sitemap_urls(b"") == ([], [])
    assert sitemap_urls(b"<html><body>nope</body></html>") == ([], [])
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>&e;</loc></url></urlset>"
    )
    pages, _ = sitemap_urls(xxe)
    assert all("root:" not in p for p in pages)


def test_sniff_and_parse_json_and_text_of():
    assert sniff(b"\xef\xbb\xbf\n [1]") == "json"
    assert sniff(b"<?xml version='1.0'?><urlset>") == "sitemap"
    assert sniff(b"<?xml version='1.0'?><rss>") == "xml"
    assert sniff(b"<!doctype html><html>") == "html"
    assert sniff(b"  ") == "empty"
    assert parse_json(b'\n{"a": 1}') == {"a": 1}
    for bad in (b"", b'{"a": ', b"<html>"):
        try:
            parse_json(bad)
        except ValueError as exc:
            assert str(exc)
        else:  # pragma: no cover
            raise AssertionError(bad)
    assert text_of("<p>A&amp;B</p>\n<p>C</p>") == "A&B C"
    assert text_of(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>Learn <b>KI</b>?</p><p>Next</p>", "Learn KI ? Next"),  # every text node apart
        ("a<style>p{}</style>b<script>x()</script>c", "a b c"),  # tails stay, code does not
        ("x <!-- hidden --> y <?php echo 1 ?> z", "x y z"),
        ("AT&amp;T &#169; 2024&nbsp;!", "AT&T © 2024 !"),
        ("<?xml version='1.0' encoding='utf-8'?><r>kept</r>", "kept"),
        ("nul\x00<p>inside</p>", "nul inside"),
        ("plain   text\n", "plain text"),
        ("<p> </p>", ""),
        ("   ", ""),
        (None, ""),
        (42, ""),
    ],
)
def test_spaced_text(value: object, expected: str) -> None:
    assert spaced_text(value) == expected
