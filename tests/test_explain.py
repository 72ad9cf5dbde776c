"""``courseradar explain``: why a course is in scope and why it has each topic, on both
dialects (the library) and as the command prints it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from catalog.explaining import ExplainError, explain
from catalog.refresh.file_import import import_file
from tests.support.cli import run_cli

ROWS = [
    {
        "title": "Sequence Models",
        "partner": "DeepLearning.AI",
        "skills": "Artificial Neural Networks, Deep Learning, Natural Language Processing",
    },
    {
        "title": "AI for Medicine",
        "partner": "DeepLearning.AI",
        "skills": "Machine Learning, Deep Learning, Python Programming",
    },
    {"title": "Data Visualization with Tableau", "partner": "UC Davis", "skills": "Tableau"},
]


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "courses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROWS[0]))
        writer.writeheader()
        writer.writerows(ROWS)
    return path


def test_explain_names_the_evidence_of_scope_and_of_each_topic(
    engine: Engine, tmp_path: Path
) -> None:
    import_file(engine, _csv(tmp_path))
    seq = explain(engine, "sequence models")
    assert seq.course_id is not None
    assert seq.in_scope is not None and "Deep Learning" in seq.in_scope
    assert seq.topics == {
        "Deep Learning & Neural Networks": "title",
        "Natural Language Processing": "title",
    }
    medicine = explain(engine, str(explain(engine, "AI for Medicine").course_id))
    assert medicine.title == "AI for Medicine"
    assert medicine.topics["Deep Learning & Neural Networks"] == "skill tag"
    assert "3 skill tags" in medicine.evidence
    # Not imported (out of scope): explained as a title alone.
    tableau = explain(engine, "Data Visualization with Tableau")
    assert tableau.course_id is None and tableau.in_scope is None
    assert list(tableau.topics) == ["Data Science & Analytics"]
    with pytest.raises(ExplainError, match="no course with id 424242"):
        explain(engine, "424242")
    with pytest.raises(ExplainError, match="give an id"):
        explain(engine, "e")  # in several titles


def test_explain_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("import", str(_csv(tmp_path)), data_dir=data).returncode == 0
    done = run_cli("explain", "Sequence Models", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "in scope: an AI topic: Deep Learning & Neural Networks (title)" in done.stdout
    assert "topic Natural Language Processing: title" in done.stdout
    done = run_cli("explain", "Data Visualization with Tableau", "--json", data_dir=data)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["in_scope"] is False and got["course_id"] is None
    done = run_cli("explain", "424242", data_dir=data)
    assert done.returncode != 0
    assert done.stderr.strip() == "error: no course with id 424242"
