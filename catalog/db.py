"""Engines, transactions and schema upgrades for SQLite (default) and PostgreSQL.

The engine is always passed in (never a module global), so tests and tools hand in
their own. SQLite runs in WAL mode with a busy timeout and foreign keys on; write
transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout
instead of failing with "database is locked" when a reader upgrades to a writer.

A writer waiting for the lock polls every few milliseconds (:func:`_begin_immediate`)
rather than through SQLite's busy handler, whose sleeps grow to 100 ms: a long import
commits step by step (:func:`stepped_tx`) and leaves a short gap after each step, and a
waiting note or refresh must find that gap.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from platformdirs import user_data_dir
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from sqlmodel import Session

APP_NAME = "courseradar"
BUSY_TIMEOUT_MS = 30_000
# How often a writer waiting for SQLite's write lock tries again, and the gap a stepped
# transaction leaves after each commit so that a waiting writer gets in (a few times the
# poll, so one poll always falls inside it).
LOCK_POLL_S = 0.002
STEP_GAP_S = 0.01


class DatabaseError(RuntimeError):
    """A database problem explained in one line, with what to do about it."""


def data_dir() -> Path:
    """Where CourseRadar keeps its files: ``COURSERADAR_DATA_DIR`` or the platform's data dir."""
    configured = os.environ.get("COURSERADAR_DATA_DIR")
    return Path(configured).expanduser() if configured else Path(user_data_dir(APP_NAME))


def database_url() -> str:
    """``COURSERADAR_DATABASE_URL`` if set, else an SQLite file in the data directory."""
    url = os.environ.get("COURSERADAR_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'catalog.sqlite3'}"


def _ensure_sqlite_dir(url: sa.URL) -> None:
    if not url.database or url.database == ":memory:":
        return
    folder = Path(url.database).expanduser().resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A probe of its own: engines made at once (app sessions) must not delete each
        # other's probe file.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DatabaseError(
            f"cannot write to the data directory {folder} ({exc.strerror or exc}); "
            "set COURSERADAR_DATA_DIR to a writable folder or COURSERADAR_DATABASE_URL "
            "to another database"
        ) from None


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`) with the pragmas this app needs."""
    raw_url = url or database_url()
    try:
        parsed = sa.make_url(raw_url)
    except sa.exc.ArgumentError:
        raise DatabaseError(
            f"COURSERADAR_DATABASE_URL is not a database URL: {raw_url!r}; "
            "use sqlite:///path/file.sqlite3 or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_dir(parsed)
        # isolation_level=None hands transaction control to the events below.
        connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)
        _install_sqlite_events(engine, float(connect_args["timeout"]))
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs.setdefault("pool_pre_ping", True)
        return sa.create_engine(parsed, **kwargs)
    raise DatabaseError(
        f"unsupported database {parsed.get_backend_name()!r}; use SQLite or PostgreSQL"
    )


def _install_sqlite_events(engine: Engine, timeout: float) -> None:
    busy_ms = int(timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        # Only takes effect on a new, empty file. A course row is ~2 KB: two rarely fit
        # a 4 KiB page, so half of every page stayed empty; 16 KiB pages made a bulk load
        # a third faster and the file a fifth smaller.
        cur.execute("PRAGMA page_size=16384")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: the FTS index builds in memory
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("write", False)
        if not write:
            conn.exec_driver_sql("BEGIN")
            return
        _begin_immediate(conn, busy_ms)


def _begin_immediate(conn: Connection, busy_ms: int) -> None:
    """``BEGIN IMMEDIATE``, polled every LOCK_POLL_S for up to ``busy_ms`` (the busy timeout).

    The connection's own busy timeout is switched off meanwhile (it would sleep up to
    100 ms between tries); the last try goes through SQLAlchemy, so a lock that stays
    taken raises its usual OperationalError ("database is locked").
    """
    raw: Any = conn.connection.driver_connection
    deadline = time.monotonic() + busy_ms / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            time.sleep(LOCK_POLL_S)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={busy_ms}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on any exception."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


@contextmanager
def stepped_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction that the caller may commit in steps (:func:`commit_step`):
    committed at the end, the open step rolled back on any exception (committed steps
    stay). Each step takes the write lock anew, so other writers get in between."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def commit_step(conn: Connection) -> None:
    """Commit a step of :func:`stepped_tx`; on SQLite leave a short gap for a waiting
    writer before the next step takes the lock again."""
    conn.commit()
    if conn.dialect.name == "sqlite":
        time.sleep(STEP_GAP_S)


@contextmanager
def session(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """An ORM session; ``write=True`` takes the SQLite write lock at BEGIN."""
    from sqlmodel import Session  # SQLModel (pydantic) loads only where the ORM is used

    with engine.connect() as conn:
        if write:
            conn.execution_options(write=True)
        with Session(bind=conn) as sess:
            try:
                yield sess
                if write:
                    sess.commit()
            except BaseException:
                sess.rollback()
                raise


def check_connection(engine: Engine) -> None:
    """Fail early, in one line, when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(
            f"cannot reach the database at {engine.url.render_as_string(hide_password=True)} "
            f"({reason}); check COURSERADAR_DATABASE_URL and that the server is running"
        ) from None


def bump_version(conn: Connection) -> None:
    """Mark the catalog as changed so in-memory search indexes reload."""
    conn.execute(
        sa.text(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR(20)) "
            "WHERE key = 'catalog_version'"
        )
    )


def catalog_version(conn: Connection) -> int:
    value = conn.execute(sa.text("SELECT value FROM meta WHERE key = 'catalog_version'")).scalar()
    return int(value or 0)


# -- schema upgrades ---------------------------------------------------------------

MIGRATIONS = Path(__file__).with_name("migrations")


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


# The newest migration's revision (tests check it is Alembic's head). Knowing it here lets
# every start find a current schema with one query instead of loading Alembic (~0.4 s).
SCHEMA_HEAD = "0005_plan"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Migrations only add; they never drop user data."""
    from alembic import command

    check_connection(engine)
    command.upgrade(_alembic_config(engine), revision)


def ensure_schema(engine: Engine) -> None:
    """Upgrade to the head unless the schema is there already (what every start does)."""
    check_connection(engine)
    if stored_revision(engine) != SCHEMA_HEAD:
        upgrade(engine)


def stored_revision(engine: Engine) -> str | None:
    """The revision in alembic_version, or None where there is none (an empty database)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
