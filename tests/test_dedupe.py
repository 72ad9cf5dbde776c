"""Dedupe: URL canonicalisation, title and provider normalisation, merges and (more important)
non-merges, and the matcher run over the real datasets in shared/realdata (read from beside the
repository, never copied; those tests skip where it is absent).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from catalog.dedupe import (
    TITLE_THRESHOLD,
    MatchEntry,
    Matcher,
    canonical_url,
    normalize_provider,
    normalize_title,
    same_course_titles,
    stable_id,
    url_key,
)

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
DATASETS = REALDATA / "datasets"

# -- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.coursera.org/learn/machine-learning?utm_source=classcentral"
            "&utm_medium=listing#reviews",
            "https://coursera.org/learn/machine-learning",
        ),
        (
            "HTTPS://WWW.Coursera.ORG/learn/machine-learning/",
            "https://coursera.org/learn/machine-learning",
        ),
        ("https://coursera.org:443/learn/ml", "https://coursera.org/learn/ml"),
        ("http://example.com:80/a/", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        # meaningful parameters stay, sorted; tracking goes
        (
            "https://lms.example.com/course.php?id=7&lang=de&gclid=x&fbclid=y&ref=nav",
            "https://lms.example.com/course.php?id=7&lang=de",
        ),
        ("https://example.com/c?b=2&a=1", "https://example.com/c?a=1&b=2"),
        (
            "https://example.com/c?ranMID=1&ranEAID=2&ranSiteID=3&siteID=4&irclickid=5&aff=6"
            "&affiliate_id=7&source=8&q=deep+learning",
            "https://example.com/c?q=deep+learning",
        ),
        # on the big catalogs the path is the course: their query strings go entirely
        (
            "https://www.edx.org/course/introduction-to-probability?index=product&queryID=ab12"
            "&position=3&results_level=first-level-results&term=probability&linked_from=sitenav",
            "https://edx.org/course/introduction-to-probability",
        ),
        (
            "https://www.classcentral.com/course/edx-ai-for-everyone-12345?source=cc&tab=reviews",
            "https://classcentral.com/course/edx-ai-for-everyone-12345",
        ),
        (
            "https://www.udemy.com/course/python/?couponCode=SPRING24",
            "https://udemy.com/course/python",
        ),
        ("https://user:secret@example.com/x", "https://example.com/x"),
        ("https://example.com/a%7eb//c/", "https://example.com/a~b/c"),
        ("https://example.com", "https://example.com"),
        ("  https://example.com/x  ", "https://example.com/x"),
        # not http(s): None
        ("ftp://example.com/course", None),
        ("mailto:info@example.com", None),
        ("javascript:alert(1)", None),
        ("www.coursera.org/learn/x", None),
        ("/learn/machine-learning", None),
        ("", None),
        (None, None),
        ("https://[::1", None),
    ],
)
def test_canonical_url(url: str | None, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_url_key_ignores_the_scheme_and_refuses_bare_hosts() -> None:
    assert url_key("http://coursera.org/learn/ml") == url_key("https://www.coursera.org/learn/ml/")
    assert url_key("https://www.coursera.org/") is None
    assert url_key("https://example.com?id=1") is None


def test_stable_id_is_short_and_stable() -> None:
    assert stable_id("IBM", "Data Science") == stable_id("IBM", "Data Science")
    assert stable_id("IBM", "Data Science") != stable_id("IBMData", " Science")
    assert len(stable_id("x")) == 16


# -- titles and providers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Machine Learning | Coursera", "machine learning"),
        ("Deep Learning (2024)", "deep learning"),
        ("Deep Learning [Updated for 2024] - Udemy", "deep learning"),
        ("Machine Learning Specialisation", "machine learning specialization"),
        ("Data Visualisation & Storytelling", "data visualization and storytelling"),
        ("Künstliche Intelligenz – Grundlagen", "kunstliche intelligenz grundlagen"),
        ("Intro to ML", "introduction to machine learning"),
        (
            "CS50's Introduction to AI with Python",
            "cs50s introduction to artificial intelligence with python",
        ),
        ("C++ for C Programmers, Part A", "cplusplus for c programmers part a"),
        ("Google Project Management (DE)", "google project management german"),
        ("Python 3 Programming", "python 3 programming"),
        (None, ""),
    ],
)
def test_normalize_title(title: str | None, expected: str) -> None:
    assert normalize_title(title) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The University of Michigan", "University of Michigan"),
        ("University of Michigan", "Michigan"),
        ("HarvardX", "Harvard University"),
        ("MITx", "Massachusetts Institute of Technology"),
        ("DelftX", "Delft University of Technology"),
        ("UC BerkeleyX", "University of California, Berkeley"),
        ("DeepLearning.AI", "deeplearning.ai"),
        ("AWS", "Amazon Web Services"),
        ("Technische Universität München", "Technical University of Munich"),
        ("IBM", "IBM Inc."),
        (["Duke University"], "Duke"),
    ],
)
def test_same_provider(a: str | list[str], b: str) -> None:
    assert normalize_provider(a) == normalize_provider(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Google", "Google Cloud"),
        ("Linux Foundation", "Linu Foundation"),  # "Linux" is no edX code
        ("Duke University", "Duke Kunshan University"),
        ("Michigan State University", "University of Michigan"),
    ],
)
def test_different_provider(a: str, b: str) -> None:
    assert normalize_provider(a) != normalize_provider(b)


# -- merges and non-merges ------------------------------------------------------------------------


def matcher(*entries: tuple[int, str | None, str | None, str]) -> Matcher:
    return Matcher(MatchEntry(*e) for e in entries)


def test_class_central_listing_of_a_coursera_course_merges_by_url() -> None:
    m = matcher(
        (
            1,
            "https://www.coursera.org/learn/machine-learning",
            "Stanford University",
            "Machine Learning",
        )
    )
    # Class Central names the course a little differently and adds its tracking parameters.
    found = m.find(
        "https://www.coursera.org/learn/machine-learning?ranMID=40328&ranEAID=SAyYsTvLiGQ"
        "&ranSiteID=SAyYsTvLiGQ-abc&siteID=SAyYsTvLiGQ-abc&utm_content=10&utm_medium=partners"
        "&utm_source=linkshare&utm_campaign=SAyYsTvLiGQ",
        "Stanford",
        "Machine Learning by Andrew Ng",
    )
    assert found == 1
    assert m.find("http://coursera.org/learn/machine-learning/", None, None) == 1


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ("Machine Learning", "MACHINE LEARNING"),
        ("Machine Learning: An Introduction", "machine learning - an introduction!"),
        ("Machine Learning Specialization", "Machine Learning Specialisation"),
        ("Data Visualization with Python", "Data Visualisation with Python"),
        ("Leading High-Performing Teams", "Leading HighPerforming Teams"),
        ("Neural Network Fundamentals", "Neural Networks Fundamentals"),
        ("Introduction to Data Science", "Intro to Data Science"),
        ("AI for Everyone", "Artificial Intelligence for Everyone"),
        ("Deep Learning", "Deep Learning | Coursera"),
        ("Deep Learning", "Deep Learning (2024)"),
        ("CS50's Introduction to Computer Science", "CS50s Introduction to Computer Science"),
        ("Introduction to Machine Learning", "Machine Learning: Introduction"),
        ("Learn SQL", "SQL"),
        ("E-Commerce Essentials", "Ecommerce Essentials"),
    ],
)
def test_same_provider_title_variants_merge(existing: str, new: str) -> None:
    m = matcher((7, None, "University of Michigan", existing))
    assert m.find(None, "The University of Michigan", new) == 7


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ("Deep Learning with Tensorflow", "Deep Learning with Python and PyTorch"),
        ("Deep Learning with TensorFlow", "Deep Learning with PyTorch"),
        ("Machine Learning I", "Machine Learning II"),
        ("Machine Learning", "Machine Learning I"),
        ("Algorithms, Part 1", "Algorithms, Part 2"),
        ("Algorithms: Part One", "Algorithms: Part Two"),
        ("English for Journalists, Part A", "English for Journalists, Part B"),
        ("Introduction to Statistics", "Advanced Statistics"),
        ("Introduction to Machine Learning", "Machine Learning"),
        ("Python 2 for Beginners", "Python 3 for Beginners"),
        ("Data Analysis with R", "Data Analysis with Python"),
        ("Data Analysis with Excel", "Data Analysis with SQL"),
        ("Machine Learning", "Machine Learning Specialization"),
        ("Google Project Management", "Google Project Management (DE)"),
        ("Introduction to Financial Accounting", "More Introduction to Financial Accounting"),
        ("The Power of Macroeconomics", "The Power of Microeconomics"),
        ("Excel Skills for Business: Intermediate I", "Excel Skills for Business: Intermediate II"),
        ("Mathematics for Machine Learning", "Mathematics for Machine Learning: PCA"),
        ("Convolutional Neural Networks", "Convolutional Neural Networks in TensorFlow"),
        ("AI for Medical Diagnosis", "AI for Medical Prognosis"),
        ("Hinduism Through Its Scriptures", "Buddhism Through Its Scriptures"),
        ("C Programming", "C# Programming"),
        ("C Programming", "C++ Programming"),
        # the Portuguese version, with the same nouns (real, in the partner dataset)
        ("Google Digital Marketing & E-commerce", "Google Marketing Digital e E-Commerce"),
    ],
)
def test_different_courses_of_one_provider_stay_apart(existing: str, new: str) -> None:
    m = matcher((7, None, "IBM", existing))
    assert m.find(None, "IBM", new) is None
    assert not same_course_titles(normalize_title(existing), normalize_title(new))


def test_same_title_from_different_providers_stays_two() -> None:
    m = matcher((1, None, "Duke University", "Introduction to Machine Learning"))
    assert m.find(None, "Google", "Introduction to Machine Learning") is None
    assert m.find(None, "Duke", "Introduction to Machine Learning") == 1
    # Without a provider only the URL can say it is the same course.
    assert m.find(None, None, "Introduction to Machine Learning") is None


def test_a_shared_landing_page_url_proves_nothing() -> None:
    m = matcher(
        (1, "https://example.org/courses", "Acme", "Deep Learning"),
        (2, "https://example.org/courses", "Acme", "Cloud Security"),
    )
    assert m.find("https://example.org/courses", "Acme", "Deep Learning") == 1
    assert m.find("https://example.org/courses", "Acme", "Cloud Security") == 2
    assert m.find("https://example.org/courses", "Acme", "Quantum Computing") is None


def test_add_lets_a_run_dedupe_against_what_it_just_added() -> None:
    m = Matcher()
    assert m.find("https://example.org/ml", "Acme", "Machine Learning") is None
    m.add(MatchEntry(10, "https://example.org/ml", "Acme", "Machine Learning"))
    assert m.find("https://example.org/ml?utm_source=x", None, None) == 10
    assert m.find(None, "Acme Inc.", "Machine-Learning") == 10
    m.add(MatchEntry(11, None, "Acme", "Machine Learning"))  # first one wins
    assert m.find(None, "Acme", "Machine Learning") == 10


def test_many_entries_in_one_provider() -> None:
    """100k entries: dict lookups stay exact, fuzzy search stays within the provider bucket."""
    topics = ["Data Science", "Machine Learning", "Deep Learning", "Statistics", "Cloud"]
    entries = [
        MatchEntry(i, f"https://example.org/c/{i}", f"Provider {i % 50}", f"{topics[i % 5]} {i}")
        for i in range(100_000)
    ]
    m = Matcher(entries)
    assert m.find("https://www.example.org/c/99999/", None, None) == 99999
    assert m.find(None, "Provider 1", "machine learning 12351") == 12351
    assert m.find(None, "Provider 1", "Machine Learning 12352") is None  # another number
    assert m.find(None, "Provider 2", "Machine Learning 12351") is None  # another provider


# -- real datasets ---------------------------------------------------------------------------------


def _rows(name: str) -> Iterator[dict[str, str]]:
    path = DATASETS / name
    if not path.is_file():
        pytest.skip(f"real dataset not found (shared/realdata beside the repo): {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _entries(name: str) -> list[MatchEntry]:
    if name == "edx_courses.csv":
        return [
            MatchEntry(i, r["course_url"], r["institution"], r["title"])
            for i, r in enumerate(_rows(name))
        ]
    if name == "coursera_data.csv":
        return [
            MatchEntry(i, None, r["course_organization"], r["course_title"])
            for i, r in enumerate(_rows(name))
            if r["course_title"]
        ]
    return [
        MatchEntry(i, None, r["partner"], r["course"])
        for i, r in enumerate(_rows("coursera_courses_partner_level_certificate_duration.csv"))
    ]


def _dedupe(entries: list[MatchEntry]) -> list[tuple[MatchEntry, MatchEntry]]:
    """A run over the rows in order: each row merges into an earlier one or is added."""
    m = Matcher()
    by_id = {e.course_id: e for e in entries}
    merged = []
    for entry in entries:
        found = m.find(entry.url, entry.provider, entry.title)
        if found is None:
            m.add(entry)
        else:
            merged.append((by_id[found], entry))
    return merged


def _near_pairs(entries: list[MatchEntry]) -> list[tuple[str, str]]:
    """Pairs of one provider whose titles reach the fuzzy threshold (candidates for merging)."""
    buckets: dict[str, list[MatchEntry]] = {}
    for e in entries:
        buckets.setdefault(normalize_provider(e.provider), []).append(e)
    pairs = []
    for items in buckets.values():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                score = fuzz.token_sort_ratio(normalize_title(a.title), normalize_title(b.title))
                if score >= TITLE_THRESHOLD and a.title != b.title:
                    pairs.append((a.title, b.title))
    return pairs


@pytest.mark.parametrize(
    "name",
    [
        "edx_courses.csv",
        "coursera_data.csv",
        "coursera_courses_partner_level_certificate_duration.csv",
    ],
)
def test_each_real_row_finds_itself(name: str) -> None:
    entries = _entries(name)
    m = Matcher(entries)
    first: dict[tuple[str, str], int] = {}
    for e in entries:
        first.setdefault((normalize_provider(e.provider), normalize_title(e.title)), e.course_id)
    for e in entries:
        found = m.find(e.url, e.provider, e.title)
        # itself, or the first row of an exact duplicate
        assert found == first[(normalize_provider(e.provider), normalize_title(e.title))], e


def test_edx_dataset_has_one_duplicate() -> None:
    entries = _entries("edx_courses.csv")
    merged = _dedupe(entries)
    assert [(a.title, b.title) for a, b in merged] == [
        ("Introduction to Probability", "Introduction to Probability")  # Harvard, same URL twice
    ]
    near = _near_pairs(entries)
    print(f"edx_courses.csv: {len(merged)} merged, {len(near)} near pairs kept apart")
    for pair in [
        ("Unlocking Information Security: Part I", "Unlocking Information Security: Part II"),
        ("Epidemics I", "Epidemics II"),
        ("Mandarin Chinese Level 1", "Mandarin Chinese Level 2"),
        (
            "Linear Algebra - Foundations to Frontiers",
            "Advanced Linear Algebra: Foundations to Frontiers",
        ),
    ]:
        assert pair in near or pair[::-1] in near, pair
    assert len(near) >= 20  # all of them different courses, by reading each one


def test_coursera_dataset_has_one_duplicate() -> None:
    entries = _entries("coursera_data.csv")
    merged = _dedupe(entries)
    assert [(a.title, b.title, a.provider) for a, b in merged] == [
        ("Developing Your Musicianship", "Developing Your Musicianship", "Berklee College of Music")
    ]
    near = _near_pairs(entries)
    print(f"coursera_data.csv: {len(merged)} merged, {len(near)} near pairs kept apart")
    for pair in [
        ("Excel Skills for Business: Intermediate I", "Excel Skills for Business: Intermediate II"),
        ("Introduction to Financial Accounting", "More Introduction to Financial Accounting"),
        (
            "The Power of Macroeconomics: Economic Principles in the Real World",
            "The Power of Microeconomics: Economic Principles in the Real World",
        ),
        (
            "Machine Learning with TensorFlow on Google Cloud Platform",
            "Advanced Machine Learning with TensorFlow on Google Cloud Platform",
        ),
    ]:
        assert pair in near or pair[::-1] in near, pair


def test_partner_dataset_duplicates() -> None:
    entries = _entries("coursera_courses_partner_level_certificate_duration.csv")
    merged = _dedupe(entries)
    titles = {(a.title, b.title) for a, b in merged}
    print(f"partner dataset: {len(merged)} rows merged into earlier ones")
    # The same programme listed several times, once with a stray colon.
    assert ("Google Project Management:", "Google Project Management") in titles or (
        "Google Project Management",
        "Google Project Management:",
    ) in titles
    assert ("Google Data Analytics", "Google Data Analytics") in titles
    # Every merge is an identical title up to punctuation: nothing fuzzy slipped through.
    assert all(normalize_title(a) == normalize_title(b) for a, b in titles)
    merged_titles = {b for _a, b in titles}
    for other in (
        "Google Project Management (DE)",  # the German version
        "Cybersécurité Google",
        "TESOL Certificate, Part 2: Teach English Now!",
        "Preparing for Google Cloud Certification: Cloud Data Engineer",
    ):
        assert other not in merged_titles, other
