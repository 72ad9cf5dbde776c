"""catalog.rates: the shipped ECB table, conversion, and updating it from a (local) server.

No test touches the network: update_rates talks to an http.server this file starts on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests

from catalog.rates import (
    ECB_DAILY_URL,
    SHIPPED_RATES_PATH,
    Rates,
    RatesError,
    load_rates,
    parse_ecb_xml,
    update_rates,
)

SHIPPED = SHIPPED_RATES_PATH.read_bytes()


def with_day(content: bytes, day: str) -> bytes:
    return content.replace(b"time='2024-12-19'", f"time='{day}'".encode())


# ---------------------------------------------------------------------------------------------
# The shipped file
# ---------------------------------------------------------------------------------------------


def test_shipped_file_is_the_documented_ecb_copy():
    # ecb_rates.PROVENANCE.md names this hash; a changed file must change the provenance too.
    assert hashlib.sha256(SHIPPED).hexdigest() == (
        "f820cf4257b475ade3eb12b124a53752869d6c660c68cbc8275d3d70ec7a00b9"
    )
    provenance = (SHIPPED_RATES_PATH.parent / "ecb_rates.PROVENANCE.md").read_text("utf-8")
    assert hashlib.sha256(SHIPPED).hexdigest() in provenance
    assert "efd61214365ae44c03c765e6476bcb9ec0d1fd2a" in provenance


def test_shipped_file_parses_to_what_it_says():
    rates = load_rates()
    assert rates.date == date(2024, 12, 19)
    assert len(rates.rates) == 30
    assert rates.rates["USD"] == 1.0395
    assert rates.rates["GBP"] == 0.82445
    assert rates.rates["CHF"] == 0.9319
    assert rates.rates["INR"] == 88.4810
    assert rates.rates["JPY"] == 163.07
    assert "EUR" not in rates.rates and "HRK" not in rates.rates and "RUB" not in rates.rates


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (49, "USD", 47.14),  # 49 / 1.0395 = 47.138...
        (49.0, "usd", 47.14),
        (300, " USD ", 288.6),
        (39, "GBP", 47.3),  # 39 / 0.82445 = 47.304...
        (150, "CHF", 160.96),  # 150 / 0.9319 = 160.961...
        (3999, "INR", 45.2),  # 3999 / 88.481 = 45.196...
        (22.9, "EUR", 22.9),
        (22.899, "EUR", 22.9),
        (0, "USD", 0.0),
        (49, "XYZ", None),
        (49, "RUB", None),  # not in the ECB table since 2022
        (49, None, None),
        (49, 3, None),
        (None, "USD", None),
        ("49", "USD", None),
        (True, "USD", None),
        (-1, "USD", None),
        (float("nan"), "USD", None),
        (float("inf"), "EUR", None),
    ],
)
def test_to_eur(amount, currency, expected):
    assert load_rates().to_eur(amount, currency) == expected


def test_rate_lookup():
    rates = Rates(date=date(2024, 1, 2), rates={"USD": 1.1})
    assert rates.rate("EUR") == 1.0
    assert rates.rate("usd") == 1.1
    assert rates.rate("GBP") is None
    assert rates.rate(None) is None


# ---------------------------------------------------------------------------------------------
# Parsing other input
# ---------------------------------------------------------------------------------------------


HISTORY = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
 xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<Cube><Cube time="2024-12-18"><Cube currency="USD" rate="1.0479"/></Cube>
<Cube time="2024-12-19"><Cube currency="USD" rate="1.0395"/></Cube></Cube></gesmes:Envelope>
"""  # hand-built in the ECB layout (history files list several days; newest first or last)


def test_history_file_takes_the_newest_day():
    rates = parse_ecb_xml(HISTORY)
    assert (rates.date, rates.rates) == (date(2024, 12, 19), {"USD": 1.0395})


def test_str_input_is_accepted():
    assert parse_ecb_xml(SHIPPED.decode("utf-8")).rates["USD"] == 1.0395


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"<html><body>Service unavailable</body></html>", "root element"),
        (b"not xml at all", "not XML"),
        (b"<gesmes:Envelope", "not XML"),
        (SHIPPED[:700], "not XML"),  # truncated download
        (SHIPPED.replace(b"rate='1.0395'", b"rate='1,0395'"), "not a decimal number"),
        (SHIPPED.replace(b"rate='1.0395'", b"rate='0'"), "not positive"),
        (SHIPPED.replace(b"rate='1.0395'", b"rate=''"), "not a decimal number"),
        (SHIPPED.replace(b"currency='USD'", b"currency='usd'"), "bad currency code"),
        (SHIPPED.replace(b"time='2024-12-19'", b"time='19.12.2024'"), "bad date"),
        (SHIPPED.replace(b"time='2024-12-19'", b"zeit='2024-12-19'"), "no <Cube time"),
        (
            b"<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'>"
            b"<Cube><Cube time='2024-12-19'/></Cube></gesmes:Envelope>",
            "no rates listed",
        ),
    ],
)
def test_malformed_input_raises_one_line_rates_error(content, message):
    with pytest.raises(RatesError) as info:
        parse_ecb_xml(content)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("1.5")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'>"
        "<Cube><Cube time='2024-12-19'><Cube currency='USD' rate='&x;'/></Cube></Cube>"
        "</gesmes:Envelope>"
    ).encode()
    with pytest.raises(RatesError):
        parse_ecb_xml(xxe)


