"""The registry of sources: one explicit table from source name to scraper class and merge rank.

Entries are import paths so that importing the registry stays cheap and one broken
module cannot take the others down with it. The merge rank says whose facts win when
several sources list one course (``catalog.store`` merges field by field in rank order).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from scrapers.base import Scraper


@dataclass(frozen=True)
class SourceEntry:
    """A registered source: where its scraper class lives and its merge rank.

    ``target`` is ``"module:Class"``, imported on first use. ``rank``: lower wins when
    several sources list one course; ``None`` ranks after every ranked source, as a name
    outside the registry does.
    """

    target: str
    rank: int | None = None


# Ranks: hand-checked facts first (0, below), then the provider's own catalogue, then
# aggregators. The table's order is the order sources are listed and refreshed in.
SOURCES: dict[str, SourceEntry] = {
    "coursera": SourceEntry("scrapers.coursera:CourseraScraper", rank=2),
    "edx": SourceEntry("scrapers.edx:EdxScraper", rank=3),
    "udacity": SourceEntry("scrapers.udacity:UdacityScraper", rank=4),
    "microsoft-learn": SourceEntry("scrapers.microsoft_learn:MicrosoftLearnScraper", rank=1),
    "classcentral": SourceEntry("scrapers.classcentral:ClassCentralScraper", rank=9),
    "futurelearn": SourceEntry("scrapers.futurelearn:FutureLearnScraper", rank=5),
    "mit-ocw": SourceEntry("scrapers.mit_ocw:MitOcwScraper", rank=7),
    "schemaorg": SourceEntry("scrapers.schemaorg:SchemaOrgScraper", rank=8),
    "xikolo": SourceEntry("scrapers.xikolo:XikoloScraper", rank=6),
}
# Sources the catalog writes without a scraper: its hand-checked data file outranks them all.
OTHER_RANKS = {"curated": 0}
# Everything else ("import:<file>" listings, a registered source without a rank) comes last.
LAST_RANK = 1 + max(
    [*OTHER_RANKS.values(), *(s.rank for s in SOURCES.values() if s.rank is not None)]
)


def merge_rank(source: str) -> int:
    """Where ``source`` stands when listings of one course are merged (lower wins)."""
    entry = SOURCES.get(source)
    if entry is not None and entry.rank is not None:
        return entry.rank
    return OTHER_RANKS.get(source, LAST_RANK)


class UnknownSource(KeyError):
    """Raised for a source name that is not in the registry."""

    def __str__(self) -> str:
        return f"unknown source {self.args[0]!r}; known sources: {', '.join(sorted(SOURCES))}"


def scraper_class(name: str) -> type[Scraper]:
    """The class registered under ``name``."""
    try:
        target = SOURCES[name].target
    except KeyError:
        raise UnknownSource(name) from None
    module_name, _, attr = target.partition(":")
    cls: type[Scraper] = getattr(importlib.import_module(module_name), attr)
    return cls


def get_scraper(name: str, endpoints: dict[str, str] | None = None) -> Scraper:
    """A ready scraper for ``name``, endpoints overridable (a local test server, say)."""
    return scraper_class(name)(endpoints)
