"""catalog.normalize against the real listing datasets in shared/realdata/datasets.

Every DISTINCT spelling of price, effort, length, level, language, subtitles, certificate type,
enrolment/review count and rating in the three CSVs goes through its parser. The spellings that
come out as None must be exactly the allow-list below, each with the reason None is right, so a
new spelling the parsers miss (or a parser change that loses one) fails here. A sample of rows
checked by hand pins the whole record.

The data is read from ``<repo>/../shared/realdata`` (see its PROVENANCE.md) and never copied
into the repository; where it is absent these tests skip.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from catalog.normalize import (
    normalize_certificate,
    normalize_cost_and_certificate,
    normalize_course,
    normalize_kind,
    normalize_language,
    normalize_languages,
    normalize_level,
    normalize_pace,
    parse_count,
    parse_effort,
    parse_price,
    parse_rating,
)
from catalog.rates import load_rates
from catalog.record import CourseRecord, RawCourse

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
DATASETS = REALDATA / "datasets"
EDX = "edx_courses.csv"
COURSERA = "coursera_data.csv"
PARTNER = "coursera_courses_partner_level_certificate_duration.csv"

pytestmark = pytest.mark.skipif(
    not all((DATASETS / name).is_file() for name in (EDX, COURSERA, PARTNER)),
    reason=f"real datasets not found under {DATASETS} (shared/realdata sits beside the repo)",
)


@cache
def rows(name: str) -> list[dict[str, str]]:
    with (DATASETS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def distinct(*columns: tuple[str, str]) -> list[str]:
    """Distinct string values of (file, column) pairs, in first-seen order.

    coursera_data.csv ends with an empty row (",,"), which csv gives as None for the missing
    cells: no spelling, so not collected.
    """
    seen: dict[str, None] = {}
    for name, column in columns:
        for row in rows(name):
            value = row.get(column)
            if isinstance(value, str):
                seen.setdefault(value, None)
    return list(seen)


def nulls(values: list[str], parse: Callable[[str], object]) -> list[str]:
    return sorted(v for v in values if parse(v) in (None, []))


def effort_found(effort=None, duration=None) -> object:
    result = parse_effort(effort, duration)
    return (
        result.weeks
        if result.weeks is not None
        else (result.hours_max or result.hours_min or result.hours_per_week_min)
    )


# ---------------------------------------------------------------------------------------------
# Every distinct spelling
# ---------------------------------------------------------------------------------------------


def test_every_price_spelling_parses():
    values = distinct((EDX, "price"))
    assert len(values) == 47
    assert nulls(values, lambda v: parse_price(v)[0]) == []
    assert {parse_price(v)[1] for v in values} == {"USD"}
    # all of them: learn free, pay for a verified (completion) certificate
    assert {
        (r.cost, r.certificate, r.price_currency)
        for r in map(normalize_cost_and_certificate, values)
    } == {("free_audit", "completion", "USD")}


def test_every_effort_spelling_parses():
    values = distinct((EDX, "course_effort"))
    assert len(values) == 53
    assert nulls(values, lambda v: parse_effort(v).hours_per_week_min) == []
    assert nulls(values, lambda v: parse_effort(v).hours_per_week_max) == []


def test_every_length_spelling_parses():
    values = distinct((EDX, "course_length"), (PARTNER, "duration"))
    assert nulls(values, lambda v: effort_found(duration=v)) == [
        "None",  # the partner dataset's marker for "no duration shown" (its rows lack all data)
    ]


def test_every_level_spelling_parses():
    values = distinct((EDX, "Level"), (COURSERA, "course_difficulty"), (PARTNER, "level"))
    assert nulls(values, normalize_level) == [
        "",  # partner dataset: programme pages scraped without a level
        "Course",  # partner dataset, shifted columns: the product type landed in "level"
        "Degree",  # same shift
        "None",  # the dataset's own marker for no value (all degree/certificate programmes)
        "Specialization",  # same shift as "Course"
    ]


def test_every_language_spelling_parses():
    values = distinct((EDX, "language"))
    assert nulls(values, normalize_language) == []
    assert {v: normalize_language(v) for v in values} == {
        "English": "en",
        "Español": "es",
        "Français": "fr",
        "Italiano": "it",
        "中文": "zh",
        "Português": "pt",
        "日本語": "ja",
        "اللغة العربية": "ar",
        "Deutsch": "de",
    }


def test_every_subtitle_spelling_parses():
    values = distinct((EDX, "subtitles"))
    assert nulls(values, normalize_languages) == [
        "",  # three edX courses list no subtitles at all
    ]
    # and no single language in the lists is lost
    parts = sorted({p.strip() for v in values for p in v.split(",") if p.strip()})
    assert nulls(parts, normalize_language) == []
    assert sorted(normalize_language(p) for p in parts) == sorted(
        ["de", "en", "es", "fr", "id", "it", "pt", "tr", "ru", "he", "ar", "hi", "zh", "ja", "ko"]
    )


def test_every_certificate_spelling_parses():
    values = distinct((COURSERA, "course_Certificate_type"), (PARTNER, "certificatetype"))
    assert nulls(values, normalize_certificate) == [
        " Guided Project ",  # a 1-2 hour project: the data does not say a certificate comes with it
        "None",  # the dataset's marker for no value
    ]
    assert {v.strip(): normalize_certificate(v) for v in values if v.strip() != "None"} == {
        "COURSE": "completion",
        "SPECIALIZATION": "completion",
        "PROFESSIONAL CERTIFICATE": "professional",
        "Course": "completion",
        "Specialization": "completion",
        "Professional Certificate": "professional",
        "Degree": "degree",
        "University Certificate": "professional",
        "Graduate Certificate": "academic_credit",
        "Mastertrack": "academic_credit",
        "Guided Project": None,
        "Postgraduate Diploma": "academic_credit",
    }
    assert {v.strip(): normalize_kind(v) for v in values if v.strip() != "None"} == {
        "COURSE": "course",
        "SPECIALIZATION": "specialization",
        "PROFESSIONAL CERTIFICATE": "professional_certificate",
        "Course": "course",
        "Specialization": "specialization",
        "Professional Certificate": "professional_certificate",
        "Degree": "degree",
        "University Certificate": "specialization",
        "Graduate Certificate": "specialization",
        "Mastertrack": "specialization",
        "Guided Project": "course",
        "Postgraduate Diploma": "specialization",
    }


def test_every_count_spelling_parses():
    values = distinct(
        (EDX, "n_enrolled"), (COURSERA, "course_students_enrolled"), (PARTNER, "reviewcount")
    )
    assert len(values) > 1000
    assert nulls(values, parse_count) == [
        "",  # partner dataset: programmes without reviews
        "NA",  # edX dataset: enrolment not shown
    ]


def test_every_rating_spelling_parses():
    values = distinct((COURSERA, "course_rating"), (PARTNER, "rating"))
    assert nulls(values, parse_rating) == [
        "",  # partner dataset: programmes without ratings
    ]
    assert all(0 < parse_rating(v) <= 5 for v in values if v)


def test_every_pace_spelling_parses():
    values = distinct((EDX, "course_type"))
    assert {v: normalize_pace(v) for v in values} == {
        "Self-paced on your time": "self_paced",
        "Instructor-led on a course schedule": "scheduled",
    }


# ---------------------------------------------------------------------------------------------
# Rows checked by hand
# ---------------------------------------------------------------------------------------------


def first(name: str, column: str, value: str) -> dict[str, str]:
    return next(row for row in rows(name) if row[column] == value)


def edx_raw(row: dict[str, str]) -> RawCourse:
    return {
        "source_id": row["course_url"],
        "title": row["title"],
        "url": row["course_url"],
        "provider": row["institution"],
        "platform": "edX",
        "description": row["summary"],
        "categories": [row["subject"]],
        "level": row["Level"],
        "language": row["language"],
        "subtitle_languages": row["subtitles"],
        "price": row["price"],
        "effort": row["course_effort"],
        "duration": row["course_length"],
        "pace": row["course_type"],
        "enrollments": row["n_enrolled"],
    }


def coursera_raw(row: dict[str, str]) -> RawCourse:
    return {
        "source_id": row[""],
        "title": row["course_title"],
        "provider": row["course_organization"],
        "platform": "Coursera",
        "kind": row["course_Certificate_type"],
        "certificate": row["course_Certificate_type"],
        "level": row["course_difficulty"],
        "rating": row["course_rating"],
        "enrollments": row["course_students_enrolled"],
    }


def partner_raw(row: dict[str, str]) -> RawCourse:
    return {
        "source_id": row["course"],
        "title": row["course"],
        "provider": row["partner"],
        "platform": "Coursera",
        "skills": row["skills"],
        "kind": row["certificatetype"],
        "certificate": row["certificatetype"],
        "level": row["level"],
        "duration": row["duration"],
        "rating": row["rating"],
        "rating_count": row["reviewcount"],
        "extra": {"credit_eligible": row["crediteligibility"]},
    }


def record(raw: RawCourse, source: str) -> CourseRecord:
    return normalize_course(raw, source=source, rates=load_rates(), classify=lambda *a: [])


def eur(usd: float) -> float:
    return round(usd / 1.0395, 2)  # ECB USD rate of 2024-12-19, the shipped table


def fields(rec: CourseRecord, names: str) -> dict[str, object]:
    return {name: getattr(rec, name) for name in names.split()}


EDX_CASES = [
    (
        "How to Learn Online",
        dict(kind="course", cost="free_audit", certificate="completion", price_amount=49.0,
             price_currency="USD", price_eur=eur(49), level="beginner", languages=["en"],
             subtitle_languages=["en"], hours_per_week_min=2.0, hours_per_week_max=3.0,
             weeks=2.0, hours_min=4.0, hours_max=6.0, pace="self_paced", enrollments=124980,
             provider="edX", url="https://www.edx.org/course/how-to-learn-online"),
    ),
    (
        "CS50's Introduction to Computer Science",
        dict(price_amount=90.0, price_eur=eur(90), hours_per_week_min=6.0,
             hours_per_week_max=18.0, weeks=12.0, hours_min=72.0, hours_max=216.0,
             enrollments=2442271, provider="Harvard University"),
    ),
    (
        "The Analytics Edge",
        dict(pace="scheduled", level="intermediate", price_amount=199.0, weeks=13.0,
             hours_min=130.0, hours_max=195.0),
    ),
    ("English Grammar and Style", dict(enrollments=None, pace="scheduled")),
    ("Introduction to FinTech", dict(subtitle_languages=["en", "zh"])),
    (
        "Japanese Pronunciation for Communication",
        dict(languages=["ja"], subtitle_languages=["en", "ja", "ko", "zh"]),
    ),
    (
        "Información financiera y su análisis",
        dict(languages=["es"], level="advanced", price_amount=49.99, price_eur=eur(49.99),
             enrollments=5473, weeks=4.0, hours_min=20.0, hours_max=32.0),
    ),
    ("مساق اللّغة العربيّة", dict(languages=["ar"], subtitle_languages=["ar"])),
    (
        "Lernen objekt-orientierter Programmierung",
        dict(languages=["de"], subtitle_languages=["de"], pace="scheduled", hours_min=18.0,
             hours_max=30.0, enrollments=10657),
    ),
    ("Analytics in Python", dict(subtitle_languages=[], price_amount=249.0)),
]  # fmt: skip


@pytest.mark.parametrize(("title", "expected"), EDX_CASES, ids=[c[0][:30] for c in EDX_CASES])
def test_edx_rows_by_hand(title, expected):
    rec = record(edx_raw(first(EDX, "title", title)), "edx")
    assert rec.title == title
    assert fields(rec, " ".join(expected)) == expected
    if rec.price_eur is not None:
        assert rec.price_rate_date == date(2024, 12, 19)


COURSERA_CASES = [
    (
        "(ISC)² Systems Security Certified Practitioner (SSCP)",
        dict(kind="specialization", certificate="completion", cost=None, rating=4.7,
             enrollments=5300, level="beginner", provider="(ISC)²"),
    ),
    (
        "A Crash Course in Data Science",
        dict(kind="course", certificate="completion", rating=4.5, enrollments=130000,
             level="mixed"),
    ),
    (
        "Cloud Engineering with Google Cloud",
        dict(kind="professional_certificate", certificate="professional", rating=4.7,
             enrollments=310000, level="intermediate"),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("title", "expected"), COURSERA_CASES, ids=lambda c: str(c)[:30])
def test_coursera_rows_by_hand(title, expected):
    rec = record(coursera_raw(first(COURSERA, "course_title", title)), "coursera")
    assert fields(rec, " ".join(expected)) == expected


PARTNER_CASES = [
    (
        "Google Cybersecurity",
        dict(kind="professional_certificate", certificate="professional", level="beginner",
             weeks=26.07, hours_min=None, rating=4.8, rating_count=16400, provider="Google"),
    ),
    (
        "Microsoft Windows Defender and Firewall for Beginners",
        dict(kind="course", certificate=None, hours_min=None, hours_max=2.0, weeks=None,
             rating=4.2, rating_count=43),
    ),
    (
        "Magíster en Salud Pública Global",
        dict(kind="degree", certificate="degree", level=None, weeks=104.28, rating=None,
             rating_count=None),
    ),
    (
        "Bachelor of Applied Arts and Sciences",
        dict(kind="degree", certificate="degree", hours_per_week_min=15.0,
             hours_per_week_max=None, weeks=None),
    ),
    (
        "Introducción a la Inteligencia Artificial",
        dict(kind="specialization", certificate="academic_credit", weeks=17.38),
    ),
    (
        "Master of Science in Accounting",
        dict(kind="degree", certificate="degree", weeks=156.42),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("title", "expected"), PARTNER_CASES, ids=lambda c: str(c)[:30])
def test_partner_rows_by_hand(title, expected):
    rec = record(partner_raw(first(PARTNER, "course", title)), "coursera")
    assert fields(rec, " ".join(expected)) == expected


def test_partner_skills_are_split():
    rec = record(partner_raw(first(PARTNER, "course", "Google Cybersecurity")), "coursera")
    assert rec.skills[:3] == ["Network Security", "Python Programming", "Linux"]
    assert len(rec.skills) == len(set(rec.skills))


def test_whole_datasets_normalise():
    """Every row of every dataset becomes a record with vocabulary values (no crash, no junk)."""
    converters = [(EDX, edx_raw), (COURSERA, coursera_raw), (PARTNER, partner_raw)]
    count = 0
    for name, convert in converters:
        for row in rows(name):
            if not row.get("course_title", "x"):
                continue  # coursera_data.csv's trailing empty row
            rec = record(convert(row), "realdata")
            assert rec.title
            count += 1
    assert count == 975 + 891 + 1139
