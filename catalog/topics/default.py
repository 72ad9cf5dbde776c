"""The packaged taxonomy, loaded once per process, and the functions the catalog calls on it."""

from __future__ import annotations

import threading

from catalog.topics.loading import load_taxonomy
from catalog.topics.taxonomy import Taxonomy

_DEFAULT: Taxonomy | None = None
_DEFAULT_LOCK = threading.Lock()


def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded once per process.

    Threads that ask while it compiles (~0.25 s) wait for it rather than each compiling
    their own, as they would with lru_cache: a refresh normalises several sources at once.
    """
    global _DEFAULT
    taxonomy = _DEFAULT
    if taxonomy is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = load_taxonomy()
            taxonomy = _DEFAULT
    return taxonomy


def classify(
    title: str,
    description: str | None = None,
    skills: list[str] | None = None,
    categories: list[str] | None = None,
) -> list[str]:
    """Topic slugs for a listing (taxonomy order), using the packaged taxonomy."""
    return default_taxonomy().classify(title, description, skills, categories)


def in_scope(
    title: str,
    description: str | None = None,
    skills: list[str] | None = None,
    categories: list[str] | None = None,
) -> bool:
    """Whether a listing is about AI/ML (data science included) at all."""
    return default_taxonomy().in_scope(title, description, skills, categories)


def topic_labels(lang: str = "en") -> dict[str, str]:
    """{slug: label} in taxonomy order for ``lang`` ("en" or "de")."""
    return default_taxonomy().topic_labels(lang)


def label(slug: str, lang: str = "en") -> str:
    """Display label of one topic."""
    return default_taxonomy().label(slug, lang)
