"""The curated starter catalog: the packaged file loads, is broad enough, and obeys its rules."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest

from catalog.curated import DEFAULT_PATH, CuratedDataError, load_curated
from catalog.record import CERTIFICATES, COSTS, KINDS, LEVELS, PACES, CourseRecord

# The topic slugs the curated file may use (the starter taxonomy).
TOPICS = {
    "machine-learning",
    "deep-learning",
    "nlp",
    "llm-and-generative-ai",
    "prompt-engineering",
    "computer-vision",
    "reinforcement-learning",
    "mlops",
    "data-science",
    "ai-ethics-law",
    "ai-for-business",
    "ai-productivity-tools",
    "ai-fundamentals",
    "math-for-ml",
    "python-for-ai",
}


@pytest.fixture(scope="module")
def records() -> list[CourseRecord]:
    return load_curated()


def by_id(records: list[CourseRecord]) -> dict[str, CourseRecord]:
    return {r.source_id: r for r in records}


def test_packaged_file_loads_as_curated_records(records: list[CourseRecord]) -> None:
    assert records
    for record in records:
        assert record.source == "curated"
        assert record.source_id == record.raw["id"]
        assert isinstance(record.checked_on, date)
        assert record.price_eur is None  # conversion belongs to the import pipeline
        json.dumps(record.raw)  # raw must stay JSON-able (dates as ISO strings)
        json.dumps(record.to_dict())


def test_default_path_is_inside_the_package() -> None:
    assert DEFAULT_PATH.is_file()
    assert DEFAULT_PATH.parent.name == "data"
    assert DEFAULT_PATH.parent.parent.name == "catalog"


def test_at_least_85_entries(records: list[CourseRecord]) -> None:
    assert len(records) >= 85


def test_at_least_12_providers(records: list[CourseRecord]) -> None:
    assert len({r.provider for r in records}) >= 12


@pytest.mark.parametrize(
    "name",
    [
        "Coursera",
        "edX",
        "Udacity",
        "fast.ai",
        "DeepLearning.AI",
        "Kaggle",
        "Google",
        "Hugging Face",
        "NVIDIA",
        "Microsoft",
        "Amazon Web Services",
        "KI-Campus",
        "openHPI",
    ],
)
def test_provider_or_platform_group_present(records: list[CourseRecord], name: str) -> None:
    assert any(name in (r.provider, r.platform) for r in records), name


# Microsoft retired AI-900, AI-102 and DP-100 in mid-2026. The curated file lists the current
# credentials instead: Azure AI Fundamentals (now earned via AI-901), its AI-102 successor
# (AI-103) and the DP-100 successor (AI-300). The AWS and Google exams are unchanged.
NAMED_CERTIFICATIONS = [
    "microsoft-certified-azure-ai-fundamentals",
    "microsoft-certified-azure-ai-apps-and-agents-developer-associate",
    "microsoft-exam-ai-300-operationalizing-ml-and-generative-ai",
    "aws-certified-ai-practitioner",
    "aws-certified-machine-learning-engineer-associate",
    "google-cloud-professional-machine-learning-engineer",
]


@pytest.mark.parametrize("entry_id", NAMED_CERTIFICATIONS)
def test_named_certifications_present(records: list[CourseRecord], entry_id: str) -> None:
    record = by_id(records)[entry_id]
    assert record.kind == "certification"
    assert record.certificate == "certification"
    assert record.cost == "paid"


def test_exam_fees_known_to_us(records: list[CourseRecord]) -> None:
    fees = {r.source_id: (r.price_amount, r.price_currency) for r in records}
    assert fees["aws-certified-ai-practitioner"] == (100.0, "USD")
    assert fees["aws-certified-machine-learning-engineer-associate"] == (150.0, "USD")
    assert fees["google-cloud-professional-machine-learning-engineer"] == (200.0, "USD")
    assert fees["microsoft-certified-azure-ai-fundamentals"] == (99.0, "USD")


def test_retired_exams_are_not_listed(records: list[CourseRecord]) -> None:
    urls = {r.url for r in records}
    retired = [
        "https://learn.microsoft.com/en-us/credentials/certifications/azure-ai-engineer/",
        "https://learn.microsoft.com/en-us/credentials/certifications/azure-data-scientist/",
        "https://aws.amazon.com/certification/certified-machine-learning-specialty/",
    ]
    assert not urls & set(retired)


def test_enough_german_language_offers(records: list[CourseRecord]) -> None:
    german = [r for r in records if "de" in r.languages]
    assert len(german) >= 5
    assert {r.platform for r in german} >= {"KI-Campus", "openHPI"}


def test_every_kind_appears(records: list[CourseRecord]) -> None:
    kinds = {r.kind for r in records}
    expected = {
        "course",
        "specialization",
        "professional_certificate",
        "certification",
        "learning_path",
        "nanodegree",
    }
    assert expected <= kinds


def test_ids_unique_in_the_file_itself() -> None:
    with DEFAULT_PATH.open("rb") as handle:
        entries = tomllib.load(handle)["course"]
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))


def test_every_value_is_in_its_vocabulary(records: list[CourseRecord]) -> None:
    for r in records:
        assert r.kind in KINDS, r.source_id
        assert r.cost is None or r.cost in COSTS, r.source_id
        assert r.certificate is None or r.certificate in CERTIFICATES, r.source_id
        assert r.level is None or r.level in LEVELS, r.source_id
        assert r.pace is None or r.pace in PACES, r.source_id
        assert r.topics, r.source_id
        assert set(r.topics) <= TOPICS, (r.source_id, set(r.topics) - TOPICS)
        assert r.languages, r.source_id
        for offer in r.offers:
            assert offer.certificate is None or offer.certificate in CERTIFICATES, r.source_id


def test_every_url_is_https(records: list[CourseRecord]) -> None:
    for r in records:
        assert r.url is not None and r.url.startswith("https://"), r.source_id


def test_prices_come_with_a_currency(records: list[CourseRecord]) -> None:
    for r in records:
        assert (r.price_amount is None) == (r.price_currency is None), r.source_id
        if r.cost == "free":
            assert not r.price_amount, r.source_id


def test_offers_become_offer_objects(records: list[CourseRecord]) -> None:
    cs50 = by_id(records)["edx-harvardx-cs50-introduction-to-ai-with-python"]
    labels = [o.label for o in cs50.offers]
    assert labels == ["audit", "verified certificate"]
    assert cs50.offers[0].price_amount == 0.0
    assert cs50.offers[0].price_currency == "USD"
    assert cs50.offers[1].price_amount is None  # unknown stays unknown


# --- broken files ---------------------------------------------------------------------------

GOOD_ENTRY = """
[[course]]
id = "{id}"
title = "A course"
provider = "Someone"
url = "https://example.org/course"
kind = "course"
topics = ["machine-learning"]
checked = 2026-11-28
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "curated.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_small_good_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY.format(id="good-one"))
    [record] = load_curated(path)
    assert record.source_id == "good-one"
    assert record.raw["checked"] == "2026-11-28"
    assert record.checked_on == date(2026, 11, 28)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('kind = "course"', 'kind = "webinar"', "kind 'webinar'"),
        ('title = "A course"\n', "", "missing required key 'title'"),
        ('url = "https://', 'url = "http://', "https://"),
        ('topics = ["machine-learning"]', "topics = []", "topics must not be empty"),
        ("checked = 2026-11-28", 'checked = "2026-11-28"', "checked must be a TOML date"),
        ('kind = "course"', 'kind = "course"\ncost = "cheap"', "cost 'cheap'"),
        ('kind = "course"', 'kind = "course"\nlevel = "expert"', "level 'expert'"),
        ('kind = "course"', 'kind = "course"\npace = "fast"', "pace 'fast'"),
        ('kind = "course"', 'kind = "course"\ncertificate = "badge"', "certificate 'badge'"),
        ('kind = "course"', 'kind = "course"\nprice_amount = 49', "given together"),
        ('kind = "course"', 'kind = "course"\nduration = "4 weeks"', "unknown key(s) duration"),
        ('kind = "course"', 'kind = "course"\nlanguages = ["German"]', "BCP 47"),
    ],
)
def test_broken_entry_names_the_entry(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = GOOD_ENTRY.format(id="fine") + GOOD_ENTRY.format(id="broken-one").replace(old, new)
    with pytest.raises(CuratedDataError) as info:
        load_curated(write(tmp_path, text))
    message = str(info.value)
    assert "'broken-one'" in message
    assert expected in message
    assert "\n" not in message


def test_duplicate_id_is_rejected(tmp_path: Path) -> None:
    text = GOOD_ENTRY.format(id="twice") + GOOD_ENTRY.format(id="twice")
    with pytest.raises(CuratedDataError, match=r"'twice'.*duplicate id"):
        load_curated(write(tmp_path, text))


def test_missing_id_names_the_position(tmp_path: Path) -> None:
    text = GOOD_ENTRY.format(id="first") + GOOD_ENTRY.format(id="x").replace('id = "x"\n', "")
    with pytest.raises(CuratedDataError, match=r"#2 \(no id\).*missing required key 'id'"):
        load_curated(write(tmp_path, text))


def test_broken_offer_is_rejected(tmp_path: Path) -> None:
    text = GOOD_ENTRY.format(id="with-offer") + '[[course.offers]]\ncertificate = "none"\n'
    with pytest.raises(CuratedDataError, match=r"'with-offer'.*offer #1: label"):
        load_curated(write(tmp_path, text))


def test_invalid_toml_is_a_curated_data_error(tmp_path: Path) -> None:
    with pytest.raises(CuratedDataError, match="not valid TOML"):
        load_curated(write(tmp_path, "[[course]]\nid = \n"))


def test_curated_data_error_is_a_value_error() -> None:
    assert issubclass(CuratedDataError, ValueError)
