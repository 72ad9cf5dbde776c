"""Titles and providers in comparable form: "Intro to ML | Coursera" and "Introduction to Machine
Learning", "The University of Michigan" and "Michigan"."""

from __future__ import annotations

import re
from functools import lru_cache

from catalog.topics import fold_accents


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Trailing qualifiers that name the platform or a run, not the course.
_PLATFORMS = (
    "coursera|edx|udemy|udacity|class central|classcentral|futurelearn|linkedin learning|"
    "openhpi|opensap|ki campus|ki-campus|mooc|microsoft learn|youtube|skillshare|pluralsight"
)
_TRAILING_PLATFORM = re.compile(rf"\s*(?:[|:\-\u2013\u2014]|\bon\b|\bat\b)\s*(?:{_PLATFORMS})\s*$")
_TRAILING_YEAR = re.compile(
    r"\s*[(\[]\s*(?:updated\s+(?:for\s+)?|edition\s+|version\s+)?(?:19|20)\d\d"
    r"(?:\s*(?:edition|version|update))?\s*[)\]]\s*$"
)
_SYMBOLS = {"c++": " cplusplus ", "c#": " csharp ", "f#": " fsharp ", ".net": " dotnet "}
# "(DE)", "[EN]": a language version of a course is another course.
_LANGUAGE_CODES = {
    "de": "german", "en": "english", "es": "spanish", "fr": "french", "pt": "portuguese",
    "it": "italian", "zh": "chinese", "ru": "russian", "ar": "arabic", "ja": "japanese",
    "ko": "korean", "nl": "dutch", "tr": "turkish", "hi": "hindi",
}  # fmt: skip
_LANGUAGE_CODE = re.compile(r"[(\[]\s*(" + "|".join(_LANGUAGE_CODES) + r")\s*[)\]]")
# British -> American spellings and common abbreviations, so equal titles compare equal.
_SPELLING = {
    "specialisation": "specialization",
    "specialisations": "specializations",
    "visualisation": "visualization",
    "visualising": "visualizing",
    "optimisation": "optimization",
    "organisation": "organization",
    "organisations": "organizations",
    "analyse": "analyze",
    "organise": "organize",
    "optimise": "optimize",
    "visualise": "visualize",
    "realise": "realize",
    "modelling": "modeling",
    "programme": "program",
    "programmes": "programs",
    "centre": "center",
    "behaviour": "behavior",
    "licence": "license",
    "intro": "introduction",
    "introductory": "introduction",
    "einfuhrung": "introduction",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "ki": "kunstliche intelligenz",
    "dl": "deep learning",
    "nlp": "natural language processing",
    "llm": "large language model",
    "llms": "large language models",
    "genai": "generative artificial intelligence",
    "pt": "part",
    "vol": "volume",
}


def normalize_title(title: str | None) -> str:
    """Title in comparable form: casefolded, diacritics folded, punctuation gone.

    Trailing platform names ("| Coursera") and run years ("(2024)") are dropped; British
    spellings and a few abbreviations ("Intro", "ML") are unified. Numbers stay: "Part 2" is
    another course.
    """
    if not isinstance(title, str):
        return ""
    text = fold_accents(title).casefold().strip()
    for _ in range(3):  # "Deep Learning (2024) | Coursera"
        stripped = _TRAILING_YEAR.sub("", _TRAILING_PLATFORM.sub("", text))
        if stripped == text:
            break
        text = stripped
    text = _LANGUAGE_CODE.sub(lambda m: f" {_LANGUAGE_CODES[m.group(1)]} ", text)
    text = re.sub(r"\be[\-\u2010-\u2015]\s*(?=[a-z])", "e", text)  # "E-Commerce" = "ecommerce"
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    text = re.sub(r"['\u2019`\u00b4]", "", text.replace("&", " and "))  # "CS50's" = "CS50s"
    words = re.findall(r"[^\W_]+", text)
    return " ".join(_spelling(w) for w in words)


def _spelling(word: str) -> str:
    """One spelling per word: the table above, then British "-isation/-ising/-ised" endings."""
    if word in _SPELLING:
        return _SPELLING[word]
    if word.endswith(_BRITISH_ENDINGS) and len(word) > 7:
        return _BRITISH.sub(r"iz\1", word)
    return word


_BRITISH_ENDINGS = ("isation", "isations", "ising", "ised")
_BRITISH = re.compile(r"is(ation|ations|ing|ed)$")


_PROVIDER_NOISE = _wordset(
    "the of and university universitat universidad universidade universite universita "
    "de del di da do dos das der des du la le von van "
    "inc incorporated llc ltd limited gmbh ag corp corporation company co plc sa bv"
)
# Short names and edX organisation codes of frequent providers -> their normalised full name.
_PROVIDER_ALIASES = {
    "mit": "massachusettsinstitutetechnology",
    "aws": "amazonwebservices",
    "amazonwebservicesaws": "amazonwebservices",
    "ucberkeley": "californiaberkeley",
    "berkeley": "californiaberkeley",
    "ucsd": "californiasandiego",
    "ucsandiego": "californiasandiego",
    "caltech": "californiainstitutetechnology",
    "delft": "delfttechnology",
    "tudelft": "delfttechnology",
    "gt": "georgiainstitutetechnology",
    "georgiatech": "georgiainstitutetechnology",
    "hkust": "hongkongsciencetechnology",
    "ubc": "britishcolumbia",
    "uq": "queensland",
    "umich": "michigan",
    "penn": "pennsylvania",
    "upenn": "pennsylvania",
    "eth": "ethzurich",
    "epfl": "ecolepolytechniquefederalelausanne",
    "hpi": "hassoplattnerinstitut",
    "tum": "technicalmunich",
    "technischemunchen": "technicalmunich",
}


def normalize_provider(provider: str | list[str] | None) -> str:
    """Provider in comparable form: "The University of Michigan" and "Michigan" are one.

    edX organisation codes lose their "X" ("HarvardX" -> Harvard, "MITx" -> MIT); legal forms
    and "University of" go; a few well-known short names are aliased.
    """
    if isinstance(provider, list):
        provider = provider[0] if provider else None
    if not isinstance(provider, str) or not provider.strip():
        return ""
    return _provider_key(provider)


@lru_cache(maxsize=65536)
def _provider_key(provider: str) -> str:
    """normalize_provider for one string, cached: a catalog has few providers, many courses."""
    words = []
    for raw in re.findall(r"[^\W_]+", fold_accents(provider).replace("&", " and ")):
        # edX org codes: "HarvardX", "DelftX", "MITx", "UC3Mx" (not "Linux", "Wix").
        if len(raw) > 2 and (raw.endswith("X") or (raw.endswith("x") and raw[-2].isupper())):
            raw = raw[:-1]
        words.append(raw.casefold())
    kept = [w for w in words if w not in _PROVIDER_NOISE] or words
    key = "".join(kept)
    return _PROVIDER_ALIASES.get(key, key)
