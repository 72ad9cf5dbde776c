"""Full-text match in the database: SQLite FTS5 or a PostgreSQL tsvector.

User text is reduced to word tokens, always passed as a bound parameter. The result is
the matching courses' positions in the snapshot (and their scores when ranked), cached
per snapshot by the tokens.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from catalog.db import is_sqlite
from catalog.search.snapshot import Snapshot
from catalog.text import words

BROAD_MATCH = 5000  # matches above which relevance is title-first instead of bm25
FTS_CACHE = 64  # texts whose matches a snapshot keeps


def match(
    engine: Engine, snap: Snapshot, text: str, *, ranked: bool = True
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Positions of the courses matching ``text`` and, when ``ranked``, their relevance
    scores (higher is better; None when not ranked). None when ``text`` has no words.

    Scoring every match (FTS5's bm25, PostgreSQL's ts_rank_cd) costs about three times
    the match itself for a broad word, so it is done only when the order needs it.
    """
    tokens = words(text)
    if not tokens:
        return None
    key = " ".join(tokens)
    cached = snap.fts_cache.get(key)
    if cached is not None and (cached[1] is not None or not ranked):
        snap.fts_cache.move_to_end(key)
        return cached
    ids, raw_scores = _matching_ids(engine, tokens, ranked=ranked)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    pos = np.searchsorted(snap.ids, ids)
    keep = (pos < snap.size) & (snap.ids[np.clip(pos, 0, max(snap.size - 1, 0))] == ids)
    scores = raw_scores[order][keep] if ranked else None
    result = (pos[keep], scores)
    snap.fts_cache[key] = result
    snap.fts_cache.move_to_end(key)
    if len(snap.fts_cache) > FTS_CACHE:
        snap.fts_cache.popitem(last=False)
    return result


def _matching_ids(
    engine: Engine, tokens: list[str], *, ranked: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The ids of the matching courses, in any order, and their raw scores (zeros when
    not ranked).

    Rows come from the driver's cursor straight into numpy: SQLAlchemy's row objects
    cost as much again as the query for 30,000 matches.
    """
    sqlite_ = is_sqlite(engine)
    if sqlite_:
        expr = " ".join(f'"{t}"*' if len(t) >= 3 else f'"{t}"' for t in tokens)
        statement = "SELECT {cols} FROM course_fts WHERE course_fts MATCH ?"
        only_ids, rank = "group_concat(rowid)", "rowid, -bm25(course_fts, 10.0, 1.0)"
    else:
        expr = " & ".join(f"'{t}':*" if len(t) >= 3 else f"'{t}'" for t in tokens)
        statement = "SELECT {cols} FROM course, to_tsquery('simple', %s) AS q WHERE tsv @@ q"
        only_ids, rank = "string_agg(id::text, ',')", "id, ts_rank_cd(tsv, q, 1)"
    with engine.connect() as conn:
        ids: np.ndarray | None = None
        raw_scores: np.ndarray | None = None
        if not ranked or sqlite_:
            ids = _joined_ids(conn, statement.format(cols=only_ids), expr)
            raw_scores = np.zeros(len(ids))
        if ranked and sqlite_ and ids is not None and len(ids) > BROAD_MATCH:
            # A broad word matches a third of the catalog and bm25 over all of it
            # costs three times the match: score coarsely instead (title matches
            # first), and let the popularity tie-break order within. PostgreSQL keeps
            # ts_rank_cd: its GIN index cannot filter by weight, so a title-only
            # query there would recheck every match and cost more than ranking.
            title_expr = f"search_title : ({expr})"
            titled = _joined_ids(conn, statement.format(cols=only_ids), title_expr)
            raw_scores = np.isin(ids, titled).astype(np.float64)
        elif ranked:
            table = np.array(
                _fetch(conn, statement.format(cols=rank), expr), dtype=np.float64
            ).reshape(-1, 2)
            ids, raw_scores = table[:, 0].astype(np.int64), table[:, 1]
    assert ids is not None and raw_scores is not None
    return ids, raw_scores


def _joined_ids(conn: Any, sql: str, param: str) -> np.ndarray:
    """The ids a query aggregates into one comma-joined text, as an array.

    One text parsed by numpy in C instead of a Python tuple per matching row: for a broad
    word (30,000 matches) the fetch costs a third of what it did.
    """
    rows = _fetch(conn, sql, param)
    text = rows[0][0] if rows else None
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _fetch(conn: Any, sql: str, param: str) -> list[Any]:
    """Rows straight from the driver's cursor (SQLAlchemy rows cost as much as the query)."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, (param,))
        return list(cursor.fetchall())
    finally:
        cursor.close()
