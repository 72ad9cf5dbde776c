"""Fuzzing every scraper's parse() and every public normaliser with hypothesis.

Why: parse() and the normalisers see whatever a site serves. Their contract (GUIDE.md,
scrapers/base.py, catalog/normalize/) is that a page or value they cannot read becomes
an error or None — never an exception out of the pipeline, never a record without id
and title. Inputs are arbitrary bytes and JSON, HTML pages carrying arbitrary JSON-LD,
and mutations of real inputs: the captured responses in ``../shared/realdata`` (read in
place; those tests are skipped with a reason where it is absent) and the hand-built
fixtures in tests/fixtures — truncated, bytes flipped, values replaced by other JSON types.

Example counts are moderate so the whole reliability suite stays at a few minutes; raise
them with COURSERADAR_FUZZ_SCALE (a multiplier) for a longer campaign.
"""

from __future__ import annotations

import csv
import inspect
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog.normalize as normalize
from catalog.rates import load_rates
from catalog.record import RawCourse
from scrapers import SOURCES, get_scraper
from scrapers.base import ParseResult
from tests.reliability import support

pytestmark = [
    pytest.mark.reliability,
    # Fuzzed XML reaches HTML parsers on purpose; bs4 says so each time.
    pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning"),
]

SCALE = float(os.environ.get("COURSERADAR_FUZZ_SCALE", "1"))
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED_LIMIT = 150_000  # bytes of a seed kept (JSON lists shortened, other text cut)

# Where each captured response (by file name) came from: the URL a parser is told matters
# (several parsers dispatch on it). Files without an entry are parsed as example.org/<name>.
REAL_URLS = {
    "coursera_api_courses.v1_start0_2016.json": "https://api.coursera.org/api/courses.v1",
    "coursera_api_courses.v1_start100_2016.json": "https://api.coursera.org/api/courses.v1?start=100",
    "coursera_api_memberships_linked_courses.v1.json": "https://api.coursera.org/api/memberships.v1",
    "edx_search_api_all_2016.json": "https://www.edx.org/search/api/all",
    "edx_discovery_api_catalog_courses_mitx_partially_scrubbed.json": "https://discovery.edx.org/api/v1/catalogs/1/courses/",
    "futurelearn_api_v1_courses_2017.json": "https://www.futurelearn.com/feeds/courses",
    "udacity_public-api_v0_courses_2017.json": "https://www.udacity.com/public-api/v0/courses",
    "mit_ocw_next_course_data_16-01.json": "https://ocw.mit.edu/courses/16-01/data.json",
    "mit_ocw_courses_listing_2015.html": "http://ocw.mit.edu/courses/aeronautics-and-astronautics/",
    "mit_ocw_course_16-346-astrodynamics_2015.html": "http://ocw.mit.edu/courses/aeronautics-and-astronautics/16-346-astrodynamics-fall-2008/",
    "classcentral_subject_data-science_2023_TRANSLATED.html": "https://www.classcentral.com/subject/data-science",
    "sib_training_course_jsonld.json": "https://www.sib.swiss/x.jsonld",
    "nbis_course_instances_jsonld.json": "https://www.nbis.se/x.jsonld",
    "gtn_galaxy_intro_101_learningresource.html": "https://training.galaxyproject.org/training-material/topics/introduction/",
}  # fmt: skip


def _shrink(content: bytes) -> bytes:
    """A seed small enough to mutate many times: long JSON lists cut to 25 entries."""
    if len(content) <= SEED_LIMIT:
        return content
    try:
        doc = json.loads(content)
    except ValueError:
        return content[:SEED_LIMIT]

    def cut(node: Any, depth: int = 0) -> Any:
        if isinstance(node, list):
            return [cut(v, depth + 1) for v in node[:25]]
        if isinstance(node, dict) and depth < 3:
            return {k: cut(v, depth + 1) for k, v in node.items()}
        return node

    return json.dumps(cut(doc)).encode()


