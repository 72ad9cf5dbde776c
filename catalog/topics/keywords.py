"""The keyword index: every keyword of every topic, found in a text word by word."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from catalog.topics.folding import fold_accents
from catalog.topics.topic import TaxonomyError

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
    for token in _SPLIT.split(fold_accents(keyword).strip()):
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
