"""One refresh per source at a time: a file lock on SQLite, an advisory lock on PostgreSQL.

Several ``courseradar refresh`` processes (a timer and a user, say) then share the sources
between them instead of refreshing one twice.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from catalog.db import data_dir, is_sqlite

_log = logging.getLogger(__name__)


class SourceLock:
    """Held while a source refreshes, so no two refreshes of one source overlap.

    SQLite: a file lock ``locks/<source>.lock`` beside the database file (the data dir for
    the default database), which covers every process on this machine. PostgreSQL: a
    session advisory lock ``pg_try_advisory_lock(hashtext('courseradar:' || source))`` on
    a connection of its own, held for the whole run, which covers every machine using the
    server; if the process dies the server drops the lock with the connection. A catalog
    in a schema other than ``public`` adds the schema to the key, so two catalogs in one
    database (the test suite's schemas, say) do not block each other.

    ``acquire`` never waits: a refresh that finds its source busy is skipped, not queued.
    """

    def __init__(self, engine: Engine, source: str) -> None:
        self.engine = engine
        self.source = source
        self._file: Any = None
        self._conn: sa.Connection | None = None
        self._key: str | None = None

    @property
    def path(self) -> Path:
        """The lock file used on SQLite."""
        return lock_dir(self.engine) / f"{_safe_name(self.source)}.lock"

    def acquire(self) -> bool:
        """Take the lock if it is free; False (at once) if another refresh holds it."""
        if is_sqlite(self.engine):
            from filelock import FileLock, Timeout

            path = self.path
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(path), timeout=0)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                return False
            self._file = lock
            return True
        conn = self.engine.connect()
        # Out of the pool: closing it ends the session, and with it the lock, even if this
        # object is dropped without release(); a pooled session would keep the lock.
        conn.detach()
        try:
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
            key = "courseradar:" + ("" if schema in (None, "public") else f"{schema}:")
            self._key = key + self.source
            got = conn.execute(
                sa.text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": self._key}
            ).scalar()
            conn.commit()  # the lock is the session's; no transaction stays open
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        """Give the lock back (a no-op when not held)."""
        if self._file is not None:
            self._file.release()
            self._file = None
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.rollback()
                conn.execute(
                    sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": self._key}
                )
                conn.commit()
            except Exception:
                _log.warning("could not unlock %s; closing the session", self.source)
            finally:
                conn.close()  # detached: the session ends here

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_dir(engine: Engine) -> Path:
    """Where the SQLite lock files live: ``locks/`` beside the database file."""
    database = engine.url.database
    if is_sqlite(engine) and database and database != ":memory:" and "mode=memory" not in database:
        return (
            Path(database.removeprefix("file:").split("?")[0]).expanduser().resolve().parent
            / "locks"
        )
    return data_dir() / "locks"


def _safe_name(source: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", source) or "_"
