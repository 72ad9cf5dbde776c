"""What many course sites share, written once: JSON-LD, microdata, ``__NEXT_DATA__``, sitemaps.

A site module adds only what differs (GUIDE.md, "The scraper contract"). Everything here
is pure: bytes or text in, plain Python data out, no network. Broken input never raises
out of the public helpers that scan pages (``json_ld``, ``microdata``, ``next_data``,
``sitemap_urls``); they skip what they cannot read so one bad block does not hide the
good ones. ``parse_json`` is the exception: it raises ``ValueError`` with a one-line
reason, for the scraper to turn into a ParseResult error.

schema.org mapping (``course_from_schema``) follows https://schema.org/Course,
/CourseInstance, /Offer, /LearningResource and /EducationalOccupationalProgram, as seen
in the real documents of shared/realdata/schemaorg-course-other (SIB Course with CHF
offers, NBIS CourseInstance array, GTN LearningResource page). No extra dependency:
``extruct`` would add w3lib, rdflib, pyrdfa3 and mf2py for two formats that BeautifulSoup
and ``json`` already cover here.
"""

from __future__ import annotations

import gzip
import html as html_lib
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from lxml import etree

from catalog.text import html_parser
from scrapers.base import RawCourse, RawOffer

COURSE_TYPES = ("Course", "CourseInstance", "LearningResource", "EducationalOccupationalProgram")
# Containers whose members may be courses (catalogue pages list courses this way).
_CONTAINER_KEYS = ("itemListElement", "item", "mainEntity", "hasPart")
_GZIP_MAGIC = b"\x1f\x8b"


# --------------------------------------------------------------------------- basics


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


def api_json(content: bytes) -> Any:
    """An API answer's JSON, strictly UTF-8 (unlike parse_json, no Latin-1 fallback: a
    mis-encoded API body is an error, not mojibake). Raises ValueError "empty answer" or
    "not JSON (...)"."""
    if not content.strip():
        raise ValueError("empty answer")
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not JSON ({exc})") from None


