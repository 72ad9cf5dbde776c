"""Opening the catalog: engine, schema upgrade, and the starter catalog on first start.

Front ends call :func:`open_catalog` and get an engine whose schema is current and
whose catalog holds at least the curated starter set, with no network needed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog import db
from catalog.record import CourseRecord

CURATED_SOURCE = "curated"


def open_catalog(url: str | None = None, *, seed: bool = True) -> Engine:
    """Engine for ``url`` with the schema upgraded and the curated set loaded if needed."""
    engine = db.make_engine(url)
    db.ensure_schema(engine)
    if seed:
        loaded = sync_curated(engine)
        if loaded or not _has_vectors(engine):
            seed_vectors(engine)
    return engine


def _has_vectors(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT 1 FROM course_vector LIMIT 1")).first() is not None


def seed_vectors(engine: Engine) -> int:
    """Store the starter catalog's vectors as shipped (no model runs: a first start is not
    held up); other courses are embedded by import and refresh."""
    from catalog.search.vectors import shipped_vectors, update_vectors

    model, known = shipped_vectors()
    return update_vectors(engine, None, known=known, model=model)


def with_eur(records: list[CourseRecord]) -> list[CourseRecord]:
    """Fill price_eur from the newest ECB rates we have where price and currency are known."""
    from catalog.refresh import current_rates

    rates = current_rates()
    for rec in records:
        if rec.price_amount is not None and rec.price_currency and rec.price_eur is None:
            rec.price_eur = rates.to_eur(rec.price_amount, rec.price_currency)
            rec.price_rate_date = rates.date if rec.price_eur is not None else None
        for offer in rec.offers:
            if offer.price_amount is not None and offer.price_currency:
                offer.price_eur = rates.to_eur(offer.price_amount, offer.price_currency)
    return records


def sync_curated(engine: Engine, path: Path | None = None) -> bool:
    """Load the curated file when it changed since the last load (or never was loaded).

    The file ships with the package, so an upgrade that brings new curated facts gets
    them into an existing catalog; user data is untouched. Returns True if it loaded.
    """
    from catalog.curated import DEFAULT_PATH, load_curated

    source_path = path or DEFAULT_PATH
    digest = hashlib.sha256(source_path.read_bytes()).hexdigest()
    with engine.connect() as conn:
        known = conn.execute(
            sa.text("SELECT value FROM meta WHERE key = 'curated_sha256'")
        ).scalar()
    if known == digest:
        return False
    from catalog.refresh import import_records

    records = with_eur(load_curated(source_path))
    import_records(engine, CURATED_SOURCE, records, title="Curated starter catalog", full=True)
    with db.write_tx(engine) as conn:
        conn.execute(sa.text("DELETE FROM meta WHERE key = 'curated_sha256'"))
        conn.execute(
            sa.text("INSERT INTO meta (key, value) VALUES ('curated_sha256', :v)"), {"v": digest}
        )
    return True
