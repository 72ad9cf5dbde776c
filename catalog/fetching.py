"""The fetcher a refresh uses: one PoliteFetcher with its HTTP cache in the data directory.

Kept apart from ``scrapers.http`` (which knows nothing of CourseRadar's data directory) and
from ``catalog.refresh`` (whose stages take any fetcher, so tests hand in their own).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from catalog.db import data_dir
from scrapers.http import FetchSettings, PoliteFetcher


def default_cache_path() -> Path:
    """``<data dir>/http-cache.sqlite``: kept between runs, so unchanged pages cost a 304."""
    return data_dir() / "http-cache.sqlite"


def make_fetcher(
    cache_path: Path | None = None, settings: FetchSettings | None = None
) -> PoliteFetcher:
    """A PoliteFetcher with ``settings`` (default: the defaults) and the HTTP cache at
    ``cache_path`` (default: the data directory)."""
    path = Path(cache_path) if cache_path is not None else default_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return PoliteFetcher(dataclasses.replace(settings or FetchSettings(), cache_path=path))
