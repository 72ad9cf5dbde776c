"""Whether two normalised titles of one provider may name the same course: the tokens that tell
courses apart (part numbers, levels, kinds, technologies, languages) must agree."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.dedupe.names import _wordset

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "first": "1", "second": "2", "third": "3", "eins": "1", "zwei": "2", "drei": "3",
    "ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
}  # fmt: skip
_PART_WORDS = _wordset(
    "part parts teil module modul unit level volume chapter week lesson course semester"
)
_LEVELS = {
    "introduction": "intro", "beginner": "intro", "beginners": "intro", "basics": "intro",
    "basic": "intro", "fundamentals": "intro", "foundations": "intro", "foundation": "intro",
    "essentials": "intro", "grundlagen": "intro", "einsteiger": "intro", "anfanger": "intro",
    "primer": "intro", "getting": "intro", "starting": "intro",
    "intermediate": "intermediate", "fortgeschrittene": "advanced", "advanced": "advanced",
    "expert": "advanced", "experts": "advanced", "mastering": "advanced", "master": "advanced",
    "masterclass": "advanced", "vertiefung": "advanced", "applied": "applied",
    "practical": "applied", "hands": "applied", "praxis": "applied",
    "more": "sequel", "further": "sequel", "continued": "sequel", "beyond": "sequel",
    "next": "sequel", "weiterfuhrend": "sequel",
}  # fmt: skip
_KINDS = {
    "specialization": "specialization", "specializations": "specialization",
    "certificate": "certificate", "professional": "professional", "certification": "exam",
    "exam": "exam", "prep": "exam", "preparation": "exam", "nanodegree": "nanodegree",
    "capstone": "capstone", "project": "project", "projects": "project", "bootcamp": "bootcamp",
    "degree": "degree", "masters": "degree", "bachelor": "degree", "msc": "degree", "mba": "degree",
    "workshop": "workshop", "lab": "lab", "labs": "lab", "webinar": "webinar", "path": "path",
    "track": "path", "series": "series", "quiz": "quiz", "microcredential": "micro",
    "micromasters": "micro", "xseries": "series",
}  # fmt: skip
_TECH = _wordset(
    "python r java javascript typescript excel sql mysql postgresql nosql mongodb tableau powerbi "
    "power spark pyspark hadoop aws azure gcp google cloud matlab julia scala cplusplus csharp "
    "fsharp dotnet go golang rust sas spss stata kotlin swift php ruby docker kubernetes "
    "tensorflow pytorch keras jax sklearn scikit langchain openai chatgpt gemini copilot "
    "huggingface watson ibm sagemaker databricks snowflake bigquery looker qlik alteryx knime "
    "weka octave arduino raspberry android ios unity unreal blender autocad solidworks "
    "salesforce sap oracle linux windows"
)
_LANGUAGES = _wordset(
    "english german deutsch spanish espanol french francais portuguese portugues italian "
    "italiano chinese russian arabic japanese korean hindi dutch turkish"
)
# Function words that give away a title's language: "Google Marketing Digital e E-Commerce" is
# the Portuguese version of "Google Digital Marketing & E-commerce", with the same nouns.
_TONGUES = {
    "en": _wordset("the and with for of to your from into how an"),
    "de": _wordset("der die das und mit fur ein eine zu im von den dem auf"),
    "es": _wordset("el los las y para con del una al"),
    "pt": _wordset("e do dos da das para com em uma na ao"),
    "fr": _wordset("le les et des du pour avec une dans au aux"),
    "it": _wordset("il gli di per della delle dei con una e"),
}
# Words whose presence or absence never makes another course.
_NOISE = _wordset(
    "a an the to for with and in on of at by from into your you how using use via about "
    "course courses online mooc free full complete tutorial training learn kurs onlinekurs "
    "mit fur der die das und ein eine zu im en de la le les el los y para con"
)


@dataclass(frozen=True)
class _Signature:
    """The parts of a normalised title that must agree for two titles to be one course."""

    numbers: frozenset[str]
    levels: frozenset[str]
    kinds: frozenset[str]
    tech: frozenset[str]
    languages: frozenset[str]
    words: frozenset[str]  # everything else that carries meaning
    tongues: frozenset[str]  # languages the function words point to


def _signature(norm: str) -> _Signature:
    tokens = norm.split()
    numbers, levels, kinds, tech, languages, words = set(), set(), set(), set(), set(), set()
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        if tok.isdigit():
            numbers.add(str(int(tok)))
        elif tok in _NUMBER_WORDS:
            numbers.add(_NUMBER_WORDS[tok])
        elif tok in ("i", "v", "x") and i and (i == len(tokens) - 1 or prev in _PART_WORDS):
            numbers.add({"i": "1", "v": "5", "x": "10"}[tok])  # "Machine Learning I"
        elif prev in _PART_WORDS and len(tok) == 1:
            numbers.add(tok)  # "Part A"
        elif re.fullmatch(r"\d+[a-z]*|[a-z]+\d+\w*", tok):
            numbers.add(tok)  # "6.036" -> "6", "036"; "python3", "web3", "ai900"
        elif tok in _LEVELS:
            levels.add(_LEVELS[tok])
        elif tok in _KINDS:
            kinds.add(_KINDS[tok])
        elif tok in _TECH:
            tech.add(tok)
        elif tok in _LANGUAGES:
            languages.add(tok)
        elif tok not in _NOISE and tok not in _PART_WORDS:
            words.add(tok)
    present = set(tokens)
    tongues = frozenset(lang for lang, markers in _TONGUES.items() if present & markers)
    return _Signature(
        frozenset(numbers),
        frozenset(levels),
        frozenset(kinds),
        frozenset(tech),
        frozenset(languages),
        frozenset(words),
        tongues,
    )


def same_course_titles(a: str, b: str) -> bool:
    """Whether two normalised titles of one provider may name the same course.

    Numbers, levels, kinds, technologies and languages must be equal, and the function words
    must not point to different languages; every other word must reappear on the other side
    (as a plural, or joined: "e-commerce"/"ecommerce").
    """
    if a == b or _compact(a) == _compact(b) or _compact(_core(a)) == _compact(_core(b)):
        return True  # also "High-Performing" = "HighPerforming", "Hands-on" = "Handson"
    sa, sb = _signature(a), _signature(b)
    if sa.tongues and sb.tongues and not sa.tongues & sb.tongues:
        return False  # the same nouns in another language: another course
    if (sa.numbers, sa.levels, sa.kinds, sa.tech, sa.languages) != (
        sb.numbers,
        sb.levels,
        sb.kinds,
        sb.tech,
        sb.languages,
    ):
        return False
    return _words_pair_up(sa.words - sb.words, sb.words) and _words_pair_up(
        sb.words - sa.words, sa.words
    )


def _words_pair_up(missing: Iterable[str], other: frozenset[str]) -> bool:
    """Each word must reappear on the other side: as a plural/singular, or split in two
    ("ecommerce" / "e commerce"). No edit-distance tolerance: "Macroeconomics" and
    "Microeconomics" differ by one letter and are two courses.
    """
    singular = {_singular(w) for w in other}
    for word in missing:
        if _singular(word) in singular:
            continue
        if any(word.startswith(x) and word[len(x) :] in other for x in other if x != word):
            continue
        return False
    return True


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _core(norm: str) -> str:
    """The normalised title without words that never make another course ("Learn", "the")."""
    return " ".join(w for w in norm.split() if w not in _NOISE) or norm


def _compact(text: str) -> str:
    return text.replace(" ", "")
