"""The only code in CourseRadar that talks to the network: one polite fetcher.

Every request a scraper makes goes through :class:`PoliteFetcher`, so the rules that keep us
welcome live in one place:

* robots.txt is fetched once per origin per fetcher (= one run) with protego and obeyed; its
  Crawl-delay / Request-rate become the host's minimum delay. A 404/410 (any 4xx but 401, 403,
  429) means "allow all"; 401/403 mean "disallow all"; 429, 5xx or a network failure mean
  "disallow all for this run" (we cannot tell what the site wants, so we stay away) and the
  reason is kept in ``stats.robots_notes``.
* Pacing per host: one request at a time; ``max(min_delay, AutoThrottle delay)`` from the
  *start* of one request to the start of the next, as Scrapy counts DOWNLOAD_DELAY (the
  time the server takes to answer is part of the delay, not added to it; AutoThrottle
  already sets the delay from that time, measured as Scrapy does from sending a request to
  its answer's headers); robots.txt's Crawl-delay / Request-rate and a
  Retry-After from the *end* of the previous answer, as robots.txt means them. The host is
  the hostname plus the port when it is not the scheme's default (``example.com`` for both
  http:// and https://, ``127.0.0.1:8080`` for a local server): two ports are two servers.
  A wait longer than ``max_delay`` is refused with a FetchError rather than slept.
* Retries with urllib3's Retry on connection errors, read timeouts and 429/500/502/503/504,
  honouring Retry-After (a Retry-After above ``max_delay`` becomes a FetchError instead of a
  sleep of hours). Other 4xx are final at once. POST is retried too: this fetcher is read-only
  by design, and the only POSTs in the project are search queries (Udacity's catalog search,
  Algolia), which change nothing on the server.
* Redirects are followed here, one hop at a time, so each hop passes robots.txt and the
  pacing of its own host; more than ``max_redirects`` hops is a FetchError.
* Bodies are read in chunks and abandoned past ``max_bytes`` (decoded size, so a gzip bomb
  stops too); Content-Length is checked first.
* HTTP cache (requests-cache, SQLite at ``cache_path``): every stored response is treated as
  expired at once (``expire_after=0``), so each fetch revalidates with If-None-Match /
  If-Modified-Since and an unchanged page costs a 304 and no body. A scheduled refresh wants
  today's data, so server max-age is not used to skip the request (``cache_control=False``);
  responses without a validator or with ``Cache-Control: no-store`` are not stored; a failing
  server is reported, never papered over with stale data (``stale_if_error=False``). Only GET
  and HEAD are cached. Sessions are pooled so that none is shared by two threads at once.

Known limits: a body that breaks off mid-way is not retried (the error is reported), and
``read_timeout`` bounds each silence, not the whole download.

Every failure leaves :meth:`PoliteFetcher.fetch` as a :class:`~scrapers.base.FetchError` with
the URL and a one-line reason; nothing else escapes.
"""

from __future__ import annotations

import io
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
import urllib3.exceptions as u3e
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.response import BaseHTTPResponse, HTTPResponse
from urllib3.util.retry import Retry

from scrapers.base import FetchError, Request, Response

__all__ = ["DEFAULT_USER_AGENT", "FetchStats", "PoliteFetcher", "autothrottle_delay"]

DEFAULT_USER_AGENT = "CourseRadar/0.1 (+https://github.com/courseradar/courseradar)"

RETRY_STATUSES = (429, 500, 502, 503, 504)
# Read-only fetcher: POST carries search queries only (see module docstring).
RETRY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST"})
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# RFC 9309 asks parsers to read at least 500 KiB of robots.txt; Google stops there too.
ROBOTS_PARSE_LIMIT = 512 * 1024
# Headers not carried to another host on a redirect.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


# ---------------------------------------------------------------------------------------------
# Statistics


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


# ---------------------------------------------------------------------------------------------
# AutoThrottle


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


# ---------------------------------------------------------------------------------------------
# Internal exceptions (all turned into FetchError by fetch())


