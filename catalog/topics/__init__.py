"""The AI/ML topic taxonomy: tags a listing with topic slugs and decides whether it is in scope.

The vocabulary lives in ``catalog/data/taxonomy.toml`` so that adding a German synonym or a
provider's new category is a data change, not a code change; the file's header explains the
evidence rules. This package compiles that file and weighs the evidence. It is pure (no I/O
besides reading the taxonomy file once) and fast enough for every imported row: keywords are
indexed by their first letters, so a text is walked word by word instead of being scanned by
hundreds of regular expressions.

Why weigh evidence at all: provider texts mention "data", "statistics" or "AI" everywhere. A
title is what a listing is *about*; a description is what it *mentions*; real skill tags are
generous ("Machine Learning" among the fifty skills of an MBA). So the title and the provider's
categories decide, skill tags decide with a hint from the title or when AI tags dominate, and a
description only fills in, or decides alone when it names several different AI terms.

The package: ``topic`` (a topic, the error), ``folding`` (accents folded away, category slugs),
``keywords`` (the keyword index), ``taxonomy`` (the evidence rules), ``loading`` (the data file)
and ``default`` (the packaged taxonomy, loaded once, and functions over it).
"""

from catalog.topics.default import classify, default_taxonomy, in_scope, label, topic_labels
from catalog.topics.folding import category_slug, fold_accents
from catalog.topics.loading import DEFAULT_PATH, load_taxonomy
from catalog.topics.taxonomy import (
    DESCRIPTION_MIN_TERMS,
    SKILLS_MIN_AI,
    SKILLS_MIN_AI_SHARE,
    Taxonomy,
)
from catalog.topics.topic import ADJACENT_TOPICS, TaxonomyError, Topic

__all__ = [
    "ADJACENT_TOPICS",
    "DEFAULT_PATH",
    "DESCRIPTION_MIN_TERMS",
    "SKILLS_MIN_AI",
    "SKILLS_MIN_AI_SHARE",
    "Taxonomy",
    "TaxonomyError",
    "Topic",
    "category_slug",
    "classify",
    "default_taxonomy",
    "fold_accents",
    "in_scope",
    "label",
    "load_taxonomy",
    "topic_labels",
]