def _fixture_seeds() -> list[tuple[str, bytes, str]]:
    seeds = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.name.endswith(".expected.json") or not path.is_file():
                continue
            expected = path.with_name(path.stem + ".expected.json")
            url = f"https://example.org/{path.name}"
            if expected.is_file():
                url = json.loads(expected.read_text()).get("_url") or url
            seeds.append((f"fixture:{folder.name}/{path.name}", _shrink(path.read_bytes()), url))
    return seeds


def _real_seeds() -> list[tuple[str, bytes, str]]:
    if not REALDATA.is_dir():
        return []
    seeds = []
    for path in sorted(REALDATA.rglob("*")):
        if not path.is_file() or path.suffix not in (".json", ".html"):
            continue
        rel = path.relative_to(REALDATA).as_posix()
        url = REAL_URLS.get(path.name, f"https://example.org/{path.name}")
        seeds.append((f"real:{rel}", _shrink(path.read_bytes()), url))
    return seeds


FIXTURE_SEEDS = _fixture_seeds()
REAL_SEEDS = _real_seeds()
SCRAPERS = {name: get_scraper(name) for name in SOURCES}

# -- strategies ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
# Keys the scrapers look for, so arbitrary documents reach past the first "is it X?" check.
KNOWN_KEYS = st.sampled_from(
    [
        "elements", "paging", "linked", "data", "attributes", "results", "next", "courses",
        "searchResult", "hits", "name", "title", "slug", "id", "uuid", "url", "@type", "@graph",
        "@context", "provider", "offers", "price", "priceCurrency", "hasCourseInstance",
        "course_title", "runs", "props", "pageProps", "result", "pageContext", "links",
        "certificates", "modules", "level", "description", "language", "inLanguage",
    ]
)  # fmt: skip
shaped_json = st.recursive(
    json_values,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KNOWN_KEYS, inner, max_size=6),
    max_leaves=30,
)


@st.composite
def jsonld_pages(draw: st.DrawFn) -> bytes:
    """An HTML page with JSON-LD (a Course-ish node) and maybe __NEXT_DATA__ around it."""
    node = draw(st.dictionaries(KNOWN_KEYS, shaped_json, max_size=6))
    node["@type"] = draw(
        st.sampled_from(["Course", "CourseInstance", "LearningResource", ["Course"], 5])
    )
    blob = json.dumps(node)
    if draw(st.booleans()):
        blob = blob[: draw(st.integers(0, len(blob)))]  # a script cut short
    next_data = json.dumps({"props": {"pageProps": draw(shaped_json)}})
    return (
        "<html><head><script type='application/ld+json'>" + blob + "</script>"
        "<script id='__NEXT_DATA__' type='application/json'>" + next_data + "</script>"
        "</head><body itemscope itemtype='https://schema.org/Course'>"
        "<span itemprop='name'>" + draw(st.text(max_size=30)) + "</span></body></html>"
    ).encode("utf-8", "surrogatepass")