# ---------------------------------------------------------------------------------------------
# load_rates with a user copy
# ---------------------------------------------------------------------------------------------


def test_load_rates_prefers_a_newer_user_copy(tmp_path):
    user = tmp_path / "ecb_rates.xml"
    user.write_bytes(with_day(SHIPPED, "2025-01-02"))
    assert load_rates(user).date == date(2025, 1, 2)


def test_load_rates_ignores_an_older_missing_or_broken_user_copy(tmp_path):
    older = tmp_path / "older.xml"
    older.write_bytes(with_day(SHIPPED, "2020-01-02"))
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<html>oops</html>")
    for path in (older, broken, tmp_path / "missing.xml", str(older)):
        assert load_rates(path).date == date(2024, 12, 19)


# ---------------------------------------------------------------------------------------------
# update_rates against a local server
# ---------------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, bytes]]] = {
        "/eurofxref-daily.xml": (200, with_day(SHIPPED, "2025-01-02")),
        "/error": (500, b"Internal Server Error"),
        "/garbage": (200, b"<html><body>We moved!</body></html>"),
        "/commas": (200, SHIPPED.replace(b"rate='1.0395'", b"rate='1,0395'")),
        "/huge": (200, b"<" * (9 * 1024 * 1024)),
    }

    def do_GET(self):  # http.server's naming
        status, body = self.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_update_writes_the_downloaded_file(server, tmp_path):
    target = tmp_path / "rates" / "ecb_rates.xml"  # folder does not exist yet
    rates = update_rates(f"{server}/eurofxref-daily.xml", target=target, timeout=5)
    assert rates.date == date(2025, 1, 2)
    assert target.read_bytes() == with_day(SHIPPED, "2025-01-02")
    assert load_rates(target).date == date(2025, 1, 2)
    assert [p.name for p in target.parent.iterdir()] == ["ecb_rates.xml"]  # no temp left


def test_update_replaces_an_existing_file(server, tmp_path):
    target = tmp_path / "ecb_rates.xml"
    target.write_bytes(SHIPPED)
    update_rates(f"{server}/eurofxref-daily.xml", target=target, timeout=5)
    assert parse_ecb_xml(target.read_bytes()).date == date(2025, 1, 2)


def test_update_uses_a_given_session(server, tmp_path):
    with requests.Session() as session:
        session.headers["X-Test"] = "1"
        rates = update_rates(
            f"{server}/eurofxref-daily.xml", target=tmp_path / "r.xml", session=session
        )
    assert rates.rates["USD"] == 1.0395


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/error", "HTTP 500"),
        ("/missing", "HTTP 404"),
        ("/garbage", "root element"),
        ("/commas", "not a decimal number"),
        ("/huge", "more than"),
    ],
)
def test_failed_update_leaves_the_old_file_untouched(server, tmp_path, path, message):
    target = tmp_path / "ecb_rates.xml"
    target.write_bytes(SHIPPED)
    before = target.stat().st_mtime_ns
    with pytest.raises(RatesError, match=message):
        update_rates(f"{server}{path}", target=target, timeout=5)
    assert target.read_bytes() == SHIPPED
    assert target.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == ["ecb_rates.xml"]


def test_failed_update_without_an_old_file_creates_nothing(server, tmp_path):
    target = tmp_path / "ecb_rates.xml"
    with pytest.raises(RatesError):
        update_rates(f"{server}/garbage", target=target, timeout=5)
    assert not target.exists()


def test_unreachable_server_is_a_rates_error(tmp_path):
    # A port we bound and closed: nothing listens there.
    probe = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = probe.server_address[1]
    probe.server_close()
    target = tmp_path / "ecb_rates.xml"
    target.write_bytes(SHIPPED)
    with pytest.raises(RatesError, match="could not download"):
        update_rates(f"http://127.0.0.1:{port}/x.xml", target=target, timeout=2)
    assert target.read_bytes() == SHIPPED


def test_default_url_is_the_ecb_daily_file():
    assert ECB_DAILY_URL == "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
    assert isinstance(SHIPPED_RATES_PATH, Path) and SHIPPED_RATES_PATH.is_file()
