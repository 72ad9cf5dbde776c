"""Finding the course a new listing belongs to: the same URL, or the same provider and title.

One course is often listed several times: Coursera's own API, a Class Central listing of the
same course (with tracking parameters on its link), a dataset row with the title spelled a
little differently. Merging them keeps one course per thing a user can take. Merging two
*different* courses is the worse mistake (a shortlist would point at the wrong one), so a fuzzy
title match is only a candidate: it must also agree on every token that tells courses of one
provider apart (part numbers, levels, technologies, kinds, languages), and each remaining word
must have a counterpart on the other side (a spelling variant or typo). Pure: no I/O.

Lookups stay fast at 100k entries: a dict by canonical URL, a dict by provider and exact
normalised title, and fuzzy comparison only within the provider's bucket (rapidfuzz).

The package: ``urls`` (canonical URLs and ids), ``names`` (titles and providers in comparable
form), ``same_course`` (what tells two titles of one provider apart) and ``matcher`` (the
lookups).
"""

from catalog.dedupe.matcher import TITLE_THRESHOLD, MatchEntry, Matcher
from catalog.dedupe.names import normalize_provider, normalize_title
from catalog.dedupe.same_course import same_course_titles
from catalog.dedupe.urls import (
    PATH_IDENTIFIED_HOSTS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    canonical_url,
    stable_id,
    url_key,
)

__all__ = [
    "PATH_IDENTIFIED_HOSTS",
    "TITLE_THRESHOLD",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "MatchEntry",
    "Matcher",
    "canonical_url",
    "normalize_provider",
    "normalize_title",
    "same_course_titles",
    "stable_id",
    "url_key",
]
