"""How polite and how patient a fetcher is: one typed, checked object instead of a keyword
argument per knob, so a run states its settings once (as Scrapy keeps them in settings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_USER_AGENT = "CourseRadar/0.1 (+https://github.com/courseradar/courseradar)"


@dataclass(frozen=True)
class FetchSettings:
    """The fetcher's rules and limits (see ``scrapers.http`` for what each one does).

    ``cache_path``: the HTTP cache's SQLite file, or None for no cache. Delays and timeouts
    are seconds; ``max_bytes`` bounds a body's decoded size.
    """

    cache_path: Path | None = None
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10
    read_timeout: float = 30
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff_factor: float = 0.5
    obey_robots: bool = True
    min_delay: float = 0.0
    max_delay: float = 60
    autothrottle: bool = True
    target_concurrency: float = 1.0

    def __post_init__(self) -> None:
        if not self.user_agent.strip():
            raise ValueError("user_agent must name the project")
        if self.min_delay < 0 or self.max_delay < self.min_delay:
            raise ValueError("need 0 <= min_delay <= max_delay")
        if (
            self.target_concurrency <= 0
            or self.max_bytes <= 0
            or self.retries < 0
            or self.max_redirects < 0
        ):
            raise ValueError("target_concurrency, max_bytes > 0; retries, max_redirects >= 0")
        if self.cache_path is not None:
            object.__setattr__(self, "cache_path", Path(self.cache_path))

    @property
    def robots_token(self) -> str:
        """The product token robots.txt rules are matched against ("CourseRadar")."""
        return self.user_agent.split("/")[0].split()[0]
