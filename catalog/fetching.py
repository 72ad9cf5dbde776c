"""The fetcher a refresh uses: one PoliteFetcher with its HTTP cache in the data directory.

Kept apart from ``scrapers.http`` (which knows nothing of CourseRadar's data directory) and
from ``catalog.refresh`` (whose stages take any fetcher, so tests hand in their own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.db import data_dir
from scrapers.http import PoliteFetcher


def default_cache_path() -> Path:
    """``<data dir>/http-cache.sqlite``: kept between runs, so unchanged pages cost a 304."""
    return data_dir() / "http-cache.sqlite"


def make_fetcher(cache_path: Path | None = None, **kwargs: Any) -> PoliteFetcher:
    """A PoliteFetcher with the HTTP cache at ``cache_path`` (default: the data directory)."""
    path = Path(cache_path) if cache_path is not None else default_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return PoliteFetcher(cache_path=path, **kwargs)
