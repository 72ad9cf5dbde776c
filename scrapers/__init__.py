"""The registry of sources: one explicit table from source name to scraper class.

Entries are import paths so that importing the registry stays cheap and one broken
module cannot take the others down with it.
"""

from __future__ import annotations

import importlib

from scrapers.base import Scraper

SOURCES: dict[str, str] = {
    "coursera": "scrapers.coursera:CourseraScraper",
    "edx": "scrapers.edx:EdxScraper",
    "udacity": "scrapers.udacity:UdacityScraper",
    "microsoft-learn": "scrapers.microsoft_learn:MicrosoftLearnScraper",
    "classcentral": "scrapers.classcentral:ClassCentralScraper",
    "futurelearn": "scrapers.futurelearn:FutureLearnScraper",
    "mit-ocw": "scrapers.mit_ocw:MitOcwScraper",
    "schemaorg": "scrapers.schemaorg:SchemaOrgScraper",
    "xikolo": "scrapers.xikolo:XikoloScraper",
}


class UnknownSource(KeyError):
    """Raised for a source name that is not in the registry."""

    def __str__(self) -> str:
        return f"unknown source {self.args[0]!r}; known sources: {', '.join(sorted(SOURCES))}"


def scraper_class(name: str) -> type[Scraper]:
    """The class registered under ``name``."""
    try:
        target = SOURCES[name]
    except KeyError:
        raise UnknownSource(name) from None
    module_name, _, attr = target.partition(":")
    cls: type[Scraper] = getattr(importlib.import_module(module_name), attr)
    return cls


def get_scraper(name: str, endpoints: dict[str, str] | None = None) -> Scraper:
    """A ready scraper for ``name``, endpoints overridable (a local test server, say)."""
    return scraper_class(name)(endpoints)
