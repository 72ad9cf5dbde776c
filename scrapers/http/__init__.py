"""The only code in CourseRadar that talks to the network: one polite fetcher.

Every request a scraper makes goes through :class:`PoliteFetcher`, so the rules that keep us
welcome live in one package, one concern a module (as Scrapy keeps them):

* ``settings``: :class:`FetchSettings`, every rule and limit below in one checked object.
* ``robots``: robots.txt is fetched once per origin per fetcher (= one run) with protego and
  obeyed; its Crawl-delay / Request-rate become the host's minimum delay; an answer that
  says nothing clear means "disallow all" for the run, with the reason kept in
  ``stats.robots_notes``.
* ``pacing``: one request at a time per host, spaced by ``max(min_delay, AutoThrottle
  delay)``, Crawl-delay and Retry-After; a wait longer than ``max_delay`` is refused with a
  FetchError rather than slept.
* ``transport``: retries with urllib3's Retry on connection errors, read timeouts and
  429/500/502/503/504, honouring Retry-After (one above ``max_delay`` becomes a FetchError
  instead of a sleep of hours; other 4xx are final at once); bodies read in chunks and
  abandoned past ``max_bytes`` (decoded size, so a gzip bomb stops too; Content-Length is
  checked first); the HTTP cache, which revalidates every stored page (an unchanged page
  costs a 304 and no body); sessions pooled so that none is shared by two threads at once.
* ``fetcher``: redirects followed one hop at a time, so each hop passes robots.txt and the
  pacing of its own host (more than ``max_redirects`` hops is a FetchError); many requests
  at once, different hosts concurrently.
* ``messages``: the one-line reasons a :class:`~scrapers.base.FetchError` carries; nothing
  else leaves :meth:`PoliteFetcher.fetch`. ``stats``: what a run cost.

Known limits: a body that breaks off mid-way is not retried (the error is reported), and
``read_timeout`` bounds each silence, not the whole download.
"""

from __future__ import annotations

from scrapers.http.fetcher import PoliteFetcher
from scrapers.http.pacing import autothrottle_delay, host_key
from scrapers.http.settings import DEFAULT_USER_AGENT, FetchSettings
from scrapers.http.stats import FetchStats

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchSettings",
    "FetchStats",
    "PoliteFetcher",
    "autothrottle_delay",
    "host_key",
]
