"""Text folding shared by the indexer and the query side, so both fold the same way; and the
HTML parser that whoever reads text out of markup uses (``scrapers.clean``, re-exported)."""

from __future__ import annotations

import re
import unicodedata

from scrapers.clean import html_parser as html_parser

_WORD = re.compile(r"\w+", re.UNICODE)
# NFKD leaves ß alone; fold_case_and_accents() maps it the way German writes it without the letter.
_COMBINING = re.compile("[\u0300-\u036f]+")


def fold_case_and_accents(text: str | None) -> str:
    """Lower-case, strip Latin diacritics (Künstliche -> kunstliche), keep other scripts.

    Only the combining marks U+0300..U+036F are removed, exactly what SQLite's FTS5
    ``remove_diacritics 2`` removes, so the index and the query side agree.
    """
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return _COMBINING.sub("", decomposed).casefold()


def words(text: str | None, limit: int = 32) -> list[str]:
    """The folded word tokens of ``text``: the only part of user input that reaches a query.

    Everything that is not a letter or digit (quotes, dashes, ``AND(``, ``C++``, emoji)
    is a separator here, so no query syntax can be smuggled through.
    """
    return _WORD.findall(fold_case_and_accents(text)[:2000])[:limit]
