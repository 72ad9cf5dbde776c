"""kill -9 of `courseradar refresh` at random points, on SQLite and on PostgreSQL.

Why: a laptop lid closes, a container is OOM-killed, a user hits the power button. A
process killed with SIGKILL runs no cleanup at all, so whatever it leaves is what the
database and the OS guarantee — not what our code promises in a ``finally``. After each
kill the catalog must be intact (SQLite integrity_check, foreign keys, FTS5's own
integrity-check; on both dialects every listing has its course and the counts agree), no
source may be half-written (a source's listings all carry one revision and one
last_seen: all from before the run or all from after it), the refresh lock must be free
again (SQLite: a lock file may stay behind but the kernel dropped the flock; PostgreSQL:
the advisory lock went with the session) and the next refresh must succeed.

Two kinds of process are killed: a few real ``python -m catalog refresh`` processes (what
the ``courseradar`` script runs), and, for the bulk of the runs, children forked from a
launcher that imported the CLI once (tests/reliability/zygote.py) and then run the same
entry point, ``catalog.cli.main``. A kill -9 is the same for both; the fork only saves the
second of imports per run, which keeps 20+ runs per dialect affordable.

The site publishes a new revision before every run, so every committed write shows as a
revision change. Kill times are random (the seed is in the figures; set
COURSERADAR_RELIABILITY_SEED to replay): a fifth of the runs anywhere from process start,
the rest after the first request reached the site, i.e. while the refresh holds its lock
and writes. COURSERADAR_RELIABILITY_KILLS sets the forked runs per dialect (default 20).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
import sqlalchemy as sa

from catalog.refresh import INTERRUPTED, SourceLock, refresh_sources
from tests.reliability import support

pytestmark = pytest.mark.reliability

FORKED_KILLS = int(os.environ.get("COURSERADAR_RELIABILITY_KILLS", "20"))
REAL_KILLS = 2
SOURCES = ("futurelearn", "xikolo")
# Always name the sources: a bare `refresh` would try every registered source.
REFRESH = ["refresh", "--source", "futurelearn", "--source", "xikolo"]
ZYGOTE = Path(__file__).resolve().with_name("zygote.py")


class Proc(Protocol):
    def finished(self) -> bool: ...
    def kill(self) -> None: ...
    def wait(self) -> int | None: ...


class RealProc:
    """``python -m catalog ...`` as its own process."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = support.spawn(*argv, env=env)

    def finished(self) -> bool:
        return self.proc.poll() is not None

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)

    def wait(self) -> int | None:
        return self.proc.wait(timeout=30)


class Zygote:
    """The launcher of tests/reliability/zygote.py: forks one child per command."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ZYGOTE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=support.cli_env({}),
        )

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


class ForkedProc:
    """A child of the Zygote running ``catalog.cli.main`` with the given argv."""

    def __init__(self, zygote: Zygote, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.zygote = zygote
        self.pid = int(
            zygote.ask({"run": argv, "env": support.cli_env(env), "log": str(log)})["pid"]
        )

    def finished(self) -> bool:
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return True
        return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def wait(self) -> int | None:
        exitcode: int | None = self.zygote.ask({"wait": self.pid})["exitcode"]
        return exitcode


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    if not Path("/proc/self/stat").exists() or not hasattr(os, "fork"):
        pytest.skip("the forking launcher needs Linux (fork and /proc)")
    launcher = Zygote()
    try:
        yield launcher
    finally:
        launcher.close()


def _seed() -> int:
    configured = os.environ.get("COURSERADAR_RELIABILITY_SEED")
    return int(configured) if configured else random.SystemRandom().randrange(1, 10**9)


def _lock_wait(url: str, source: str, timeout: float) -> float | None:
    """Seconds until the source's refresh lock could be taken (None: never within timeout)."""
    start = time.monotonic()
    with support.engine_for(url) as eng:
        while True:
            lock = SourceLock(eng, source)
            if lock.acquire():
                lock.release()
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                return None
            time.sleep(0.02)


def _last_runs(url: str) -> dict[str, tuple[int, str]]:
    with support.engine_for(url) as eng:
        out = {}
        for source in SOURCES:
            rows = support.runs(eng, source)
            if rows:
                out[source] = (rows[-1]["id"], rows[-1]["state"])
        return out


