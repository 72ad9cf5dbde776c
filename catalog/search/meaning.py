"""Meaning-based ranking: the query's nearest course vectors, fused with the full-text
ranking by reciprocal rank fusion (RRF), and the courses nearest to a course.

RRF scores a course ``sum(weight / (RRF_K + rank))`` over the rankings it appears in, so
neither ranking's raw scores need to be comparable. The words' ranking weighs more than
the vectors' (WORDS_WEIGHT): a course that matches the words and is near in meaning
leads, and an exact title, first by words, stays first. The vectors contribute the
NEAREST courses at most, and only those within SPREAD of the best similarity and above
MIN_SIMILARITY, so a query about nothing in the catalog does not list 50 courses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.search.snapshot import Snapshot
from catalog.search.vectors import Vectors
from catalog.text import words

NEAREST = 50
RRF_K = 60
WORDS_WEIGHT = 2.0
MIN_SIMILARITY = 0.80  # e5 cosine similarities of unrelated texts sit around 0.70-0.78
SPREAD = 0.06


NEAR_CACHE = 64  # query texts whose nearest courses a snapshot's vectors keep


def nearest_for_query(
    vectors: Vectors, text: str, embed: Callable[[str], np.ndarray]
) -> np.ndarray:
    """Snapshot positions of the courses near the query ``text``, nearest first;
    ``embed`` makes its vector when it is not cached."""
    cached = vectors.near_cache.get(text)
    if cached is not None:
        vectors.near_cache.move_to_end(text)
        return cached
    positions, sims = vectors.nearest(embed(text), NEAREST)
    if len(sims):
        positions = positions[(sims >= MIN_SIMILARITY) & (sims >= sims[0] - SPREAD)]
    vectors.near_cache[text] = positions
    if len(vectors.near_cache) > NEAR_CACHE:
        vectors.near_cache.popitem(last=False)
    return positions


def fuse(
    size: int, words: tuple[np.ndarray, np.ndarray | None] | None, near: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the fused result, a score per snapshot position, higher first).

    ``words`` is the full-text match (positions and their scores, None when not ranked:
    then every match ranks alike); ``near`` the nearest positions in order.
    """
    scores = np.zeros(size)
    member = np.zeros(size, dtype=bool)
    if words is not None:
        positions, raw = words
        member[positions] = True
        if raw is None:
            scores[positions] += WORDS_WEIGHT / (RRF_K + 1)
        else:
            ranked = positions[np.argsort(-raw, kind="stable")]
            scores[ranked] += WORDS_WEIGHT / (RRF_K + 1 + np.arange(len(ranked)))
    member[near] = True
    scores[near] += 1.0 / (RRF_K + 1 + np.arange(len(near)))
    return np.flatnonzero(member), scores


def similar_positions(
    snap: Snapshot, vectors: Vectors, position: int, limit: int
) -> list[tuple[int, float]]:
    """The ``limit`` courses nearest to the course at ``position`` as (position,
    similarity): those of other providers first, each group nearest first. The course
    itself (every listing merged into it) is left out."""
    if not vectors.known[position]:
        return []
    found, sims = vectors.nearest(vectors.matrix[position], limit * 3 + 1)
    provider = snap.columns["provider"].codes
    own = provider[position]
    pairs = [(int(p), float(s)) for p, s in zip(found, sims, strict=True) if p != position]
    other = [(p, s) for p, s in pairs if own < 0 or provider[p] != own]
    same = [(p, s) for p, s in pairs if not (own < 0 or provider[p] != own)]
    return (other + same)[:limit]


def promote_exact_title(
    engine: Engine, snap: Snapshot, text: str, scores: np.ndarray, among: int = 10
) -> None:
    """Put a course whose title is exactly the query's words first (in place): of the
    ``among`` best-scored, looked up by id (a fused ranking may put a title match second
    when a neighbour is nearer in meaning)."""
    wanted = words(text)
    if not wanted:
        return
    top = np.argpartition(-scores, min(among, len(scores)) - 1)[:among]
    top = top[scores[top] > 0]
    if not len(top):
        return
    ids = [int(i) for i in snap.ids[top]]
    with engine.connect() as conn:
        titles: Sequence[Any] = conn.execute(
            sa.select(sa.column("id"), sa.column("title"))
            .select_from(sa.table("course"))
            .where(sa.column("id").in_(ids))
        ).all()
    exact = {int(cid) for cid, title in titles if words(title) == wanted}
    if exact:
        bonus = float(scores.max()) + 1.0
        for pos in top:
            if int(snap.ids[pos]) in exact:
                scores[pos] += bonus
