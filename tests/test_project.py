"""The project's promises about itself: README commands, CI, licence."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_starts_with_the_two_commands() -> None:
    run, test = readme_commands()
    assert "courseradar serve" in run
    assert "pytest" in test
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert run in head and test in head


def test_ci_runs_exactly_the_readme_test_command() -> None:
    _run, test = readme_commands()
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test in lines
    # lint and types come before the tests
    assert lines.index(".venv/bin/mypy") < lines.index(test)


def test_licence_is_mit() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
