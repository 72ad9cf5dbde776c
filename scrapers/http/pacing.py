"""Pacing per host: one request at a time, and how long to wait before the next.

The delay is ``max(min_delay, AutoThrottle delay)`` from the *start* of one request to the
start of the next, as Scrapy counts DOWNLOAD_DELAY (the time the server takes to answer is
part of the delay, not added to it; AutoThrottle already sets the delay from that time,
measured as Scrapy does from sending a request to its answer's headers); robots.txt's
Crawl-delay / Request-rate and a Retry-After count from the *end* of the previous answer,
as robots.txt means them. The host is the hostname plus the port when it is not the
scheme's default (``example.com`` for both http:// and https://, ``127.0.0.1:8080`` for a
local server): two ports are two servers. A wait longer than ``max_delay`` is refused
with a FetchError rather than slept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

import requests
import urllib3.exceptions as u3e
from urllib3.util.retry import Retry

from scrapers.base import FetchError
from scrapers.http.robots import RobotsRules
from scrapers.http.settings import FetchSettings
from scrapers.http.stats import FetchStats

DEFAULT_PORTS = {"http": 80, "https": 443}


def autothrottle_delay(
    old: float,
    latency: float,
    status: int,
    *,
    target_concurrency: float,
    min_delay: float,
    max_delay: float,
) -> float:
    """Scrapy's AutoThrottle step: move the delay towards ``latency / target_concurrency``.

    The new delay is the mean of the old one and the target, but never below the target
    (a slowing server is followed at once, a recovering one gradually), clamped to
    [min_delay, max_delay]. A non-200 answer (errors, redirects, 304s: small and fast, so
    their latency says little) may raise the delay but never lowers it.
    """
    target = latency / target_concurrency
    new = max(target, (old + target) / 2.0)
    new = min(max(min_delay, new), max_delay)
    if status != 200 and new <= old:
        return old
    return new


def host_key(parts: SplitResult) -> str:
    """Pacing key: hostname, plus the port if it is not the scheme's default."""
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or port == DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


@dataclass
class Host:
    """Pacing state of one host; ``lock`` is held for the whole exchange (one at a time)."""

    key: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_allowed: float = float("-inf")  # held back by Retry-After or a refused wait
    last_start: float = float("-inf")  # when the last attempt to this host was sent
    last_end: float = float("-inf")  # when the last answer from this host was complete
    throttle: float = 0.0  # AutoThrottle delay
    robots_delay: float = 0.0
    robots: dict[str, RobotsRules] = field(default_factory=dict)  # origin -> rules
    gave_up: str | None = None  # why the host is not asked again this run (it never answered)


class Marks(threading.local):
    """What the fetching thread's current exchange has measured so far (one per thread)."""

    host: str = "?"
    attempt_start: float = 0.0  # when the current attempt (first try or a retry) began
    retry_wait: float = 0.0  # seconds slept between attempts
    sent_at: float | None = None  # set by the transport as the request goes out...
    headers_at: float | None = None  # ...and as the answer's headers are in
    latency: float = 0.0  # the server's time for the last attempt


