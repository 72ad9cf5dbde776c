"""robots.txt: what one origin's answer means for the rest of the run (RFC 9309, protego).

A 2xx is parsed and obeyed, its Crawl-delay / Request-rate becoming the host's minimum
delay. 404/410 (any 4xx but 401, 403, 429) mean "allow all"; 401/403 "disallow all"; 429,
5xx or a network failure "disallow all for this run" (we cannot tell what the site wants,
so we stay away), with the reason kept for ``FetchStats.robots_notes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

from scrapers.base import FetchError
from scrapers.http.messages import describe

# RFC 9309 asks parsers to read at least 500 KiB of robots.txt; Google stops there too.
ROBOTS_PARSE_LIMIT = 512 * 1024


@dataclass
class RobotsRules:
    """robots.txt of one origin: a parser, or a blanket allow/deny with the reason."""

    parser: Protego | None = None
    allow_all: bool = True
    note: str | None = None
    delay: float = 0.0  # Crawl-delay or Request-rate for our token, seconds

    def can_fetch(self, url: str, token: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, token))

    def check(self, url: str, token: str, original: str) -> None:
        """Raise the FetchError of a refusal (reported under the URL asked for)."""
        if not self.can_fetch(url, token):
            why = f" ({self.note})" if self.note else ""
            at = f" at {url}" if url != original else ""
            raise FetchError(original, f"disallowed by robots.txt{at}{why}")


def unreachable(reason: str) -> RobotsRules:
    """The rules when robots.txt could not be fetched at all."""
    return RobotsRules(allow_all=False, note=f"robots.txt unreachable: {reason}")


def rules_from_answer(status: int, content: bytes, token: str) -> RobotsRules:
    """The rules an answer to ``/robots.txt`` sets (see the module docstring)."""
    if 200 <= status < 300:
        text = content[:ROBOTS_PARSE_LIMIT].decode("utf-8", errors="replace")
        try:
            parser = Protego.parse(text.lstrip("\ufeff"))
        except Exception as exc:  # a parser bug must not become "allow all"
            return RobotsRules(allow_all=False, note=f"robots.txt unparsable: {describe(exc)}")
        return RobotsRules(parser=parser, delay=_delay(parser, token))
    if status in (401, 403):
        return RobotsRules(allow_all=False, note=f"robots.txt HTTP {status}: disallow all")
    if status == 429 or status >= 500:
        return RobotsRules(allow_all=False, note=f"robots.txt HTTP {status}: disallow all this run")
    if 400 <= status < 500:
        return RobotsRules(allow_all=True)
    return RobotsRules(allow_all=False, note=f"robots.txt HTTP {status}: disallow all this run")


def _delay(parser: Protego, token: str) -> float:
    delay = parser.crawl_delay(token) or 0.0
    rate = parser.request_rate(token)
    if rate is not None and rate.requests > 0:
        delay = max(delay, rate.seconds / rate.requests)
    return float(delay)
