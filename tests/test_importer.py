"""catalog.refresh.file_rows and file_columns: the three real CSV datasets in shared/realdata
(read from beside the repository, never copied; skipped where absent), and small files written
per test for JSON, JSON Lines, semicolons, BOMs, Windows-1252, mappings and broken rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog.refresh.file_columns import ImportFormatError, RowResult, derived_source_id
from catalog.refresh.file_rows import read_rows

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
DATASETS = REALDATA / "datasets"


def dataset(name: str) -> Path:
    path = DATASETS / name
    if not path.is_file():
        pytest.skip(f"real dataset not found (shared/realdata beside the repo): {path}")
    return path


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def good(rows: list[RowResult]) -> list[dict[str, Any]]:
    return [dict(r.raw) for r in rows if r.raw is not None]


# -- real datasets ---------------------------------------------------------------------------------


def _starts_on_its_line(path: Path, rows: list[RowResult], first_column: str) -> None:
    """Each row's reported line is the physical line where its first cell begins."""
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    for row in rows:
        assert row.raw is not None
        cell = str(row.raw.get(first_column) or "")
        text = lines[row.line - 1].lstrip(' "')
        assert text.startswith(cell[:20].replace('"', '""')[:20]) or text.startswith(cell[:20]), (
            row.line,
            cell[:40],
            lines[row.line - 1][:60],
        )


def test_edx_dataset() -> None:
    path = dataset("edx_courses.csv")
    rows = list(read_rows(path))
    assert len(rows) == 975
    assert [r for r in rows if r.error] == []
    first = rows[0]
    assert first.line == 2
    assert first.raw is not None
    raw = dict(first.raw)
    extra = raw.pop("extra")
    assert raw == {
        "title": "How to Learn Online",
        "url": "https://www.edx.org/course/how-to-learn-online",
        "provider": "edX",
        "description": raw["description"],
        "categories": "Education & Teacher Training",
        "level": "Introductory",
        "language": "English",
        "subtitle_languages": "English",
        "price": "FREE-Add a Verified Certificate for $49 USD",
        "effort": "2–3 hours per week",
        "duration": "2 Weeks",
        "pace": "Self-paced on your time",
        "enrollments": "124,980",
        "source_id": derived_source_id("https://www.edx.org/course/how-to-learn-online", None, ""),
    }
    # the long description wins over the one-line summary, which is kept
    assert raw["description"].startswith("Designed for those who are new to elearning")
    assert extra["summary"] == "Learn essential strategies for successful online learning"
    assert set(extra) == {"summary", "instructors", "course_syllabus"}
    # descriptions span several physical lines: line numbers follow the file, not the row count
    assert rows[-1].line > 976
    _starts_on_its_line(path, rows, "title")
    # the one duplicate row (Harvard's "Introduction to Probability") gets the same derived id
    ids = [r.raw["source_id"] for r in rows if r.raw]
    assert len(ids) - len(set(ids)) == 1


def test_coursera_dataset_with_index_column_and_trailing_empty_row() -> None:
    path = dataset("coursera_data.csv")
    rows = list(read_rows(path))
    assert len(rows) == 891  # the trailing ",,,,,," row is skipped silently
    assert [r for r in rows if r.error] == []
    assert rows[0].line == 2 and rows[-1].line == 892
    raw = good(rows)[0]
    assert raw == {
        "title": "(ISC)² Systems Security Certified Practitioner (SSCP)",
        "provider": "(ISC)²",
        "certificate": "SPECIALIZATION",
        "rating": "4.7",
        "level": "Beginner",
        "enrollments": "5.3k",
        "source_id": raw["source_id"],
    }
    assert raw["source_id"].startswith("title-")
    assert all("extra" not in r for r in good(rows))  # the unnamed index column is dropped


def test_coursera_partner_dataset() -> None:
    path = dataset("coursera_courses_partner_level_certificate_duration.csv")
    rows = list(read_rows(path))
    assert len(rows) == 1139
    assert [r for r in rows if r.error] == []
    raw = good(rows)[0]
    assert raw["title"] == "Google Cybersecurity"
    assert raw["provider"] == "Google"
    assert raw["skills"].startswith("Network Security, Python Programming, Linux")
    assert raw["rating"] == "4.8"
    assert raw["rating_count"] == "16400.0"
    assert raw["level"] == "Beginner"  # "Beginner " in the file
    assert raw["certificate"] == "Professional Certificate"
    assert raw["duration"] == "3 - 6 Months"
    assert raw["extra"] == {"crediteligibility": "False"}
    _starts_on_its_line(path, rows, "provider")


# -- CSV -------------------------------------------------------------------------------------------


def test_semicolon_csv_with_bom_and_quoted_newlines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kurse.csv",
        "\ufeffTitle;Provider;Price;Description\n"
        'Einführung in die KI;KI-Campus;0;"Zwei\nZeilen; mit Semikolon"\n'
        "Maschinelles Lernen;openHPI;49,00 €;\n"
        ";;;\n"
        "\n",
    )
    rows = list(read_rows(path))
    assert [(r.line, r.error) for r in rows] == [(2, None), (4, None)]
    first, second = good(rows)
    assert first["title"] == "Einführung in die KI"
    assert first["provider"] == "KI-Campus"
    assert first["description"] == "Zwei\nZeilen; mit Semikolon"
    assert second["price"] == "49,00 €"
    assert "description" not in second


