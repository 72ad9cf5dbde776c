"""Records to rows: canonical JSON, content hashes and the last checks on a record's text.

Everything that spells a record as JSON lives here, so the spelling (and with it every
content hash) has one place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from catalog.models import COURSE_JSON_COLUMNS
from catalog.record import CourseRecord

_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_FALLBACK = json.JSONEncoder(
    sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")
).encode

JSON_COLUMNS = COURSE_JSON_COLUMNS


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys, compact): the same record always hashes the same.

    orjson is five times faster than the json module, a fifth of a bulk load; the json
    module, spelling it identically, takes what orjson refuses (integers past 64 bits).
    """
    try:
        return orjson.dumps(value, default=str, option=_ORJSON).decode()
    except TypeError:
        return _FALLBACK(value)


def record_hash(*blobs: str) -> str:
    """Content hash of a serialised record and its raw values: equal = nothing to update."""
    digest = hashlib.sha1(usedforsecurity=False)
    for blob in blobs:
        digest.update(blob.encode())
    return digest.hexdigest()


def json_list(values: list[Any]) -> str:
    """dumps() for a JSON list column; lists of strings repeat a lot, so they are cached."""
    if not values:
        return "[]"
    try:
        "".join(values)  # only lists of strings are cached: 1 == 1.0 == True as keys
    except TypeError:
        return dumps(values)
    return _json_strings(tuple(values))


@lru_cache(maxsize=4096)
def _json_strings(values: tuple[Any, ...]) -> str:
    return dumps(list(values))


def _hashable(values: list[Any]) -> dict[Any, Any]:
    """Ordered de-duplication that also copes with dicts (offers)."""
    return {dumps(v) if isinstance(v, dict) else v: v for v in values}


@dataclass
class _Item:
    """One incoming listing, serialised once."""

    source_id: str
    data: dict[str, Any]
    record: str
    raw: str
    digest: str


def _serialise(rec: CourseRecord) -> _Item:
    data = rec.to_dict()
    data.pop("source", None)
    raw = dumps(data.pop("raw", None) or {})
    record = dumps(data)
    if _needs_defence(data, record):
        _last_defence(data)
        record = dumps(data)
    return _Item(str(rec.source_id), data, record, raw, record_hash(record, raw))


def _listing_update(item: _Item, listing_id: int) -> dict[str, Any]:
    return {
        "b_id": listing_id,
        "record": item.record,
        "raw": item.raw,
        "url": item.data.get("url"),
        "content_hash": item.digest,
    }


def _course_row(
    merged: dict[str, Any], source: str, item: _Item, key: str, now: datetime
) -> dict[str, Any]:
    """The row of a new course, from the merge of its one listing's record."""
    for name in JSON_COLUMNS:
        merged[name] = json_list(merged[name])
    merged.update(
        key=key,
        source=source,
        source_id=item.source_id,
        first_seen=now,
        last_seen=now,
        status="active",
        updated_at=now,
    )
    return merged


def _listing_row(
    source: str, item: _Item, key: str, course_id: int | None, now: datetime
) -> dict[str, Any]:
    """The row of a new listing; ``course_id`` is None until its new course has an id
    (then found by ``key``)."""
    return {
        "source": source,
        "source_id": item.source_id,
        "course_id": course_id,
        "key": key,
        "url": item.data.get("url"),
        "content_hash": item.digest,
        "record": item.record,
        "raw": item.raw,
        "first_seen": now,
        "last_seen": now,
        "status": "active",
        "missed_refreshes": 0,
    }


_TEXT_FIELDS = ("title", "provider", "platform", "description", "url", "source_id")


def _last_defence(data: dict[str, Any]) -> None:
    """What must hold even for records that skipped the normaliser: no NUL characters
    (a PostgreSQL text column cannot hold one, and it would fail the whole batch) and
    links only over http(s)."""
    for key in _TEXT_FIELDS:
        value = data.get(key)
        if isinstance(value, str) and "\x00" in value:
            data[key] = value.replace("\x00", "")
    url = data.get("url")
    if url is not None and not (
        isinstance(url, str) and url[:8].lower().startswith(("http://", "https://"))
    ):
        data["url"] = None


def _needs_defence(data: dict[str, Any], record: str) -> bool:
    """Whether :func:`_last_defence` has anything to do: one scan of the serialised text
    (JSON spells NUL as an escape) instead of a look at every field of every record."""
    url = data.get("url")
    return "\\u0000" in record or (
        url is not None
        and not (isinstance(url, str) and url[:8].lower().startswith(("http://", "https://")))
    )
