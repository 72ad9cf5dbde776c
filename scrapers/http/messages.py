"""One-line reasons for what went wrong, as a FetchError carries them to the run's report."""

from __future__ import annotations

import requests
import urllib3.exceptions as u3e

from scrapers.http.settings import FetchSettings
from scrapers.http.transport import TooLarge


def transport_reason(exc: requests.RequestException, settings: FetchSettings) -> str:
    """A one-line reason for a transport failure."""
    chain = _chain(exc)
    if any(isinstance(e, TooLarge) for e in chain):
        return f"response larger than {settings.max_bytes} bytes"
    if isinstance(exc, requests.TooManyRedirects):
        return f"too many redirects (more than {settings.max_redirects})"
    if isinstance(exc, requests.ConnectTimeout) or any(
        isinstance(e, u3e.ConnectTimeoutError) and not isinstance(e, u3e.NewConnectionError)
        for e in chain
    ):
        return f"timed out after {settings.connect_timeout:g} s (connect)"
    if isinstance(exc, requests.ReadTimeout) or any(
        isinstance(e, u3e.ReadTimeoutError | TimeoutError) for e in chain
    ):
        return f"timed out after {settings.read_timeout:g} s (read)"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return one_line(f"invalid URL: {exc}")
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "could not decode the body (bad gzip/deflate)"
    if isinstance(exc, requests.exceptions.SSLError):
        return one_line(f"TLS error: {describe(chain[-1])}")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return one_line(f"connection broken while reading the body: {_why(chain)}")
    if isinstance(exc, requests.ConnectionError):
        return one_line(f"connection failed: {_why(chain)}")
    return one_line(describe(exc))


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    return describe(chain[-1])
