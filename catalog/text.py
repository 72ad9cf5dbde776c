"""Text folding shared by the indexer and the query side, so both fold the same way."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
# NFKD leaves ß alone; map it the way German writes it without the letter.
_TRANSLIT = {"ß": "ss"}


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (Künstliche -> kunstliche), keep letters of any script."""
    if not text:
        return ""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str | None, limit: int = 32) -> list[str]:
    """The folded word tokens of ``text``: the only part of user input that reaches a query.

    Everything that is not a letter or digit (quotes, dashes, ``AND(``, ``C++``, emoji)
    is a separator here, so no query syntax can be smuggled through.
    """
    return _WORD.findall(fold(text)[:2000])[:limit]
