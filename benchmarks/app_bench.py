"""The app at N courses in a real browser: start-up to first results, filter change to results.

`courseradar serve --headless` runs on a copy-free 100k catalog (the curated starter set
synced into it beforehand, as on any catalog that has been opened once) and is driven by
Debian's Chromium through Playwright. Start-up is timed from spawning the command to the
first page of results on screen (the browser is already running).

A filter change is timed from the press on a facet value to the moment the result sentence
shows the new search and Streamlit has finished the run, both read off the page's own clock
(``performance.now()``), so Playwright's work before it presses (its actionability checks)
is not counted; the harness's own stopwatch around the same change is kept beside it. Each
change is a new search (no cached result), except the resets.

The app's peak RSS (VmHWM of the serve process, which runs Streamlit) is read before it is
stopped. Then the app is started again on the same catalog (a restart: the search snapshot
saved beside the catalog is loaded, not read, as on every start after a ``courseradar
import`` or ``refresh``; a first start is timed with that file removed), and, as the
baseline of the same run, a Streamlit app that only shows a heading and a 25-row table is
timed the same way: what any Streamlit page costs on this machine right now. A single start
moved by a second from one to the next on a shared 2-core machine, so each kind is timed
STARTS times, the kinds taking turns, and reported by its median.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SENTENCE = "[data-testid='stHeading'] h3"
RUNNING = "[data-testid='stStatusWidget']"
# Facets whose values the benchmark picks, by their place in the sidebar (ui/views/search.py:
# topic, cost, certificate, level, language, kind, provider, source).
FACETS = (1, 3, 2, 5)
ROUNDS = 4  # a facet's first four values: every pick a new search
STARTS = 3  # starts of each kind (first, restart, baseline), taking turns


# The baseline: the least a Streamlit page with a result table costs to show.
BASELINE_APP = """
import pandas as pd
import streamlit as st

st.title("Baseline")
st.subheader("25 rows")
st.dataframe(pd.DataFrame({"id": range(25), "title": [f"Course {i}" for i in range(25)]}))
"""


@dataclass
class AppFigures:
    # seconds from the spawn, one per start: to /_stcore/health answering (first starts),
    # and to the first page of results on screen for each kind of start
    health: list[float] = field(default_factory=list)
    firsts: list[float] = field(default_factory=list)  # no saved search snapshot
    restarts: list[float] = field(default_factory=list)  # the snapshot saved by a start
    baselines: list[float] = field(default_factory=list)  # BASELINE_APP, `streamlit run`
    changes: list[float] = field(default_factory=list)  # seconds per facet value picked
    resets: list[float] = field(default_factory=list)  # seconds per "Reset filters"
    # the same changes by the harness's stopwatch: from calling the click to noticing
    changes_harness: list[float] = field(default_factory=list)
    retried: int = 0  # clicks the page did not take within 15 s (tried again)
    peak_rss_mb: float = 0.0

    @property
    def health_s(self) -> float:
        return statistics.median(self.health)

    @property
    def first_results_s(self) -> float:
        return statistics.median(self.firsts)

    @property
    def restart_s(self) -> float:
        return statistics.median(self.restarts)

    @property
    def baseline_s(self) -> float:
        return statistics.median(self.baselines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
                out.extend(int(c) for c in children)
        except OSError:
            continue
    return out


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _serve_command(port: int) -> list[str]:
    exe = shutil.which("courseradar", path=str(Path(sys.executable).parent)) or "courseradar"
    return [exe, "serve", "--headless", "--port", str(port)]


def _baseline_command(script: Path) -> Any:
    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ]  # fmt: skip

    return command


@contextlib.contextmanager
def _serve(
    url: str, data_dir: Path, log: Path, command: Any = _serve_command
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {**os.environ, "COURSERADAR_DATA_DIR": str(data_dir), "COURSERADAR_DATABASE_URL": url}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command(port),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop the whole group, children included
        )
        try:
            yield proc, f"http://127.0.0.1:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the app did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)


def _settled(page: Any, old: str | None = None, timeout: float = 60_000) -> None:
    """Until the sentence differs from ``old`` (if given) and no run is in progress; the
    page notes when it first saw that (``window.__crDone``, its own clock)."""
    page.wait_for_function(
        """([sel, running, old]) => {
            const h = document.querySelector(sel);
            const done = h && (old === null || h.innerText !== old)
                && !document.querySelector(running);
            if (done && window.__crDone == null) window.__crDone = performance.now();
            return done;
        }""",
        arg=[SENTENCE, RUNNING, old],
        timeout=timeout,
        polling=10,
    )


# The page's clock at the press that makes a change (capturing listener, installed once
# per page load), reset before each change together with the time it settled.
_MARK_PRESS = """() => {
    if (!window.__crListening) {
        window.__crListening = true;
        document.addEventListener(
            "pointerdown", () => { window.__crDown = performance.now(); }, true);
    }
    window.__crDown = null;
    window.__crDone = null;
}"""


def _in_page(page: Any) -> float | None:
    """Seconds from the press to the settled results by the page's clock (None if unseen)."""
    down, done = page.evaluate("() => [window.__crDown, window.__crDone]")
    return (done - down) / 1000 if down is not None and done is not None else None


