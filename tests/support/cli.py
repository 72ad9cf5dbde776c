"""Run the ``courseradar`` command in a subprocess against a data directory of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(data_dir)}
    env.pop("COURSERADAR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