def _json_paths(
    node: Any, path: tuple[Any, ...] = (), out: list[tuple[Any, ...]] | None = None
) -> list[tuple[Any, ...]]:
    out = [] if out is None else out
    if len(out) > 3000:
        return out
    out.append(path)
    if isinstance(node, dict):
        for key, value in node.items():
            _json_paths(value, (*path, key), out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _json_paths(value, (*path, i), out)
    return out


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


@st.composite
def mutated(draw: st.DrawFn, seeds: list[tuple[str, bytes, str]]) -> tuple[str, bytes, str]:
    """A seed truncated, with bytes flipped, or with one JSON value replaced by another type."""
    name, content, url = draw(st.sampled_from(seeds))
    how = draw(st.sampled_from(["truncate", "flip", "retype", "retype", "splice"]))
    if how == "truncate":
        content = content[: draw(st.integers(0, len(content)))]
    elif how == "flip":
        data = bytearray(content)
        for _ in range(draw(st.integers(1, 20))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        content = bytes(data)
    elif how == "splice":
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(st.binary(max_size=64)) + content[at:]
    else:
        try:
            doc = json.loads(content)
        except ValueError:
            doc = None
        if doc is not None:
            paths = _json_paths(doc)
            for _ in range(draw(st.integers(1, 4))):
                path = draw(st.sampled_from(paths))
                try:
                    doc = _replace(doc, path, draw(json_values))
                except (KeyError, IndexError, TypeError):
                    continue
                paths = _json_paths(doc)
            content = json.dumps(doc).encode()
    return f"{name} ({how})", content, url


def _check(result: Any, source: str) -> None:
    """The parse contract: a ParseResult; records are dicts with a text id and title."""
    assert isinstance(result, ParseResult), type(result)
    assert all(isinstance(e, str) for e in result.errors)
    for record in result.records:
        assert isinstance(record, dict)
        assert isinstance(record.get("source_id"), str) and record["source_id"].strip(), record
        assert isinstance(record.get("title"), str) and record["title"].strip(), record
    for follow in result.follow:
        assert isinstance(follow.url, str)


def _urls(source: str) -> list[str]:
    scraper = SCRAPERS[source]
    urls = [u for u in scraper.endpoint.values() if u.startswith("http")]
    urls += [url for _, _, url in FIXTURE_SEEDS + REAL_SEEDS]
    return sorted(set(urls))


FUZZ = settings(
    max_examples=max(1, int(30 * SCALE)),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def _count(target: str, n: int = 1) -> None:
    support.bump("fuzzing examples", target, n)


# -- scrapers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", list(SOURCES))
def test_parse_survives_arbitrary_input(source: str) -> None:
    scraper = SCRAPERS[source]
    urls = _urls(source)

    @FUZZ
    @given(
        content=st.binary(max_size=4000)
        | shaped_json.map(lambda d: json.dumps(d).encode())
        | jsonld_pages(),
        url=st.sampled_from(urls),
    )
    def run(content: bytes, url: str) -> None:
        _check(scraper.parse(content, url), source)
        _count(f"parse {source} (arbitrary)")

    run()


@pytest.mark.parametrize("source", list(SOURCES))
def test_parse_survives_mutated_fixtures(source: str) -> None:
    scraper = SCRAPERS[source]

    @FUZZ
    @given(seed=mutated(FIXTURE_SEEDS))
    def run(seed: tuple[str, bytes, str]) -> None:
        name, content, url = seed
        try:
            _check(scraper.parse(content, url), source)
        except AssertionError as exc:
            raise AssertionError(f"{source} on {name}: {exc}") from None
        _count(f"parse {source} (mutated fixtures)")

    run()


@pytest.mark.parametrize("source", list(SOURCES))
def test_parse_survives_mutated_real_data(source: str) -> None:
    if not REAL_SEEDS:
        pytest.skip(f"real data not available here: {REALDATA}")
    scraper = SCRAPERS[source]

    @FUZZ
    @given(seed=mutated(REAL_SEEDS))
    def run(seed: tuple[str, bytes, str]) -> None:
        name, content, url = seed
        try:
            _check(scraper.parse(content, url), source)
        except AssertionError as exc:
            raise AssertionError(f"{source} on {name}: {exc}") from None
        _count(f"parse {source} (mutated real data)")

    run()


# -- normalisers -----------------------------------------------------------------------------------


def _public_normalisers() -> dict[str, Callable[..., Any]]:
    """Every public function of catalog.normalize (classes and imports left out)."""
    return {
        name: fn
        for name, fn in vars(normalize).items()
        if not name.startswith("_")
        and inspect.isfunction(fn)
        and fn.__module__.startswith(normalize.__name__ + ".")
    }


def _real_strings() -> list[str]:
    """Field values of the real datasets (prices, efforts, levels, languages, dates ...)."""
    out: list[str] = ["FREE-Add a Verified Certificate for $49 USD", "2–4 hours per week", "P1DT6H"]
    folder = REALDATA / "datasets"
    if folder.is_dir():
        csv.field_size_limit(10**8)
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                for i, row in enumerate(csv.DictReader(handle)):
                    if i >= 150:
                        break
                    out += [v for v in row.values() if isinstance(v, str) and 0 < len(v) < 200]
    return sorted(set(out))


REAL_STRINGS = _real_strings()


@st.composite
def real_ish_text(draw: st.DrawFn) -> str:
    """A real field value, often edited: cut, a character swapped in, digits replaced."""
    text = draw(st.sampled_from(REAL_STRINGS))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["cut", "insert", "digits", "double"]))
        if how == "cut":
            text = text[:at]
        elif how == "insert":
            text = text[:at] + draw(st.text(max_size=3)) + text[at:]
        elif how == "digits":
            text = "".join(
                draw(st.sampled_from("0123456789.,-")) if c.isdigit() else c for c in text
            )
        else:
            text = text + " " + text
    return text


anything = (
    json_values
    | real_ish_text()
    | st.binary(max_size=60)
    | st.floats()
    | st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 10**400, "", " ", "\x00", True])
)


