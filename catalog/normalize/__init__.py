"""Raw listing strings -> the normalised fields of :class:`catalog.record.CourseRecord`.

Listings say the same thing a hundred ways ("FREE-Add a Verified Certificate for $49 USD",
"2–4 hours per week", " 1 - 3 Months", "Beginner ", "5.3k", "P1DT6H", "Español", "22,90 €").
Everything here is a pure function: no I/O, no network, no clock. The rules live in module-level
tables and regexes so that a new spelling is one line, not a new branch.

Two promises hold for every public function:

* it never raises, whatever it is handed (wrong types, None, huge or binary-ish strings): a
  listing we cannot read must not stop a refresh. The ``@_never_raises`` guard is only a last line
  of defence; the functions check their input themselves (tests call the unguarded versions too);
* unknown is None, never a guess. A value we cannot read with confidence stays None, and the raw
  value is kept in ``CourseRecord.raw`` so a better parser can re-normalise later.

German notation is first-class: "22,90 €", "1.299,00 EUR", "12.345" (thousands), "4 Stunden pro
Woche", "ca. 10 Stunden", "12.01.2016", "Einsteiger", "kostenlos".

The package, by what each module reads: ``primitives`` (field limits, the guard, text and number
reading), ``prices``, ``cost`` (certificates, offers, the cost model), ``effort``, ``labels``
(level, pace, kind), ``languages``, ``counts``, ``dates``, ``text`` (clean text, HTML to text,
URLs) and ``course`` (the whole record).
"""

from catalog.normalize.cost import (
    CostAndCertificate,
    normalize_certificate,
    normalize_cost_and_certificate,
)
from catalog.normalize.counts import parse_count, parse_rating
from catalog.normalize.course import Classifier, normalize_course
from catalog.normalize.dates import parse_date
from catalog.normalize.effort import Effort, estimate_subscription_cost, parse_effort
from catalog.normalize.labels import (
    normalize_kind,
    normalize_kind_of,
    normalize_level,
    normalize_pace,
)
from catalog.normalize.languages import normalize_language, normalize_languages
from catalog.normalize.prices import normalize_currency, parse_price
from catalog.normalize.primitives import (
    MAX_DESCRIPTION_CHARS,
    MAX_FIELD_CHARS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    WEEKS_PER_MONTH,
    WEEKS_PER_YEAR,
)
from catalog.normalize.text import clean_text, safe_url

__all__ = [
    "MAX_DESCRIPTION_CHARS",
    "MAX_FIELD_CHARS",
    "MAX_NAME_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_URL_CHARS",
    "WEEKS_PER_MONTH",
    "WEEKS_PER_YEAR",
    "Classifier",
    "CostAndCertificate",
    "Effort",
    "clean_text",
    "estimate_subscription_cost",
    "normalize_certificate",
    "normalize_cost_and_certificate",
    "normalize_course",
    "normalize_currency",
    "normalize_kind",
    "normalize_kind_of",
    "normalize_language",
    "normalize_languages",
    "normalize_level",
    "normalize_pace",
    "parse_count",
    "parse_date",
    "parse_effort",
    "parse_price",
    "parse_rating",
    "safe_url",
]