def test_tab_separated_by_extension_and_utf16(tmp_path: Path) -> None:
    text = "course_title\tcourse_organization\tcourse_url\nDeep Learning\tDeepLearning.AI\thttps://x.org/dl\n"
    rows = list(read_rows(write(tmp_path, "list.tsv", text)))
    assert good(rows)[0]["provider"] == "DeepLearning.AI"
    # Excel's "Unicode text" export: UTF-16 with BOM, tab separated
    rows = list(read_rows(write(tmp_path, "excel.txt", text, "utf-16"), fmt="tsv"))
    assert good(rows)[0]["url"] == "https://x.org/dl"


def test_windows_1252_is_read_with_a_note(tmp_path: Path) -> None:
    path = write(
        tmp_path, "win.csv", "title;provider\nKünstliche Intelligenz;Universität Köln\n", "cp1252"
    )
    rows = list(read_rows(path))
    assert good(rows) == [
        {
            "title": "Künstliche Intelligenz",
            "provider": "Universität Köln",
            "source_id": derived_source_id(None, "Universität Köln", "Künstliche Intelligenz"),
        }
    ]
    assert rows[0].note is not None and "cp1252" in rows[0].note


def test_missing_title_and_misaligned_rows_are_row_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.csv",
        "title,provider,url\n"
        ",IBM,https://ibm.com/a\n"
        "Data Science,IBM,https://ibm.com/b,surplus\n"
        "Data Science,IBM,https://ibm.com/c,\n"
        "   ,IBM,\n",
    )
    rows = list(read_rows(path))
    assert [(r.line, r.error) for r in rows] == [
        (2, "missing title"),
        (3, "row has 4 cells but the header has 3 (a stray delimiter or an unclosed quote?)"),
        (4, None),  # an empty surplus cell is a trailing delimiter, not a problem
        (5, "missing title"),
    ]


def test_unnamed_columns_and_extra(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", ",Unnamed: 1,Name,Partner,Notes\n0,x,AI Basics,Acme,great\n")
    (raw,) = good(list(read_rows(path)))
    assert raw["title"] == "AI Basics" and raw["provider"] == "Acme"
    assert raw["extra"] == {"Notes": "great"}


def test_bare_numbers_get_the_unit_their_column_names(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "title,hours_per_week,weeks\nML,4,6\n")
    (raw,) = good(list(read_rows(path)))
    assert raw["effort"] == "4 hours per week"
    assert raw["duration"] == "6 weeks"


# -- source ids ----------------------------------------------------------------------------------


def test_source_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ids.csv",
        "id,title,provider,url\n"
        "abc-1,Deep Learning,DeepLearning.AI,https://www.coursera.org/specializations/deep-learning\n"
        ",Deep Learning,DeepLearning.AI,https://www.coursera.org/specializations/deep-learning?utm_source=x\n"
        ",Deep Learning,DeepLearning.AI,https://coursera.org/specializations/deep-learning/\n"
        ",Machine Learning,Stanford University,\n"
        ",Machine learning!,Stanford,\n",
    )
    ids = [r["source_id"] for r in good(list(read_rows(path)))]
    assert ids[0] == "abc-1"
    assert ids[1] == ids[2] and ids[1].startswith("url-")  # tracking parameters do not count
    assert ids[3] == ids[4] and ids[3].startswith("title-")  # same provider and title
    assert len(ids[1]) == len("url-") + 16


# -- JSON ------------------------------------------------------------------------------------------


COURSES = [
    {
        "id": 14381,
        "title": "Introduction to Machine Learning",
        "organisation": {"name": "University of Reading", "url": "http://reading.ac.uk"},
        "skills": ["Python", ["scikit-learn", "pandas"]],
        "description": ["First paragraph.", "Second paragraph."],
        "language": "en",
        "has_certificates": True,
        "certificate": True,
        "hours_per_week": 4,
        "price": 49.0,
        "rating": 4.5,
    },
    {"title": 42, "provider": "Acme"},
    {"title": "Nested", "provider": {"name": "Acme"}},
    {"title": "Listed", "categories": ["AI", {"id": 3}]},
    ["not", "an", "object"],
    {"provider": "No title here"},
    {"title": "Last one", "url": "https://example.org/last"},
]


def test_json_array_with_line_numbers_and_type_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "courses.json", json.dumps(COURSES, indent=2))
    rows = list(read_rows(path))
    lines = path.read_text().split("\n")
    assert len(rows) == len(COURSES)
    for row in rows:  # each element starts on its reported line
        assert lines[row.line - 1].strip() in ("{", "["), row
    assert [r.error for r in rows] == [
        # "organisation" is recognised as the provider, but FutureLearn gives an object
        "provider (organisation) is an object, not text; map one of its keys, "
        "e.g. provider=organisation.name",
        "title (title) is a number (42), not text",
        "provider (provider) is an object, not text; map one of its keys, "
        "e.g. provider=provider.name",
        "categories (categories) is a list holding an object, not only text",
        "expected a JSON object, got a list",
        "missing title",
        None,
    ]


