"""``courseradar serve``: Streamlit in this process, the catalog opened and warm before a
browser asks.

Why in this process: started as a child (``python -m streamlit run``), Streamlit paid for a
second interpreter and imported again all that serve had imported to open the catalog, and
the app's first run then opened the catalog, loaded its libraries and built the search
snapshot while the first visitor waited. Here the catalog is upgraded and seeded once,
before anything listens (a problem ends the command in one line), and once Streamlit
listens a thread loads what the first page needs (libraries, taxonomy, search snapshot)
while the browser loads the page.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
# What `streamlit run` is given: the app with the feed routes (ui/feeds.py) beside it.
ASGI = Path(__file__).resolve().parent / "asgi.py"


def run(port: int, host: str, *, open_browser: bool) -> None:
    """Serve the app on ``host:port`` until Streamlit stops (Ctrl+C, SIGTERM)."""
    from streamlit.web import cli as streamlit_cli

    from catalog.bootstrap import open_catalog

    # Upgrade and seed now, so a database problem ends the command in one line before
    # anything listens; the app's own open then finds the schema current (one query).
    open_catalog().dispose()
    threading.Thread(
        target=_warm_up, args=(host, port), name="courseradar-warm-up", daemon=True
    ).start()
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"  # noqa: S104
    print(f"CourseRadar at {url}  (Ctrl+C stops it)", flush=True)
    print(f"Feeds of saved searches at {url}/feeds/<id>.atom", flush=True)
    if open_browser:
        threading.Thread(target=_open_when_up, args=(url,), daemon=True).start()
    # Streamlit always runs headless: on a first start without it, Streamlit stops at an
    # interactive e-mail prompt before serving anything. We open the browser ourselves.
    # No file watcher: after every run it resolved the path of each of the ~2,000 loaded
    # modules on the event loop (~0.3 s that held back the run's last messages); the
    # installed app does not change under a user (`streamlit run ui/app.py` when editing).
    args = [
        "run", str(ASGI),
        "--server.port", str(port), "--server.address", host,
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    # The `streamlit` command's own entry point, so options mean what they mean there.
    streamlit_cli.main(args, prog_name="streamlit", standalone_mode=False)


def _warm_up(host: str, port: int, timeout: float = 60.0) -> None:
    """ui.data.warm_up once Streamlit listens: before, it would only slow Streamlit's own
    start (one interpreter lock), while after it, it runs as the browser loads the page.
    (ui.data's caches also want Streamlit's runtime to exist when they are created.)"""
    from streamlit import runtime

    address = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    deadline = time.monotonic() + timeout
    while not (runtime.exists() and _listening(address, port)):
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)
    from ui import data

    try:
        data.warm_up()
    except Exception as exc:  # the first page run meets the same problem and shows it
        logging.getLogger(__name__).warning("warm-up stopped: %s", exc)


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _open_when_up(url: str, timeout: float = 60.0) -> None:
    """Open the browser once the app answers its health check (best effort)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):  # noqa: S310 - our own local URL
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.5)
