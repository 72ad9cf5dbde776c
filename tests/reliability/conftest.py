"""Fixtures of the reliability suite: a network guard, local sites, measured figures.

Why a guard: this suite throws faults, kills and hostile input at CourseRadar, and the one
thing it must never do is reach a real host by accident (a source left with its default
endpoint). Inside the test process every DNS lookup and every socket connect that is not
to the loopback address fails at once; subprocesses get endpoint overrides for every
endpoint of the sources they refresh (``support.endpoint_env`` asserts that).

Figures (runs, errors, example counts) are collected by ``support.record`` and printed at
the end of the run; with COURSERADAR_RELIABILITY_FIGURES=path they are also written there
as JSON (docs/reliability.md quotes them).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability import support

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address: Any) -> None:
    if isinstance(address, str | bytes):  # AF_UNIX: a local socket (PostgreSQL, Streamlit)
        return
    if isinstance(address, tuple) and address and _loopback(address[0]):
        return
    raise OSError(f"reliability suite: refused to contact {address!r} (not 127.0.0.1)")


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection from this process goes to 127.0.0.1 or fails loudly."""

    def connect(self: socket.socket, address: Any) -> None:
        _check(address)
        return _real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(address)
        return _real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not _loopback(name):
            raise socket.gaierror(f"reliability suite: refused to resolve {name!r}")
        return _real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No endpoint override or database URL from the caller's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("COURSERADAR_"):
            monkeypatch.delenv(key)
    data = tmp_path / "data"
    monkeypatch.setenv("COURSERADAR_DATA_DIR", str(data))
    return data


@pytest.fixture
def site() -> Iterator[support.Site]:
    """futurelearn and xikolo served from 127.0.0.1 (version 1 published)."""
    with support.Site() as served:
        yield served


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not support.FIGURES:
        return
    terminalreporter.section("reliability figures")
    for section, values in sorted(support.FIGURES.items()):
        terminalreporter.write_line(f"{section}: {json.dumps(values, sort_keys=True, default=str)}")
    target = os.environ.get("COURSERADAR_RELIABILITY_FIGURES")
    if target:
        Path(target).write_text(
            json.dumps(support.FIGURES, indent=2, sort_keys=True, default=str) + "\n"
        )
