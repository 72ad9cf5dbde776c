"""Prices and currencies: "$49 USD", "22,90 €", "1.299,00 EUR", "CHF 150", "Free"."""

from __future__ import annotations

import re

from catalog.normalize.primitives import (
    _as_text,
    _finite,
    _is_number,
    _never_raises,
    _none,
    _number,
)

# Symbols and words, longest first when the regex is built. "$" alone is taken as USD: that is
# what US platforms (Coursera, edX, Udacity) mean; other dollars carry a prefix (A$, C$, NZ$ ...).
_CURRENCY_SYMBOLS = {
    "US$": "USD",
    "U.S.$": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "SG$": "SGD",
    "R$": "BRL",
    "MX$": "MXN",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "CN¥": "CNY",
    "¥": "JPY",
    "￥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₱": "PHP",
    "₫": "VND",
    "฿": "THB",
    "zł": "PLN",
    "Kč": "CZK",
    "元": "CNY",
}
_CURRENCY_WORDS = {
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "us dollars": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "pfund": "GBP",
    "franken": "CHF",
    "sfr": "CHF",
    "sfr.": "CHF",
    "fr.": "CHF",
    "rupees": "INR",
    "rs.": "INR",
    "rs": "INR",
    "yen": "JPY",
    "yuan": "CNY",
    "rmb": "CNY",
}
# ISO 4217 codes we recognise inside text. Upper case only, and no code that is an English word
# ("ALL", "TOP", "CUP"): "Try 7 days" must not become 7 Turkish lira, hence the case rule.
_ISO_CODE_ALTS = (
    "USD|EUR|GBP|CHF|JPY|CNY|INR|AUD|CAD|NZD|HKD|SGD|BRL|MXN|KRW|RUB|TRY|ILS|PHP|THB|PLN|CZK|"
    "DKK|SEK|NOK|HUF|RON|BGN|ISK|IDR|MYR|ZAR|AED|SAR|EGP|NGN|PKR|VND|TWD|KES|CLP|COP|PEN|ARS|"
    "UAH|BDT|LKR|QAR|KWD|MAD|HRK"
)
_ISO_CODES = frozenset(_ISO_CODE_ALTS.split("|"))

_CUR_ALTS = sorted(
    [re.escape(s) for s in _CURRENCY_SYMBOLS]
    + [rf"(?<![^\W\d_])(?i:{re.escape(w)})(?![^\W\d_])" for w in _CURRENCY_WORDS],
    key=len,
    reverse=True,
)
_CUR = r"(?:(?<![A-Za-z])(?:" + _ISO_CODE_ALTS + r")(?![A-Za-z])|" + "|".join(_CUR_ALTS) + ")"
_NUM = r"\d{1,3}(?:[ '’]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)*"
_AMOUNT_RE = re.compile(rf"(?P<pre>{_CUR})?[ ]?(?P<num>{_NUM})(?:[ ]?(?P<post>{_CUR}))?")
_FREE_RE = re.compile(
    r"(?<![^\W\d_])(?:free|kostenlos|kostenfrei|gratis|gebührenfrei|umsonst|gratuit|gratuito"
    r"|no cost|free of charge)(?![^\W\d_])(?!\s*(?:trial|probe|test))",
    re.IGNORECASE,
)
# "Try 7 days free" / "kostenlos testen" is a trial of something paid, not a free course.
_TRIAL_RE = re.compile(r"\btrial\b|\btry\b|\bprobe|\btesten\b|\bessai\b|\bprueba\b", re.IGNORECASE)
_MONTHLY_RE = re.compile(
    r"(?:/|\bper\b|\ba\b|\bpro\b|\bje\b|\bim\b|\bal\b|\bpar\b)\s*(?:month|mo|mon|monat|mes|mois)\b"
    r"|\bmonthly\b|\bmonatlich\b|\bmtl\b|\bmensual\b|\bmensuel\b",
    re.IGNORECASE,
)


# Words that may stand beside a bare number in a price field without making it something else.
_PRICE_FILLER_WORDS = (
    "price|preis|prix|precio|kosten|cost|costs|only|nur|ab|from|total|gesamt|fee|gebühr|ca|approx|"
    "about|for|für|per|pro|je|course|kurs"
)
_PRICE_FILLER = frozenset(_PRICE_FILLER_WORDS.split("|"))


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    if token in _CURRENCY_SYMBOLS:
        return _CURRENCY_SYMBOLS[token]
    if token in _ISO_CODES:
        return token
    return _CURRENCY_WORDS.get(token.casefold())


@_never_raises(_none)
def normalize_currency(value: object) -> str | None:
    """An ISO 4217 code from a code, symbol or word ("usd", "€", "Euro"); None if unknown."""
    text = _as_text(value, 40)
    if text is None:
        return None
    known = _currency_of(text) or _currency_of(text.rstrip("."))
    if known:
        return known
    return text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else None


_MINUS = "-−"  # hyphen-minus and U+2212


def _negative(raw: str, match: re.Match[str]) -> bool:
    """A minus sign right before the amount (or its currency), not a dash after a number
    ("10-20 USD" is a range)."""
    for at in {match.start("num"), match.start()}:
        if at > 0 and raw[at - 1] in _MINUS and not (at > 1 and raw[at - 2].isalnum()):
            return True
    return False


@_never_raises(lambda: (None, None))
def parse_price(text: object) -> tuple[float | None, str | None]:
    """(amount, ISO currency) from "$49 USD", "22,90 €", "1.299,00 EUR", "CHF 150", "Free" ...

    The first amount written next to a currency wins ("FREE-Add a Verified Certificate for $49 USD"
    -> (49.0, "USD"), the certificate's price; the cost model is decided elsewhere). A lone bare
    number is an amount of unknown currency. A text that only says free/kostenlos is (0.0, None).
    Numbers arrive as they are (non-negative, finite). Anything else is (None, None).
    """
    if _is_number(text):
        value = _finite(float(text))
        return (value, None) if value is not None else (None, None)
    raw = _as_text(text)
    if raw is None:
        return None, None
    bare: list[float] = []
    for match in _AMOUNT_RE.finditer(raw):
        if _negative(raw, match):
            return None, None  # "-1", "$-5": no price is below zero; unknown, not 1.0
        amount = _number(match["num"])
        if amount is None:
            continue
        pre, post = _currency_of(match["pre"]), _currency_of(match["post"])
        if pre or post:
            # "$49 USD": a code is more specific than a symbol ("$" might be any dollar).
            currency = post if (post and match["post"] in _ISO_CODES) else (pre or post)
            return amount, currency
        bare.append(amount)
    words = re.findall(r"[^\W\d_]+", raw.casefold())
    if len(bare) == 1 and all(w in _PRICE_FILLER for w in words):
        return bare[0], None  # "49.00", "Preis: 49": a price field holding only a number
    if _FREE_RE.search(raw) and not _TRIAL_RE.search(raw):
        return 0.0, None
    return None, None