def text_of(fragment: str | None) -> str:
    """HTML fragment -> plain text with collapsed whitespace ("" for None)."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    soup = BeautifulSoup(fragment, "html.parser")
    # Space between blocks ("</p><p>"), none inside inline markup ("<b>KI</b>?").
    for el in soup.find_all(_BLOCK_TAGS):
        el.insert_before(" ")
        el.insert_after(" ")
    return " ".join(soup.get_text().split())


def spaced_text(value: Any) -> str:
    """A feed's HTML fragment -> its text, every text node apart and whitespace collapsed, as
    BeautifulSoup's ``get_text(" ")`` gives it ("" for anything but a non-blank string).

    Read from lxml's own tree without building BeautifulSoup's: a feed of a thousand courses
    has a thousand of these, and this was most of the time spent parsing such a feed.
    """
    if not isinstance(value, str) or not value.strip():
        return ""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    # NUL: libxml2 would turn it into U+FFFD, which no later step removes.
    root = etree.fromstring(value.replace("\x00", " ").encode(), html_parser())
    if root is None:
        return ""
    # Text nodes only (no comments or processing instructions), none inside script-like
    # elements, as get_text() reads them; a tail after such an element stays a text apart.
    return " ".join(" ".join(_TEXT_NODES(root)).split())


_TEXT_NODES = etree.XPath(
    "//text()[not(ancestor::script or ancestor::style or ancestor::template)]"
)


_BLOCK_TAGS = [
    *("p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote", "pre", "hr"),
]


def _soup(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(to_text(html), "lxml")


# --------------------------------------------------------------------------- JSON-LD

_LD_TYPE = re.compile(r"^\s*application/ld\+json\s*(;.*)?$", re.I)


def json_ld(html: str | bytes) -> list[dict[str, Any]]:
    """All JSON-LD objects of a page, ``@graph`` and top-level arrays flattened.

    A block that is not JSON (a template placeholder, a truncated script) is skipped.
    """
    out: list[dict[str, Any]] = []
    for script in _soup(html).find_all("script", attrs={"type": _LD_TYPE}):
        raw = script.string if script.string is not None else script.get_text()
        raw = raw.strip()
        # CMSs wrap blocks in HTML comments or CDATA markers.
        raw = re.sub(r"^(<!--|//\s*<!\[CDATA\[)|(-->|//\s*\]\]>)$", "", raw).strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except json.JSONDecodeError:
            try:
                data = json.loads(html_lib.unescape(raw), strict=False)
            except json.JSONDecodeError:
                continue
        out.extend(flatten_json_ld(data))
    return out


def flatten_json_ld(data: Any) -> list[dict[str, Any]]:
    """A JSON-LD document (object, array, ``@graph``) -> its top-level node objects."""
    out: list[dict[str, Any]] = []
    if isinstance(data, list):
        for item in data:
            out.extend(flatten_json_ld(item))
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if graph is not None:
            out.extend(flatten_json_ld(graph))
            rest = {k: v for k, v in data.items() if k not in ("@graph", "@context")}
            if rest:
                out.append(data)
        else:
            out.append(data)
    return out


# --------------------------------------------------------------------------- microdata

_SRC_TAGS = {"audio", "embed", "iframe", "img", "source", "track", "video"}
_HREF_TAGS = {"a", "area", "link"}


def microdata(html: str | bytes) -> list[dict[str, Any]]:
    """schema.org microdata items of a page, nested ``itemscope`` items as nested dicts.

    The item's ``itemtype`` becomes ``@type`` (schema.org prefix removed, as in JSON-LD),
    ``itemid`` becomes ``@id``; a property given twice becomes a list.
    """
    soup = _soup(html)
    items: list[dict[str, Any]] = []
    for el in soup.find_all(_has_itemscope):
        if el.has_attr("itemprop") and el.find_parent(_has_itemscope) is not None:
            continue  # a property of an enclosing item
        items.append(_md_item(el))
    return items


def _has_itemscope(el: Tag) -> bool:
    return el.has_attr("itemscope")


def _md_item(el: Tag) -> dict[str, Any]:
    item: dict[str, Any] = {}
    types = [_short_type(t) for t in str(el.get("itemtype") or "").split()]
    if types:
        item["@type"] = types[0] if len(types) == 1 else types
    if el.get("itemid"):
        item["@id"] = el.get("itemid")
    _md_collect(el, item)
    return item


def _md_collect(el: Tag, item: dict[str, Any]) -> None:
    for child in el.children:
        if not isinstance(child, Tag):
            continue
        props = str(child.get("itemprop") or "").split()
        if child.has_attr("itemscope"):
            if props:
                value: Any = _md_item(child)
                for prop in props:
                    _md_add(item, prop, value)
            continue  # a separate item's properties are its own
        if props:
            value = _md_value(child)
            for prop in props:
                _md_add(item, prop, value)
        _md_collect(child, item)


def _md_value(el: Tag) -> str:
    name = el.name
    if name == "meta":
        return str(el.get("content") or "").strip()
    if name in _SRC_TAGS:
        return str(el.get("src") or "").strip()
    if name in _HREF_TAGS:
        return str(el.get("href") or "").strip()
    if name == "object":
        return str(el.get("data") or "").strip()
    if name in ("data", "meter") and el.has_attr("value"):
        return str(el.get("value")).strip()
    if name == "time" and el.has_attr("datetime"):
        return str(el.get("datetime")).strip()
    if el.has_attr("content"):
        return str(el.get("content")).strip()
    return " ".join(el.get_text(" ").split())


def _md_add(item: dict[str, Any], prop: str, value: Any) -> None:
    if prop not in item:
        item[prop] = value
    elif isinstance(item[prop], list):
        item[prop].append(value)
    else:
        item[prop] = [item[prop], value]


def _short_type(value: str) -> str:
    """ "http://schema.org/Course", "schema:Course" -> "Course"; other vocabularies unchanged."""
    v = value.strip()
    for prefix in (
        "http://schema.org/",
        "https://schema.org/",
        "schema:",
        "http://www.schema.org/",
    ):
        if v.startswith(prefix):
            return v[len(prefix) :]
    return v


def types_of(obj: dict[str, Any]) -> list[str]:
    """The short schema.org type names of a node (``@type`` string or list)."""
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [_short_type(v) for v in values if isinstance(v, str)]


# --------------------------------------------------------------------------- course picking


def schema_courses(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Course / CourseInstance / LearningResource / EducationalOccupationalProgram nodes.

    Looks into ItemList / ListItem / mainEntity / hasPart containers, resolves
    ``{"@id": ...}`` references between top-level nodes (``@graph`` style), and drops a
    CourseInstance that a picked Course already lists, so a run is not counted twice.
    """
    index = {
        str(node["@id"]): node
        for node in items
        if isinstance(node, dict) and isinstance(node.get("@id"), str) and len(node) > 1
    }
    picked: list[dict[str, Any]] = []
    _pick(items, picked, index, depth=0)
    claimed: set[str] = set()
    for node in picked:
        if "CourseInstance" in types_of(node):
            continue
        for inst in _as_nodes(node.get("hasCourseInstance")):
            if isinstance(inst.get("@id"), str):
                claimed.add(inst["@id"])
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for node in picked:
        if id(node) in seen:
            continue
        seen.add(id(node))
        is_instance = types_of(node) == ["CourseInstance"]
        if is_instance and node.get("@id") in claimed:
            continue
        out.append(_resolve(node, index))
    return out


