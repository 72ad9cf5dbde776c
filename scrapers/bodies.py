"""What a response body is: its text (gzip and BOMs undone), its format, its JSON, and the
URLs of a sitemap.

Pure: bytes in, plain Python data out. ``parse_json`` and ``api_json`` raise ``ValueError``
with a one-line reason, for the scraper to turn into a ParseResult error; ``sitemap_urls``
never raises (a body that is not a sitemap gives two empty lists).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

_GZIP_MAGIC = b"\x1f\x8b"


def to_text(content: str | bytes) -> str:
    """Bytes -> text: UTF-8 (BOM tolerated), falling back to Latin-1 so nothing raises."""
    if isinstance(content, str):
        return content
    content = maybe_gunzip(content)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def maybe_gunzip(content: bytes) -> bytes:
    """A gzip body (a ``sitemap.xml.gz``) -> its bytes; anything else unchanged."""
    if content[:2] == _GZIP_MAGIC:
        try:
            return gzip.decompress(content)
        except (OSError, EOFError):
            return content
    return content


def sniff(content: bytes) -> str:
    """Guess a body's format from its first bytes: "json", "sitemap", "xml", "html" or "empty"."""
    head = maybe_gunzip(content)[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        return "empty"
    if head[:1] in (b"{", b"["):
        return "json"
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if head.startswith(b"<?xml") and b"<html" not in head:
        return "xml"
    return "html"


def parse_json(content: str | bytes) -> Any:
    """JSON body -> data. Raises ValueError with a one-line reason (truncated, not JSON...)."""
    text = to_text(content).strip()
    if not text:
        raise ValueError("empty body")
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not valid JSON ({exc.msg} at line {exc.lineno} col {exc.colno})"
        ) from None


def api_json(content: bytes, shape: type | None = None, shape_name: str = "a JSON object") -> Any:
    """An API answer's JSON, strictly UTF-8 (unlike parse_json, no Latin-1 fallback: a
    mis-encoded API body is an error, not mojibake). Raises ValueError "empty answer",
    "not JSON (...)" or, when the JSON is not of type ``shape``, "expected <shape_name>,
    got <type>"."""
    if not content.strip():
        raise ValueError("empty answer")
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if shape is not None and not isinstance(data, shape):
        raise ValueError(f"expected {shape_name}, got {type(data).__name__}")
    return data


# --------------------------------------------------------------------------- sitemaps


def sitemap_urls(xml: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or sitemap index.

    Namespaces are ignored (any ``<url><loc>`` / ``<sitemap><loc>``), gzip bodies are
    unpacked, entities are not resolved and nothing is fetched (no XXE). A body that is
    not a sitemap gives two empty lists.
    """
    body = maybe_gunzip(xml if isinstance(xml, bytes) else xml.encode())
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, huge_tree=True, load_dtd=False
    )
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return [], []
    pages: list[str] = []
    maps: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname != "loc":
            continue
        parent = el.getparent()
        loc = (el.text or "").strip()
        if parent is None or not loc:
            continue
        kind = etree.QName(parent).localname
        target = maps if kind == "sitemap" else pages if kind == "url" else None
        if target is not None and loc not in target:
            target.append(loc)
    return pages, maps


def filter_urls(urls: Iterable[str], pattern: re.Pattern[str] | str | None) -> list[str]:
    """URLs whose path (and query) match ``pattern``; all of them when pattern is None."""
    if pattern is None:
        return list(urls)
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    return [u for u in urls if rx.search(u)]
