"""Alembic environment: runs on the engine the caller hands in (see catalog.db.upgrade)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import catalog.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when run through the alembic command line
    from catalog.db import make_engine

    engine = make_engine()

with engine.connect() as connection:
    if engine.dialect.name == "sqlite":
        connection.execution_options(write=True)
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters tables by copying
    )
    with context.begin_transaction():
        context.run_migrations()