class _TooLarge(requests.RequestException):
    """The body went past max_bytes."""


class _RetryAfterTooLong(Exception):
    """The server asked us to come back later than max_delay."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class _WaitTooLong(Exception):
    """The host's pacing would need a wait longer than max_delay."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


# ---------------------------------------------------------------------------------------------
# Transport: retry policy and size-limited adapter


class _PoliteRetry(Retry):
    """urllib3 Retry whose waits go through the fetcher (injected sleep, stats, max_delay)."""

    on_wait: Callable[[float, bool], None] | None = None

    def new(self, **kw: Any) -> Self:
        fresh = super().new(**kw)
        fresh.on_wait = self.on_wait
        return fresh

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        retry_after: float | None = None
        if self.respect_retry_after_header and response is not None:
            with suppress(u3e.InvalidHeader):
                retry_after = self.get_retry_after(response)
        if retry_after:
            seconds, from_header = retry_after, True
        else:
            seconds, from_header = self.get_backoff_time(), False
        if self.on_wait is not None:
            self.on_wait(seconds, from_header)
        elif seconds > 0:
            time.sleep(seconds)


class _LimitedAdapter(HTTPAdapter):
    """An HTTPAdapter that reads the body itself, in chunks, and stops at ``max_bytes``.

    Reading here (inside ``send``) means requests-cache, which reads the whole body to store
    it, only ever sees a body that is already within the limit. The body handed on is
    decoded, so Content-Encoding is dropped and Content-Length set to the decoded size.
    """

    def __init__(
        self,
        max_bytes: int,
        max_retries: Retry,
        clock: Callable[[], float] = time.monotonic,
        marks: threading.local | None = None,
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.max_bytes = max_bytes
        self.clock = clock
        # ``sent_at`` / ``headers_at`` of the fetching thread's exchange: the server's latency
        self.marks = marks if marks is not None else threading.local()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self.marks.sent_at = self.clock()
        return super().send(request, *args, **kwargs)

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        self.marks.headers_at = self.clock()  # urllib3 returns once the headers are in
        if not isinstance(resp, HTTPResponse):  # pragma: no cover - urllib3 always gives one
            return super().build_response(req, resp)
        no_body = req.method == "HEAD" or resp.status in (204, 304) or resp.status < 200
        if no_body:
            return super().build_response(req, resp)
        declared = resp.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            resp.close()
            raise _TooLarge(f"Content-Length {declared}")
        body = self._read_limited(resp)
        headers = resp.headers.copy()
        for name in ("Content-Encoding", "Transfer-Encoding"):
            headers.discard(name)
        headers["Content-Length"] = str(len(body))
        replay = HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            status=resp.status,
            version=resp.version,
            reason=resp.reason,
            preload_content=False,
            decode_content=False,
            original_response=resp._original_response,  # cookies are read from it
            request_method=req.method,
            request_url=resp.geturl(),
        )
        return super().build_response(req, replay)

    def _read_limited(self, resp: HTTPResponse) -> bytes:
        body = bytearray()
        try:
            for chunk in resp.stream(_CHUNK, decode_content=True):
                body += chunk
                if len(body) > self.max_bytes:
                    resp.close()
                    raise _TooLarge(f"more than {self.max_bytes} bytes")
        except u3e.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc) from exc
        except u3e.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc
        except (u3e.ProtocolError, u3e.SSLError, OSError) as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        finally:
            resp.release_conn()
        return bytes(body)


# ---------------------------------------------------------------------------------------------
# Per-host state


@dataclass
class _Robots:
    """robots.txt of one origin: a parser, or a blanket allow/deny with the reason."""

    parser: Protego | None = None
    allow_all: bool = True
    note: str | None = None
    delay: float = 0.0  # Crawl-delay or Request-rate for our token, seconds

    def can_fetch(self, url: str, token: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, token))


