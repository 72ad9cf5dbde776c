"""Course URLs in comparable form (tracking parameters, "www.", default ports gone) and stable
ids for rows that carry none."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that say who sent the visitor, never which course it is.
TRACKING_PARAMS = frozenset(
    {
        # generic analytics and ad clicks
        "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "hsctatracking",
        "mkt_tok", "_ga", "_gl", "s_kwcid", "ef_id", "spm", "si", "vero_id", "oly_enc_id",
        "oly_anon_id", "wickedid", "trk", "trkcampaign", "trk_ref", "trk_location", "trk_msg",
        "ref", "ref_", "referrer", "referer", "source", "src", "cmp", "campaign", "campaignid",
        "adgroupid", "creative", "keyword", "matchtype", "network", "device", "placement",
        "icid", "cid_", "share", "shared", "via",
        # affiliate networks (Rakuten/LinkShare, Impact, Awin, CJ, ShareASale, PartnerStack)
        "ranmid", "raneaid", "ransiteid", "siteid", "irclickid", "irgwc", "irpid", "clickid",
        "click_id", "aff", "affid", "aff_id", "affiliate", "affiliate_id", "affiliateid",
        "aff_sub", "aff_sub2", "awc", "sscid", "afsrc", "cjevent", "cjdata", "pid_", "sharedid",
        "partnerid", "partner_id", "coupon", "couponcode", "discountcode", "promo", "promocode",
        # Coursera, edX (Algolia click tracking) and Class Central links
        "authmode", "action", "linked_from", "index", "queryid", "position", "results_level",
        "term", "objectid", "hs_analytics_source", "cc", "source_ref", "utm",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "ir_", "aff_", "ran", "trk_", "_hs")

# On these catalogs a course is its path (/learn/{slug}, /course/{slug}): the query string only
# ever carries tracking, coupons and interface state, so all of it goes.
PATH_IDENTIFIED_HOSTS = frozenset(
    {
        "coursera.org",
        "edx.org",
        "classcentral.com",
        "udacity.com",
        "udemy.com",
        "futurelearn.com",
        "open.hpi.de",
        "open.sap.com",
        "learn.microsoft.com",
        "ki-campus.org",
        "deeplearning.ai",
        "linkedin.com",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/:@!$&'()*+,;=\-._~]*")


def canonical_url(url: str | None) -> str | None:
    """The comparable form of a course URL, or None for anything that is not http(s).

    Lowercase scheme and host, no "www.", no default port, no user info, no fragment, no
    tracking parameters, no trailing slash; the remaining query parameters sorted.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path
    if not _PLAIN_PATH.fullmatch(path):  # percent-escapes or unsafe characters: one spelling
        path = quote(unquote(path), safe=_PATH_SAFE)
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    path = path.rstrip("/")
    query = ""
    if not _path_identified(host):
        kept = [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _is_tracking(key)
        ]
        query = urlencode(sorted(kept))
    return urlunsplit((scheme, netloc, path, query, ""))


def _path_identified(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in PATH_IDENTIFIED_HOSTS)


def _is_tracking(key: str) -> bool:
    low = key.strip().lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def url_key(url: str | None) -> str | None:
    """Canonical URL without its scheme: http and https pages of a course are one course."""
    canonical = canonical_url(url)
    if canonical is None:
        return None
    key = canonical.split("://", 1)[1]
    _host, _, rest = key.partition("/")
    # A bare host ("coursera.org", "x.org/") names a site, not a course.
    return key if rest.split("?")[0] else None


def stable_id(*parts: str | None) -> str:
    """Short, stable id from the given texts (for rows that carry no id of their own)."""
    text = "\x1f".join(p or "" for p in parts)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
