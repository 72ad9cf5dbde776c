"""Text folding shared by the indexer and the query side, so both fold the same way, and the
HTML parser that whoever reads text out of markup uses."""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

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


_PARSERS = threading.local()


def html_parser() -> Any:
    """This thread's lenient lxml HTML parser for text we are handed as str (encoded to UTF-8
    first: lxml refuses a str that opens with an XML declaration). One per thread, because
    an lxml parser must not be used by two threads at once. huge_tree: markup nested deeper
    than 256 elements (seen in pasted descriptions) keeps its text."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        from lxml import etree  # lazy: only what parses HTML pays for it

        parser = _PARSERS.parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return parser
