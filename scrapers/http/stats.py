"""What a run cost: counts and the politeness floor, safe to update from several threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FetchStats:
    """What a run cost.

    ``politeness_floor`` is, per host, the time the pacing rules forced between the starts
    of its requests (for each request after the host's first: the earliest start the rules
    allowed minus the previous request's start, whether or not we had to sleep for it) plus
    retry backoff: a host's requests cannot span less. Hosts are paced independently, so a
    run that fetches hosts concurrently cannot be faster than the largest of them.
    """

    requests: int = 0  # exchanges attempted (pages, hops, robots.txt), not counting retries
    retries: int = 0  # extra attempts made by the retry policy
    cache_hits: int = 0  # answered from the cache without contacting the server
    revalidated: int = 0  # 304 Not Modified: the cached body was reused
    bytes: int = 0  # body bytes received (decoded)
    errors: int = 0  # FetchErrors raised (including robots.txt refusals)
    disallowed: int = 0  # of which refused by robots.txt
    politeness_floor: dict[str, float] = field(default_factory=dict)
    robots_notes: dict[str, str] = field(default_factory=dict)  # origin -> why disallow-all
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """A plain copy for reports and benchmarks."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "cache_hits": self.cache_hits,
            "revalidated": self.revalidated,
            "bytes": self.bytes,
            "errors": self.errors,
            "disallowed": self.disallowed,
            "politeness_floor": dict(self.politeness_floor),
            "robots_notes": dict(self.robots_notes),
        }

    def add(self, **deltas: int) -> None:
        """Add to counters by name: ``add(requests=1, bytes=512)``."""
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def add_floor(self, host: str, seconds: float) -> None:
        with self._lock:
            self.politeness_floor[host] = self.politeness_floor.get(host, 0.0) + seconds

    def note_robots(self, origin: str, note: str) -> None:
        with self._lock:
            self.robots_notes[origin] = note
