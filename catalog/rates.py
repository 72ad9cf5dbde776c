"""EUR reference rates: a dated table of the European Central Bank's daily rates.

Prices come in USD, GBP, INR, CHF ...; people compare in euros. The package ships one real ECB
daily file (``catalog/data/ecb_rates.xml``, see ``ecb_rates.PROVENANCE.md``) so conversion works
offline and is reproducible; :func:`update_rates` fetches a newer one into user data and
:func:`load_rates` prefers it when it is newer. Every converted price carries the rate's date.

The file format is the ECB's ``eurofxref-daily.xml``::

    gesmes:Envelope / Cube / Cube time="YYYY-MM-DD" / Cube currency="USD" rate="1.0395"

where ``rate`` is units of the currency per 1 EUR.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
from lxml import etree

ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
SHIPPED_RATES_PATH = Path(__file__).resolve().parent / "data" / "ecb_rates.xml"

# The daily file is ~1.6 kB and even the full history is a few MB: anything bigger is not it.
MAX_DOWNLOAD_BYTES = 8 * 1024 * 1024
USER_AGENT = "CourseRadar rates updater (+https://github.com/courseradar/courseradar)"

_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_RATE_RE = re.compile(r"\d+(?:\.\d+)?")


class RatesError(ValueError):
    """The rate file could not be fetched or is not ECB reference-rate XML."""


@dataclass(frozen=True)
class Rates:
    """Reference rates of one day: ``rates[currency]`` = units of that currency per 1 EUR."""

    date: date
    rates: dict[str, float]

    def rate(self, currency: object) -> float | None:
        """Units of ``currency`` per EUR (1.0 for EUR itself), or None when not in the table."""
        if not isinstance(currency, str):
            return None
        code = currency.strip().upper()
        if code == "EUR":
            return 1.0
        return self.rates.get(code)

    def to_eur(self, amount: object, currency: object) -> float | None:
        """``amount`` of ``currency`` in EUR, rounded to cents; None if either is unusable."""
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            return None
        value = float(amount)
        if not math.isfinite(value) or value < 0:
            return None
        rate = self.rate(currency)
        if rate is None or rate <= 0:
            return None
        return round(value / rate, 2)


def _local(tag: object) -> str:
    """Element name without its namespace (the ECB has used two vocabulary URIs over the years)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_ecb_xml(content: bytes | str) -> Rates:
    """Parse ECB reference-rate XML; the newest day wins if the file holds several (history files).

    Raises :class:`RatesError` with a one-line reason on anything that is not such a file. The
    parser resolves no entities and loads no DTD or network resource (the file comes from outside).
    """
    if isinstance(content, str):
        content = content.encode("utf-8")
    if not isinstance(content, bytes | bytearray) or not content.strip():
        raise RatesError("empty rate file")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(bytes(content), parser=parser)
    except etree.XMLSyntaxError as exc:
        detail = (str(exc) or type(exc).__name__).splitlines()[0]
        raise RatesError(f"not XML: {detail}") from None
    if root is None or _local(root.tag) != "Envelope":
        raise RatesError("not an ECB reference-rate file: the root element is not gesmes:Envelope")

    days: dict[date, dict[str, float]] = {}
    for cube in root.iter():
        if _local(cube.tag) != "Cube" or cube.get("time") is None:
            continue
        day = _parse_day(cube.get("time"))
        table: dict[str, float] = {}
        for child in cube:
            if _local(child.tag) != "Cube":
                continue
            currency, rate = child.get("currency"), child.get("rate")
            if currency is None or not _CURRENCY_RE.fullmatch(currency):
                raise RatesError(f"bad currency code {currency!r} on {day.isoformat()}")
            table[currency] = _parse_rate(currency, rate)
        if not table:
            raise RatesError(f"no rates listed for {day.isoformat()}")
        days[day] = table
    if not days:
        raise RatesError("not an ECB reference-rate file: no <Cube time=...> element")
    newest = max(days)
    return Rates(date=newest, rates=days[newest])


def _parse_day(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise RatesError(f"bad date {text!r} in <Cube time=...>") from None


def _parse_rate(currency: str, text: str | None) -> float:
    raw = (text or "").strip()
    if not _RATE_RE.fullmatch(raw):
        raise RatesError(f"rate {text!r} for {currency} is not a decimal number")
    value = float(raw)
    if not math.isfinite(value) or value <= 0:
        raise RatesError(f"rate {text!r} for {currency} is not positive")
    return value


def load_rates(path: str | Path | None = None) -> Rates:
    """The rates to use: the shipped table, or the copy at ``path`` when it parses and is newer.

    A missing or damaged user copy is ignored (the shipped file still converts prices); only a
    damaged shipped file raises :class:`RatesError`, since that is a packaging bug.
    """
    shipped = parse_ecb_xml(SHIPPED_RATES_PATH.read_bytes())
    if path is None:
        return shipped
    try:
        user = parse_ecb_xml(Path(path).read_bytes())
    except (OSError, RatesError):
        return shipped
    return user if user.date >= shipped.date else shipped


def update_rates(
    url: str = ECB_DAILY_URL,
    *,
    target: Path,
    session: requests.Session | None = None,
    timeout: float = 10,
) -> Rates:
    """Download the ECB file, check it parses, and only then replace ``target`` atomically.

    A failed download, an error status or a body that is not rate XML raises :class:`RatesError`
    and leaves an existing ``target`` exactly as it was (the new bytes go to a temporary file in
    the same folder, which is renamed over the target only after it is complete and synced).
    """
    content = _download(url, session=session, timeout=timeout)
    rates = parse_ecb_xml(content)
    _write_atomically(Path(target), content)
    return rates


def _download(url: str, *, session: requests.Session | None, timeout: float) -> bytes:
    own = session is None
    http = session if session is not None else requests.Session()
    try:
        with http.get(
            url, timeout=timeout, stream=True, headers={"User-Agent": USER_AGENT}
        ) as response:
            if response.status_code != 200:
                raise RatesError(f"could not download {url}: HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise RatesError(f"could not download {url}: more than {MAX_DOWNLOAD_BYTES} B")
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.RequestException as exc:
        raise RatesError(f"could not download {url}: {type(exc).__name__}") from exc
    finally:
        if own:
            http.close()


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(content)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