class RetryAfterTooLong(Exception):
    """The server asked us to come back later than max_delay."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class Pacer:
    """The hosts a fetcher talks to and when each may be asked again."""

    def __init__(
        self,
        settings: FetchSettings,
        stats: FetchStats,
        marks: Marks,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.settings = settings
        self.stats = stats
        self.marks = marks
        self.clock = clock
        self.sleep = sleep
        self._hosts: dict[str, Host] = {}
        self._lock = threading.Lock()

    def host(self, parts: SplitResult) -> Host:
        key = host_key(parts)
        with self._lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = Host(key, throttle=self.settings.min_delay)
            return host

    def delay_for(self, url: str) -> float:
        """The delay that will separate the next two requests to this URL's host."""
        parts = urlsplit(url)
        with self._lock:
            host = self._hosts.get(host_key(parts))
        return self._delay(host) if host else self.settings.min_delay

    def wait_turn(self, host: Host, url: str) -> None:
        """Sleep until the host may be asked again; refuse waits longer than max_delay."""
        allowed = self._allowed(host)
        wait_s = allowed - self.clock()
        if wait_s > self.settings.max_delay + 1e-9:
            raise FetchError(
                url,
                f"host {host.key} needs a wait of {wait_s:.0f} s "
                f"(Crawl-delay), more than max_delay {self.settings.max_delay:g} s",
            )
        if host.last_start > float("-inf"):
            self.stats.add_floor(host.key, max(0.0, allowed - host.last_start))
        if wait_s > 0:
            self.sleep(wait_s)

    def start(self, host: Host) -> float:
        """Mark the start of an exchange with ``host`` on this thread; returns the time."""
        marks = self.marks
        marks.host = host.key
        marks.retry_wait = 0.0
        marks.sent_at = marks.headers_at = None
        marks.attempt_start = start = self.clock()
        return start

    def on_retry_wait(self, seconds: float, from_header: bool) -> None:
        """Called by the retry policy before each retry, on the fetching thread: a retry
        waits the backoff or Retry-After, and never less than the host's own delay
        (Crawl-delay, min_delay, AutoThrottle), as a request of its own would."""
        self.stats.add(retries=1)
        if from_header and seconds > self.settings.max_delay:
            raise RetryAfterTooLong(seconds)
        with self._lock:
            host = self._hosts.get(self.marks.host)
        if host is not None:
            seconds = max(seconds, self._delay(host))
        seconds = min(seconds, self.settings.max_delay)
        if seconds > 0:
            self.sleep(seconds)
            self.marks.retry_wait += seconds
            self.stats.add_floor(self.marks.host, seconds)
        self.marks.attempt_start = self.clock()  # the next attempt starts now

    def after_attempt(
        self, host: Host, resp: requests.Response | None, start: float, cache_hit: bool
    ) -> float:
        """Bookkeeping after an exchange that was answered (``resp``) or failed (None): the
        server's latency, AutoThrottle, when the host was last asked. Returns the end time."""
        end = self.clock()
        latency = self._latency(start, end)
        self.marks.latency = latency
        if resp is not None and self.settings.autothrottle and not cache_hit:
            host.throttle = autothrottle_delay(
                host.throttle,
                latency,
                304 if getattr(resp, "revalidated", False) else resp.status_code,
                target_concurrency=self.settings.target_concurrency,
                min_delay=self.settings.min_delay,
                max_delay=self.settings.max_delay,
            )
        if not cache_hit:
            host.last_start = self.marks.attempt_start
            host.last_end = end
        return end

    def hold_back(self, host: Host, resp: requests.Response, end: float) -> None:
        """A 429 or 503 with Retry-After keeps the host waiting (for max_delay at most)."""
        if resp.status_code in (429, 503):
            retry_after = _retry_after_seconds(resp.headers.get("Retry-After"))
            if retry_after:
                wait = min(retry_after, self.settings.max_delay)
                host.next_allowed = max(host.next_allowed, end + wait)

    def _latency(self, start: float, end: float) -> float:
        """The server's time for the last attempt: from sending it to its headers, as
        Scrapy's AutoThrottle measures (our cache reads and writes, the body's download and
        waits for the GIL are not the server's). Without those marks (no request went out,
        or it failed before the answer), the exchange less retry waits."""
        marks = self.marks
        if marks.sent_at is not None and marks.headers_at is not None:
            return max(0.0, marks.headers_at - max(marks.sent_at, marks.attempt_start))
        return max(0.0, end - start - marks.retry_wait)

    def _delay(self, host: Host) -> float:
        return max(self._own_delay(host), host.robots_delay)

    def _own_delay(self, host: Host) -> float:
        throttle = host.throttle if self.settings.autothrottle else 0.0
        return max(self.settings.min_delay, throttle)

    def _allowed(self, host: Host) -> float:
        """The earliest time the host may be asked again (see the module docstring)."""
        return max(
            host.next_allowed,
            host.last_start + self._own_delay(host),
            host.last_end + host.robots_delay,
        )


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return Retry().parse_retry_after(value)
    except u3e.InvalidHeader:
        return None
