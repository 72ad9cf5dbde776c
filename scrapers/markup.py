"""The data HTML pages carry for machines: JSON-LD, microdata and ``__NEXT_DATA__``, and the
schema.org course nodes among them.

Pure, and broken input never raises: a block that cannot be read is skipped, so one bad
block does not hide the good ones. No extra dependency: ``extruct`` would add w3lib,
rdflib, pyrdfa3 and mf2py for two formats that BeautifulSoup and ``json`` already cover.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from scrapers.bodies import to_text

COURSE_TYPES = ("Course", "CourseInstance", "LearningResource", "EducationalOccupationalProgram")
# Containers whose members may be courses (catalogue pages list courses this way).
_CONTAINER_KEYS = ("itemListElement", "item", "mainEntity", "hasPart")


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
        for inst in as_nodes(node.get("hasCourseInstance")):
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


def as_nodes(value: Any) -> list[dict[str, Any]]:
    """A node or a list of nodes -> the list of nodes (anything that is not a dict dropped)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []
