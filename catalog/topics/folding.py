"""Accents folded away for matching (case kept), and provider categories as comparable slugs."""

from __future__ import annotations

import re
import unicodedata

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


def fold_accents(text: str) -> str:
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
    text = fold_accents(category).casefold().replace("&", " and ")
    parts = [re.sub(r"[^a-z0-9]+", "-", part).strip("-") for part in text.split("/")]
    return "/".join(part for part in parts if part)
