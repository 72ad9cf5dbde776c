"""The AI/ML topic taxonomy: tags a listing with topic slugs and decides whether it is in scope.

The vocabulary lives in ``catalog/data/taxonomy.toml`` so that adding a German synonym or a
provider's new category is a data change, not a code change; the file's header explains the
evidence rules. This module compiles that file and weighs the evidence. It is pure (no I/O
besides reading the taxonomy file once) and fast enough for every imported row: keywords are
indexed by their first letters, so a text is walked word by word instead of being scanned by
hundreds of regular expressions.

Why weigh evidence at all: provider texts mention "data", "statistics" or "AI" everywhere. A
title is what a listing is *about*; a description is what it *mentions*; real skill tags are
generous ("Machine Learning" among the fifty skills of an MBA). So the title and the provider's
categories decide, skill tags decide with a hint from the title or when AI tags dominate, and a
description only fills in, or decides alone when it names several different AI terms.
"""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("data") / "taxonomy.toml"

# Topics adjacent to AI rather than AI themselves: their evidence alone does not make "Python"
# or "business" in a title AI-related (see ``context`` in the taxonomy file).
ADJACENT_TOPICS = frozenset({"data-science", "math-for-ml", "python-for-ai"})

# Different AI terms a description must name to put a listing in scope on its own.
DESCRIPTION_MIN_TERMS = 2
# Without a hint in the title, skill tags decide only when at least this many name AI and they
# are at least this share of all tags.
SKILLS_MIN_AI = 2
SKILLS_MIN_AI_SHARE = 0.25

_TOPIC_KEYS = {
    "slug",
    "label_en",
    "label_de",
    "keywords",
    "weak_keywords",
    "generic_keywords",
    "categories",
    "weak_categories",
    "generic_categories",
    "requires_context",
    "context",
    "veto",
}

# Letters that NFKD does not decompose into base letter + combining mark.
_FOLD_TABLE = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
    }
)
# Between the words of a phrase: nothing, spaces, hyphens (incl. Unicode dashes), slash, dot.
# The dashes U+2010..U+2015 become "-" in a text before it is matched (_DASHES), so the
# patterns' class stays ASCII and \s: with them in it, the ~500 patterns of several words
# took four times as long to compile (~0.2 s of a first refresh).
_SEP = r"[\s\-_/.]*"
_DASHES = re.compile("[\u2010-\u2015]")  # a regex scan: str.translate was 14x slower
_SPLIT = re.compile(r"[\s\-\u2010-\u2015_/.]+")
_WORD = re.compile(r"[^\W_]+")
_AFTER = r"(?![^\W_])"  # not followed by a letter or digit
_ACRONYM_MAX = 5
_KEY_LEN = 3  # keywords are indexed by the first letters of their first word


