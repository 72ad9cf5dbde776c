"""The scope decision on a listing's topics: which topics put it in the catalog, in words.

docs/scope.md is the rule for people; this is the same rule for the code. An AI topic puts a
listing in scope. The topics adjacent to AI (data science, maths and Python for ML) describe
many courses that teach no machine learning ("Statistics with R", "Data Visualization with
Tableau", "Python Basics for Data Science"), so on their own they put a listing in scope only
when the title names a field of theirs that teaches ML (a topic's ``scope_keywords``: "Data
Science", "Data Mining") and no subject without ML (its ``scope_veto``: "Statistics", "SQL",
"Visualization", "Tools").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from catalog.topics.topic import ADJACENT_TOPICS


def scope_reason(
    topics: Mapping[str, str],
    title_scope: set[str],
    title_scope_veto: set[str],
    label: Callable[[str], str],
) -> str | None:
    """Why a listing with ``topics`` ({slug: why}) is in scope, or None when it is not.

    ``title_scope``/``title_scope_veto``: the slugs whose scope keywords or scope veto words
    the title holds; ``label`` names a topic for people.
    """
    for slug, why in topics.items():
        if slug not in ADJACENT_TOPICS:
            return f"an AI topic: {label(slug)} ({why})"
    for slug in topics:
        if slug in title_scope and slug not in title_scope_veto:
            return f"the title names {label(slug)} as a field that teaches machine learning"
    return None
