"""The catalog core on SQLite and PostgreSQL: upserts, stable ids, search, facets, safety."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from catalog import db
from catalog import search as search_module
from catalog.bootstrap import open_catalog
from catalog.record import CourseRecord
from catalog.refresh import import_records
from catalog.search import (
    MULTI,
    SINGLE,
    FacetValue,
    Query,
    QueryError,
    Searcher,
    _as_list,
    fetch_rows,
    search,
    snapshot_sql,
)
from catalog.search import snapshot as snapshot_module

HOSTILE = [
    '"',
    "'",
    "AND(",
    "C++",
    "NOT OR NEAR",
    "machine-learning",
    "l'intelligence",
    "🙂🤖",
    "x" * 10_000,
    "'; DROP TABLE course; --",
    'title:"x" OR 1=1',
    "*",
    "^",
    "\x00\x01",
    "a" + "(" * 500,
]


def rec(source_id: str, title: str, **kw: object) -> CourseRecord:
    data: dict[str, object] = {"provider": "Acme", "languages": ["en"], "topics": []}
    data.update(kw)
    return CourseRecord(source="t", source_id=source_id, title=title, **data)  # type: ignore[arg-type]


def sample() -> list[CourseRecord]:
    return [
        rec("ml", "Machine Learning Specialization", provider="Stanford",
            topics=["machine-learning"], cost="free_audit", certificate="completion",
            price_amount=49.0, price_currency="USD", price_eur=45.0, hours_max=60.0,
            rating=4.9, level="beginner"),
        rec("ml-de", "Maschinelles Lernen für Einsteiger", provider="KI-Campus",
            topics=["machine-learning"], languages=["de"], cost="free", certificate="completion",
            hours_max=10.0, level="beginner"),
        rec("dl", "Deep Learning with PyTorch", provider="IBM", topics=["deep-learning"],
            cost="paid", certificate="professional", price_amount=99.0, price_currency="USD",
            price_eur=90.0, hours_max=30.0, rating=4.5, level="intermediate"),
        rec("ki", "Künstliche Intelligenz: Grundlagen", provider="openHPI",
            topics=["ai-fundamentals"], languages=["de"], cost="free", certificate="none",
            hours_max=12.0, start_date=date(2027, 3, 1), pace="scheduled"),
        rec("nlp", "Natural Language Processing", provider="Stanford", topics=["nlp"],
            cost="free", certificate="none", hours_max=100.0, rating=4.7, level="advanced"),
    ]  # fmt: skip


@pytest.fixture
def filled(engine: sa.Engine) -> sa.Engine:
    report = import_records(engine, "t", sample(), full=True)
    assert (report.added, report.state) == (5, "ok")
    return engine


def titles(engine: sa.Engine, query: Query) -> list[str]:
    return [r["title"] for r in search(engine, query).rows]


def test_fulltext_is_ranked_and_folds_diacritics(filled: sa.Engine) -> None:
    assert titles(filled, Query(text="kunstliche intelligenz")) == [
        "Künstliche Intelligenz: Grundlagen"
    ]
    # prefix matching: "learn" finds every learning course, title matches first
    found = titles(filled, Query(text="learn"))
    assert set(found) >= {"Machine Learning Specialization", "Deep Learning with PyTorch"}
    assert "Natural Language Processing" not in found


def test_facets_or_within_and_across(filled: sa.Engine) -> None:
    result = search(filled, Query(costs=("free", "paid")))
    assert result.total == 4  # OR within cost
    result = search(filled, Query(costs=("free",), languages=("de",)))
    assert result.total == 2  # AND across facets
    counts = {f.value: (f.count, f.selected) for f in result.facets["cost"]}
    # the cost facet ignores its own filter but respects the language filter
    assert counts == {"free": (2, True)}
    lang_counts = {f.value: (f.count, f.selected) for f in result.facets["language"]}
    assert lang_counts == {"de": (2, True), "en": (1, False)}


def test_range_filters_and_sorts(filled: sa.Engine) -> None:
    # a free course is 0 EUR: within any highest price (the 90 EUR one is not)
    assert set(titles(filled, Query(max_price_eur=50))) == {
        "Machine Learning Specialization",
        "Maschinelles Lernen für Einsteiger",
        "Künstliche Intelligenz: Grundlagen",
        "Natural Language Processing",
    }
    assert set(titles(filled, Query(min_hours=20, max_hours=70))) == {
        "Machine Learning Specialization",
        "Deep Learning with PyTorch",
    }
    assert titles(filled, Query(min_rating=4.6, sort="rating")) == [
        "Machine Learning Specialization",
        "Natural Language Processing",
    ]
    by_price = titles(filled, Query(sort="price"))
    assert by_price[3:] == ["Machine Learning Specialization", "Deep Learning with PyTorch"]
    assert titles(filled, Query(sort="duration"))[0] == "Maschinelles Lernen für Einsteiger"
    assert titles(filled, Query(start_from=date(2027, 1, 1))) == [
        "Künstliche Intelligenz: Grundlagen"
    ]
    page2 = search(filled, Query(sort="duration", per_page=2, page=2))
    assert [r["title"] for r in page2.rows] == [
        "Deep Learning with PyTorch",
        "Machine Learning Specialization",
    ]
    assert (page2.total, page2.pages) == (5, 3)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_search_text_never_raises_or_changes_data(filled: sa.Engine, text: str) -> None:
    before = search(filled, Query()).total
    result = search(filled, Query(text=text))
    assert result.total <= before
    assert search(filled, Query()).total == before == 5


def test_invalid_filter_values_name_the_valid_ones(filled: sa.Engine) -> None:
    with pytest.raises(QueryError, match="valid values: free, free_audit, paid, subscription"):
        search(filled, Query(costs=("gratis",)))
    with pytest.raises(QueryError, match="unknown topic 'cooking'"):
        search(filled, Query(topics=("cooking",)))
    with pytest.raises(QueryError, match="language"):
        search(filled, Query(languages=("English; DROP",)))
    with pytest.raises(QueryError, match="max-price-eur"):
        search(filled, Query(max_price_eur=-1))
    with pytest.raises(QueryError, match=r"unknown source 'nowhere'; valid values: .*coursera"):
        search(filled, Query(sources=("nowhere",)))
    assert search(filled, Query(sources=("t",))).total == 5
    with pytest.raises(QueryError, match="sort"):
        search(filled, Query(sort="random()"))


def test_ids_are_stable_and_refresh_marks_missing(filled: sa.Engine) -> None:
    ids = {r["source_id"]: r["id"] for r in search(filled, Query()).rows}
    changed = sample()
    changed[0].price_amount, changed[0].price_eur = 59.0, 54.0
    report = import_records(filled, "t", changed[:4], full=True)
    assert (report.added, report.updated, report.unchanged, report.stale) == (0, 1, 3, 1)
    after = {r["source_id"]: r["id"] for r in search(filled, Query()).rows}
    assert after == ids  # the stale course is still listed by default, same ids
    stale = search(filled, Query(statuses=("stale",))).rows
    assert [r["source_id"] for r in stale] == ["nlp"]
    for _ in range(2):
        import_records(filled, "t", changed[:4], full=True)
    assert search(filled, Query(statuses=("removed",))).total == 1
    assert search(filled, Query()).total == 4
    # it comes back with the same id
    import_records(filled, "t", sample(), full=True)
    assert {r["source_id"]: r["id"] for r in search(filled, Query()).rows} == ids
    with filled.connect() as conn:
        events = conn.execute(
            sa.text("SELECT event, old, new FROM courseevent WHERE event != 'new' ORDER BY id")
        ).all()
    assert ("price_changed", "49 USD", "59 USD") in [tuple(e) for e in events]
    # its EUR value is recorded beside it (catalog.changes says them as one change)
    assert next(e for e in events if e[0] == "price_eur_changed")[2] == "54.00"
    prices = ("price_changed", "price_eur_changed")
    assert [e[0] for e in events if e[0] not in prices] == ["stale", "removed", "returned"]


def test_failed_import_writes_nothing(filled: sa.Engine) -> None:
    bad = sample()
    bad.append(rec("boom", None))  # type: ignore[arg-type]  # violates NOT NULL on insert
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll back
        import_records(filled, "t", bad, full=True)
    assert search(filled, Query(statuses=("active", "stale", "removed"))).total == 5
    with filled.connect() as conn:
        state = conn.execute(sa.text("SELECT state FROM refreshrun ORDER BY id DESC")).scalar()
    assert state == "failed"


def test_second_source_merges_into_existing_course(filled: sa.Engine) -> None:
    other = CourseRecord(
        source="aggregator",
        source_id="x1",
        title="Machine Learning Specialisation",
        provider="Stanford",
        cost="subscription",
        certificate="professional",
        topics=["machine-learning"],
    )
    report = import_records(filled, "aggregator", [other], full=True)
    assert (report.added, report.merged) == (0, 1)
    [row] = search(filled, Query(text="machine learning specialization")).rows
    assert row["sources"] == ["t", "aggregator"]
    assert row["certificate"] == "professional"  # the best certificate on offer
    assert row["cost"] == "free_audit"  # the cheapest way in


def test_snapshot_reloads_after_writes(filled: sa.Engine) -> None:
    searcher = Searcher(filled)
    assert searcher.search(Query()).total == 5
    import_records(filled, "u", [CourseRecord(source="u", source_id="1", title="New AI")])
    assert searcher.search(Query()).total == 6


def test_snapshot_columns_are_the_course_rows(engine: sa.Engine) -> None:
    """Every facet's codes, counts and value order (first appearance by id) and every
    number, checked against the rows read one by one; shared and empty lists, nulls."""
    extra = [
        rec("a", "A", topics=["nlp", "machine-learning"], languages=["de", "en"], cost=None,
            hours_min=5.0, rating=None, level=None, start_date=date(2027, 1, 2)),
        rec("b", "B", topics=["nlp", "machine-learning"], languages=[], provider=None,
            hours_min=3.0, hours_max=8.0, enrollments=1200),
        rec("c", "C", topics=[], languages=["fr"], cost="subscription", pace="self_paced",
            start_date=date(2027, 1, 2)),
        # values no vocabulary allows, as an import could bring them: read back exactly
        rec("d", "D", level='x\t"y",\\ ü]', provider="A\tB, \"C\"", topics=['[\t"]']),
        # numbers that need all 17 digits to read back equal
        rec("e", "E", price_eur=49 * 0.92, rating=1 / 3, hours_max=1e-7, enrollments=2**31 - 1),
    ]  # fmt: skip
    import_records(engine, "t", [*sample(), *extra], full=True)
    snap = Searcher(engine).snapshot()
    cols = "id, topics, languages, sources, cost, certificate, level, kind, provider, pace, status"
    with engine.connect() as conn:
        rows = [
            r._asdict() for r in conn.execute(sa.text(f"SELECT {cols} FROM course ORDER BY id"))
        ]
        numbers = conn.execute(
            sa.text(
                "SELECT CASE WHEN cost = 'free' THEN 0 ELSE price_eur END, "
                "hours_min, hours_max, rating, enrollments "
                "FROM course ORDER BY id"
            )
        ).all()
    assert snap.ids.tolist() == [r["id"] for r in rows]
    rng = np.random.default_rng(7)
    for facet, column in {**MULTI, **SINGLE}.items():
        per_row = [_as_list(r[column]) if facet in MULTI else [r[column]] for r in rows]
        values = [v for vals in per_row for v in vals if v is not None]
        codes = snap.columns[facet]
        assert codes.vocab == list(dict.fromkeys(values)), facet
        for _ in range(3):
            mask = rng.random(len(rows)) < 0.5
            expected = Counter(v for vals, m in zip(per_row, mask, strict=True) if m for v in vals)
            got = codes.counts(mask)
            assert {v: int(got[i]) for i, v in enumerate(codes.vocab) if got[i]} == {
                k: n for k, n in expected.items() if k is not None
            }, facet
    price, hours_min, hours_max, rating, enrollments = (
        np.array(c, dtype=float) for c in zip(*numbers, strict=True)
    )
    for got, want in (
        (snap.price, price),
        (snap.hours, np.where(np.isnan(hours_max), hours_min, hours_max)),
        (snap.rating, rating),
        (snap.enrollments, enrollments),
    ):
        assert np.array_equal(got, want, equal_nan=True)
    titled = {r["title"]: i for i, r in enumerate(fetch_rows(engine, snap.ids.tolist()))}
    assert (
        snap.start[titled["A"]] == snap.start[titled["C"]] == date(2027, 1, 2).toordinal() - 719163
    )
    assert np.isnan(snap.start[titled["B"]])


def test_snapshot_reads_only_its_covering_index_on_sqlite(engine: sa.Engine) -> None:
    """Migration 0003's index must hold every column the snapshot reads; otherwise SQLite
    goes back to scanning every wide course page (a new snapshot column needs a migration)."""
    if not db.is_sqlite(engine):
        pytest.skip("PostgreSQL has no snapshot index (see migration 0003)")
    for joined in (False, True):
        with engine.connect() as conn:
            sql = "EXPLAIN QUERY PLAN " + snapshot_sql("sqlite", joined=joined)
            plan = conn.exec_driver_sql(sql).all()
        assert [row[-1] for row in plan] == ["SCAN course USING COVERING INDEX ix_course_snapshot"]


def test_a_value_holding_a_separator_makes_the_sqlite_snapshot_go_row_by_row(
    engine: sa.Engine,
) -> None:
    """SQLite's snapshot comes as one text per column, split on control characters that
    normalised text never holds; a value written around the normaliser that holds one
    must not shift every course after it, so that read is refused and rows are read."""
    if not db.is_sqlite(engine):
        pytest.skip("only SQLite reads the snapshot as one text per column")
    import_records(engine, "t", sample(), full=True)
    odd = f"Acme{search_module.SEP}Labs"
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE course SET provider = :p WHERE id = (SELECT min(id) FROM course)"),
            {"p": odd},
        )
        cursor = conn.connection.cursor()
        assert search_module._joined_columns(cursor) is None
        cursor.close()
    result = Searcher(engine).search(Query(providers=(odd,)))
    assert result.total == 1
    providers = {fv.value: fv.count for fv in result.facets["provider"]}
    assert providers == {odd: 1, "KI-Campus": 1, "IBM": 1, "openHPI": 1, "Stanford": 1}


def test_a_restart_loads_the_saved_snapshot_only_for_the_same_catalog_state(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("only an SQLite catalog keeps its snapshot on disk")
    engine = open_catalog(db_url, seed=False)
    import_records(engine, "t", sample(), full=True)
    before = search(engine, Query(costs=("free",), sort="duration"))
    path = search_module.snapshot_file(engine)
    assert path is not None and path.exists()
    engine.dispose()

    def unread(dialect: str) -> str:
        raise AssertionError("the snapshot was read from the catalog, not loaded")

    # A new process on the same catalog: loaded, with the same answers.
    restarted = open_catalog(db_url, seed=False)
    with monkeypatch.context() as patched:
        patched.setattr(snapshot_module, "snapshot_sql", unread)
        again = Searcher(restarted).search(Query(costs=("free",), sort="duration"))
    assert (again.total, again.rows, again.facets) == (before.total, before.rows, before.facets)

    # A write makes it stale: read again (and saved for the next start).
    import_records(restarted, "u", [CourseRecord(source="u", source_id="1", title="New AI")])
    assert Searcher(restarted).search(Query()).total == 6
    # A damaged file is read around, then replaced.
    path.write_bytes(b"PK\x03\x04 not a snapshot")
    assert Searcher(restarted).search(Query()).total == 6
    with monkeypatch.context() as patched:
        patched.setattr(snapshot_module, "snapshot_sql", unread)
        assert Searcher(restarted).search(Query()).total == 6
    with restarted.connect() as conn:
        version = db.catalog_version(conn)
    restarted.dispose()

    # The catalog deleted and made anew at the same path: same version number, same
    # number of courses and ids, other courses.
    for name in ("catalog.sqlite3", "catalog.sqlite3-wal", "catalog.sqlite3-shm"):
        (tmp_path / name).unlink(missing_ok=name != "catalog.sqlite3")
    anew = open_catalog(db_url, seed=False)
    other = [rec(r.source_id, "Other " + r.title, provider="Other Academy") for r in sample()]
    import_records(anew, "t", other, full=True)
    import_records(anew, "u", [CourseRecord(source="u", source_id="1", title="New AI")])
    with anew.connect() as conn:
        assert db.catalog_version(conn) == version
    providers = Searcher(anew).search(Query()).facets["provider"]
    assert providers == [FacetValue("Other Academy", 5)]
    anew.dispose()


def test_engines_made_at_once_in_one_folder_all_succeed(tmp_path: Path) -> None:
    """Each app session makes its own engine; the data-directory check of one must not
    trip over another's (they once shared one probe file)."""
    from concurrent.futures import ThreadPoolExecutor

    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"

    def make(_: int) -> None:
        db.make_engine(url).dispose()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(make, range(400)))  # re-raises the first failure


