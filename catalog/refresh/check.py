"""The source check: does one small page of a source still parse into records?

For ``courseradar sources check``, which tells a user with internet whether each source's
format still holds; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.refresh.runs import describe, one_line
from scrapers.base import Fetcher, FetchError, Scraper


@dataclass
class CheckResult:
    """Outcome of :func:`check_source`: did one small page still parse into records?"""

    source: str
    ok: bool
    reason: str
    url: str = ""
    records: int = 0


def check_source(scraper: Scraper, fetcher: Fetcher, *, max_hops: int = 3) -> CheckResult:
    """Fetch the scraper's ``check_request()`` and parse it: ok when records came and no error.

    A first page that only points on (a sitemap, a listing of links) is followed through
    its first follow-up, at most ``max_hops`` requests in all, so the check reaches a page
    with course data. For ``courseradar sources check``: tells a user with internet
    whether each source's format still holds.
    """
    name = scraper.name
    try:
        req = scraper.check_request()
    except Exception as exc:
        return CheckResult(name, False, one_line(f"no check request: {describe(exc)}"))
    for _ in range(max(1, max_hops)):
        try:
            resp = fetcher.fetch(req)
        except FetchError as exc:
            return CheckResult(name, False, one_line(f"fetch failed: {exc.reason}"), req.url)
        except Exception as exc:
            return CheckResult(name, False, one_line(f"fetch failed: {describe(exc)}"), req.url)
        try:
            result = scraper.parse(resp.content, resp.url or req.url)
        except Exception as exc:
            return CheckResult(name, False, one_line(f"parse raised {describe(exc)}"), req.url)
        if result.errors:
            more = f" (+{len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
            got = f"; {len(result.records)} record(s) read" if result.records else ""
            reason = one_line(f"parse error: {result.errors[0]}{more}{got}")
            return CheckResult(name, False, reason, req.url, len(result.records))
        if result.records:
            n = len(result.records)
            return CheckResult(name, True, f"{n} record(s) read", req.url, n)
        if not result.follow:
            return CheckResult(name, False, "the page parsed to no records", req.url)
        req = result.follow[0]
    return CheckResult(name, False, f"no records within {max_hops} requests", req.url)
