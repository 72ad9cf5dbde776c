"""Free text and URLs: clean_text (HTML to plain text, invisible characters out) and safe_url."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from catalog.normalize.primitives import MAX_URL_CHARS, _as_text, _never_raises, _none
from scrapers.clean import html_text

# -- plain text ------------------------------------------------------------------------------------

# Invisible characters that only get in the way of search and display. Zero-width (non-)joiners
# stay: Persian, Hindi and emoji need them. A regex, because str.translate with a table looks
# up every character of a description in Python.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\ufffe]+")
_TAG_HINT_RE = re.compile(r"<[A-Za-z!/?]")
# Characters of the categories Cc (but the five whitespace controls), Cs and Co, which
# Unicode's stability policy fixes: one regex pass instead of a unicodedata.category()
# call per character, which was a third of a refresh's CPU.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


@_never_raises(_none)
def clean_text(text: object) -> str | None:
    """Plain text: HTML tags stripped (lxml), entities decoded, control and
    invisible characters removed, whitespace collapsed to single spaces; None when nothing is left.
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        return None
    # Control characters go before parsing too: lxml would turn a NUL into U+FFFD.
    text = _INVISIBLE_RE.sub(" ", text)
    if _TAG_HINT_RE.search(text):
        text = html_text(text)
    elif "&" in text:
        text = html.unescape(text)
    text = _INVISIBLE.sub("", text)
    text = _INVISIBLE_RE.sub(" ", text)
    text = " ".join(text.split())
    return text or None


def _short_text(value: object, limit: int) -> str | None:
    """clean_text of a field that must stay short: the raw text is cut first (to 4x the limit,
    room for markup), the clean text then ends at a word boundary with "…" if still too long."""
    if isinstance(value, str | bytes | bytearray) and len(value) > 4 * limit:
        value = value[: 4 * limit]
    text = clean_text(value)
    if text is None or len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head[limit // 2 :] else head
    return cut.rstrip() + "…"


# -- URLs ------------------------------------------------------------------------------------------

_URL_STRIP = dict.fromkeys(map(ord, "\t\n\r"), None)
_URL_ESCAPES = {" ": "%20", '"': "%22", "<": "%3C", ">": "%3E", "`": "%60", "{": "%7B", "}": "%7D"}
_HOST_RE = re.compile(r"[A-Za-z0-9.\-_~%!$&'()*+,;=:\[\]\u00a1-\U0010ffff]+")


@_never_raises(_none)
def safe_url(url: object) -> str | None:
    """The URL if it is absolute http(s) with a host, else None.

    javascript:, data:, vbscript:, mailto:, relative and protocol-relative URLs are dropped, and so
    are URLs with user:password@ (a classic way to disguise the real host). Surrounding whitespace
    is stripped, tabs/newlines inside removed (as browsers do), spaces and quotes percent-encoded.
    """
    raw = _as_text(url, MAX_URL_CHARS + 1)
    if raw is None or len(raw) > MAX_URL_CHARS:
        return None
    raw = raw.translate(_URL_STRIP)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return None
    try:
        parts = urlsplit(raw)
        _ = parts.port  # ValueError on a port that is not a number in range
    except ValueError:  # also "Invalid IPv6 URL"
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if "@" in parts.netloc or not parts.hostname or not _HOST_RE.fullmatch(parts.netloc):
        return None
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in raw)