@dataclass
class _Host:
    """Pacing state of one host; ``lock`` is held for the whole exchange (one at a time)."""

    key: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_allowed: float = float("-inf")  # held back by Retry-After or a refused wait
    last_start: float = float("-inf")  # when the last attempt to this host was sent
    last_end: float = float("-inf")  # when the last answer from this host was complete
    throttle: float = 0.0  # AutoThrottle delay
    robots_delay: float = 0.0
    robots: dict[str, _Robots] = field(default_factory=dict)  # origin -> rules


def host_key(parts: SplitResult) -> str:
    """Pacing key: hostname, plus the port if it is not the scheme's default."""
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


# ---------------------------------------------------------------------------------------------
# The fetcher


class PoliteFetcher:
    """Fetches http(s) URLs politely; implements the ``Fetcher`` protocol of scrapers.base.

    ``clock`` and ``sleep`` are injectable so tests can check the pacing schedule without
    waiting. Use as a context manager, or call :meth:`close`. Thread-safe: ``fetch`` may be
    called from several threads; :meth:`fetch_many` runs different hosts concurrently.
    """

    def __init__(
        self,
        *,
        cache_path: Path | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout: float = 10,
        read_timeout: float = 30,
        max_bytes: int = 20 * 1024 * 1024,
        max_redirects: int = 5,
        retries: int = 3,
        backoff_factor: float = 0.5,
        obey_robots: bool = True,
        min_delay: float = 0.0,
        max_delay: float = 60,
        autothrottle: bool = True,
        target_concurrency: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("user_agent must name the project")
        if min_delay < 0 or max_delay < min_delay:
            raise ValueError("need 0 <= min_delay <= max_delay")
        if target_concurrency <= 0 or max_bytes <= 0 or retries < 0 or max_redirects < 0:
            raise ValueError("target_concurrency, max_bytes > 0; retries, max_redirects >= 0")
        self.cache_path = Path(cache_path) if cache_path is not None else None
        self.user_agent = user_agent
        self.robots_token = user_agent.split("/")[0].split()[0]
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff_factor = backoff_factor
        self.obey_robots = obey_robots
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.autothrottle = autothrottle
        self.target_concurrency = target_concurrency
        self._clock = clock
        self._sleep = sleep
        self.stats = FetchStats()
        self._stats_lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        # Each fetch checks a session out of this pool, so no session is used by two threads
        # at once: requests-cache's SQLite backend keeps one sqlite3 connection per session
        # and locks its writes but not its reads. Every session has its own connection to
        # the same file, in WAL mode, and SQLite arbitrates between them.
        self._idle_sessions: list[requests.Session] = []
        self._all_sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._create_lock = threading.Lock()
        self._local = threading.local()
        self._closed = False

    # -- public API ------------------------------------------------------------------------

    def fetch(self, request: Request) -> Response:
        """Fetch one request politely. Raises FetchError (only) on any failure."""
        try:
            return self._fetch(request)
        except FetchError as exc:
            self._count(errors=1, disallowed=int(exc.reason.startswith("disallowed")))
            raise
        except Exception as exc:
            self._count(errors=1)
            raise FetchError(request.url, _one_line(f"unexpected {_describe(exc)}")) from exc

    def fetch_many(
        self, requests: Iterable[Request], max_workers: int = 4
    ) -> Iterator[tuple[Request, Response | FetchError]]:
        """Fetch many requests, different hosts concurrently, one at a time per host.

        Results come in completion order. The input is read ahead only as far as needed to
        keep workers busy (at most 10,000 waiting requests).
        """
        source = iter(requests)
        queues: dict[str, deque[Request]] = {}
        busy: set[str] = set()
        waiting = 0
        exhausted = False
        pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="fetch")
        inflight: dict[Future[Response | FetchError], tuple[str, Request]] = {}
        try:
            while True:
                while len(inflight) < max(1, max_workers):
                    ready = next((h for h, q in queues.items() if q and h not in busy), None)
                    if ready is None:
                        if exhausted or waiting >= 10_000:
                            break
                        try:
                            req = next(source)
                        except StopIteration:
                            exhausted = True
                            break
                        queues.setdefault(_queue_key(req.url), deque()).append(req)
                        waiting += 1
                        continue
                    req = queues[ready].popleft()
                    if not queues[ready]:
                        del queues[ready]
                    waiting -= 1
                    busy.add(ready)
                    inflight[pool.submit(self._fetch_or_error, req)] = (ready, req)
                if not inflight:
                    return
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    key, req = inflight.pop(future)
                    busy.discard(key)
                    yield req, future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def delay_for(self, url: str) -> float:
        """The delay that will separate the next two requests to this URL's host."""
        parts = urlsplit(url)
        with self._hosts_lock:
            host = self._hosts.get(host_key(parts))
        return self._delay(host) if host else self.min_delay

    def close(self) -> None:
        """Close all sessions (and the cache's database connections)."""
        with self._sessions_lock:
            self._closed = True
            sessions, self._all_sessions, self._idle_sessions = self._all_sessions, [], []
        for session in sessions:
            with suppress(Exception):
                session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the fetch -------------------------------------------------------------------------

    def _fetch_or_error(self, request: Request) -> Response | FetchError:
        try:
            return self.fetch(request)
        except FetchError as exc:
            return exc

    def _fetch(self, request: Request) -> Response:
        if self._closed:
            raise FetchError(request.url, "fetcher is closed")
        method = request.method.upper()
        body = request.body
        headers = {k: v for k, v in request.headers if k.lower() != "user-agent"}
        url = request.url
        _check_url(request.url, url)
        with self._session() as session:
            for hop in range(self.max_redirects + 1):
                parts = _check_url(request.url, url)
                host = self._host(parts)
                try:
                    with host.lock:
                        if self.obey_robots:
                            self._check_robots(session, host, parts, request.url, url)
                        resp = self._exchange(session, host, method, url, headers, body)
                except FetchError as exc:
                    if exc.url == request.url:
                        raise
                    # Failed on a redirect hop: report it under the URL that was asked for.
                    raise FetchError(request.url, f"{exc.reason} at {exc.url}") from exc
                location = resp.headers.get("Location")
                if resp.status_code not in REDIRECT_STATUSES or not location:
                    return self._result(request.url, url, resp)
                if hop == self.max_redirects:
                    break
                next_url = urljoin(url, location.strip())
                if (resp.status_code == 303 and method != "HEAD") or (
                    resp.status_code in (301, 302) and method == "POST"
                ):
                    method, body = "GET", None
                    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
                if host_key(urlsplit(next_url)) != host.key:
                    headers = {
                        k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS
                    }
                url = next_url
        raise FetchError(request.url, f"too many redirects (more than {self.max_redirects})")

    def _result(self, original: str, url: str, resp: requests.Response) -> Response:
        """A success becomes a Response; a final 4xx/5xx (or odd 3xx) a FetchError."""
        status = resp.status_code
        at = f" at {url}" if url != original else ""
        if status >= 400:
            raise FetchError(original, f"HTTP {status}{at}")
        if status >= 300 and status != 304:
            raise FetchError(original, f"HTTP {status} without a usable Location{at}")
        return Response(
            url=url,
            status=status,
            content=resp.content,
            headers={k.lower(): v for k, v in resp.headers.items()},
            from_cache=bool(getattr(resp, "from_cache", False)),
            elapsed=getattr(self._local, "latency", 0.0),
        )

    def _exchange(
        self,
        session: requests.Session,
        host: _Host,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        *,
        follow: bool = False,
    ) -> requests.Response:
        """One paced HTTP exchange (urllib3 retries included), with the host lock held.

        Translates transport failures into FetchError; updates pacing, AutoThrottle, stats.
        """
        self._wait_turn(host, url)
        self._local.host = host.key
        self._local.retry_wait = 0.0
        self._local.sent_at = self._local.headers_at = None
        start = self._clock()
        self._local.attempt_start = start
        status: int | None = None
        try:
            resp = session.request(
                method,
                url,
                headers=headers,
                data=body,
                timeout=(self.connect_timeout, self.read_timeout),
                allow_redirects=follow,
            )
            status = resp.status_code
        except _RetryAfterTooLong as exc:
            host.next_allowed = self._clock() + self.max_delay
            raise FetchError(
                url,
                f"server asked to retry after {exc.seconds:.0f} s, "
                f"more than max_delay {self.max_delay:g} s",
            ) from exc
        except requests.RequestException as exc:
            raise FetchError(url, self._reason(exc)) from exc
        finally:
            end = self._clock()
            latency = self._latency(start, end)
            self._local.latency = latency
            cache_hit = status is not None and _is_cache_hit(resp)
            if status is not None and self.autothrottle and not cache_hit:
                host.throttle = autothrottle_delay(
                    host.throttle,
                    latency,
                    304 if getattr(resp, "revalidated", False) else status,
                    target_concurrency=self.target_concurrency,
                    min_delay=self.min_delay,
                    max_delay=self.max_delay,
                )
            if not cache_hit:
                host.last_start = self._local.attempt_start
                host.last_end = end
                self._count(requests=1)  # failed attempts count too: they reached out
        if cache_hit:
            self._count(cache_hits=1)
        elif getattr(resp, "revalidated", False):
            self._count(revalidated=1)
        else:
            self._count(bytes=len(resp.content))
        if status in (429, 503):
            retry_after = _retry_after_seconds(resp.headers.get("Retry-After"))
            if retry_after:
                host.next_allowed = max(host.next_allowed, end + min(retry_after, self.max_delay))
        return resp

    def _latency(self, start: float, end: float) -> float:
        """The server's time for the last attempt: from sending it to its headers, as
        Scrapy's AutoThrottle measures (our cache reads and writes, the body's download and
        waits for the GIL are not the server's). Without those marks (no request went out,
        or it failed before the answer), the exchange less retry waits."""
        marks = self._local
        if marks.sent_at is not None and marks.headers_at is not None:
            return max(0.0, marks.headers_at - max(marks.sent_at, marks.attempt_start))
        return max(0.0, end - start - marks.retry_wait)

    # -- pacing ----------------------------------------------------------------------------

    def _delay(self, host: _Host) -> float:
        return max(self._own_delay(host), host.robots_delay)

    def _own_delay(self, host: _Host) -> float:
        throttle = host.throttle if self.autothrottle else 0.0
        return max(self.min_delay, throttle)

    def _allowed(self, host: _Host) -> float:
        """The earliest time the host may be asked again (see the module docstring)."""
        return max(
            host.next_allowed,
            host.last_start + self._own_delay(host),
            host.last_end + host.robots_delay,
        )

    def _wait_turn(self, host: _Host, url: str) -> None:
        """Sleep until the host may be asked again; refuse waits longer than max_delay."""
        allowed = self._allowed(host)
        wait_s = allowed - self._clock()
        if wait_s > self.max_delay + 1e-9:
            raise FetchError(
                url,
                f"host {host.key} needs a wait of {wait_s:.0f} s "
                f"(Crawl-delay), more than max_delay {self.max_delay:g} s",
            )
        if host.last_start > float("-inf"):
            self._add_floor(host.key, max(0.0, allowed - host.last_start))
        if wait_s > 0:
            self._sleep(wait_s)

    def _on_retry_wait(self, seconds: float, from_header: bool) -> None:
        """Called by the retry policy before each retry, on the fetching thread."""
        self._count(retries=1)
        if from_header and seconds > self.max_delay:
            raise _RetryAfterTooLong(seconds)
        seconds = min(seconds, self.max_delay)
        if seconds > 0:
            self._sleep(seconds)
            self._local.retry_wait = getattr(self._local, "retry_wait", 0.0) + seconds
            self._add_floor(getattr(self._local, "host", "?"), seconds)
        self._local.attempt_start = self._clock()  # the next attempt starts now

    # -- robots.txt ------------------------------------------------------------------------

    def _check_robots(
        self, session: requests.Session, host: _Host, parts: SplitResult, original: str, url: str
    ) -> None:
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        rules = host.robots.get(origin)
        if rules is None:
            rules = self._load_robots(session, host, origin)
            host.robots[origin] = rules
            # From now on the Crawl-delay separates requests, robots.txt from the first page too.
            host.robots_delay = max(host.robots_delay, rules.delay)
            if rules.note:
                with self._stats_lock:
                    self.stats.robots_notes[origin] = rules.note
        if not rules.can_fetch(url, self.robots_token):
            why = f" ({rules.note})" if rules.note else ""
            at = f" at {url}" if url != original else ""
            raise FetchError(original, f"disallowed by robots.txt{at}{why}")

    def _load_robots(self, session: requests.Session, host: _Host, origin: str) -> _Robots:
        robots_url = origin + "/robots.txt"
        try:
            resp = self._exchange(session, host, "GET", robots_url, {}, None, follow=True)
        except FetchError as exc:
            return _Robots(allow_all=False, note=f"robots.txt unreachable: {exc.reason}")
        status = resp.status_code
        if 200 <= status < 300:
            text = resp.content[:ROBOTS_PARSE_LIMIT].decode("utf-8", errors="replace")
            try:
                parser = Protego.parse(text.lstrip("\ufeff"))
            except Exception as exc:  # a parser bug must not become "allow all"
                return _Robots(allow_all=False, note=f"robots.txt unparsable: {_describe(exc)}")
            return _Robots(parser=parser, delay=self._robots_delay(parser))
        if status in (401, 403):
            return _Robots(allow_all=False, note=f"robots.txt HTTP {status}: disallow all")
        if status == 429 or status >= 500:
            return _Robots(allow_all=False, note=f"robots.txt HTTP {status}: disallow all this run")
        if 400 <= status < 500:
            return _Robots(allow_all=True)
        return _Robots(allow_all=False, note=f"robots.txt HTTP {status}: disallow all this run")

    def _robots_delay(self, parser: Protego) -> float:
        delay = parser.crawl_delay(self.robots_token) or 0.0
        rate = parser.request_rate(self.robots_token)
        if rate is not None and rate.requests > 0:
            delay = max(delay, rate.seconds / rate.requests)
        return float(delay)

    # -- sessions and hosts ----------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[requests.Session]:
        with self._sessions_lock:
            session = self._idle_sessions.pop() if self._idle_sessions else None
        if session is None:
            # One at a time: a new session opens its own connection to the cache file and
            # switches a fresh file to WAL, which fails with "database is locked" (no busy
            # wait) while another connection is opening it.
            with self._create_lock:
                session = self._new_session()
            with self._sessions_lock:
                self._all_sessions.append(session)
        try:
            yield session
        finally:
            with self._sessions_lock:
                keep = not self._closed
                if keep:
                    self._idle_sessions.append(session)
            if not keep:
                session.close()

    def _new_session(self) -> requests.Session:
        session: requests.Session
        if self.cache_path is not None:
            from requests_cache import CachedSession

            session = CachedSession(
                str(self.cache_path),
                backend="sqlite",
                expire_after=0,  # stored = stale at once: always revalidate
                cache_control=False,
                allowable_codes=(200,),
                allowable_methods=("GET", "HEAD"),
                stale_if_error=False,
                filter_fn=_storable,
                wal=True,  # readers do not block the writer of another session
                busy_timeout=30_000,
            )
        else:
            session = requests.Session()
        retry = _PoliteRetry(
            total=self.retries,
            backoff_factor=self.backoff_factor,
            backoff_max=self.max_delay,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=RETRY_METHODS,
            respect_retry_after_header=True,
            raise_on_status=False,  # the last response comes back; we report "HTTP 503"
            raise_on_redirect=False,
        )
        retry.on_wait = self._on_retry_wait
        adapter = _LimitedAdapter(self.max_bytes, retry, self._clock, self._local)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.max_redirects = self.max_redirects
        session.headers.update(
            {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
        )
        return session

    def _host(self, parts: SplitResult) -> _Host:
        key = host_key(parts)
        with self._hosts_lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host(key, throttle=self.min_delay)
            return host

    # -- bookkeeping -----------------------------------------------------------------------

    def _count(self, **deltas: int) -> None:
        with self._stats_lock:
            for name, delta in deltas.items():
                setattr(self.stats, name, getattr(self.stats, name) + delta)

    def _add_floor(self, key: str, seconds: float) -> None:
        with self._stats_lock:
            floor = self.stats.politeness_floor
            floor[key] = floor.get(key, 0.0) + seconds

    def _reason(self, exc: requests.RequestException) -> str:
        """A one-line reason for a transport failure."""
        chain = _chain(exc)
        if any(isinstance(e, _TooLarge) for e in chain):
            return f"response larger than {self.max_bytes} bytes"
        if isinstance(exc, requests.TooManyRedirects):
            return f"too many redirects (more than {self.max_redirects})"
        if isinstance(exc, requests.ConnectTimeout) or any(
            isinstance(e, u3e.ConnectTimeoutError) and not isinstance(e, u3e.NewConnectionError)
            for e in chain
        ):
            return f"timed out after {self.connect_timeout:g} s (connect)"
        if isinstance(exc, requests.ReadTimeout) or any(
            isinstance(e, u3e.ReadTimeoutError | TimeoutError) for e in chain
        ):
            return f"timed out after {self.read_timeout:g} s (read)"
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
            return _one_line(f"invalid URL: {exc}")
        if isinstance(exc, requests.exceptions.ContentDecodingError):
            return "could not decode the body (bad gzip/deflate)"
        if isinstance(exc, requests.exceptions.SSLError):
            return _one_line(f"TLS error: {_describe(chain[-1])}")
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return _one_line(f"connection broken while reading the body: {_why(chain)}")
        if isinstance(exc, requests.ConnectionError):
            return _one_line(f"connection failed: {_why(chain)}")
        return _one_line(_describe(exc))


# ---------------------------------------------------------------------------------------------
# Helpers


def _check_url(original: str, url: str) -> SplitResult:
    """Only absolute http(s) URLs with a host are fetched."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(original, _one_line(f"invalid URL {url!r}: {exc}")) from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise FetchError(original, f"only http and https URLs are fetched, not {shown}")
    if not parts.hostname:
        raise FetchError(original, f"invalid URL {url!r}: no host")
    return parts


def _queue_key(url: str) -> str:
    try:
        return host_key(urlsplit(url))
    except ValueError:
        return ""


def _is_cache_hit(resp: requests.Response) -> bool:
    """Served from the cache without asking the server (a 304 revalidation is not a hit)."""
    return bool(getattr(resp, "from_cache", False)) and not getattr(resp, "revalidated", False)


def _storable(resp: requests.Response) -> bool:
    """requests-cache filter: honour the server's no-store."""
    return "no-store" not in resp.headers.get("Cache-Control", "").lower()


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return Retry().parse_retry_after(value)
    except u3e.InvalidHeader:
        return None


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, its causes, and the errors wrapped in args/reason (requests nests them)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        e = todo.pop(0)
        if any(e is s for s in seen):
            continue
        seen.append(e)
        nested = [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
        todo.extend(n for n in nested if isinstance(n, BaseException))
    return seen


def _why(chain: list[BaseException]) -> str:
    """The short, human cause of a connection failure."""
    for e in chain:
        if isinstance(e, u3e.NameResolutionError):
            return "host name not found"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, ConnectionResetError):
            return "connection reset by peer"
        if isinstance(e, u3e.IncompleteRead) or "IncompleteRead" in type(e).__name__:
            return "connection closed before the body was complete"
    for e in chain:
        if "RemoteDisconnected" in type(e).__name__:
            return "server closed the connection without answering"
    return _describe(chain[-1])


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