def _raw_seeds() -> list[dict[str, Any]]:
    """Real raw records: what the scrapers read from the seeds (and a few built by hand)."""
    records: list[dict[str, Any]] = [
        {
            "source_id": "x",
            "title": "Machine Learning",
            "price": "49 USD",
            "effort": "3 hours per week",
        }
    ]
    for name, content, url in FIXTURE_SEEDS + REAL_SEEDS:
        source = name.split(":", 1)[1].split("/", 1)[0]
        if source in SCRAPERS:
            records += [dict(r) for r in SCRAPERS[source].parse(content, url).records[:15]]
    return records


RAW_SEEDS = _raw_seeds()
RAW_KEYS = list(RawCourse.__annotations__)


@st.composite
def raw_courses(draw: st.DrawFn) -> Any:
    """A real raw record with fields replaced by anything, or an arbitrary mapping."""
    if draw(st.integers(0, 4)) == 0:
        return draw(
            st.dictionaries(st.sampled_from(RAW_KEYS) | st.text(max_size=8), anything, max_size=12)
            | anything
        )
    raw = dict(draw(st.sampled_from(RAW_SEEDS)))
    for _ in range(draw(st.integers(1, 5))):
        raw[draw(st.sampled_from(RAW_KEYS))] = draw(anything | raw_courses_offers())
    return raw


def raw_courses_offers() -> st.SearchStrategy[Any]:
    offer = st.dictionaries(
        st.sampled_from(["label", "certificate", "price", "currency", "credits"]),
        anything,
        max_size=5,
    )
    return st.lists(offer | anything, max_size=4)


NORMALISERS = _public_normalisers()
RATES = load_rates()


def test_every_public_normaliser_is_covered() -> None:
    assert "normalize_course" in NORMALISERS and "parse_price" in NORMALISERS
    assert len(NORMALISERS) >= 10, sorted(NORMALISERS)


@pytest.mark.parametrize("name", sorted(set(NORMALISERS) - {"normalize_course"}))
def test_normaliser_never_raises(name: str) -> None:
    fn = NORMALISERS[name]
    params = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]

    @settings(FUZZ, max_examples=max(1, int(60 * SCALE)))
    @given(values=st.tuples(*[anything for _ in params]))
    def run(values: tuple[Any, ...]) -> None:
        kwargs = {p.name: v for p, v in zip(params, values, strict=True)}
        fn(**kwargs)
        # The guard of @_never_raises must not be what saves the day: the bare function too.
        bare = getattr(fn, "__wrapped__", None)
        if bare is not None:
            bare(**kwargs)
        _count(f"normalise {name}")

    run()


def test_normalize_course_never_raises_and_keeps_its_promises() -> None:
    @settings(FUZZ, max_examples=max(1, int(150 * SCALE)))
    @given(raw=raw_courses(), source=st.sampled_from(["coursera", "import:x", "", "ünï"]))
    def run(raw: Any, source: str) -> None:
        record = normalize.normalize_course(raw, source=source, rates=RATES)
        assert record.url is None or record.url.startswith(("http://", "https://"))
        assert isinstance(record.title, str) and len(record.title) <= normalize.MAX_TITLE_CHARS
        for value in (record.price_amount, record.price_eur, record.hours_min, record.rating):
            assert value is None or (isinstance(value, float | int) and math.isfinite(value))
        json.dumps(record.to_dict(), allow_nan=False)  # storable as JSON
        _count("normalise normalize_course (mutated real records)")

    run()
