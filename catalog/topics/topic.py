"""A topic as the taxonomy file writes it, and the error a malformed file raises."""

from __future__ import annotations

from dataclasses import dataclass

# Topics adjacent to AI rather than AI themselves: their evidence alone does not make "Python"
# or "business" in a title AI-related (see ``context`` in the taxonomy file).
ADJACENT_TOPICS = frozenset({"data-science", "math-for-ml", "python-for-ai"})


class TaxonomyError(ValueError):
    """The taxonomy file is malformed (unknown key, duplicate slug, bad keyword)."""


@dataclass(frozen=True)
class Topic:
    """One topic of the taxonomy, as written in the data file."""

    slug: str
    label_en: str
    label_de: str
    keywords: tuple[str, ...] = ()
    weak_keywords: tuple[str, ...] = ()
    generic_keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    weak_categories: tuple[str, ...] = ()
    generic_categories: tuple[str, ...] = ()
    requires_context: bool = False
    context: tuple[str, ...] = ()  # resolved: slugs whose evidence makes weak keywords count
    veto: tuple[str, ...] = ()  # phrases that make the topic's keywords mean something else
    # Adjacent topics only (see catalog/topics/scoping.py): title phrases that put a listing
    # in scope although the topic is adjacent to AI, and title words that cancel them.
    scope_keywords: tuple[str, ...] = ()
    scope_veto: tuple[str, ...] = ()

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` ("de", "de-DE" -> German; anything else English)."""
        return self.label_de if lang.lower().split("-")[0] == "de" else self.label_en
