"""A programmable HTTP server on 127.0.0.1 for tests: no test ever contacts a real host.

Why a hand-made server: the fetcher's politeness (robots.txt, pacing, retries, limits) can
only be checked against something that records exactly what arrived and when, and that
misbehaves on demand. Scraper end-to-end tests use the same server to replay recorded
responses per path.

    with StubServer() as server:
        server.route("/robots.txt", Reply.text("User-agent: *\\nDisallow: /private\\n"))
        server.route("/api", Reply(status=503, headers={"Retry-After": "1"}), Reply.json({"ok": 1}))
        server.route("/page", Reply.file(Path("saved/page.html")))
        server.route("/echo", lambda req: Reply.json({"body": req.body.decode()}))
        fetch(server.url("/api"))
        assert [r.path for r in server.log] == ["/robots.txt", "/api", "/api"]

A route holds a sequence of replies: each request takes the next one and the last one
repeats. A route may instead be a function ``(LoggedRequest) -> Reply``. Unrouted paths
get 404. A reply can be delayed, chunked, gzipped, dripped, truncated, or replaced by a
connection reset; with ``etag``/``last_modified`` it answers conditional requests with 304.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import json as json_module
import mimetypes
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

__all__ = ["LoggedRequest", "Reply", "Responder", "StubServer"]


@dataclass
class Reply:
    """One programmed answer.

    ``delay`` waits before the status line (a slow server, or a read timeout);
    ``chunked`` sends the body with Transfer-Encoding: chunked and no Content-Length;
    ``chunk_size``/``chunk_delay`` drip a chunked body; ``truncate`` sends only that many
    body bytes under a Content-Length for the whole body, then closes; ``reset`` closes
    the connection with a TCP reset instead of answering; ``gzip`` compresses the body;
    ``etag``/``last_modified`` are sent and honoured (If-None-Match / If-Modified-Since -> 304).
    """

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    delay: float = 0.0
    chunked: bool = False
    chunk_size: int = 64 * 1024
    chunk_delay: float = 0.0
    truncate: int | None = None
    reset: bool = False
    gzip: bool = False
    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def text(cls, text: str, status: int = 200, **kwargs: Any) -> Reply:
        """A text/plain reply (robots.txt, simple pages)."""
        return cls(status=status, body=text, **_with_type(kwargs, "text/plain; charset=utf-8"))

    @classmethod
    def html(cls, html: str, status: int = 200, **kwargs: Any) -> Reply:
        """A text/html reply."""
        return cls(status=status, body=html, **_with_type(kwargs, "text/html; charset=utf-8"))

    @classmethod
    def json(cls, data: Any, status: int = 200, **kwargs: Any) -> Reply:
        """A JSON reply from a Python value."""
        body = json_module.dumps(data).encode()
        return cls(status=status, body=body, **_with_type(kwargs, "application/json"))

    @classmethod
    def file(cls, path: Path | str, content_type: str | None = None, **kwargs: Any) -> Reply:
        """A recorded response body from a file; the type is guessed from the name if not given."""
        path = Path(path)
        guessed = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(body=path.read_bytes(), **_with_type(kwargs, guessed))

    @classmethod
    def redirect(cls, location: str, status: int = 302, **kwargs: Any) -> Reply:
        """A redirect to ``location`` (absolute or relative)."""
        headers = dict(_header_items(kwargs.pop("headers", ())))
        headers["Location"] = location
        return cls(status=status, headers=headers, **kwargs)

    def body_bytes(self) -> bytes:
        """The body as bytes (str bodies are UTF-8)."""
        return self.body.encode() if isinstance(self.body, str) else self.body


def _with_type(kwargs: dict[str, Any], content_type: str) -> dict[str, Any]:
    headers = dict(_header_items(kwargs.pop("headers", ())))
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = content_type
    return {**kwargs, "headers": headers}


def _header_items(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


@dataclass
class LoggedRequest:
    """What arrived and what was answered; times are ``time.monotonic()`` in this process."""

    method: str
    path: str  # path with query string, as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes
    start: float
    end: float = 0.0  # just before the last byte of the answer was written
    status: int | None = None  # what was answered; None for a reset

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("user-agent")

    @property
    def bare_path(self) -> str:
        """The path without its query string."""
        return urlsplit(self.path).path


Responder = Callable[[LoggedRequest], Reply]


class _Route:
    """Replies for one path: a sequence (the last one repeats) or a function."""

    def __init__(self, replies: tuple[Reply | Responder, ...]) -> None:
        if not replies:
            raise ValueError("a route needs at least one reply")
        self._replies = list(replies)
        self._lock = threading.Lock()

    def next_reply(self, request: LoggedRequest) -> Reply:
        with self._lock:
            item = self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]
        return item(request) if callable(item) else item


class StubServer:
    """A ThreadingHTTPServer on an ephemeral port with per-path programmed replies and a log.

    Use as a context manager (or call ``start``/``stop``). ``host`` is the address to bind;
    ``url()`` builds URLs for it. Two servers on different ports count as two hosts for the
    fetcher's pacing (which keys on host:port).
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._routes: dict[tuple[str | None, str], _Route] = {}
        self._routes_lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- programming -----------------------------------------------------------------------

    def route(self, path: str, *replies: Reply | Responder, method: str | None = None) -> None:
        """Program ``path`` (with a query string: exact match; without: any query).

        Replaces an earlier route for the same path and method. ``method=None`` matches any.
        """
        with self._routes_lock:
            self._routes[(method.upper() if method else None, path)] = _Route(replies)

    def robots(self, text: str) -> None:
        """Shortcut: serve ``text`` as /robots.txt."""
        self.route("/robots.txt", Reply.text(text))

    # -- reading the log -------------------------------------------------------------------

    @property
    def log(self) -> list[LoggedRequest]:
        """A copy of the request log, in arrival order."""
        with self._log_lock:
            return list(self._log)

    def requests_to(self, path: str) -> list[LoggedRequest]:
        """Logged requests whose path (without query) is ``path``."""
        return [r for r in self.log if r.bare_path == path]

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> Self:
        handler = type("_BoundHandler", (_Handler,), {"stub": self})
        self._httpd = _QuietServer((self.host, 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- used by the handler ---------------------------------------------------------------

    def _find(self, method: str, path: str) -> _Route | None:
        bare = urlsplit(path).path
        with self._routes_lock:
            for key in ((method, path), (None, path), (method, bare), (None, bare)):
                if key in self._routes:
                    return self._routes[key]
        return None

    def _record(self, request: LoggedRequest) -> None:
        with self._log_lock:
            self._log.append(request)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


class _QuietServer(ThreadingHTTPServer):
    """Resets and broken pipes are the point of some tests: do not print their tracebacks."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like real servers
    stub: StubServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self) -> None:
        start = time.monotonic()
        logged = LoggedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self._read_body(),
            start=start,
        )
        self.stub._record(logged)
        route = self.stub._find(self.command, self.path)
        reply = route.next_reply(logged) if route else Reply.text("not found", status=404)
        self.stub._pause(reply.delay)
        if reply.reset:
            logged.end = time.monotonic()
            self._reset()
            return
        try:
            self._send(reply, logged)
        finally:
            logged.end = logged.end or time.monotonic()

    def _reset(self) -> None:
        """Close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def _not_modified(self, reply: Reply, request: LoggedRequest) -> bool:
        inm = request.headers.get("if-none-match")
        if reply.etag is not None and inm is not None:
            return reply.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = request.headers.get("if-modified-since")
        return reply.last_modified is not None and ims == reply.last_modified

    def _send(self, reply: Reply, request: LoggedRequest) -> None:
        """Answer; ``request.status`` is set before and ``request.end`` just before the last
        write, so a client that has the whole answer always finds both in the log."""
        headers = _header_items(reply.headers)
        validators = [("ETag", reply.etag), ("Last-Modified", reply.last_modified)]
        headers += [(k, v) for k, v in validators if v is not None]
        status = reply.status
        if status == 200 and self._not_modified(reply, request):
            status = 304
        request.status = status
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        body = reply.body_bytes()
        if reply.gzip:
            body = gzip_module.compress(body)
            self.send_header("Content-Encoding", "gzip")
        no_body = status in (204, 304) or status < 200 or self.command == "HEAD"
        if no_body:
            if self.command == "HEAD":
                self.send_header("Content-Length", str(len(body)))
            request.end = time.monotonic()
            self.end_headers()
            return
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), reply.chunk_size):
                piece = body[i : i + reply.chunk_size]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                self.stub._pause(reply.chunk_delay)
            request.end = time.monotonic()
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        if reply.truncate is not None:
            self.end_headers()
            self.wfile.write(body[: reply.truncate])
            self.wfile.flush()
            self.close_connection = True
            return
        if not body:
            request.end = time.monotonic()
        self.end_headers()
        request.end = request.end or time.monotonic()
        self.wfile.write(body)
