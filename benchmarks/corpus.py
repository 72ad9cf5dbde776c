"""A realistic synthetic catalog of N courses, built from the words of real listings.

Titles, providers, descriptions, skills, levels, languages and effort spellings come from
the datasets in ../shared/realdata (edX, Coursera, FutureLearn, Udacity); the generator
recombines them with a fixed seed, so every run measures the same catalog. Topics come
from the real taxonomy applied to the real titles they were drawn from.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from catalog.record import CourseRecord

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
TITLE_SUFFIXES = (
    "", "", "", "", " II", " for Beginners", ": Advanced Topics", " in Practice",
    " with Python", " for Business", " – Part 2", " (2026)", " Specialization", " Bootcamp",
)  # fmt: skip
LANGS = ["en"] * 80 + ["de"] * 6 + ["es"] * 5 + ["fr"] * 3 + ["zh"] * 2 + ["pt", "ja", "ru", "hi"]
COSTS = ["free"] * 25 + ["free_audit"] * 35 + ["paid"] * 20 + ["subscription"] * 20
CERTS = {
    "free": ["none", "none", "completion"],
    "free_audit": ["completion", "completion", "professional", "academic_credit"],
    "paid": ["completion", "professional", "certification", "degree"],
    "subscription": ["completion", "professional"],
}
KINDS = ["course"] * 80 + ["specialization"] * 8 + ["professional_certificate"] * 5 + [
    "certification", "learning_path", "nanodegree", "degree",
] * 2  # fmt: skip
LEVELS = ["beginner"] * 4 + ["intermediate"] * 3 + ["advanced", "mixed", None]
SOURCES = ["coursera", "edx", "udacity", "futurelearn", "classcentral", "xikolo", "mit-ocw"]


class RealDataMissing(RuntimeError):
    pass


@dataclass
class Seeds:
    titles: list[str]
    providers: list[str]
    descriptions: list[str]
    skills: list[str]


@lru_cache(maxsize=1)
def load_seeds() -> Seeds:
    """Words and spellings from the real datasets (read once per process)."""
    if not REALDATA.is_dir():
        raise RealDataMissing(f"the benchmark corpus is built from {REALDATA}, which is absent")
    titles: list[str] = []
    providers: list[str] = []
    descriptions: list[str] = []
    skills: set[str] = set()
    with (REALDATA / "datasets" / "edx_courses.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            titles.append(row["title"])
            providers.append(row["institution"])
            descriptions.append(row["course_description"] or row["summary"])
    with (REALDATA / "datasets" / "coursera_courses_partner_level_certificate_duration.csv").open(
        encoding="utf-8"
    ) as fh:
        for row in csv.DictReader(fh):
            titles.append(row["course"])
            providers.append(row["partner"])
            skills.update(s.strip() for s in row["skills"].split(",") if s.strip())
    with (REALDATA / "datasets" / "coursera_data.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("course_title"):
                titles.append(row["course_title"])
                providers.append(row["course_organization"])
    feed_path = REALDATA / "futurelearn" / "futurelearn_api_v1_courses_2017.json"
    feed = json.loads(feed_path.read_text())
    for item in feed:
        titles.append(item["name"])
        providers.append(item["organisation"]["name"])
    udacity = json.loads(
        (REALDATA / "udacity" / "udacity_public-api_v0_courses_2017.json").read_text()
    )
    for item in udacity["courses"]:
        titles.append(item["title"])
        if item.get("summary"):
            descriptions.append(item["summary"])
    return Seeds(titles, providers, descriptions, sorted(skills))


def generate(n: int, seed: int = 20261128) -> list[CourseRecord]:
    """``n`` course records drawn from the real seeds; the same list for the same seed."""
    return list(iter_records(n, seed))


def iter_records(n: int, seed: int = 20261128) -> Iterator[CourseRecord]:
    """:func:`generate` one record at a time, for loads that must not hold them all."""
    from catalog.topics import classify

    seeds = load_seeds()
    rng = random.Random(seed)
    topic_cache: dict[str, list[str]] = {}
    start = date(2026, 1, 1)
    for i in range(n):
        base = rng.choice(seeds.titles)
        title = base + rng.choice(TITLE_SUFFIXES)
        topics = topic_cache.get(base)
        if topics is None:
            topics = topic_cache[base] = classify(base)
        cost = rng.choice(COSTS)
        price = None if cost == "free" else float(rng.choice([29, 39, 49, 79, 99, 149, 199, 300]))
        hpw = rng.choice([None, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0])
        weeks = rng.choice([None, 2.0, 4.0, 6.0, 8.0, 12.0])
        hours = hpw * weeks if hpw and weeks else rng.choice([None, 5.0, 12.0, 20.0, 40.0])
        yield (
            CourseRecord(
                source=rng.choice(SOURCES),
                source_id=f"bench-{i}",
                title=title,
                url=f"https://example.org/course/{i}",
                provider=rng.choice(seeds.providers),
                description=rng.choice(seeds.descriptions)[:1500],
                kind=rng.choice(KINDS),
                topics=topics,
                skills=rng.sample(seeds.skills, k=rng.randint(0, 4)),
                level=rng.choice(LEVELS),
                languages=[rng.choice(LANGS)],
                cost=cost,
                price_amount=price,
                price_currency="USD" if price is not None else None,
                price_eur=round(price * 0.92, 2) if price is not None else None,
                certificate=rng.choice(CERTS[cost]),
                hours_min=hours,
                hours_max=hours,
                weeks=weeks,
                hours_per_week_min=hpw,
                hours_per_week_max=hpw,
                pace=rng.choice(["self_paced", "self_paced", "scheduled", None]),
                start_date=(
                    start + timedelta(days=rng.randint(0, 500)) if rng.random() < 0.3 else None
                ),
                rating=round(rng.uniform(3.2, 5.0), 1) if rng.random() < 0.6 else None,
                enrollments=rng.randint(100, 500_000) if rng.random() < 0.5 else None,
            )
        )
