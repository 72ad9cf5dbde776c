"""Benchmark parts that run in an interpreter of their own (a fresh process pays for its
imports as a command does, and its peak RSS is its own), answering with JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_module(module: str, *args: str, what: str) -> Any:
    """``python -m module args``: the JSON of its last line of output; a failure raises
    with ``what`` failed and the end of its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
