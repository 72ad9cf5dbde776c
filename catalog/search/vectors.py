"""Course vectors: computed where the catalog changes, stored with it, held in memory.

:func:`update_vectors` embeds the courses that have no vector yet, or one made from
another text or by another model (the text's hash and the model's name say which), and
stores them in ``course_vector`` as float16 bytes (SQLite and PostgreSQL alike). Import,
refresh and the starter seeding call it; the starter catalog's vectors ship with the
package (``catalog/data/curated_vectors.npz``), so a first start embeds nothing.
:class:`Vectors` is the in-memory matrix beside the search snapshot.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.db import bump_version, write_tx
from catalog.search.embedding import Embedder, course_text, normalised, text_hash

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "curated_vectors.npz"
BATCH = 32  # courses embedded and written at a time (progress is reported per batch)
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class Vectors:
    """The vectors of the snapshot's courses, row i for snapshot position i; ``known[i]``
    is False where course i has no vector of this model yet (its row is zeros)."""

    version: int  # the catalog version it was loaded at
    model: str
    matrix: np.ndarray  # (size, dim) float32, rows normalised
    known: np.ndarray  # (size,) bool
    # query text -> its nearest positions: a facet clicked or a page turned on the same
    # text does not scan the matrix again (~30 ms at 100k courses on 2 busy cores).
    near_cache: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict)

    @property
    def complete(self) -> bool:
        return bool(self.known.all())

    def nearest(self, vector: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the ``limit`` courses nearest to ``vector``, nearest first, and
        their cosine similarities; courses without a vector are never among them."""
        sims = self.matrix @ vector.astype(np.float32)
        known = int(self.known.sum())
        if known < len(sims):
            sims[~self.known] = -np.inf
        limit = min(limit, known)
        if limit <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        top = np.argpartition(sims, len(sims) - limit)[len(sims) - limit :]
        top = top[np.argsort(-sims[top], kind="stable")]
        return top, sims[top]


def _course_texts(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, title, description, skills FROM course"))
        return {
            int(cid): course_text(title, description, _as_list(skills))
            for cid, title, description, skills in rows
        }


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value)
    return [str(v) for v in value or ()]


def stale_courses(engine: Engine, model: str) -> dict[int, str]:
    """The courses whose vector of ``model`` is missing or made from another text: id ->
    the text to embed."""
    texts = _course_texts(engine)
    with engine.connect() as conn:
        have: dict[int, str] = dict(
            conn.execute(
                sa.text("SELECT course_id, text_hash FROM course_vector WHERE model = :m"),
                {"m": model},
            ).all()
        )
    return {cid: t for cid, t in texts.items() if have.get(cid) != text_hash(t)}


def update_vectors(
    engine: Engine,
    embedder: Embedder | None,
    *,
    known: Mapping[str, np.ndarray] | None = None,
    model: str | None = None,
    progress: Progress | None = None,
    limit: int | None = None,
) -> int:
    """Embed and store the vectors of new or changed courses; returns how many were
    stored. ``known`` (text hash -> vector of ``model``) is used before the embedder;
    without an embedder only known vectors are stored. ``limit`` caps how many the
    embedder is run on (the rest stay stale, found by words until a later call)."""
    model = embedder.name if embedder is not None else model
    if model is None:
        return 0
    stale = list(stale_courses(engine, model).items())
    todo: list[tuple[int, str, np.ndarray | None]] = [
        (cid, text_hash(t), (known or {}).get(text_hash(t))) for cid, t in stale
    ]
    ready = [(cid, h, v) for cid, h, v in todo if v is not None]
    missing = [(cid, t) for (cid, t), (_, _, v) in zip(stale, todo, strict=True) if v is None]
    stored = _store(engine, model, ready) if ready else 0
    if limit is not None:
        missing = missing[:limit]
    if embedder is not None:
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            vectors = embedder.embed([t for _, t in chunk])
            rows = [(cid, text_hash(t), v) for (cid, t), v in zip(chunk, vectors, strict=True)]
            stored += _store(engine, model, rows)
            if progress is not None:
                progress(min(start + BATCH, len(missing)), len(missing))
    return stored


def _store(engine: Engine, model: str, rows: list[tuple[int, str, Any]]) -> int:
    with write_tx(engine) as conn:
        ids = [{"id": cid} for cid, _, _ in rows]
        conn.execute(sa.text("DELETE FROM course_vector WHERE course_id = :id"), ids)
        conn.execute(
            sa.text(
                "INSERT INTO course_vector (course_id, model, text_hash, vector) "
                "VALUES (:id, :m, :h, :v)"
            ),
            [
                {"id": cid, "m": model, "h": h, "v": np.asarray(v, dtype="<f2").tobytes()}
                for cid, h, v in rows
            ],
        )
        bump_version(conn)
    return len(rows)


def load_vectors(engine: Engine, version: int, ids: np.ndarray, model: str, dim: int) -> Vectors:
    """The stored vectors of ``model`` for the courses ``ids`` (sorted, as the snapshot's)."""
    matrix = np.zeros((len(ids), dim), dtype=np.float32)
    known = np.zeros(len(ids), dtype=bool)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT course_id, vector FROM course_vector WHERE model = :m"), {"m": model}
        ).all()
    if rows and len(ids):
        course_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        blob = b"".join(bytes(r[1]) for r in rows)
        vectors = np.frombuffer(blob, dtype="<f2").reshape(len(rows), dim)
        pos = np.searchsorted(ids, course_ids)
        ok = (pos < len(ids)) & (ids[np.clip(pos, 0, len(ids) - 1)] == course_ids)
        matrix[pos[ok]] = normalised(vectors[ok].astype(np.float32))
        known[pos[ok]] = True
    return Vectors(version=version, model=model, matrix=matrix, known=known)


def shipped_vectors() -> tuple[str | None, dict[str, np.ndarray]]:
    """(model, text hash -> vector) of the starter catalog as shipped; empty if absent."""
    if not SHIPPED.exists():
        return None, {}
    with np.load(SHIPPED) as data:
        model = str(data["model"])
        return model, dict(zip(data["hashes"].tolist(), data["vectors"], strict=True))


def ship_curated_vectors(embedder: Embedder, path: Path = SHIPPED) -> int:
    """Write the starter catalog's vectors to ``path`` (run after editing curated.toml:
    ``python -m catalog.search.vectors``); returns how many."""
    from catalog.curated import load_curated

    texts = [course_text(r.title, r.description, r.skills) for r in load_curated()]
    vectors = embedder.embed(texts)
    np.savez_compressed(
        path,
        model=np.array(embedder.name),
        hashes=np.array([text_hash(t) for t in texts]),
        vectors=vectors.astype(np.float16),
    )
    return len(texts)


if __name__ == "__main__":
    from catalog.search.embedding import default_embedder

    found = default_embedder()
    if found is None:
        raise SystemExit("no embedding model here (is COURSERADAR_EMBEDDER=none?)")
    print(f"wrote {ship_curated_vectors(found)} vectors to {SHIPPED}")
