"""Reading and checking a taxonomy file (by default the packaged ``catalog/data/taxonomy.toml``)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from catalog.topics.taxonomy import Taxonomy
from catalog.topics.topic import ADJACENT_TOPICS, TaxonomyError, Topic

DEFAULT_PATH = Path(__file__).parent.parent / "data" / "taxonomy.toml"

_TOPIC_KEYS = {
    "slug",
    "label_en",
    "label_de",
    "keywords",
    "weak_keywords",
    "generic_keywords",
    "categories",
    "weak_categories",
    "generic_categories",
    "requires_context",
    "context",
    "veto",
    "scope_keywords",
    "scope_veto",
}


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a taxonomy file (default: the packaged ``data/taxonomy.toml``)."""
    source = Path(path) if path is not None else DEFAULT_PATH
    with source.open("rb") as handle:
        data = tomllib.load(handle)
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TaxonomyError(f"{source}: no topics (expected [[topics]] entries)")
    slugs = [str(entry.get("slug", "")) for entry in raw_topics]
    topics = [_parse_topic(entry, slugs, source) for entry in raw_topics]
    seen: set[str] = set()
    for topic in topics:
        if topic.slug in seen:
            raise TaxonomyError(f"{source}: duplicate topic slug {topic.slug!r}")
        seen.add(topic.slug)
    exclude = data.get("exclude", {}).get("phrases", [])
    parents = data.get("category_parents", {})
    if not isinstance(parents, dict):
        raise TaxonomyError(f"{source}: [category_parents] must be a table")
    return Taxonomy(
        topics,
        exclude=_str_tuple(exclude, "exclude.phrases", source),
        category_parents={
            str(k): _str_tuple(v, f"category_parents.{k}", source) for k, v in parents.items()
        },
    )


def _parse_topic(entry: dict[str, Any], all_slugs: list[str], source: Path) -> Topic:
    slug = entry.get("slug")
    unknown = set(entry) - _TOPIC_KEYS
    if unknown:
        raise TaxonomyError(
            f"{source}: topic {slug!r} has unknown keys {sorted(unknown)}; "
            f"valid keys: {', '.join(sorted(_TOPIC_KEYS))}"
        )
    for required in ("slug", "label_en", "label_de"):
        if not isinstance(entry.get(required), str) or not entry[required]:
            raise TaxonomyError(f"{source}: topic {slug!r} needs a non-empty {required}")
    assert isinstance(slug, str)
    context = entry.get("context", "ai")
    if context == "ai":
        resolved = tuple(s for s in all_slugs if s not in ADJACENT_TOPICS and s != slug)
    elif context == "any":
        resolved = tuple(s for s in all_slugs if s != slug)
    elif isinstance(context, list):
        bad = [s for s in context if s not in all_slugs]
        if bad:
            raise TaxonomyError(f"{source}: topic {slug!r} context names unknown topics {bad}")
        resolved = tuple(context)
    else:
        raise TaxonomyError(f"{source}: topic {slug!r}: context must be 'ai', 'any' or a list")

    def strings(key: str) -> tuple[str, ...]:
        return _str_tuple(entry.get(key, []), f"{slug}.{key}", source)

    return Topic(
        slug=slug,
        label_en=entry["label_en"],
        label_de=entry["label_de"],
        keywords=strings("keywords"),
        weak_keywords=strings("weak_keywords"),
        generic_keywords=strings("generic_keywords"),
        categories=strings("categories"),
        weak_categories=strings("weak_categories"),
        generic_categories=strings("generic_categories"),
        requires_context=bool(entry.get("requires_context", False)),
        context=resolved,
        veto=strings("veto"),
        scope_keywords=strings("scope_keywords"),
        scope_veto=strings("scope_veto"),
    )


def _str_tuple(value: Any, where: str, source: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{source}: {where} must be a list of strings")
    return tuple(value)
