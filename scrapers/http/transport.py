"""Transport and cache: the retry policy, a size-limited adapter, the HTTP cache, and a pool
of sessions so that none is used by two threads at once.

Retries use urllib3's Retry on connection errors, read timeouts and 429/500/502/503/504,
honouring Retry-After; the waits go through the pacer (``Pacer.on_retry_wait``). POST is
retried too: this fetcher is read-only by design, and the only POSTs in the project are
search queries (Udacity's catalog search, Algolia), which change nothing on the server.

The cache (requests-cache, SQLite) treats every stored response as expired at once
(``expire_after=0``), so each fetch revalidates with If-None-Match / If-Modified-Since and
an unchanged page costs a 304 and no body. A scheduled refresh wants today's data, so
server max-age is not used to skip the request (``cache_control=False``); responses without
a validator or with ``Cache-Control: no-store`` are not stored; a failing server is
reported, never papered over with stale data (``stale_if_error=False``). Only GET and HEAD
are cached. A response the caller refused (an empty or shrunken list, a page that could not
be read) is dropped with :func:`forget_cached`: a provider whose broken edge served it under
its usual ETag would otherwise answer the next revalidation with 304, and the refused body
would come back every run after the provider recovered.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, Self

import requests
import urllib3.exceptions as u3e
from requests.adapters import HTTPAdapter
from urllib3.response import BaseHTTPResponse, HTTPResponse
from urllib3.util.retry import Retry

from scrapers.base import Request
from scrapers.http.settings import FetchSettings

RETRY_STATUSES = (429, 500, 502, 503, 504)
# Read-only fetcher: POST carries search queries only (see the module docstring).
RETRY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST"})
_CHUNK = 64 * 1024


class TooLarge(requests.RequestException):
    """The body went past max_bytes."""


class PoliteRetry(Retry):
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


class LimitedAdapter(HTTPAdapter):
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
            raise TooLarge(f"Content-Length {declared}")
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
                    raise TooLarge(f"more than {self.max_bytes} bytes")
        except u3e.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc) from exc
        except u3e.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc
        except (u3e.ProtocolError, u3e.SSLError, OSError) as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        finally:
            resp.release_conn()
        return bytes(body)


def new_session(
    settings: FetchSettings,
    on_retry_wait: Callable[[float, bool], None],
    clock: Callable[[], float],
    marks: threading.local,
) -> requests.Session:
    """A session with the retry policy, the size limit, our headers and (with a
    ``cache_path``) the HTTP cache."""
    session: requests.Session
    if settings.cache_path is not None:
        from requests_cache import CachedSession

        session = CachedSession(
            str(settings.cache_path),
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
    retry = PoliteRetry(
        total=settings.retries,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.max_delay,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last response comes back; we report "HTTP 503"
        raise_on_redirect=False,
    )
    retry.on_wait = on_retry_wait
    adapter = LimitedAdapter(settings.max_bytes, retry, clock, marks)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = settings.max_redirects
    session.headers.update(
        {"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
    )
    return session


def is_cache_hit(resp: requests.Response) -> bool:
    """Served from the cache without asking the server (a 304 revalidation is not a hit)."""
    return bool(getattr(resp, "from_cache", False)) and not getattr(resp, "revalidated", False)


def forget_cached(session: requests.Session, requests_: Iterable[Request]) -> int:
    """Drop the stored responses of ``requests_`` from the session's HTTP cache, so their
    next fetch is unconditional (no If-None-Match of a body a run refused); returns how
    many keys were dropped. A session without a cache has nothing to forget."""
    cache = getattr(session, "cache", None)
    if cache is None:
        return 0
    keys = []
    for req in requests_:
        if req.method.upper() not in ("GET", "HEAD"):
            continue  # only GET and HEAD are stored
        prepared = session.prepare_request(
            requests.Request(req.method.upper(), req.url, headers=dict(req.headers), data=req.body)
        )
        keys.append(cache.create_key(prepared))
    present = [k for k in dict.fromkeys(keys) if cache.contains(k)]
    if present:
        cache.responses.bulk_delete(present)
    return len(present)


def _storable(resp: requests.Response) -> bool:
    """requests-cache filter: honour the server's no-store."""
    return "no-store" not in resp.headers.get("Cache-Control", "").lower()


class SessionPool:
    """Sessions checked out one fetch at a time, so no session is used by two threads at
    once: requests-cache's SQLite backend keeps one sqlite3 connection per session and locks
    its writes but not its reads. Every session has its own connection to the same file, in
    WAL mode, and SQLite arbitrates between them."""

    def __init__(self, factory: Callable[[], requests.Session]) -> None:
        self._factory = factory
        self._idle: list[requests.Session] = []
        self._all: list[requests.Session] = []
        self._lock = threading.Lock()
        self._create_lock = threading.Lock()
        self.closed = False

    @contextmanager
    def session(self) -> Iterator[requests.Session]:
        with self._lock:
            session = self._idle.pop() if self._idle else None
        if session is None:
            # One at a time: a new session opens its own connection to the cache file and
            # switches a fresh file to WAL, which fails with "database is locked" (no busy
            # wait) while another connection is opening it.
            with self._create_lock:
                session = self._factory()
            with self._lock:
                self._all.append(session)
        try:
            yield session
        finally:
            with self._lock:
                keep = not self.closed
                if keep:
                    self._idle.append(session)
            if not keep:
                session.close()

    def close(self) -> None:
        """Close all sessions (and the cache's database connections)."""
        with self._lock:
            self.closed = True
            sessions, self._all, self._idle = self._all, [], []
        for session in sessions:
            with suppress(Exception):
                session.close()
