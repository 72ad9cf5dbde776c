"""Small helpers every source shares: plain strings from source values, a page's error, URLs
without tracking parameters, ISO 8601 durations, and the one HTML-to-text function.

lxml is imported only by what parses HTML: ``catalog.text`` re-exports :func:`html_parser`,
and the app, which imports that, should not pay for lxml at start.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapers.base import ParseResult


def clean_str(value: Any, *, collapse: bool = True) -> str:
    """A scalar source value as text: "" for None, a dict or a list; whitespace runs become
    one space (``collapse=False``: only the ends are stripped)."""
    if value is None or isinstance(value, dict | list):
        return ""
    if collapse:
        return " ".join(str(value).split())
    return str(value).strip()


def page_error(source: str, reason: str) -> ParseResult:
    """A page that yields no records, only why: ``"<source>: <reason>"``."""
    return ParseResult(errors=[f"{source}: {reason}"])


def is_positive(value: Any) -> bool:
    """An int or float above zero (a boolean is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def positive_number(value: Any) -> float | None:
    """An int or float above zero as a float; None for anything else."""
    return float(value) if is_positive(value) else None


def iso_minutes(minutes: int) -> str:
    """74 -> "PT1H14M", 2400 -> "PT40H": an ISO 8601 duration, which the normaliser reads
    like "P1DT6H"."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def is_utm(key: str) -> bool:
    """A Google Analytics campaign parameter (``utm_source``, ``utm_medium`` ...)."""
    return key.startswith("utm_")


def without_tracking(url: str, tracking: Callable[[str], bool] = is_utm) -> str:
    """An http(s) URL without the query parameters ``tracking`` names, so a course's URL stays
    the same from one feed version to the next; "" for anything but an http(s) URL."""
    if not url.startswith(("http://", "https://")):
        return ""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not tracking(k)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# --------------------------------------------------------------------------- HTML to text

_PARSERS = threading.local()
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "hr", "table",
)  # fmt: skip
# Elements whose content is not text a reader sees.
_HIDDEN_TAGS = ("script", "style", "template", "noscript", "head", "iframe", "object", "svg")
_BLOCK_BOUNDARY_RE = re.compile(r"(</?(?:" + "|".join(_BLOCK_TAGS) + r")(?=[\s/>]))", re.IGNORECASE)


def html_parser() -> Any:
    """This thread's lenient lxml HTML parser for text we are handed as str (encoded to UTF-8
    first: lxml refuses a str that opens with an XML declaration). One per thread, because
    an lxml parser must not be used by two threads at once. huge_tree: markup nested deeper
    than 256 elements (seen in pasted descriptions) keeps its text."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        from lxml import etree

        parser = _PARSERS.parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return parser


def html_text(markup: Any, *, nodes_apart: bool = False) -> str:
    """The text of an HTML fragment or page with whitespace collapsed ("" for anything but a
    string): no comments, nothing of script, style, head and the like.

    Blocks stay apart ("<p>a</p><p>b</p>" -> "a b") and inline markup glued ("<b>Py</b>thon"
    -> "Python"), as BeautifulSoup's ``get_text()`` over spaced blocks gives it; with
    ``nodes_apart`` every text node stands apart, as ``get_text(" ")`` gives it ("<b>KI</b>?"
    -> "KI ?"), which is how the feeds of FutureLearn and Microsoft Learn are read.
    Read from lxml's own tree, seven times faster than building BeautifulSoup's: every
    description of a refresh goes through here. Never raises: markup lxml cannot take
    falls back to a plain tag strip.
    """
    if not isinstance(markup, str):
        return ""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    if not nodes_apart:
        # A space before every block tag keeps blocks apart while inline tags stay glued;
        # done on the markup, it costs one linear pass.
        markup = _BLOCK_BOUNDARY_RE.sub(r" \1", markup)
    try:
        text = _tree_text(markup, " " if nodes_apart else "")
    except Exception:  # pathological markup
        text = html.unescape(re.sub(r"<[^>]{0,2000}>", " ", markup))
    return " ".join(text.split())


def _tree_text(markup: str, separator: str) -> str:
    from lxml import etree

    # NUL: libxml2 would turn it into U+FFFD, which no later step removes.
    root = etree.fromstring(markup.replace("\x00", " ").encode(), html_parser())
    if root is None:
        return ""
    # Emptied, not removed: the text after a hidden element stays a text node of its own.
    for element in list(root.iter(etree.Comment, etree.ProcessingInstruction, *_HIDDEN_TAGS)):
        element.clear(keep_tail=True)
    return separator.join(root.itertext())
