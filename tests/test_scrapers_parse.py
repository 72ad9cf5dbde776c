"""Saved pages are the tests (the recipe-scrapers habit): one parametrised test for all sources.

Every file ``tests/fixtures/<source>/<name>.<ext>`` that has a sibling
``<name>.expected.json`` is parsed with ``get_scraper(<source>).parse(bytes, url)``.
The expected file holds:

- ``_url``: the URL the body is parsed as coming from (default ``https://example.org/<file>``);
- ``records``: expected records, matched by ``source_id``; ``title``, ``source_id`` and
  ``url`` must match; any other field given is checked, fields left out are not;
- optional ``count``: the exact number of records;
- optional ``follow``: the exact list of follow-up request URLs (in order);
- optional ``errors``: the exact number of errors (0 for a clean parse), or a list of
  substrings each of which must occur in one of the errors. Without it errors are not
  checked (fixtures with deliberately broken entries report them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scrapers import SOURCES, get_scraper

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MANDATORY = ("title", "source_id", "url")


def _cases() -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("*/*")):
        if path.name.endswith(".expected.json") or not path.is_file():
            continue
        expected = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")
        if expected.exists():
            cases.append(pytest.param(path, expected, id=f"{path.parent.name}/{path.name}"))
    return cases


@pytest.mark.parametrize(("input_path", "expected_path"), _cases())
def test_fixture_parses_to_expected(input_path: Path, expected_path: Path) -> None:
    source = input_path.parent.name
    assert source in SOURCES, f"fixture folder {source!r} is not a registered source"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    url = expected.get("_url") or f"https://example.org/{input_path.name}"

    result = get_scraper(source).parse(input_path.read_bytes(), url)

    want_errors = expected.get("errors")
    if isinstance(want_errors, int):
        assert len(result.errors) == want_errors, result.errors
    elif want_errors is not None:
        for fragment in want_errors:
            assert any(fragment in e for e in result.errors), (fragment, result.errors)

    if "count" in expected:
        assert len(result.records) == expected["count"]
    if "follow" in expected:
        assert [r.url for r in result.follow] == expected["follow"]

    by_id: dict[str, Any] = {}
    for rec in result.records:
        assert rec.get("source_id"), f"record without source_id: {rec}"
        assert rec.get("title"), f"record without title: {rec}"
        by_id.setdefault(str(rec["source_id"]), rec)
    for want in expected.get("records", []):
        got = by_id.get(str(want["source_id"]))
        assert got is not None, f"missing record {want['source_id']!r}; got {sorted(by_id)}"
        for field in MANDATORY:
            assert got.get(field) == want.get(field), (want["source_id"], field)
        for field, value in want.items():
            if field.startswith("_") or field in MANDATORY:
                continue
            assert got.get(field) == value, (want["source_id"], field, got.get(field))


def test_fixture_folders_exist() -> None:
    """Guard against a silent zero: the discovery above must find something to run."""
    assert _cases(), f"no fixtures found under {FIXTURES}"