def test_upgrade_is_idempotent_and_at_head(engine: sa.Engine) -> None:
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision(engine)
    assert db.head_revision(engine) == db.SCHEMA_HEAD  # what a start compares with


def test_a_start_upgrades_an_older_catalog_and_skips_alembic_on_a_current_one(
    db_url: str,
) -> None:
    older = db.make_engine(db_url)
    db.upgrade(older, "0001")
    older.dispose()
    engine = open_catalog(db_url, seed=False)
    assert db.current_revision(engine) == db.head_revision(engine)
    engine.dispose()
    # Where the schema is current, a start reads one row instead of loading Alembic.
    probe = (
        "import sys; from catalog.bootstrap import open_catalog; "
        f"open_catalog({db_url!r}, seed=False).dispose(); print('alembic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr


def test_empty_catalog_searches(engine: sa.Engine) -> None:
    result = search(engine, Query(text="anything", costs=("free",)))
    assert (result.total, result.rows) == (0, [])
    assert result.facets["cost"] == [FacetValue("free", 0, True)]


def test_store_keeps_out_nul_and_non_http_links(engine: sa.Engine) -> None:
    hostile = [
        rec("nul", "Deep\x00 Learning", description="a\x00b", url="https://ok.example/x"),
        rec("js", "Script", url="javascript:alert(1)"),
        rec("data", "Data URL", url=" DATA:text/html,x"),
    ]
    assert import_records(engine, "t", hostile).added == 3
    rows = {r["source_id"]: r for r in search(engine, Query()).rows}
    assert rows["nul"]["title"] == "Deep Learning"
    assert rows["nul"]["url"] == "https://ok.example/x"
    assert rows["js"]["url"] is None and rows["data"]["url"] is None


def test_broad_words_rank_title_matches_first(
    filled: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.search.match

    if filled.dialect.name != "sqlite":
        pytest.skip("title-first ranking of broad words is SQLite's; PostgreSQL uses ts_rank_cd")
    extra = rec("desc", "Statistics Basics", description="a course on learning", rating=5.0)
    import_records(filled, "t", [*sample(), extra], full=True)
    monkeypatch.setattr(catalog.search.match, "BROAD_MATCH", 1)  # every word counts as broad
    found = titles(filled, Query(text="learning"))
    # title matches first, best rated first; then description-only matches, likewise
    assert found == [
        "Machine Learning Specialization",
        "Deep Learning with PyTorch",
        "Statistics Basics",
        "Maschinelles Lernen für Einsteiger",
    ]