def _sentence(page: Any) -> str:
    return str(page.locator(SENTENCE).first.inner_text())


def _change(page: Any, figures: AppFigures, prepare: Any, act: Any) -> tuple[float, float]:
    """Time one filter change: (by the page's clock, by the harness's) from the press in
    ``act()`` to the new results on screen.

    ``prepare`` (opening a list) is not timed. A change the page has not taken within 15 s
    is tried again (and counted in ``figures.retried``); the times of the try that worked
    are returned.
    """
    for _attempt in range(3):
        prepare()
        old = _sentence(page)
        page.evaluate(_MARK_PRESS)
        t0 = time.perf_counter()
        try:
            act()
            _settled(page, old, timeout=15_000)
        except Exception:
            figures.retried += 1
            page.keyboard.press("Escape")
            _quiet(page)
            continue
        elapsed = time.perf_counter() - t0
        in_page = _in_page(page)
        _quiet(page)
        if in_page is None:
            raise RuntimeError("the page saw no press on the value it changed")
        return in_page, elapsed
    raise RuntimeError(f"no new results after three tries of a filter change on {page.url}")


def _quiet(page: Any) -> None:
    """Until no run has been in progress and the sentence has not changed for 0.5 s
    (a widget callback may trigger a second run; the next click must not race it)."""
    last = None
    for _ in range(100):
        _settled(page)
        page.wait_for_timeout(500)
        now = (_sentence(page), page.url, page.locator(RUNNING).count())
        if now == last and now[2] == 0:
            return
        last = now


def _open(page: Any, widget: Any) -> None:
    """Open a multiselect's list (after a reset the widgets are new: a first click may miss)."""
    for _attempt in range(5):
        widget.locator("input").click()
        try:
            page.get_by_role("option").first.wait_for(timeout=3000)
            return
        except Exception:
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
    raise RuntimeError("a facet's list of values did not open")


@contextlib.contextmanager
def _started(
    browser: Any, url: str, data_dir: Path, log: Path, command: Any = _serve_command
) -> Iterator[tuple[Any, subprocess.Popen[bytes], float, float]]:
    """Spawn the command and open its page in a fresh browser context (nothing cached from
    an earlier start); yields (page, process, seconds to health, seconds to first results),
    both from the spawn, and stops everything after."""
    page = browser.new_page(viewport={"width": 1440, "height": 1100})
    try:
        t0 = time.perf_counter()
        with _serve(url, data_dir, log, command) as (proc, base):
            _wait_healthy(proc, base, log)
            health = time.perf_counter() - t0
            page.goto(base + "/")
            page.wait_for_selector("[data-testid='stDataFrame']", timeout=120_000)
            _settled(page, timeout=120_000)
            yield page, proc, health, time.perf_counter() - t0
    finally:
        page.close()


def run(url: str, rounds: int = ROUNDS, starts: int = STARTS) -> AppFigures:
    """Start the app on the catalog at ``url`` and time it; everything is stopped after."""
    from playwright.sync_api import sync_playwright

    from catalog.bootstrap import open_catalog
    from catalog.search import snapshot_file

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="courseradar-app-") as tmp:
        data_dir = Path(tmp) / "data"
        engine = open_catalog(url)  # the starter set, as after the first start
        saved = snapshot_file(engine)
        engine.dispose()
        log = Path(tmp) / "serve.log"
        script = Path(tmp) / "baseline_app.py"
        script.write_text(BASELINE_APP)
        figures = AppFigures()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                for turn in range(starts):
                    # A first start finds no saved search snapshot (a catalog written by
                    # other means than our commands, which save it as they end).
                    if saved is not None:
                        saved.unlink(missing_ok=True)
                    with _started(browser, url, data_dir, log) as (page, proc, health, first):
                        figures.health.append(health)
                        figures.firsts.append(first)
                        if turn == 0:
                            _filter_changes(page, figures, rounds)
                            # serve runs Streamlit in its own process; any child counts too
                            figures.peak_rss_mb = max(
                                _hwm_mb(p) for p in (proc.pid, *_descendants(proc.pid))
                            )
                    with _started(browser, url, data_dir, log) as (*_, restart):
                        figures.restarts.append(restart)
                    baseline = _baseline_command(script)
                    with _started(browser, url, data_dir, log, baseline) as (*_, first):
                        figures.baselines.append(first)
            finally:
                browser.close()
    return figures


def _filter_changes(page: Any, figures: AppFigures, rounds: int) -> None:
    """``rounds`` times a new value on each of FACETS, each change followed by a reset."""
    _quiet(page)
    widgets = page.locator("[data-testid='stMultiSelect']")
    reset = page.get_by_role("button", name="Reset")
    for r in range(rounds):
        for nth in FACETS:

            def pick(r: int = r) -> None:
                # the multiselect applies its value when it closes
                values = page.get_by_role("option").filter(has_not_text="Select all")
                values.nth(r).click(timeout=5000)
                page.keyboard.press("Escape")

            def open_list(nth: int = nth) -> None:
                _open(page, widgets.nth(nth))

            in_page, harness = _change(page, figures, open_list, pick)
            figures.changes.append(in_page)
            figures.changes_harness.append(harness)
            in_page, _ = _change(page, figures, lambda: None, reset.click)
            figures.resets.append(in_page)
