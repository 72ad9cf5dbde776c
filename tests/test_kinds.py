"""Kinds from imports and programmes across sources: a certificate column holding COURSE /
SPECIALIZATION / PROFESSIONAL CERTIFICATE gives the record's kind; the same programme seen in
two sources merges, while a course and the programme of the same name stay two."""

from __future__ import annotations

import csv
import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from catalog.dedupe import MatchEntry, Matcher
from catalog.normalize import normalize_course, normalize_kind_of
from tests.support.cli import run_cli

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "datasets"


@pytest.mark.parametrize(
    ("kind", "certificate", "expected"),
    [
        (None, "COURSE", "course"),
        (None, "SPECIALIZATION", "specialization"),
        (None, "PROFESSIONAL CERTIFICATE", "professional_certificate"),
        (None, " Professional Certificate ", "professional_certificate"),
        (None, "Shareable Certificate", "course"),  # what the learner gets, not a kind
        (None, "Professional certificate on completion", "course"),
        ("Specialization", "COURSE", "specialization"),  # a kind column wins
        (None, None, "course"),
    ],
)
def test_kind_from_a_certificate_column_that_names_the_product(
    kind: str | None, certificate: str | None, expected: str
) -> None:
    assert normalize_kind_of(kind, certificate) == expected
    raw = {"source_id": "1", "title": "T", "certificate": certificate}
    if kind is not None:
        raw["kind"] = kind
    assert normalize_course(raw, source="file").kind == expected


def test_kinds_of_the_real_coursera_dataset() -> None:
    path = REALDATA / "coursera_data.csv"
    if not path.is_file():
        pytest.skip("real data not found (shared/realdata beside the repo)")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["course_title"]]
    kinds = Counter(normalize_kind_of(None, r["course_Certificate_type"]) for r in rows)
    raw = Counter(r["course_Certificate_type"] for r in rows)
    assert kinds == {
        "course": raw["COURSE"],
        "specialization": raw["SPECIALIZATION"],
        "professional_certificate": raw["PROFESSIONAL CERTIFICATE"],
    }


def test_programme_and_course_of_one_name() -> None:
    dlai, spec, cert = "DeepLearning.AI", "specialization", "professional_certificate"
    matcher = Matcher(
        [
            MatchEntry(1, None, dlai, "AI for Medicine Specialization", spec),
            MatchEntry(2, None, "IBM", "IBM Data Science Professional Certificate", cert),
            MatchEntry(3, None, dlai, "Deep Learning", "course"),
        ]
    )
    assert matcher.find(None, "deeplearning.ai", "AI for Medicine", "specialization") == 1
    assert matcher.find(None, "IBM", "IBM Data Science", "professional_certificate") == 2
    # The course of the same name is not the specialization, nor the other way round.
    assert matcher.find(None, "deeplearning.ai", "AI for Medicine", "course") is None
    assert matcher.find(None, "deeplearning.ai", "Deep Learning", "specialization") is None
    assert matcher.find(None, "deeplearning.ai", "Deep Learning Specialization", None) is None
    assert matcher.find(None, "deeplearning.ai", "Deep Learning", "course") == 3


def test_import_of_the_real_dataset_merges_programmes_with_the_curated_ones(
    tmp_path: Path,
) -> None:
    path = REALDATA / "coursera_data.csv"
    if not path.is_file():
        pytest.skip("real data not found (shared/realdata beside the repo)")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, data_dir=tmp_path / "data")

    assert cli("import", str(path)).returncode == 0
    done = cli("search", "AI for Medicine", "--format", "json")
    assert done.returncode == 0, done.stderr
    by_title = {r["title"]: r for r in json.loads(done.stdout)}
    medicine = by_title["AI for Medicine Specialization"]
    assert medicine["kind"] == "specialization"
    assert set(medicine["sources"]) == {"curated", "import:coursera_data"}
    assert "AI for Medicine" not in by_title  # merged, not a second record
    done = cli(
        "search", "IBM Data Science", "--kind", "professional_certificate", "--format", "json"
    )
    rows = json.loads(done.stdout)
    (ibm,) = [r for r in rows if r["title"] == "IBM Data Science Professional Certificate"]
    assert set(ibm["sources"]) == {"curated", "import:coursera_data"}
    # Courses of the import keep their kind: a course is never merged into a programme.
    done = cli("search", "Neural Networks and Deep Learning", "--format", "json")
    (nn,) = [
        r for r in json.loads(done.stdout) if r["title"] == "Neural Networks and Deep Learning"
    ]
    assert nn["kind"] == "course"
