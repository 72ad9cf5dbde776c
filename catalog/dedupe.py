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
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from rapidfuzz import fuzz, process

from catalog.topics import fold

# -- URLs ----------------------------------------------------------------------------------------

# Query parameters that say who sent the visitor, never which course it is.
TRACKING_PARAMS = frozenset(
    {
        # generic analytics and ad clicks
        "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "hsctatracking",
        "mkt_tok", "_ga", "_gl", "s_kwcid", "ef_id", "spm", "si", "vero_id", "oly_enc_id",
        "oly_anon_id", "wickedid", "trk", "trkcampaign", "trk_ref", "trk_location", "trk_msg",
        "ref", "ref_", "referrer", "referer", "source", "src", "cmp", "campaign", "campaignid",
        "adgroupid", "creative", "keyword", "matchtype", "network", "device", "placement",
        "icid", "cid_", "share", "shared", "via",
        # affiliate networks (Rakuten/LinkShare, Impact, Awin, CJ, ShareASale, PartnerStack)
        "ranmid", "raneaid", "ransiteid", "siteid", "irclickid", "irgwc", "irpid", "clickid",
        "click_id", "aff", "affid", "aff_id", "affiliate", "affiliate_id", "affiliateid",
        "aff_sub", "aff_sub2", "awc", "sscid", "afsrc", "cjevent", "cjdata", "pid_", "sharedid",
        "partnerid", "partner_id", "coupon", "couponcode", "discountcode", "promo", "promocode",
        # Coursera, edX (Algolia click tracking) and Class Central links
        "authmode", "action", "linked_from", "index", "queryid", "position", "results_level",
        "term", "objectid", "hs_analytics_source", "cc", "source_ref", "utm",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "ir_", "aff_", "ran", "trk_", "_hs")

# On these catalogs a course is its path (/learn/{slug}, /course/{slug}): the query string only
# ever carries tracking, coupons and interface state, so all of it goes.
PATH_IDENTIFIED_HOSTS = frozenset(
    {
        "coursera.org",
        "edx.org",
        "classcentral.com",
        "udacity.com",
        "udemy.com",
        "futurelearn.com",
        "open.hpi.de",
        "open.sap.com",
        "learn.microsoft.com",
        "ki-campus.org",
        "deeplearning.ai",
        "linkedin.com",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/:@!$&'()*+,;=\-._~]*")


def canonical_url(url: str | None) -> str | None:
    """The comparable form of a course URL, or None for anything that is not http(s).

    Lowercase scheme and host, no "www.", no default port, no user info, no fragment, no
    tracking parameters, no trailing slash; the remaining query parameters sorted.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path
    if not _PLAIN_PATH.fullmatch(path):  # percent-escapes or unsafe characters: one spelling
        path = quote(unquote(path), safe=_PATH_SAFE)
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    path = path.rstrip("/")
    query = ""
    if not _path_identified(host):
        kept = [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _is_tracking(key)
        ]
        query = urlencode(sorted(kept))
    return urlunsplit((scheme, netloc, path, query, ""))


def _path_identified(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in PATH_IDENTIFIED_HOSTS)


def _is_tracking(key: str) -> bool:
    low = key.strip().lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def url_key(url: str | None) -> str | None:
    """Canonical URL without its scheme: http and https pages of a course are one course."""
    canonical = canonical_url(url)
    if canonical is None:
        return None
    key = canonical.split("://", 1)[1]
    _host, _, rest = key.partition("/")
    # A bare host ("coursera.org", "x.org/") names a site, not a course.
    return key if rest.split("?")[0] else None


def stable_id(*parts: str | None) -> str:
    """Short, stable id from the given texts (for rows that carry no id of their own)."""
    text = "\x1f".join(p or "" for p in parts)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


# -- titles and providers ------------------------------------------------------------------------


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
    text = fold(title).casefold().strip()
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
    for raw in re.findall(r"[^\W_]+", fold(provider).replace("&", " and ")):
        # edX org codes: "HarvardX", "DelftX", "MITx", "UC3Mx" (not "Linux", "Wix").
        if len(raw) > 2 and (raw.endswith("X") or (raw.endswith("x") and raw[-2].isupper())):
            raw = raw[:-1]
        words.append(raw.casefold())
    kept = [w for w in words if w not in _PROVIDER_NOISE] or words
    key = "".join(kept)
    return _PROVIDER_ALIASES.get(key, key)


# -- what tells two courses of one provider apart -------------------------------------------------

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


# -- the matcher ---------------------------------------------------------------------------------

# token_sort_ratio a candidate title must reach (0-100) before the word checks run. Tuned on the
# real datasets (see tests/test_dedupe.py): different courses of one provider score up to ~95
# ("Introduction to Financial Accounting" / "More Introduction to Financial Accounting"), so the
# score only preselects; the word checks above decide.
TITLE_THRESHOLD = 88
_CANDIDATES = 8


@dataclass(frozen=True)
class MatchEntry:
    """An existing course as the matcher sees it."""

    course_id: int
    url: str | None
    provider: str | None
    title: str


@dataclass
class _Bucket:
    """The titles of one provider, parallel lists as rapidfuzz wants them."""

    cores: list[str] = field(default_factory=list)  # compared by rapidfuzz
    titles: list[str] = field(default_factory=list)  # normalised, for the word checks
    ids: list[int] = field(default_factory=list)


def _core(norm: str) -> str:
    """The normalised title without words that never make another course ("Learn", "the")."""
    return " ".join(w for w in norm.split() if w not in _NOISE) or norm


def _compact(text: str) -> str:
    return text.replace(" ", "")


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
        norm = normalize_title(entry.title)
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

    def find(self, url: str | None, provider: str | None, title: str | None) -> int | None:
        """The course id to merge into, or None for a new course."""
        key = url_key(url)
        if key is not None and key not in self._ambiguous_urls:
            found = self._by_url.get(key)
            if found is not None:
                return found
        norm = normalize_title(title)
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
