"""Certificates and the cost model: what a course's offers add up to (the cheapest way in, the
best certificate on offer and what that certificate costs)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.normalize.labels import normalize_kind
from catalog.normalize.prices import (
    _FREE_RE,
    _MONTHLY_RE,
    _TRIAL_RE,
    normalize_currency,
    parse_price,
)
from catalog.normalize.primitives import (
    MAX_FIELD_CHARS,
    _as_text,
    _finite,
    _is_number,
    _never_raises,
    _none,
    _number,
)
from catalog.record import CERTIFICATE_RANK, COST_RANK, Offer

# Checked best-first, so "Professional Certificate" is professional, not completion.
# * A verified certificate (edX), a Coursera course/specialization certificate, a Nanodegree and
#   openHPI's qualified certificate / record of achievement / confirmation of participation are
#   course certificates: completion. The qualified certificate's identity check and proctored exam
#   do not make it "certification", which the catalog keeps for a proctored industry exam that
#   stands apart from any course; an offer of it that carries ECTS credits is academic_credit.
# * A "University Certificate" (Coursera) is a university's non-credit programme certificate:
#   professional. Graduate certificates, MasterTrack and postgraduate diplomas earn credit.
_CERTIFICATE_PATTERNS = (
    (
        "none",
        r"\bno\s+certificate|without\s+(?:a\s+)?certificate|\bkein(?:e|en)?\s+(?:zertifikat|"
        r"teilnahmebest)|certificate\s+not\s+(?:available|included)|^audit(?:\s+track)?$",
    ),
    (
        "degree",
        r"\bdegree\b|\bbachelor|\bmaster(?!\s*class)(?:'?s)?\b|\bmagíster\b|\bmaestría\b"
        r"|\bmba\b|\bm\.?\s?sc\b|\bb\.?\s?sc\b|\bstudienabschluss\b|^masters$",
    ),
    (
        "academic_credit",
        r"\bcredits?\b|\bects\b|credit[\s-]*eligible|leistungspunkte|\bcfu\b"
        r"|master[\s-]*track|graduate\s+(?:certificate|diploma)|\bcredit\b"
        r"|post[\s-]*graduate\s+(?:certificate|diploma)|micro[\s-]*masters"
        r"|micro[\s-]*bachelors",
    ),
    (
        "certification",
        r"\bcertification\b|\bcertified\b|\bexams?\b|\bexamination\b|\bprüfung"
        r"|zertifizierung",
    ),
    (
        "professional",
        r"\bprofessional\b|berufszertifikat|university\s+certificate"
        r"|executive\s+(?:certificate|education)|\bprofed\b",
    ),
    (
        "completion",
        r"certificate|certificat|zertifikat|certificado|certificato|\bverified\b"
        r"|statement\s+of\s+(?:accomplishment|participation)|record\s+of\s+achievement"
        r"|accomplishment|confirmation\s+of\s+participation|teilnahmebest|leistungsnachweis"
        r"|\bbadge\b|speciali[sz]ation|spezialisierung|nano[\s-]*degree|\bcourse\b|\bkurs\b"
        r"|honou?r\s+code|\bhonou?r\b|qualified|xseries",
    ),
)
_CERTIFICATE_RES = tuple((c, re.compile(p, re.IGNORECASE)) for c, p in _CERTIFICATE_PATTERNS)
# edX seat types (course-discovery ``seats[].type``).
_SEAT_CERTIFICATES = {
    "audit": "none",
    "verified": "completion",
    "honor": "completion",
    "professional": "professional",
    "no-id-professional": "professional",
    "credit": "academic_credit",
    "masters": "degree",
}
_KIND_CERTIFICATES = {
    "specialization": "completion",
    "professional_certificate": "professional",
    "certification": "certification",
    "degree": "degree",
    "nanodegree": "completion",
}


@_never_raises(_none)
def normalize_certificate(text: object) -> str | None:
    """none / completion / professional / certification / academic_credit / degree, or None.

    "Guided Project" and other product names that do not say what is certified stay None.
    """
    raw = _as_text(text, 300)
    if raw is None:
        return None
    seat = _SEAT_CERTIFICATES.get(raw.casefold())
    if seat:
        return seat
    for certificate, pattern in _CERTIFICATE_RES:
        if pattern.search(raw):
            return certificate
    return None


# Explicit cost texts (Class Central's "Pricing": "Free Online Course (Audit)", "Paid Course",
# "Free Trial Available", "Paid Certificate Available" - the last one is said of free courses).
_COST_PATTERNS = (
    ("free_audit", r"free[\s_-]*(?:to[\s_-]*)?audit|\baudit\b|paid\s+certificate|freemium"),
    (
        "subscription",
        r"subscription|\babo(?:nnement)?\b|membership|coursera\s+plus|free\s+trial"
        r"|probeabo|\bmonthly\b|\bmonatlich\b",
    ),
    ("paid", r"\bpaid\b|kostenpflichtig|\bfee\b|purchase|\bbuy\b|one[\s-]time"),
    ("free", r"\bfree\b|kostenlos|kostenfrei|gratis|gebührenfrei|\bgratuit"),
)
_COST_RES = tuple((c, re.compile(p, re.IGNORECASE)) for c, p in _COST_PATTERNS)


def _explicit_cost(value: object) -> str | None:
    raw = _as_text(value, 200)
    if raw is None:
        return None
    if raw in COST_RANK:
        return raw
    hits = [cost for cost, pattern in _COST_RES if pattern.search(raw)]
    if _TRIAL_RE.search(raw):
        hits = [h for h in hits if h != "free"]  # "Free Trial Available": sold by subscription
    if "free" in hits and ("paid" in hits or "subscription" in hits):
        return "free_audit"  # "Free course, paid certificate"
    return hits[0] if hits else None


@dataclass
class CostAndCertificate:
    """The summary of a course's offers: ``cost`` is the cheapest way in,
    ``certificate`` the best certificate on offer, ``price_*`` what that certificate costs.
    ``per_month`` says ``price_amount`` is a monthly subscription price."""

    cost: str | None = None
    certificate: str | None = None
    price_amount: float | None = None
    price_currency: str | None = None
    offers: list[Offer] = field(default_factory=list)
    per_month: bool = False


def _best_certificate(candidates: Iterable[str | None]) -> str | None:
    known = [c for c in candidates if c in CERTIFICATE_RANK]
    return max(known, key=CERTIFICATE_RANK.__getitem__) if known else None


def _credits(value: object) -> float | None:
    if _is_number(value):
        return _finite(float(value), high=1000)
    raw = _as_text(value, 100)
    match = re.search(r"\d+(?:[.,]\d+)?", raw) if raw else None
    return _finite(_number(match.group(), decimal_only=True), high=1000) if match else None


def _offer_from_raw(
    item: Mapping[str, Any], fallback_certificate: str | None
) -> tuple[Offer, bool]:
    """One RawOffer / edX seat / schema.org Offer dict -> (Offer, is it a monthly price)."""
    label_raw = next(
        (item.get(k) for k in ("label", "type", "seat_type", "name", "category") if item.get(k)),
        None,
    )
    label = _as_text(label_raw, 200) or "offer"
    certificate = (
        normalize_certificate(item.get("certificate"))
        or _SEAT_CERTIFICATES.get(label.casefold())
        or normalize_certificate(label)
        or fallback_certificate
    )
    price_raw = item.get("price")
    amount, currency = parse_price(price_raw)
    currency = currency or normalize_currency(item.get("currency") or item.get("priceCurrency"))
    credits = _credits(item.get("credits") or item.get("credit_hours") or item.get("ects"))
    if (
        credits
        and CERTIFICATE_RANK.get(certificate or "", -1) < CERTIFICATE_RANK["academic_credit"]
    ):
        certificate = "academic_credit"  # e.g. an openHPI qualified certificate with 2 ECTS
    monthly = bool(
        (isinstance(price_raw, str) and _MONTHLY_RE.search(price_raw[:MAX_FIELD_CHARS]))
        or re.search(r"subscription|\babo\b|monthly", label, re.IGNORECASE)
    )
    return Offer(label, certificate, amount, currency, None, credits), monthly


def _offers_from_price(
    price: object, currency: str | None, certificate: str | None
) -> list[tuple[Offer, bool]]:
    """Offers stated in one price field: "FREE-Add a Verified Certificate for $49 USD" is two."""
    amount, found_currency = parse_price(price)
    currency = found_currency or currency
    text = _as_text(price) or ""
    named = normalize_certificate(text) if text else None
    monthly = bool(_MONTHLY_RE.search(text))
    is_free = bool(_FREE_RE.search(text)) and not _TRIAL_RE.search(text)
    if amount is not None and amount > 0 and is_free:
        return [
            (Offer("audit", "none", 0.0, None), False),
            (Offer("certificate", named or certificate or "completion", amount, currency), monthly),
        ]
    if amount is not None:
        label = "free" if amount == 0 else ("subscription" if monthly else "price")
        return [(Offer(label, named or certificate, amount, currency if amount else None), monthly)]
    return []


@_never_raises(CostAndCertificate)
def normalize_cost_and_certificate(
    price: object = None,
    currency: object = None,
    *,
    cost: object = None,
    certificate: object = None,
    offers: object = None,
    kind: object = None,
    free: object = None,
    has_certificates: object = None,
) -> CostAndCertificate:
    """Decide cost model, best certificate and its price from whatever a source states.

    Inputs: a price text or number (+ currency), an explicit cost text, a certificate text, a list
    of offers (RawOffer dicts, edX seats ``{type, price, currency}``, schema.org Offers), the
    record kind, and the flags ``free`` / ``has_certificates`` some feeds carry.
    ``cost``: free (everything free), free_audit (learn free, pay for the certificate),
    subscription (a monthly price), paid (a price); an explicit cost text wins.
    ``certificate``: the best on offer, from offers, the certificate text, the kind
    (specialization -> completion, professional certificate -> professional, nanodegree ->
    completion ...) and ``has_certificates``.
    ``price_*``: the cheapest offer that grants that best certificate (0 for a free course).
    """
    kind_name = normalize_kind(kind) if kind is not None else None
    cert_text = normalize_certificate(certificate)
    default_cert = cert_text or _KIND_CERTIFICATES.get(kind_name or "")

    collected: list[tuple[Offer, bool]] = []
    if isinstance(offers, list | tuple):
        for item in offers[:50]:
            if isinstance(item, Mapping):
                collected.append(_offer_from_raw(item, default_cert))
    collected += _offers_from_price(price, normalize_currency(currency), default_cert)
    offer_list = [offer for offer, _ in collected]
    monthly_ids = {id(offer) for offer, monthly in collected if monthly}

    flags: list[str | None] = []
    if has_certificates is True:
        flags.append("completion")
    elif has_certificates is False and not offer_list:
        flags.append("none")
    best = _best_certificate(
        [o.certificate for o in offer_list]
        + [cert_text]
        + flags
        + [_KIND_CERTIFICATES.get(kind_name or "")]
    )

    result = CostAndCertificate(certificate=best, offers=offer_list)
    result.cost = _explicit_cost(cost) or _cost_from_offers(
        offer_list, monthly_ids, free, kind_name
    )
    chosen = _price_offer(offer_list, best)
    if chosen is not None:
        result.price_amount, result.price_currency = chosen.price_amount, chosen.price_currency
        result.per_month = id(chosen) in monthly_ids
    elif result.cost == "free":
        result.price_amount = 0.0
    return result


def _cost_from_offers(
    offers: list[Offer], monthly_ids: set[int], free: object, kind: str | None
) -> str | None:
    priced = [o for o in offers if o.price_amount is not None]
    has_free = any(o.price_amount == 0 for o in priced) or free is True
    paying = [o for o in priced if o.price_amount]
    if has_free:
        return "free_audit" if paying else "free"
    if paying:
        return "subscription" if any(id(o) in monthly_ids for o in paying) else "paid"
    if free is False or kind == "nanodegree":
        return "paid"  # a nanodegree is never free; whether by subscription, no price says
    return None


def _price_offer(offers: list[Offer], best: str | None) -> Offer | None:
    priced = [o for o in offers if o.price_amount is not None]
    granting = [o for o in priced if o.certificate == best and best is not None]
    if not granting and all(o.certificate is None for o in priced):
        granting = priced  # no certificate named anywhere: the course's own price
    return min(granting, key=lambda o: o.price_amount or 0.0) if granting else None