def test_json_mapping_into_nested_objects_and_value_types(tmp_path: Path) -> None:
    path = write(tmp_path, "fl.json", json.dumps(COURSES, indent=2))
    rows = list(read_rows(path, mapping={"provider": "organisation.name"}))
    first = rows[0].raw
    assert first is not None
    assert dict(first) == {
        "source_id": "14381",  # a number as id is fine
        "title": "Introduction to Machine Learning",
        "provider": "University of Reading",
        "description": "First paragraph. Second paragraph.",  # a list of strings, flattened
        "skills": ["Python", "scikit-learn", "pandas"],  # nested lists too
        "language": "en",
        "price": 49.0,
        "certificate": "Course certificate",  # true: the phrase the normaliser reads
        "effort": "4 hours per week",
        "rating": 4.5,
        "extra": {"has_certificates": True},  # unmapped keys kept verbatim
    }
    # the mapping wins: an object without "organisation" gets no provider from "provider"
    assert rows[1].error == "title (title) is a number (42), not text"
    assert rows[2].raw is not None and "provider" not in rows[2].raw
    assert rows[2].raw["extra"] == {"provider": {"name": "Acme"}}


@pytest.mark.parametrize("key", ["courses", "elements", "items", "results"])
def test_json_object_with_a_course_list(tmp_path: Path, key: str) -> None:
    document = {"paging": {"total": 2}, key: [{"name": "A"}, {"name": "B"}], "linked": {}}
    path = write(tmp_path, "page.json", json.dumps(document, indent=1))
    rows = list(read_rows(path))
    assert [r.raw["title"] for r in rows if r.raw] == ["A", "B"]
    assert [r.line for r in rows] == [6, 9]  # where each '{' stands


def test_json_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="courses, elements, items, results"):
        list(read_rows(write(tmp_path, "a.json", '{"data": [1]}')))
    with pytest.raises(ImportFormatError, match=r"not valid JSON: .* line 2"):
        list(read_rows(write(tmp_path, "b.json", '[{"title": "x"},\n {"title": }]')))
    with pytest.raises(ImportFormatError, match="array or object"):
        list(read_rows(write(tmp_path, "c.json", '"just text"')))


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "feed.jsonl",
        '{"title": "One", "provider": "Acme"}\n'
        "\n"
        '{"title": "Two", "provider": \n'
        '{"title": "Three", "provider": "Acme", "level": "Beginner"}\n'
        "[1, 2]\n"
        '{"title": "Four"}\n',
    )
    rows = list(read_rows(path))
    assert [(r.line, r.raw["title"] if r.raw else r.error) for r in rows] == [
        (1, "One"),
        (3, "invalid JSON: Expecting value (column 29)"),  # the end of the line
        (4, "Three"),
        (5, "expected a JSON object, got a list"),
        (6, "Four"),
    ]
    assert good(rows)[1]["level"] == "Beginner"
    # ".ndjson" is JSON Lines too
    ndjson = write(tmp_path, "feed.ndjson", '{"title": "Solo"}\n')
    assert good(list(read_rows(ndjson)))[0]["title"] == "Solo"


# -- mapping and format errors -------------------------------------------------------------------


def test_mapping_overrides_recognised_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "de.csv",
        "Kurs;Anbieter;Gebühr;Title\nDeep Learning;TUM;0 €;ignored\n",
    )
    (row,) = read_rows(path, mapping={"title": "Kurs", "provider": "anbieter", "price": "Gebühr"})
    assert row.raw is not None
    assert (row.raw["title"], row.raw["provider"], row.raw["price"]) == (
        "Deep Learning",
        "TUM",
        "0 €",
    )
    assert row.raw["extra"] == {"Title": "ignored"}


def test_unknown_field_or_column_in_the_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "Kurs,Anbieter\nA,B\n")
    with pytest.raises(
        ImportFormatError, match=r"unknown field 'titel'.*valid fields: source_id, title"
    ):
        list(read_rows(path, mapping={"titel": "Kurs"}))
    with pytest.raises(ImportFormatError) as info:
        list(read_rows(path, mapping={"title": "Name"}))
    message = str(info.value)
    assert "'Name'" in message and "'Kurs', 'Anbieter'" in message and "\n" not in message
    assert isinstance(info.value, ValueError)


def test_format_from_extension_or_argument(tmp_path: Path) -> None:
    path = write(tmp_path, "list.txt", "title\nA\n")
    with pytest.raises(ImportFormatError, match="extension"):
        list(read_rows(path))
    assert good(list(read_rows(path, fmt="csv")))[0]["title"] == "A"
    with pytest.raises(ImportFormatError, match="unknown format 'xlsx'"):
        list(read_rows(path, fmt="xlsx"))
    with pytest.raises(ImportFormatError, match="empty"):
        list(read_rows(write(tmp_path, "empty.csv", "")))
