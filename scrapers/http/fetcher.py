"""The fetcher: one polite fetch (robots.txt, pacing, redirects hop by hop), many at once.

Every failure leaves :meth:`PoliteFetcher.fetch` as a :class:`~scrapers.base.FetchError`
with the URL and a one-line reason; nothing else escapes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import Self
from urllib.parse import SplitResult, urljoin, urlsplit

import requests

from scrapers.base import FetchError, Request, Response
from scrapers.http import robots
from scrapers.http.messages import describe, one_line, transport_reason
from scrapers.http.pacing import DEFAULT_PORTS, Host, Marks, Pacer, RetryAfterTooLong, host_key
from scrapers.http.settings import FetchSettings
from scrapers.http.stats import FetchStats
from scrapers.http.transport import SessionPool, forget_cached, is_cache_hit, new_session

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Headers not carried to another host on a redirect.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


class PoliteFetcher:
    """Fetches http(s) URLs politely; implements the ``Fetcher`` protocol of scrapers.base.

    ``clock`` and ``sleep`` are injectable so tests can check the pacing schedule without
    waiting. Use as a context manager, or call :meth:`close`. Thread-safe: ``fetch`` may be
    called from several threads; :meth:`fetch_many` runs different hosts concurrently.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings if settings is not None else FetchSettings()
        self.stats = FetchStats()
        self._clock = clock
        self._marks = Marks()
        self._pacer = Pacer(self.settings, self.stats, self._marks, clock, sleep)
        # Looked up at each call, so a test can wrap _new_session on the class.
        self._sessions = SessionPool(lambda: self._new_session())

    # -- public API ------------------------------------------------------------------------

    def fetch(self, request: Request) -> Response:
        """Fetch one request politely. Raises FetchError (only) on any failure."""
        try:
            return self._fetch(request)
        except FetchError as exc:
            self.stats.add(errors=1, disallowed=int(exc.reason.startswith("disallowed")))
            raise
        except Exception as exc:
            self.stats.add(errors=1)
            raise FetchError(request.url, one_line(f"unexpected {describe(exc)}")) from exc

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

    def forget(self, requests: Iterable[Request]) -> int:
        """Drop the cached responses of ``requests`` (a run refused them), so the next fetch
        of each asks for the whole body; returns how many were dropped."""
        if self._sessions.closed:
            return 0
        with self._sessions.session() as session:
            return forget_cached(session, list(requests))

    def delay_for(self, url: str) -> float:
        """The delay that will separate the next two requests to this URL's host."""
        return self._pacer.delay_for(url)

    def close(self) -> None:
        """Close all sessions (and the cache's database connections)."""
        self._sessions.close()

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
        """Follow redirects here, one hop at a time, so each hop passes robots.txt and the
        pacing of its own host."""
        if self._sessions.closed:
            raise FetchError(request.url, "fetcher is closed")
        method = request.method.upper()
        body = request.body
        headers = {k: v for k, v in request.headers if k.lower() != "user-agent"}
        url = request.url
        _check_url(request.url, url)
        max_redirects = self.settings.max_redirects
        with self._sessions.session() as session:
            for hop in range(max_redirects + 1):
                parts = _check_url(request.url, url)
                host = self._pacer.host(parts)
                resp = self._hop(session, host, parts, request.url, url, method, headers, body)
                location = resp.headers.get("Location")
                if resp.status_code not in REDIRECT_STATUSES or not location:
                    return self._result(request.url, url, resp)
                if hop == max_redirects:
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
        raise FetchError(request.url, f"too many redirects (more than {max_redirects})")

    def _hop(
        self,
        session: requests.Session,
        host: Host,
        parts: SplitResult,
        original: str,
        url: str,
        method: str,
        headers: dict[str, str],
        body: bytes | None,
    ) -> requests.Response:
        """One hop, with the host's lock held: robots.txt, then the paced exchange."""
        try:
            with host.lock:
                if host.gave_up is not None:
                    raise FetchError(
                        url, f"gave up on host {host.key} for this run: {host.gave_up}"
                    )
                if self.settings.obey_robots:
                    self._check_robots(session, host, parts, original, url)
                return self._exchange(session, host, method, url, headers, body)
        except FetchError as exc:
            if exc.url == original:
                raise
            # Failed on a redirect hop: report it under the URL that was asked for.
            raise FetchError(original, f"{exc.reason} at {exc.url}") from exc

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
            elapsed=self._marks.latency,
        )

    def _exchange(
        self,
        session: requests.Session,
        host: Host,
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
        settings = self.settings
        self._pacer.wait_turn(host, url)
        start = self._pacer.start(host)
        resp: requests.Response | None = None
        cache_hit = False
        try:
            resp = answer = session.request(
                method,
                url,
                headers=headers,
                data=body,
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=follow,
            )
            cache_hit = is_cache_hit(answer)
        except RetryAfterTooLong as exc:
            host.next_allowed = self._clock() + settings.max_delay
            raise FetchError(
                url,
                f"server asked to retry after {exc.seconds:.0f} s, "
                f"more than max_delay {settings.max_delay:g} s",
            ) from exc
        except requests.RequestException as exc:
            reason = transport_reason(exc, settings)
            if reason.startswith("timed out"):  # every attempt went unanswered: stop asking
                host.gave_up = reason
            raise FetchError(url, reason) from exc
        finally:
            end = self._pacer.after_attempt(host, resp, start, cache_hit)
            if not cache_hit:
                self.stats.add(requests=1)  # failed attempts count too: they reached out
        if cache_hit:
            self.stats.add(cache_hits=1)
        elif getattr(answer, "revalidated", False):
            self.stats.add(revalidated=1)
        else:
            self.stats.add(bytes=len(answer.content))
        self._pacer.hold_back(host, answer, end)
        return answer

    # -- robots.txt ------------------------------------------------------------------------

    def _check_robots(
        self, session: requests.Session, host: Host, parts: SplitResult, original: str, url: str
    ) -> None:
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        rules = host.robots.get(origin)
        if rules is None:
            rules = host.robots[origin] = self._load_robots(session, host, origin)
            # From now on the Crawl-delay separates requests, robots.txt from the first page too.
            host.robots_delay = max(host.robots_delay, rules.delay)
            if rules.note:
                self.stats.note_robots(origin, rules.note)
        rules.check(url, self.settings.robots_token, original)

    def _load_robots(
        self, session: requests.Session, host: Host, origin: str
    ) -> robots.RobotsRules:
        try:
            resp = self._exchange(
                session, host, "GET", origin + "/robots.txt", {}, None, follow=True
            )
        except FetchError as exc:
            return robots.unreachable(exc.reason)
        return robots.rules_from_answer(resp.status_code, resp.content, self.settings.robots_token)

    def _new_session(self) -> requests.Session:
        return new_session(self.settings, self._pacer.on_retry_wait, self._clock, self._marks)


def _check_url(original: str, url: str) -> SplitResult:
    """Only absolute http(s) URLs with a host are fetched."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(original, one_line(f"invalid URL {url!r}: {exc}")) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
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