def _pick(value: Any, out: list[dict[str, Any]], index: dict[str, Any], depth: int) -> None:
    if depth > 6:
        return
    if isinstance(value, list):
        for v in value:
            _pick(v, out, index, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if len(value) == 1 and isinstance(value.get("@id"), str) and value["@id"] in index:
        value = index[value["@id"]]
    if any(t in COURSE_TYPES for t in types_of(value)):
        out.append(value)
        return
    for key in _CONTAINER_KEYS:
        if key in value:
            _pick(value[key], out, index, depth + 1)


def _resolve(node: dict[str, Any], index: dict[str, Any]) -> dict[str, Any]:
    """One level of ``{"@id": x}`` references replaced by the node they name."""

    def fix(v: Any) -> Any:
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, dict) and len(v) == 1 and isinstance(v.get("@id"), str):
            return index.get(v["@id"], v)
        return v

    return {k: fix(v) for k, v in node.items()}


def _as_nodes(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


# --------------------------------------------------------------------------- value helpers


def _literal(value: Any) -> str | None:
    """A schema.org text value: string, number, {"@value"}, {"name"}, or a list of them."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        v = value.strip()
        return v or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        for key in ("@value", "name", "value"):
            if key in value:
                return _literal(value[key])
        return None
    if isinstance(value, list):
        for v in value:
            lit = _literal(v)
            if lit:
                return lit
    return None


def _names(value: Any) -> list[str]:
    """Names of things: strings, {"name"} objects, lists of either."""
    out: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        lit = _literal(v)
        if lit and lit not in out:
            out.append(lit)
    return out


def _languages(value: Any) -> list[str]:
    """inLanguage: "de", ["en", "de"], {"@type": "Language", "name", "alternateName"}."""
    out: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, dict):
            lit = _literal(v.get("alternateName")) or _literal(v.get("name"))
        else:
            lit = _literal(v)
        if lit and lit not in out:
            out.append(lit)
    return out


def _keywords(value: Any) -> list[str]:
    out: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        lit = _literal(v)
        if not lit:
            continue
        for part in lit.split(","):
            p = html_lib.unescape(part).strip()
            if p and p.lower() not in {o.lower() for o in out}:
                out.append(p)
    return out


def _http_url(value: Any, base: str) -> str | None:
    lit = _literal(value)
    if not lit:
        return None
    url = urljoin(base, lit) if base else lit
    return url if urlsplit(url).scheme in ("http", "https") else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "item"


def _price_value(price: Any) -> float | None:
    if isinstance(price, bool):
        return None
    if isinstance(price, int | float):
        return float(price)
    if isinstance(price, str):
        m = re.search(r"\d+(?:[.,]\d+)?", price)
        if m:
            return float(m.group(0).replace(",", "."))
    return None


def _offers(value: Any) -> list[RawOffer]:
    out: list[RawOffer] = []
    for off in _as_nodes(value):
        price = off.get("price")
        currency = off.get("priceCurrency")
        spec = off.get("priceSpecification")
        if price is None and isinstance(spec, dict | list):
            spec0 = _as_nodes(spec)[0] if _as_nodes(spec) else {}
            price = spec0.get("price")
            currency = currency or spec0.get("priceCurrency")
        if price is None and off.get("lowPrice") is not None:
            price = off.get("lowPrice")
        offer: RawOffer = {
            "label": _literal(off.get("name")) or _literal(off.get("category")) or "offer"
        }
        if price is not None and not isinstance(price, dict | list):
            offer["price"] = price
        if _literal(currency):
            offer["currency"] = _literal(currency)
        if offer not in out:
            out.append(offer)
    return out


def _modes(value: Any) -> list[str]:
    # NBIS writes one mode with curly quotes (“onsite”): strip quote marks, keep the word.
    return [m.strip(" \"'“”‘’") for m in _names(value)]


_PACE_WORDS = ("self-paced", "self paced", "selfpaced", "asynchronous", "synchronous", "scheduled")


# --------------------------------------------------------------------------- the mapping


def course_from_schema(obj: dict[str, Any], *, page_url: str) -> RawCourse | None:
    """One schema.org Course-like node -> a RawCourse with the source's own spellings.

    Returns None when the node has no name (nothing to list). ``source_id``: courseCode
    or a non-URL identifier (prefixed with the page's host, as codes repeat across sites);
    else the node's own URL or ``@id``; else ``<page_url>#<name slug>[-<start date>]``.
    A URL-valued ``identifier`` is not used: GTN gives every tutorial the same repository
    URL there. The next start is the latest ``startDate`` among the runs (parse is pure
    and does not know today's date); all runs' starts are kept in ``extra``.
    """
    types = types_of(obj)
    title = _literal(obj.get("name")) or _literal(obj.get("headline"))
    if not title:
        return None
    is_instance = "CourseInstance" in types and "Course" not in types
    instances = [obj] if is_instance else _as_nodes(obj.get("hasCourseInstance"))

    own_url = _http_url(obj.get("url"), page_url) or _http_url(obj.get("@id"), page_url)
    page = page_url if urlsplit(page_url).scheme in ("http", "https") else None
    rec: RawCourse = {"title": " ".join(title.split()), "url": own_url or page}

    code = _literal(obj.get("courseCode"))
    ident = obj.get("identifier")
    if isinstance(ident, dict):
        ident = ident.get("value") or ident.get("@value")
    ident_lit = _literal(ident)
    if ident_lit and urlsplit(ident_lit).scheme in ("http", "https"):
        ident_lit = None
    key = code or ident_lit
    starts = sorted({s for s in (_literal(i.get("startDate")) for i in instances) if s})
    if key:
        host = urlsplit(page_url).netloc
        rec["source_id"] = f"{host}:{key}" if host else key
    elif own_url:
        rec["source_id"] = own_url
    else:
        suffix = f"-{starts[-1][:10]}" if is_instance and starts else ""
        rec["source_id"] = f"{page_url}#{_slug(title)}{suffix}"

    description = _literal(obj.get("description")) or _literal(obj.get("abstract"))
    if description:
        rec["description"] = text_of(description) if "</" in description else description.strip()

    providers = _names(obj.get("provider")) or _names(obj.get("organizer"))
    if not providers:
        for inst in instances:
            providers = _names(inst.get("provider")) or _names(inst.get("organizer"))
            if providers:
                break
    if providers:
        rec["provider"] = providers[0] if len(providers) == 1 else providers

    langs = _languages(obj.get("inLanguage"))
    if not langs:
        for inst in instances:
            langs += [x for x in _languages(inst.get("inLanguage")) if x not in langs]
    if langs:
        rec["language"] = langs[0] if len(langs) == 1 else langs

    level = _literal(obj.get("educationalLevel"))
    if level:
        rec["level"] = level
    if "CourseInstance" in types or "Course" in types or "LearningResource" in types:
        rec["kind"] = "course"

    offers = _offers(obj.get("offers"))
    for inst in instances if not is_instance else []:
        offers += [o for o in _offers(inst.get("offers")) if o not in offers]
    if offers:
        rec["offers"] = offers
        priced = [(v, o) for o in offers if (v := _price_value(o.get("price"))) is not None]
        if priced:
            _, cheapest = min(priced, key=lambda p: p[0])
            rec["price"] = cheapest.get("price")
            if cheapest.get("currency"):
                rec["currency"] = cheapest.get("currency")
    if obj.get("isAccessibleForFree") is True or any(
        (_literal(o.get("category")) or "").lower() == "free" for o in _as_nodes(obj.get("offers"))
    ):
        rec["cost"] = "free"

    credential = obj.get("educationalCredentialAwarded")
    cert = _literal(credential)
    if isinstance(credential, dict) and not cert:
        cert = _literal(credential.get("credentialCategory"))
    if cert:
        rec["certificate"] = cert

    modes: list[str] = []
    for inst in instances:
        modes += [m for m in _modes(inst.get("courseMode")) if m not in modes]
    for word in _PACE_WORDS:
        hit = next((m for m in modes if m.lower() == word), None)
        if hit:
            rec["pace"] = hit
            break
    effort = _literal(obj.get("timeRequired"))
    duration = None
    for inst in instances:
        effort = effort or _literal(inst.get("courseWorkload"))
        duration = duration or _literal(inst.get("duration"))
    if effort:
        rec["effort"] = effort
    if duration:
        rec["duration"] = duration
    if starts:
        rec["start_date"] = starts[-1]

    rating = obj.get("aggregateRating")
    if isinstance(rating, dict):
        if _literal(rating.get("ratingValue")):
            rec["rating"] = _literal(rating.get("ratingValue"))
        count = _literal(rating.get("ratingCount")) or _literal(rating.get("reviewCount"))
        if count:
            rec["rating_count"] = count

    skills = _keywords(obj.get("keywords")) + _names(obj.get("teaches"))
    for inst in instances if not is_instance else []:
        skills += _keywords(inst.get("keywords"))
    skills = list(dict.fromkeys(skills))
    if skills:
        rec["skills"] = skills
    categories = _names(obj.get("about"))
    if categories:
        rec["categories"] = categories

    extra: dict[str, Any] = {"schema_type": types[0] if len(types) == 1 else types}
    if modes:
        extra["course_mode"] = modes
    if len(starts) > 1:
        extra["start_dates"] = starts
    schedules = [i.get("courseSchedule") for i in instances if i.get("courseSchedule")]
    if schedules:
        extra["course_schedule"] = schedules[0] if len(schedules) == 1 else schedules
    rec["extra"] = extra
    return rec


def courses_from_page(content: str | bytes, page_url: str) -> tuple[list[RawCourse], int]:
    """JSON-LD then microdata of an HTML page -> records, and how many course nodes were seen."""
    nodes = schema_courses(json_ld(content))
    if not nodes:
        nodes = schema_courses(microdata(content))
    records = [r for r in (course_from_schema(n, page_url=page_url) for n in nodes) if r]
    return records, len(nodes)


# --------------------------------------------------------------------------- Next.js


def next_data(html: str | bytes) -> dict[str, Any] | None:
    """The JSON of ``<script id="__NEXT_DATA__" type="application/json">``, or None."""
    text = to_text(html)
    if "__NEXT_DATA__" not in text:
        return None
    script = _soup(text).find("script", id="__NEXT_DATA__")
    if script is None:
        return None
    try:
        data = json.loads(script.get_text(), strict=False)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


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