class Campaign:
    """Kill runs against one catalog, with the checks after each and the figures."""

    def __init__(self, url: str, data: Path, site: support.Site, seed: int) -> None:
        self.url = url
        self.data = data
        self.site = site
        self.seed = seed
        self.rng = random.Random(seed)
        self.env = {
            "COURSERADAR_DATA_DIR": str(data),
            "COURSERADAR_DATABASE_URL": url,
            **site.env(SOURCES),
        }
        self.version = 1
        self.outcomes: dict[str, int] = {}
        self.lock_waits: list[float] = []
        self.stale_files = 0
        self.runs = 0
        self.to_first = 0.5  # process start -> first request; updated as runs show it
        self.window = 1.0  # first request -> end of the run

    def calibrate(self, start: Any) -> None:
        """One complete run: when does the first request arrive, how long is the rest?"""
        self.site.server.clear_log()
        t0 = time.monotonic()
        proc = start(REFRESH, self.env)
        assert support.wait_for(proc.finished, 120)
        proc.wait()
        self.to_first = max(0.05, min(r.start for r in self.site.server.log) - t0)
        self.window = max(0.2, time.monotonic() - t0 - self.to_first)
        self.check(0)

    def kill_run(self, start: Any) -> None:
        self.runs += 1
        self.version += 1
        self.site.publish(self.version)
        self.site.server.clear_log()
        before = _last_runs(self.url)
        t0 = time.monotonic()
        proc = start(REFRESH, self.env)
        if self.rng.random() < 0.2:
            support.wait_for(proc.finished, self.rng.uniform(0, self.to_first * 1.5))
        else:
            support.wait_for(lambda: bool(self.site.server.log) or proc.finished(), 60)
            if self.site.server.log:
                self.to_first = self.site.server.log[0].start - t0
            support.wait_for(proc.finished, self.rng.uniform(0, self.window))
        finished = proc.finished()
        if not finished:
            proc.kill()
        proc.wait()

        after = _last_runs(self.url)
        new = {s: r for s, r in after.items() if before.get(s) != r}
        left_running = [s for s, (_, state) in new.items() if state == "running"]
        if finished:
            outcome = "finished before the kill"
        elif not new:
            outcome = "killed before any run started"
        elif left_running:
            outcome = "killed while a source was refreshing"
        else:
            outcome = "killed between or after the sources"
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if self.url.startswith("sqlite"):
            with support.engine_for(self.url) as eng:
                self.stale_files += sum(SourceLock(eng, s).path.exists() for s in left_running)
        self.check(self.runs)

    def check(self, run: int) -> None:
        where = f"run {run}, seed {self.seed}"
        with support.engine_for(self.url) as eng:
            problems = support.integrity_problems(eng)
            assert problems == [], f"{where}: {problems}"
            for source in SOURCES:
                state = support.versions(eng, source)
                if not state["listings"]:
                    continue  # killed before this source's first import ever committed
                assert len(state["listing_versions"]) == 1, (where, source, state)
                assert state["course_versions"] == state["listing_versions"], (where, source)
                assert state["last_seen"] == 1, (where, source, state)
                assert state["listings"] == self.site.expected(source), (where, source, state)
        for source in SOURCES:
            waited = _lock_wait(self.url, source, timeout=10)
            assert waited is not None, f"{where}: the {source} lock is still held"
            self.lock_waits.append(waited)
        # The next refresh succeeds and brings every source to the served revision.
        with (
            support.engine_for(self.url) as eng,
            support.fast_fetcher(self.data / "http-cache.sqlite", autothrottle=False) as fetcher,
        ):
            reports = refresh_sources(eng, list(SOURCES), fetcher=fetcher)
            assert [r.state for r in reports] == ["ok", "ok"], [r.message for r in reports]
            for source in SOURCES:
                assert support.versions(eng, source)["listing_versions"] == [self.version]
            assert support.integrity_problems(eng) == []

    def finish(self) -> int:
        cache = self.data / "http-cache.sqlite"
        if cache.exists():
            with sqlite3.connect(cache) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with support.engine_for(self.url) as eng, eng.connect() as conn:
            left: int = conn.execute(
                sa.text("SELECT count(*) FROM refreshrun WHERE state = 'running'")
            ).scalar_one()
            closed: int = conn.execute(
                sa.text("SELECT count(*) FROM refreshrun WHERE message = :m"),
                {"m": INTERRUPTED},
            ).scalar_one()
        # A killed run's row said 'running' until the next refresh of its source closed it.
        assert left == 0
        return closed


def test_kill_9_during_refresh_leaves_an_intact_catalog(
    db_url: str,
    clean_env: Path,
    zygote: Zygote,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    logs = tmp_path / "logs"
    logs.mkdir()

    def forked(argv: list[str], env: dict[str, str]) -> ForkedProc:
        return ForkedProc(zygote, argv, env, logs / "children.log")

    started = time.monotonic()
    with support.Site(futurelearn=40, xikolo=3, delay=0.01) as site:
        campaign = Campaign(db_url, clean_env, site, _seed())
        for key, value in campaign.env.items():  # the in-process refresh after each kill
            monkeypatch.setenv(key, value)
        # Real `python -m catalog refresh` processes first (the first one creates the
        # catalog: schema and curated starter set), then the forked bulk.
        campaign.calibrate(RealProc)
        for _ in range(REAL_KILLS):
            campaign.kill_run(RealProc)
        real_outcomes = dict(campaign.outcomes)
        campaign.outcomes.clear()
        campaign.to_first = 0.5  # a forked child skips the imports
        for _ in range(FORKED_KILLS):
            campaign.kill_run(forked)
        # And the command itself runs to the end once more.
        campaign.version += 1
        site.publish(campaign.version)
        last = forked(REFRESH, campaign.env)
        assert support.wait_for(last.finished, 120)
        assert last.wait() == 0, (logs / "children.log").read_text()[-3000:]
        interrupted = campaign.finish()

    support.record(
        f"kill -9 on {dialect}",
        seed=campaign.seed,
        real_process_runs=REAL_KILLS,
        real_process_outcomes=real_outcomes,
        forked_runs=FORKED_KILLS,
        forked_outcomes=campaign.outcomes,
        integrity_problems=0,
        half_written_sources=0,
        next_refresh_ok=campaign.runs,
        max_lock_wait_seconds=round(max(campaign.lock_waits), 2),
        stale_lock_files_taken_over=campaign.stale_files,
        interrupted_runs_closed_by_next_refresh=interrupted,
        run_rows_left_running=0,
        seconds=round(time.monotonic() - started, 1),
    )