def fold(text: str) -> str:
    """Remove diacritics but keep case: "Künstliche Intelligenz" -> "Kunstliche Intelligenz".

    Case is kept because acronyms ("AI", "KI") must be written in capitals to count.
    """
    if text.isascii():
        return text  # nothing to fold; the common case, and this runs for every title
    # Only the runs of non-ASCII characters change (ASCII is its own decomposition), and
    # str.translate over a whole description was most of the time a refresh spent folding.
    return _NON_ASCII.sub(_fold_run, text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class _Marks(dict[int, int | None]):
    """A str.translate table that drops combining marks; each character is looked at once."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_MARKS = _Marks()


def _fold_run(run: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", run.group().translate(_FOLD_TABLE))
    return decomposed.translate(_DROP_MARKS)


def category_slug(category: str) -> str:
    """Provider category as a comparable slug.

    "Data Analysis & Statistics" -> "data-analysis-and-statistics"; "/" is kept so Coursera's
    "domainId/subdomainId" stays distinguishable from a Class Central subject of the same name.
    """
    text = fold(category).casefold().replace("&", " and ")
    parts = [re.sub(r"[^a-z0-9]+", "-", part).strip("-") for part in text.split("/")]
    return "/".join(part for part in parts if part)


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

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` ("de", "de-DE" -> German; anything else English)."""
        return self.label_de if lang.lower().split("-")[0] == "de" else self.label_en


# -- keyword matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keyword:
    slug: str  # "" for the global exclude list
    tier: str  # strong, weak, generic, veto, exclude
    source: str  # the regular expression (case-insensitive), compiled on first use
    acronym: bool
    # The first word, casefolded. A keyword of several words starts only at a text word that
    # begins with it; a keyword of one word matches a text word as a whole: that word,
    # its plural (``plural``), or (``wildcard``) any word that begins with it.
    first: str
    single: bool
    wildcard: bool
    plural: bool

    @property
    def pattern(self) -> re.Pattern[str]:
        return _regex(self.source)

    def starts_at(self, word: str, lowered: str) -> bool:
        """Whether this keyword can match at the text word ``word`` (``lowered``: casefolded).

        For ASCII on both sides, compared as strings, which is what the case-insensitive
        regex does there; otherwise by the regex. Most keywords never need theirs compiled.
        """
        if not (word.isascii() and self.first.isascii()):
            if not self.single:
                return True  # may start here: find() matches the regex in the text
            found = self.pattern.match(word)
            return found is not None and _case_ok(self, found.group())
        if not self.single:
            return lowered.startswith(self.first)
        if self.wildcard:
            matched = lowered.startswith(self.first)
        else:
            matched = lowered == self.first or (self.plural and lowered == self.first + "s")
        return matched and _case_ok(self, word)


@cache
def _regex(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


@dataclass(frozen=True)
class _Match:
    slug: str
    tier: str
    start: int
    end: int
    term: str  # the matched text, letters only, casefolded: distinct-term counting


def _compile_keyword(slug: str, tier: str, keyword: str) -> tuple[str, _Keyword]:
    """The index key and the keyword of one taxonomy keyword (its regex not yet compiled).

    Words may end in "*" (any ending: "maschinell* lern*" -> "Maschinelles Lernen"); otherwise
    an English plural "s" is allowed. Capitals of at most five letters ("AI") are an acronym.
    """
    parts: list[str] = []
    letters = ""
    words_seen: list[str] = []
    ends_open = False  # the last word ends in "*"
    for token in _SPLIT.split(fold(keyword).strip()):
        wildcard = token.endswith("*")
        words = _WORD.findall(token.rstrip("*"))
        if not words:
            continue
        words_seen.extend(words)
        ends_open = wildcard
        letters += "".join(words)
        body = _SEP.join(re.escape(word) for word in words)
        parts.append(body + (r"[^\W_]*" if wildcard else ""))
    if not parts:
        raise TaxonomyError(f"keyword {keyword!r} has no letters or digits")
    acronym = (
        len(parts) == 1 and letters.isalpha() and letters.isupper() and len(letters) <= _ACRONYM_MAX
    )
    tail = "" if keyword.rstrip().endswith("*") else "s?"
    first = words_seen[0].casefold()
    single = len(words_seen) == 1
    kw = _Keyword(
        slug=slug,
        tier=tier,
        source=_SEP.join(parts) + tail + _AFTER,
        acronym=acronym,
        first=first,
        single=single,
        wildcard=single and ends_open,
        plural=bool(tail),
    )
    return first[:_KEY_LEN], kw


@dataclass(frozen=True)
class _AtWord:
    """What :meth:`_KeywordIndex.find` does where one word stands in a text."""

    whole: tuple[_Keyword, ...]  # one-word keywords that match the word
    longer: tuple[_Keyword, ...]  # keywords of several words that may start at it


class _KeywordIndex:
    """All keywords of all topics, indexed by the first letters of their first word.

    Matching walks the words of a text and tries only the keywords whose key is a prefix of the
    word, anchored at the word's start: word-aware by construction ("ML" never starts inside
    "HTML") and about a hundred times faster than one big alternation on long descriptions.
    Overlapping matches are all kept, so "machine learning with python" counts for both
    machine-learning and python-for-ai.

    Whether a keyword can start at a word depends on the word alone, and the words of course
    texts repeat: each distinct word is looked up once (:meth:`_for_word`) and remembered.
    A text is then split into its words in C, and only the few words that start a keyword
    are looked for again, to place their matches; most texts cost no Python per word.
    """

    # Distinct words remembered; past this the memory is started afresh (a bound, not an LRU:
    # the words of one refresh fit many times over).
    WORDS_KEPT = 200_000

    def __init__(self) -> None:
        self._by_key: dict[str, list[_Keyword]] = {}
        self._memo = _WordMemo()

    def add(self, slug: str, tier: str, keywords: Iterable[str]) -> None:
        for keyword in keywords:
            key, kw = _compile_keyword(slug, tier, keyword)
            self._by_key.setdefault(key, []).append(kw)
        self._memo = _WordMemo()

    def _for_word(self, word: str, memo: _WordMemo) -> _AtWord | None:
        """Remember what :meth:`find` does where ``word`` stands: the one-word keywords that
        match it as a whole, and the keywords of several words whose first word it begins
        with; None when no keyword starts there."""
        lowered = word.casefold()
        whole: list[_Keyword] = []
        longer: list[_Keyword] = []
        for size in range(1, min(_KEY_LEN, len(lowered)) + 1):
            for kw in self._by_key.get(lowered[:size], ()):
                # The word is a whole run of letters and a one-word pattern ends where letters
                # do, so matching the word alone is matching it in the text.
                if kw.starts_at(word, lowered):
                    (whole if kw.single else longer).append(kw)
        found = _AtWord(tuple(whole), tuple(longer)) if whole or longer else None
        if found is not None:
            memo.starters.add(word)  # before by_word: see find()
        memo.by_word[word] = found
        return found

    def find(self, folded: str) -> list[_Match]:
        if not folded.isascii():
            folded = _DASHES.sub("-", folded)  # one character for one: places stay
        memo = self._memo
        if len(memo.by_word) >= self.WORDS_KEPT:
            memo = self._memo = _WordMemo()  # a new object: other threads keep the old one
        words = set(_WORD.findall(folded))
        # Sources are classified on several threads at once. A word another thread put in
        # by_word is in starters already, so looking at starters *after* this is complete.
        for word in words.difference(memo.by_word):  # a dict: looked up, not copied
            self._for_word(word, memo)
        found: list[_Match] = []
        for word in words & memo.starters:
            at = memo.by_word.get(word) or self._for_word(word, memo)
            assert at is not None
            term = word.casefold()
            for start in _places(folded, word):
                end = start + len(word)
                found.extend(_Match(kw.slug, kw.tier, start, end, term) for kw in at.whole)
                for kw in at.longer:
                    m = kw.pattern.match(folded, start)
                    if m is not None and _case_ok(kw, m.group()):
                        matched = re.sub(r"[\W_]+", "", m.group()).casefold()
                        found.append(_Match(kw.slug, kw.tier, start, m.end(), matched))
        return found


@dataclass
class _WordMemo:
    """What :class:`_KeywordIndex` learned about the words it has seen."""

    by_word: dict[str, _AtWord | None] = field(default_factory=dict)
    starters: set[str] = field(default_factory=set)  # the words at which a keyword starts


def _places(text: str, word: str) -> Iterator[int]:
    r"""Where ``word`` stands in ``text`` as a whole word, as ``_WORD`` splits a text (its
    ``[^\W_]`` is what ``str.isalnum()`` holds for)."""
    size, at = len(word), text.find(word)
    while at >= 0:
        end = at + size
        if not (at and text[at - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
            yield at
        at = text.find(word, end)


def _case_ok(kw: _Keyword, matched: str) -> bool:
    """An acronym's own letters must be capitals; a plural "s" may follow."""
    return not kw.acronym or matched[:2].isupper()


# -- evidence ------------------------------------------------------------------------------------


@dataclass
class _Hits:
    """Keyword hits in one kind of text (title, skill tags or description)."""

    strong: dict[str, int] = field(default_factory=dict)  # slug -> occurrences
    weak: dict[str, int] = field(default_factory=dict)
    generic: int = 0
    terms: set[tuple[str, str]] = field(default_factory=set)  # distinct (slug, term), strong

    def merge(self, other: _Hits) -> None:
        for slug, count in other.strong.items():
            self.strong[slug] = self.strong.get(slug, 0) + count
        for slug, count in other.weak.items():
            self.weak[slug] = self.weak.get(slug, 0) + count
        self.generic += other.generic
        self.terms |= other.terms


@dataclass
class _Evidence:
    """What one listing says about each topic; built by :meth:`Taxonomy._evidence`."""

    title: _Hits = field(default_factory=_Hits)
    skills: _Hits = field(default_factory=_Hits)
    skill_count: int = 0
    ai_skill_count: int = 0  # skill tags that name an AI topic or AI in general
    desc: _Hits = field(default_factory=_Hits)
    cat_strong: set[str] = field(default_factory=set)
    cat_weak: set[str] = field(default_factory=set)
    cat_generic: bool = False


def _overlaps(match: _Match, spans: Sequence[tuple[int, int]]) -> bool:
    return any(match.start < end and start < match.end for start, end in spans)


class Taxonomy:
    """The loaded taxonomy: ordered topics plus the compiled index that classifies listings."""

    def __init__(
        self,
        topics: Sequence[Topic],
        exclude: Iterable[str] = (),
        category_parents: dict[str, Sequence[str]] | None = None,
    ) -> None:
        self.topics: list[Topic] = list(topics)
        self._parents = {
            category_slug(parent): {category_slug(child) for child in children}
            for parent, children in (category_parents or {}).items()
        }
        self._by_slug = {topic.slug: topic for topic in self.topics}
        self._order = {topic.slug: i for i, topic in enumerate(self.topics)}
        self._exclude = tuple(exclude)
        for keyword in chain(
            self._exclude,
            *((*t.keywords, *t.weak_keywords, *t.generic_keywords, *t.veto) for t in self.topics),
        ):
            if not _WORD.search(fold(keyword)):  # what _compile_keyword refuses, checked now
                raise TaxonomyError(f"keyword {keyword!r} has no letters or digits")
        self._categories: dict[str, dict[str, set[str]]] = {"strong": {}, "weak": {}, "generic": {}}
        for topic in self.topics:
            for tier, values in (
                ("strong", topic.categories),
                ("weak", topic.weak_categories),
                ("generic", topic.generic_categories),
            ):
                for value in values:
                    self._categories[tier].setdefault(category_slug(value), set()).add(topic.slug)
        self._generic_slugs = {
            t.slug for t in self.topics if t.generic_keywords or t.generic_categories
        }
        self._explain_cached = lru_cache(maxsize=256)(self._explain_cached)  # type: ignore[method-assign]

    @cached_property
    def _index(self) -> _KeywordIndex:
        """The keyword index (~850 keywords, ~20 ms; their regular expressions, ~0.3 s for
        all, compile only where a text needs one): built on the first classification, not for
        a front end that only lists slugs and labels."""
        index = _KeywordIndex()
        index.add("", "exclude", self._exclude)
        for topic in self.topics:
            index.add(topic.slug, "strong", topic.keywords)
            index.add(topic.slug, "weak", topic.weak_keywords)
            index.add(topic.slug, "generic", topic.generic_keywords)
            index.add(topic.slug, "veto", topic.veto)
        return index

    @property
    def slugs(self) -> list[str]:
        """Topic slugs in taxonomy order."""
        return [topic.slug for topic in self.topics]

    def get(self, slug: str) -> Topic:
        """The topic for ``slug``; a KeyError lists the valid slugs."""
        try:
            return self._by_slug[slug]
        except KeyError:
            raise KeyError(
                f"unknown topic {slug!r}; valid topics: {', '.join(self.slugs)}"
            ) from None

    def label(self, slug: str, lang: str = "en") -> str:
        """Display label of a topic in English or German."""
        return self.get(slug).label(lang)

    def topic_labels(self, lang: str = "en") -> dict[str, str]:
        """{slug: label} in taxonomy order, for filters and facet names."""
        return {topic.slug: topic.label(lang) for topic in self.topics}

    # -- classification -----------------------------------------------------------------------

    def classify(
        self,
        title: str,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> list[str]:
        """Topic slugs for a listing, in taxonomy order; empty means "not an AI/ML listing"."""
        found = self.explain(title, description, skills, categories)
        return sorted(found, key=lambda slug: self._order[slug])

    def in_scope(
        self,
        title: str,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> bool:
        """Whether a listing belongs in the catalog at all: it has at least one topic."""
        return bool(self.explain(title, description, skills, categories))

    def explain(
        self,
        title: str,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> dict[str, str]:
        """{slug: why} for every assigned topic; the reasons make taxonomy edits reviewable."""
        try:
            key = (title, description, tuple(skills or ()), tuple(categories or ()))
            return dict(self._explain_cached(key))
        except TypeError:  # something unhashable was passed: no cache
            return self._explain(title, description, skills, categories)

    def _explain_cached(self, key: tuple[Any, ...]) -> dict[str, str]:
        # Replaced per instance in __init__ by an LRU cache: a refresh asks twice about each
        # listing (classify() while normalising, in_scope() for the scope rule), and the
        # keyword scan of title, skills and description is most of a record's cost.
        return self._explain(*key)

    def _explain(
        self,
        title: str,
        description: str | None,
        skills: Sequence[str] | None,
        categories: Sequence[str] | None,
    ) -> dict[str, str]:
        ev = self._evidence(title, description, skills, categories)
        assigned: dict[str, str] = {}

        # 1. The title and the provider's categories say what a listing is about.
        for slug in ev.title.strong:
            assigned.setdefault(slug, "title")
        for slug in sorted(ev.cat_strong):
            assigned.setdefault(slug, "provider category")
        core_weak = any(not self.get(slug).requires_context for slug in ev.title.weak)
        title_sign = bool(
            ev.title.strong
            or ev.title.generic
            or core_weak
            or ev.cat_strong
            or ev.cat_weak
            or ev.cat_generic
        )

        # 2. Skill tags are strong evidence, but real sources tag generously ("Feature
        # Engineering" on a CAD course, "Machine Learning" among the fifty skills of an MBA):
        # they decide when the title hints at the field, or when AI tags are several and a
        # fair share of all tags.
        skills_decide = title_sign or (
            ev.ai_skill_count >= SKILLS_MIN_AI
            and ev.ai_skill_count >= ev.skill_count * SKILLS_MIN_AI_SHARE
        )
        if skills_decide:
            for slug in ev.skills.strong:
                if slug in ADJACENT_TOPICS and not title_sign:
                    continue  # "Data Analysis" tags alone do not make a marketing course AI
                assigned.setdefault(slug, "skill tag")
        primary_generic = bool(
            ev.title.generic or ev.cat_generic or (ev.skills.generic and skills_decide)
        )
        primary_topics = set(assigned)

        # 3. The description is read only when the above name no specific topic: to say which
        # kind of AI a generic "Artificial Intelligence" course teaches, to confirm a weak hint
        # ("Time Series Forecasting" + "data analytics"), or alone when it names at least two
        # different AI terms. One passing "machine learning" in a chemistry course is not
        # enough; "big data" plus "AI" in a FinTech blurb is not either.
        if not assigned:
            desc_alone = len(ev.desc.terms) >= DESCRIPTION_MIN_TERMS and any(
                slug not in ADJACENT_TOPICS for slug, _term in ev.desc.terms
            )
            for slug in ev.desc.strong:
                if desc_alone or primary_generic or slug in ev.title.weak or slug in ev.cat_weak:
                    assigned[slug] = "description"

        # 4. Weak title words ("Python", "Business", "Statistics") count in AI context, and for
        # core topics also together with a matching broad provider category.
        context = set(assigned)
        if primary_generic or (ev.desc.generic and assigned):
            context |= self._generic_slugs
        for slug in self.slugs:
            if slug in assigned or slug not in ev.title.weak:
                continue
            topic = self._by_slug[slug]
            if context & set(topic.context):
                assigned[slug] = "title word in AI context"
            elif not topic.requires_context and slug in ev.cat_weak:
                assigned[slug] = "title word and provider category"

        # 5. "AI"/"KI" in the title means ai-fundamentals, unless the title says what kind of
        # AI ("EU AI Act" is law, not basics). Topics read from the description do not count.
        named = primary_topics | {s for s, why in assigned.items() if why.startswith("title")}
        if primary_generic and not (named - ADJACENT_TOPICS):
            for slug in sorted(self._generic_slugs):
                assigned.setdefault(slug, "general AI term")
        return assigned

    def _evidence(
        self,
        title: str,
        description: str | None,
        skills: Sequence[str] | None,
        categories: Sequence[str] | None,
    ) -> _Evidence:
        ev = _Evidence()
        self._scan(title or "", ev.title, weak=True)
        for skill in skills or []:
            if not skill or not skill.strip():
                continue
            ev.skill_count += 1
            one = _Hits()
            self._scan(skill, one, weak=False)
            if one.generic or any(slug not in ADJACENT_TOPICS for slug in one.strong):
                ev.ai_skill_count += 1
            ev.skills.merge(one)
        if description:
            self._scan(description, ev.desc, weak=False)
        slugs = {category_slug(c) for c in categories or [] if isinstance(c, str)}
        # A broad parent says less than its child ("data-science" + "data-analysis").
        slugs -= {parent for parent, children in self._parents.items() if slugs & children}
        for slug in slugs:
            ev.cat_strong |= self._categories["strong"].get(slug, set())
            ev.cat_weak |= self._categories["weak"].get(slug, set())
            ev.cat_generic = ev.cat_generic or slug in self._categories["generic"]
        return ev

    def _scan(self, text: str, hits: _Hits, *, weak: bool) -> None:
        """Add the keyword hits of one text to ``hits``.

        Excluded phrases ("Standard ML") hide what they overlap; a topic's veto phrase in the
        text ("neuro-linguistic programming") silences that topic for the text; weak keywords
        count only outside strong and generic hits, so "Word Embeddings" (NLP) is not also
        "Word" (office tools).
        """
        matches = self._index.find(fold(text))
        if not matches:
            return
        excluded = [(m.start, m.end) for m in matches if m.tier == "exclude"]
        vetoed = {m.slug for m in matches if m.tier == "veto"}
        kept = [
            m
            for m in matches
            if m.tier not in ("exclude", "veto")
            and m.slug not in vetoed
            and not (excluded and _overlaps(m, excluded))
        ]
        covered = [(m.start, m.end) for m in kept if m.tier in ("strong", "generic")]
        for m in kept:
            if m.tier == "strong":
                hits.strong[m.slug] = hits.strong.get(m.slug, 0) + 1
                hits.terms.add((m.slug, m.term))
            elif m.tier == "generic":
                hits.generic += 1
            elif weak and m.tier == "weak" and not _overlaps(m, covered):
                hits.weak[m.slug] = hits.weak.get(m.slug, 0) + 1


# -- loading -------------------------------------------------------------------------------------


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a taxonomy file (default: the packaged ``data/taxonomy.toml``)."""
    source = Path(path) if path is not None else DEFAULT_PATH
    with source.open("rb") as handle:
        data = tomllib.load(handle)
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TaxonomyError(f"{source}: no topics (expected [[topics]] entries)")
    slugs = [str(entry.get("slug", "")) for entry in raw_topics]
    topics = [_parse_topic(entry, slugs, source) for entry in raw_topics]
    seen: set[str] = set()
    for topic in topics:
        if topic.slug in seen:
            raise TaxonomyError(f"{source}: duplicate topic slug {topic.slug!r}")
        seen.add(topic.slug)
    exclude = data.get("exclude", {}).get("phrases", [])
    parents = data.get("category_parents", {})
    if not isinstance(parents, dict):
        raise TaxonomyError(f"{source}: [category_parents] must be a table")
    return Taxonomy(
        topics,
        exclude=_str_tuple(exclude, "exclude.phrases", source),
        category_parents={
            str(k): _str_tuple(v, f"category_parents.{k}", source) for k, v in parents.items()
        },
    )


def _parse_topic(entry: dict[str, Any], all_slugs: list[str], source: Path) -> Topic:
    slug = entry.get("slug")
    unknown = set(entry) - _TOPIC_KEYS
    if unknown:
        raise TaxonomyError(
            f"{source}: topic {slug!r} has unknown keys {sorted(unknown)}; "
            f"valid keys: {', '.join(sorted(_TOPIC_KEYS))}"
        )
    for required in ("slug", "label_en", "label_de"):
        if not isinstance(entry.get(required), str) or not entry[required]:
            raise TaxonomyError(f"{source}: topic {slug!r} needs a non-empty {required}")
    assert isinstance(slug, str)
    context = entry.get("context", "ai")
    if context == "ai":
        resolved = tuple(s for s in all_slugs if s not in ADJACENT_TOPICS and s != slug)
    elif context == "any":
        resolved = tuple(s for s in all_slugs if s != slug)
    elif isinstance(context, list):
        bad = [s for s in context if s not in all_slugs]
        if bad:
            raise TaxonomyError(f"{source}: topic {slug!r} context names unknown topics {bad}")
        resolved = tuple(context)
    else:
        raise TaxonomyError(f"{source}: topic {slug!r}: context must be 'ai', 'any' or a list")

    def strings(key: str) -> tuple[str, ...]:
        return _str_tuple(entry.get(key, []), f"{slug}.{key}", source)

    return Topic(
        slug=slug,
        label_en=entry["label_en"],
        label_de=entry["label_de"],
        keywords=strings("keywords"),
        weak_keywords=strings("weak_keywords"),
        generic_keywords=strings("generic_keywords"),
        categories=strings("categories"),
        weak_categories=strings("weak_categories"),
        generic_categories=strings("generic_categories"),
        requires_context=bool(entry.get("requires_context", False)),
        context=resolved,
        veto=strings("veto"),
    )


def _str_tuple(value: Any, where: str, source: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{source}: {where} must be a list of strings")
    return tuple(value)


# -- module-level convenience over the packaged taxonomy -----------------------------------------


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
