"""What the last refresh of a source saw, so an unchanged source is not parsed again.

A refresh revalidates every page (a 304 from the HTTP cache, or the same body again), and
when every page is byte for byte what the last complete run parsed, and nothing that
turns pages into records changed either, parsing and normalising again could only give
the same records: the run then marks the same listings seen and the same ones missing,
and replays the same item errors, without parsing. What makes that safe is kept in a
:class:`Memo` per source, in the ``meta`` table (one JSON value under
``refresh-memo:<source>``), written in the import's own transaction:

* ``fingerprint``: the code of ``catalog``/``scrapers`` and the packaged data files (the
  taxonomy), the versions of the HTML/XML libraries, the scraper's class and configuration
  and the exchange rates (:func:`pipeline_fingerprint`). Any change means a full parse.
* ``pages``: per request, the final URL, the body's SHA-1 and the follow-up requests its
  parse gave, so the run can walk the same pages without parsing them.
* ``state``: a digest of the source's listings (id, content hash, status, misses) as the
  run left them. A catalog changed since by anything else is parsed and imported in full.
* the outcome: ids imported (``seen``), ids seen but not importable (``keep``), counts and
  item errors.

Only a complete, successful run leaves a memo; any other run of the source removes it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from catalog.models import Listing, Meta
from scrapers.base import Request, Scraper

if TYPE_CHECKING:
    from catalog.rates import Rates

LISTING = Listing.__table__  # type: ignore[attr-defined]
META = Meta.__table__  # type: ignore[attr-defined]

# Distributions whose version can change what a page parses to (ours too: an install
# without the .py files would otherwise look unchanged).
PARSING_LIBRARIES = ("courseradar", "beautifulsoup4", "lxml", "soupsieve")


@dataclass
class PageSeen:
    """One page of a run: where it ended up, its body's digest, the requests it led to."""

    url: str
    digest: str
    follow: list[Request] = field(default_factory=list)


@dataclass
class Memo:
    """What the last complete run of a source saw and did (see the module docstring)."""

    fingerprint: str
    pages: dict[str, PageSeen]
    state: str = ""
    run_id: int = 0
    seen: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    out_of_scope: int = 0
    gathered: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # key, stage, reason


def page_key(req: Request) -> str:
    """A request as a string key: method, URL and (for POST searches) the body's digest."""
    key = f"{req.method.upper()} {req.url}"
    return f"{key} #{digest(req.body)}" if req.body else key


def digest(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


# -- what shapes the records ----------------------------------------------------------------


def fingerprint_files() -> list[Path]:
    """The code and data files a run's records depend on: all of ``catalog`` and
    ``scrapers`` (coarse, but a change anywhere costs only one full parse per source)."""
    import catalog
    import scrapers

    files: list[Path] = []
    for package in (catalog, scrapers):
        root = Path(package.__file__ or "").parent
        files += [
            p
            for p in root.rglob("*")
            if p.suffix in (".py", ".toml", ".xml")
            and p.is_file()
            and "__pycache__" not in p.parts
            and "migrations" not in p.parts
        ]
    return sorted(files)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Digest of :func:`fingerprint_files`, Python's and the parsing libraries' versions."""
    h = hashlib.sha1(usedforsecurity=False)
    for path in fingerprint_files():
        h.update(f"{path.parent.name}/{path.name}\0".encode())
        h.update(path.read_bytes())
    h.update(sys.version.encode())
    for name in PARSING_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{name}={version}\0".encode())
    return h.hexdigest()


def pipeline_fingerprint(scraper: Scraper, rates: Rates | None, code: str) -> str:
    """``code`` (:func:`code_fingerprint`) plus the scraper's class and configuration (its
    public attributes: endpoints, options) and the exchange rates."""
    from catalog.store import dumps

    config = {k: v for k, v in vars(scraper).items() if not k.startswith("_")}
    h = hashlib.sha1(code.encode(), usedforsecurity=False)
    h.update(f"{type(scraper).__module__}.{type(scraper).__qualname__}\0".encode())
    h.update(dumps(config).encode())
    if rates is not None:
        h.update(dumps([rates.date, rates.rates]).encode())
    return h.hexdigest()


# -- the catalog side -----------------------------------------------------------------------


def listing_state(conn: sa.Connection, source: str) -> str:
    """Digest of the source's listings as refreshes see them."""
    rows = sorted(
        (str(r[0]), str(r[1]), str(r[2]), int(r[3]))
        for r in conn.execute(
            sa.select(
                LISTING.c.source_id,
                LISTING.c.content_hash,
                LISTING.c.status,
                LISTING.c.missed_refreshes,
            ).where(LISTING.c.source == source)
        )
    )
    h = hashlib.sha1(usedforsecurity=False)
    for row in rows:
        h.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return h.hexdigest()


def _key(source: str) -> str:
    return f"refresh-memo:{source}"


def load(conn: sa.Connection, source: str) -> Memo | None:
    """The source's memo, or None (none kept, or unreadable: a full parse is always safe)."""
    value = conn.execute(sa.select(META.c.value).where(META.c.key == _key(source))).scalar()
    if not value:
        return None
    try:
        return _decode(json.loads(value))
    except (ValueError, KeyError, TypeError):
        return None


def save(conn: sa.Connection, source: str, memo: Memo) -> None:
    forget(conn, source)
    conn.execute(META.insert().values(key=_key(source), value=json.dumps(_encode(memo))))


def forget(conn: sa.Connection, source: str) -> None:
    conn.execute(META.delete().where(META.c.key == _key(source)))


def _encode(memo: Memo) -> dict[str, Any]:
    return {
        "fingerprint": memo.fingerprint,
        "state": memo.state,
        "run_id": memo.run_id,
        "pages": {
            key: [page.url, page.digest, [_request_json(r) for r in page.follow]]
            for key, page in memo.pages.items()
        },
        "seen": memo.seen,
        "keep": memo.keep,
        "out_of_scope": memo.out_of_scope,
        "gathered": memo.gathered,
        "errors": [list(e) for e in memo.errors],
    }


def _decode(data: dict[str, Any]) -> Memo:
    return Memo(
        fingerprint=str(data["fingerprint"]),
        state=str(data["state"]),
        run_id=int(data["run_id"]),
        pages={
            str(key): PageSeen(str(url), str(sha), [_request(r) for r in follow])
            for key, (url, sha, follow) in data["pages"].items()
        },
        seen=[str(s) for s in data["seen"]],
        keep=[str(s) for s in data["keep"]],
        out_of_scope=int(data["out_of_scope"]),
        gathered=int(data["gathered"]),
        errors=[(str(k), str(s), str(r)) for k, s, r in data["errors"]],
    )


def _request_json(req: Request) -> dict[str, Any]:
    return {
        "url": req.url,
        "method": req.method,
        "headers": [list(h) for h in req.headers],
        "body": base64.b64encode(req.body).decode() if req.body is not None else None,
        "kind": req.kind,
    }


def _request(data: dict[str, Any]) -> Request:
    body = data.get("body")
    return Request(
        url=str(data["url"]),
        method=str(data["method"]),
        headers=tuple((str(k), str(v)) for k, v in data["headers"]),
        body=base64.b64decode(body) if body is not None else None,
        kind=str(data["kind"]),
    )


def ids(values: Iterable[Any]) -> list[str]:
    """Source ids as the sorted strings a memo keeps."""
    return sorted({str(v) for v in values})
