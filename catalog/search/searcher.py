"""The public search API: a Searcher per engine keeps the snapshot current and runs
queries on it; :func:`search` validates and runs one."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.db import catalog_version
from catalog.filters import RANGE
from catalog.query import Query, QueryError, _shown
from catalog.search.embedding import default_embedder, turned_off
from catalog.search.facets import (
    FacetValue,
    facet_counts,
    facet_masks,
    range_mask,
    unknown_counts,
)
from catalog.search.match import match
from catalog.search.meaning import (
    fuse,
    nearest_for_query,
    promote_exact_title,
    similar_positions,
)
from catalog.search.rows import SearchResult, fetch_rows, order
from catalog.search.snapshot import SNAPSHOT_FORMAT, Snapshot, snapshot_file
from catalog.search.vectors import Vectors, load_vectors
from catalog.text import words


class Searcher:
    """Runs queries against one engine, keeping the snapshot current."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._snapshot: Snapshot | None = None
        self._vectors: Vectors | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        with self.engine.connect() as conn:
            version = catalog_version(conn)
        snap = self._snapshot
        if snap is None or snap.version != version:
            with self._lock:
                snap = self._snapshot
                if snap is None or snap.version != version:
                    snap = self._load_or_read(version)
                    self._snapshot = snap
        return snap

    def _load_or_read(self, version: int) -> Snapshot:
        """From the file beside an SQLite catalog when it was saved for this very catalog
        state (a restart: milliseconds), else read from the catalog and saved there."""
        path = snapshot_file(self.engine)
        if path is None:
            return Snapshot.read(self.engine, version)
        stamp = self._stamp(version)
        snap = Snapshot.load(path, stamp, version)
        if snap is None:
            snap = Snapshot.read(self.engine, version)
            snap.save(path, stamp)
        return snap

    def _stamp(self, version: int) -> str:
        """What identifies the catalog state a saved snapshot is for: the version counter,
        and, for a catalog deleted and made anew at the same path (its counter starts over),
        the count and id range of its courses and when its first course was seen (courses
        are never deleted)."""
        with self.engine.connect() as conn:
            count, low, high = conn.execute(
                sa.text("SELECT count(*), min(id), max(id) FROM course")
            ).one()
            first = conn.execute(
                sa.text("SELECT first_seen FROM course WHERE id = :id"), {"id": low}
            ).scalar()
        return json.dumps([SNAPSHOT_FORMAT, version, count, low, high, str(first)])

    def vectors(self, snap: Snapshot) -> Vectors | None:
        """The course vectors of the model in use for ``snap``; None when there is no model
        here or no course has a vector yet."""
        embedder = default_embedder()
        if embedder is None:
            return None
        found = self._vectors
        if found is None or found.version != snap.version or found.model != embedder.name:
            with self._lock:
                found = self._vectors
                if found is None or found.version != snap.version:
                    found = load_vectors(
                        self.engine, snap.version, snap.ids, embedder.name, embedder.dim
                    )
                    self._vectors = found
        return found if found.known.any() else None

    def similar(self, course_id: int, limit: int = 10) -> list[dict[str, Any]] | None:
        """The courses nearest in meaning to ``course_id`` (other providers first), each row
        with its ``similarity``; None when the course or its vector is unknown."""
        snap = self.snapshot()
        vectors = self.vectors(snap)
        position = int(np.searchsorted(snap.ids, course_id))
        if vectors is None or position >= snap.size or snap.ids[position] != course_id:
            return None
        pairs = similar_positions(snap, vectors, position, limit)
        if not pairs and not vectors.known[position]:
            return None
        rows = {r["id"]: r for r in fetch_rows(self.engine, [int(snap.ids[p]) for p, _ in pairs])}
        return [
            {**rows[int(snap.ids[p])], "similarity": round(s, 3)}
            for p, s in pairs
            if int(snap.ids[p]) in rows
        ]

    def coverage(self) -> dict[str, tuple[int, int]]:
        """Per range filter (by name): how many courses state its value, of how many."""
        snap = self.snapshot()
        return {
            row.name: (int(np.count_nonzero(~np.isnan(getattr(snap, row.column)))), snap.size)
            for row in RANGE.values()
        }

    def known_values(self, facet: str) -> list[str]:
        return list(self.snapshot().columns[facet].vocab)

    def search(self, query: Query, *, with_rows: bool = True) -> SearchResult:
        snap = self.snapshot()
        start = (query.page - 1) * query.per_page
        hits, total, facets, unknown = self._evaluate(snap, query, upto=start + query.per_page)
        page_ids = snap.ids[hits[start : start + query.per_page]].tolist()
        rows = fetch_rows(self.engine, page_ids) if with_rows else []
        return SearchResult(
            query=query,
            rows=rows,
            total=total,
            facets=facets,
            matched_by=self.matched_by(query, snap),
            unknown=unknown,
        )

    def matched_by(self, query: Query, snap: Snapshot | None = None) -> str:
        """How ``query``'s text is matched (see SearchResult.matched_by)."""
        if query.words_only or not words(query.text) or turned_off():
            return "words"
        return "words-no-vectors" if self.vectors(snap or self.snapshot()) is None else "hybrid"

    def iter_all(self, query: Query, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every matching row in sort order (exports), fetched in batches."""
        snap = self.snapshot()
        hits = self._evaluate(snap, query, facets=False)[0]
        ids = snap.ids[hits].tolist()
        for i in range(0, len(ids), batch):
            yield from fetch_rows(self.engine, ids[i : i + batch])

    def matching_ids(self, query: Query) -> list[int]:
        """The ids of every matching course in sort order (no row is read)."""
        snap = self.snapshot()
        hits = self._evaluate(snap, query, facets=False)[0]
        return [int(i) for i in snap.ids[hits].tolist()]

    def _evaluate(
        self, snap: Snapshot, query: Query, *, facets: bool = True, upto: int | None = None
    ) -> tuple[np.ndarray, int, dict[str, list[FacetValue]], dict[str, int]]:
        """(positions of the matches in order, their number, facet counts, what each range
        left out for an unknown value); with ``upto``, only the first ``upto`` positions of
        the order are made."""
        base, scores = self._matching(snap, query)
        masks = facet_masks(snap, query)
        faceted = base.copy()
        for m in masks.values():
            faceted &= m
        unknown = unknown_counts(snap, query, faceted) if facets else {}
        ranged = range_mask(snap, query)
        base &= ranged
        full = faceted & ranged
        counts = facet_counts(snap, query, base, masks, full) if facets else {}
        hits = np.flatnonzero(full)
        return hits[order(snap, query, hits, scores, upto)], int(hits.size), counts, unknown

    def _matching(self, snap: Snapshot, query: Query) -> tuple[np.ndarray, np.ndarray | None]:
        """(which courses match the text, their relevance scores or None): the words'
        match fused with the nearest vectors unless words only are asked for."""
        ranked = query.sort == "relevance"
        found = match(self.engine, snap, query.text, ranked=ranked)
        if found is None:
            return np.ones(snap.size, dtype=bool), None
        vectors = None if query.words_only else self.vectors(snap)
        embedder = default_embedder()
        base = np.zeros(snap.size, dtype=bool)
        if vectors is None or embedder is None:
            base[found[0]] = True
            if found[1] is None:
                return base, None
            scores = np.zeros(snap.size)
            scores[found[0]] = found[1]
            return base, scores
        near = nearest_for_query(
            vectors, query.text[:500], lambda text: embedder.embed([text], query=True)[0]
        )
        positions, fused = fuse(snap.size, found, near)
        base[positions] = True
        if not ranked:
            return base, None
        promote_exact_title(self.engine, snap, query.text, fused)
        return base, fused


_SEARCHERS: dict[int, Searcher] = {}
_SEARCHERS_LOCK = threading.Lock()


def searcher_for(engine: Engine) -> Searcher:
    """The shared Searcher of an engine (one snapshot per engine and process)."""
    with _SEARCHERS_LOCK:
        found = _SEARCHERS.get(id(engine))
        if found is None or found.engine is not engine:
            found = Searcher(engine)
            _SEARCHERS[id(engine)] = found
        return found


# A range filter (and its sort) is of little use where fewer courses than this share
# state its value: front ends grey it out and say why (see sparse_notes).
SPARSE_SHARE = 0.5


def sparse_ranges(engine: Engine) -> dict[str, tuple[int, int]]:
    """The range filters most of the catalog states no value for: name -> (known, all)."""
    return {
        name: (known, size)
        for name, (known, size) in searcher_for(engine).coverage().items()
        if size and known < SPARSE_SHARE * size
    }


def save_snapshot(engine: Engine) -> None:
    """Bring the snapshot saved beside an SQLite catalog up to date now (nothing for other
    catalogs): what the commands that change the catalog call as they end, so that the next
    start of the app loads it in milliseconds instead of reading every course (~1 s at
    100,000). It costs what the next search would have paid."""
    if snapshot_file(engine) is None:
        return
    with _SEARCHERS_LOCK:
        known = _SEARCHERS.get(id(engine))
    # A process that searches keeps its snapshot current; a command that only wrote does
    # not keep one (nor its engine) alive for nothing.
    searcher = known if known is not None and known.engine is engine else Searcher(engine)
    searcher.snapshot()


def validate(engine: Engine, query: Query) -> Query:
    """Raise QueryError for any invalid value of ``query``, its sources checked against the
    catalog's; returns ``query``. What :func:`search` checks, for exports and saved searches."""
    from catalog.topics import default_taxonomy

    query.validate([t.slug for t in default_taxonomy().topics])
    if query.sources:
        from scrapers import SOURCES

        seen = searcher_for(engine).known_values("source")
        known = sorted(set(seen) | set(SOURCES) | {"curated"})
        for name in query.sources:
            if name not in known:
                raise QueryError(f"unknown source {_shown(name)}; valid values: {', '.join(known)}")
    return query


def search(engine: Engine, query: Query) -> SearchResult:
    """Validate and run ``query``: the one entry point front ends use."""
    return searcher_for(engine).search(validate(engine, query))


def query_as_dict(query: Query) -> dict[str, Any]:
    return asdict(query)
