"""Every example of the README's "Command line" block, run in order on the shipped
catalog, answers with results: searches find courses, exports hold rows, the shortlist
and the saved search's feed exist. Examples that need the network or run until stopped
are named here and not run."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
# Not run: they fetch from the network or keep running until stopped.
NOT_RUN = {
    ("serve",): "runs until stopped (tests/test_e2e_browser.py starts it)",
    ("refresh",): "fetches from the network",
    ("sources", "check"): "fetches from the network",
    ("rates", "update"): "fetches from the network",
    ("schedule", "--cron"): "runs until stopped",
}


def readme_examples() -> list[list[str]]:
    """The commands of the README's command-line block, one per `;`-separated part."""
    text = (ROOT / "README.md").read_text()
    block = text.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.strip().splitlines():
        for part in line.split("; "):
            words = shlex.split(part, comments=True)
            if words and words[0] == "courseradar":
                commands.append(words[1:])
    return commands


def _skipped(words: list[str]) -> str | None:
    for start, why in NOT_RUN.items():
        if tuple(words[: len(start)]) == start:
            return why
    return None


def test_the_readme_block_is_read() -> None:
    examples = readme_examples()
    assert sum(words[0] == "search" for words in examples) >= 3
    assert ["shortlist", "add", "Q1 upskilling", "12", "40"] in examples


@pytest.mark.usefixtures("meaning")  # the own-words examples search by meaning
def test_every_readme_example_returns_results(data_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("COURSERADAR_DATABASE_URL", None)
    (tmp_path / "list.csv").write_text(
        "Course Name,url,topics\nPrompt Engineering für Texter,https://example.org/p,"
        "prompt engineering\n"
    )
    shutil.copy(ROOT / "tests/fixtures/edx/course_page_jsonld.html", tmp_path / "saved-page.html")
    ran = 0
    for words in readme_examples():
        if _skipped(words):
            continue
        if words[0] == "search":
            words = [
                *words,
                *([] if "--format" in words else ["--format", "json"]),
                "--limit",
                "500",
            ]
        done = subprocess.run(
            [sys.executable, "-m", "catalog", *words], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, (words, done.stderr)
        _has_results(words, done.stdout, tmp_path)
        ran += 1
    assert ran >= 14


def _has_results(words: list[str], stdout: str, folder: Path) -> None:
    """What the example made holds something: rows, a file with rows, a feed."""
    if words[0] == "search":
        assert json.loads(stdout), words
    elif words[0] == "export":
        target = folder / words[words.index("-o") + 1]
        if target.suffix == ".xlsx":
            sheet = load_workbook(target).active
            assert sheet is not None and sheet.max_row >= 3, words  # header and two courses
        else:
            assert len(target.read_text(encoding="utf-8-sig").splitlines()) >= 2, words
    elif words[0] == "feed":
        root = ET.parse(folder / words[words.index("-o") + 1]).getroot()
        assert root.tag.endswith("feed"), words
    elif words[0] == "calendar":
        text = (folder / words[words.index("-o") + 1]).read_text()
        assert text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in text, words
    elif words[0] == "import":
        assert "1" in stdout, (words, stdout)
    else:
        assert stdout.strip(), words


@pytest.mark.parametrize("words", [w for w in readme_examples() if _skipped(w)])
def test_the_examples_not_run_are_known(words: list[str]) -> None:
    assert _skipped(words)
