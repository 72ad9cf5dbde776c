"""The matcher: the existing course a listing belongs to, by URL, exact title or fuzzy title."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from catalog.dedupe.names import normalize_provider, normalize_title
from catalog.dedupe.same_course import _compact, _core, same_course_titles
from catalog.dedupe.urls import url_key

# token_sort_ratio a candidate title must reach (0-100) before the word checks run. Tuned on the
# real datasets (see tests/test_dedupe.py): different courses of one provider score up to ~95
# ("Introduction to Financial Accounting" / "More Introduction to Financial Accounting"), so the
# score only preselects; the word checks of same_course_titles decide.
TITLE_THRESHOLD = 88
_CANDIDATES = 8


@dataclass(frozen=True)
class MatchEntry:
    """An existing course as the matcher sees it."""

    course_id: int
    url: str | None
    provider: str | None
    title: str
    kind: str | None = None  # the record's kind (course, specialization, ...)


# Kinds a title may or may not restate: "AI for Medicine" of kind specialization is the "AI for
# Medicine Specialization" of another source, while the course "AI for Medicine" is not.
_KIND_WORDS = {
    "specialization": "specialization",
    "professional_certificate": "professional certificate",
    "nanodegree": "nanodegree",
}


def kind_title(title: str | None, kind: str | None) -> str:
    """The normalised title that matching compares: with the words of the record's kind
    added where the title does not say them, so kinds take part in the word checks."""
    norm = normalize_title(title)
    words = _KIND_WORDS.get(kind or "")
    if norm and words and f" {words} " not in f" {norm} ":
        return f"{norm} {words}"
    return norm


@dataclass
class _Bucket:
    """The titles of one provider, parallel lists as rapidfuzz wants them."""

    cores: list[str] = field(default_factory=list)  # compared by rapidfuzz
    titles: list[str] = field(default_factory=list)  # normalised, for the word checks
    ids: list[int] = field(default_factory=list)


def _exact_forms(norm: str) -> tuple[str, ...]:
    """Keys under which a title is found without fuzzy matching: spaces (hyphens) ignored,
    with and without the noise words."""
    return (_compact(norm), "~" + _compact(_core(norm)))


class Matcher:
    """Finds the existing course a listing should merge into; ``add`` what a run creates."""

    def __init__(self, entries: Iterable[MatchEntry] = ()) -> None:
        self._by_url: dict[str, int] = {}
        self._ambiguous_urls: set[str] = set()
        self._url_titles: dict[str, str] = {}
        self._by_title: dict[tuple[str, str], int] = {}  # (provider, compact title or core)
        self._buckets: dict[str, _Bucket] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: MatchEntry) -> None:
        """Make ``entry`` findable (first one wins for an identical URL or title)."""
        norm = kind_title(entry.title, entry.kind)
        key = url_key(entry.url)
        if key is not None:
            if key not in self._by_url:
                self._by_url[key] = entry.course_id
                self._url_titles[key] = norm
            elif self._by_url[key] != entry.course_id and not same_course_titles(
                self._url_titles[key], norm
            ):
                # One URL for different courses (a landing page): the URL proves nothing.
                self._ambiguous_urls.add(key)
        provider = normalize_provider(entry.provider)
        if not provider or not norm:
            return
        for form in _exact_forms(norm):
            self._by_title.setdefault((provider, form), entry.course_id)
        bucket = self._buckets.setdefault(provider, _Bucket())
        bucket.cores.append(_core(norm))
        bucket.titles.append(norm)
        bucket.ids.append(entry.course_id)

    def find(
        self, url: str | None, provider: str | None, title: str | None, kind: str | None = None
    ) -> int | None:
        """The course id to merge into, or None for a new course. A course and a programme
        of the same name (``kind``) are two: their titles compare with the kind's words."""
        key = url_key(url)
        if key is not None and key not in self._ambiguous_urls:
            found = self._by_url.get(key)
            if found is not None:
                return found
        norm = kind_title(title, kind)
        prov = normalize_provider(provider)
        if not norm or not prov:
            return None
        for form in _exact_forms(norm):
            exact = self._by_title.get((prov, form))
            if exact is not None:
                return exact
        bucket = self._buckets.get(prov)
        if bucket is None:
            return None
        for _choice, score, index in process.extract(
            _core(norm),
            bucket.cores,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=TITLE_THRESHOLD,
            limit=_CANDIDATES,
        ):
            if score >= TITLE_THRESHOLD and same_course_titles(norm, bucket.titles[index]):
                return bucket.ids[index]
        return None
