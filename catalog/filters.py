"""The filters of a search as one table, as datasette has facets and filters: a row per
facet (values a course has, counted for every search) and per range (a lowest and/or
highest number or date).

Read by the search's snapshot and evaluation (catalog.search), Query's validation
(catalog.query), describe() (catalog.i18n), the CLI options' help and the app's sidebar
and chips. Adding a facet is a row here, a field on Query (the row's ``attr``), the
course column (with a migration, and the snapshot index) and, for a fixed list of values,
a vocabulary in catalog.vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from catalog.vocabulary import (
    CERTIFICATE,
    COST,
    COSTS,
    KIND,
    LEVEL,
    PACE,
    PACES,
    STATUS,
    STATUSES,
    Vocabulary,
)


@dataclass(frozen=True)
class Facet:
    """Filter by values a course has: OR within the facet, AND with the others."""

    name: str  # in counts, chips and URLs of the app, and the CLI option --<name>
    attr: str  # the Query field holding the selected values
    column: str  # the course column it reads
    labels: tuple[str, str]  # (English, German); also the course field's, where it is one
    help: str  # the CLI option's help
    vocabulary: Vocabulary | None = None  # its values, where they are a fixed list
    multi: bool = False  # the column holds a list (a course has several topics)
    # describe()'s phrase for the selected values, "{}" their labels; None: not said.
    phrase: tuple[str, str] | None = None
    free_text: bool = False  # values are names: typed in freely, may hold commas
    below_ranges: bool = False  # the app's sidebar draws it below the range filters
    default: tuple[str, ...] = ()  # what a search selects when nothing is selected

    def label(self, lang: str) -> str:
        return self.labels[1 if lang == "de" else 0]

    @property
    def option(self) -> str:
        return f"--{self.name}"


@dataclass(frozen=True)
class Bound:
    """One end of a range: a Query field, its CLI help and the app's chip for it."""

    attr: str
    help: str
    chip: tuple[str, str]  # (English, German), "{v}" the value

    def chip_label(self, value: float | date, lang: str) -> str:
        return self.chip[1 if lang == "de" else 0].format(v=shown(value))


@dataclass(frozen=True)
class Range:
    """Filter by a number or date of a course: at least ``low``, at most ``high``."""

    name: str  # in describe()'s order of phrases
    column: str  # the search snapshot's column it compares
    low: Bound | None = None
    high: Bound | None = None
    dates: bool = False  # bounds are dates (else numbers, at least 0)
    top: float | None = None  # the highest value a bound may take (a 0 to 5 scale)
    # describe()'s phrase, "{lo}" and "{hi}" the bounds (blank if unset); None: not said.
    phrase: tuple[str, str] | None = None
    # What the front ends say of the courses the filter left out for an unknown value,
    # "{n}" their number (catalog.i18n.left_out).
    left_out: tuple[str, str] = (
        "{n} more are left out because this value is unknown for them.",
        "{n} weitere fehlen, weil dieser Wert für sie unbekannt ist.",
    )
    stated: tuple[str, str] = ("this value", "diesen Wert")  # "courses that state ..."
    sort: str | None = None  # the sort on this column (catalog.query.SORTS)

    @property
    def bounds(self) -> tuple[Bound, ...]:
        return tuple(b for b in (self.low, self.high) if b is not None)


def shown(value: float | date) -> str:
    """A bound as chips and the summary sentence write it: 2026-01-31, 49.5, 5."""
    return value.isoformat() if isinstance(value, date) else f"{value:g}"


def _listed(codes: tuple[str, ...], last: str = ", ") -> str:
    return ", ".join(codes[:-1]) + last + codes[-1]


# Facets in the order searches count them and front ends show them; then the ranges.
# fmt: off
FILTERS: tuple[Facet | Range, ...] = (
    Facet("topic", attr="topics", column="topics", multi=True, labels=("Topic", "Thema"),
          help="Topic slug (repeatable).",  # validated against the taxonomy
          phrase=("about {}", "zum Thema {}")),
    Facet("cost", attr="costs", column="cost", labels=("Cost", "Kosten"), vocabulary=COST,
          help=f"{_listed(COSTS)}."),
    Facet("certificate", attr="certificates", column="certificate",
          labels=("Certificate", "Zertifikat"), vocabulary=CERTIFICATE,
          help="Certificate type.", phrase=("with {}", "mit {}")),
    Facet("level", attr="levels", column="level", labels=("Level", "Niveau"), vocabulary=LEVEL,
          help="Level (repeatable)."),
    Facet("language", attr="languages", column="languages", multi=True,
          labels=("Language", "Sprache"),
          help="Language code, e.g. de.",  # validated by its shape
          phrase=("in {}", "auf {}")),
    Facet("kind", attr="kinds", column="kind", labels=("Kind", "Art"), vocabulary=KIND,
          help="Kind (repeatable)."),
    Facet("provider", attr="providers", column="provider", labels=("Provider", "Anbieter"),
          help="Provider (repeatable).", phrase=("by {}", "von {}"), free_text=True),
    Facet("source", attr="sources", column="sources", multi=True, labels=("Source", "Quelle"),
          help="Source (repeatable)."),
    Facet("pace", attr="paces", column="pace", labels=("Pace", "Tempo"), vocabulary=PACE,
          help=f"{_listed(PACES, ' or ')}.", phrase=("{}", "{}"), below_ranges=True),
    Facet("status", attr="statuses", column="status", labels=("Status", "Status"),
          vocabulary=STATUS, help=f"{_listed(STATUSES)} (default: not removed).",
          phrase=("({})", "({})"), below_ranges=True,
          default=("active", "stale")),  # removed courses only when asked for
    Range("price", column="price",
          high=Bound("max_price_eur", "Highest price in EUR.", ("≤ {v} EUR", "≤ {v} EUR")),
          phrase=("up to {hi} EUR", "bis {hi} EUR"),
          left_out=("{n} more of unknown price are left out: neither cheap nor dear.",
                    "{n} weitere mit unbekanntem Preis fehlen: weder günstig noch teuer."),
          stated=("a price or that they are free", "einen Preis oder dass sie kostenlos sind"),
          sort="price"),
    Range("hours", column="hours",
          low=Bound("min_hours", "Least total hours.", ("≥ {v} h", "≥ {v} Std.")),
          high=Bound("max_hours", "Most total hours.", ("≤ {v} h", "≤ {v} Std.")),
          phrase=("{lo}–{hi} hours", "{lo}–{hi} Stunden"),
          left_out=("{n} more of unknown duration are left out.",
                    "{n} weitere mit unbekannter Dauer fehlen."),
          stated=("their hours", "ihre Stunden"), sort="duration"),
    Range("rating", column="rating", top=5,
          low=Bound("min_rating", "Lowest rating (0-5).", ("★ ≥ {v}", "★ ≥ {v}")),
          phrase=("rated {lo}+", "ab {lo} Sternen"),
          left_out=("{n} more without a rating are left out.",
                    "{n} weitere ohne Bewertung fehlen."),
          stated=("a rating", "eine Bewertung"), sort="rating"),
    Range("start", column="start", dates=True,
          low=Bound("start_from", "Starts on or after (YYYY-MM-DD).",
                    ("starts ≥ {v}", "Beginn ≥ {v}")),
          high=Bound("start_to", "Starts on or before (YYYY-MM-DD).",
                     ("starts ≤ {v}", "Beginn ≤ {v}")),
          left_out=("{n} more without a known start date are left out.",
                    "{n} weitere ohne bekannten Beginn fehlen."),
          stated=("a start date", "einen Beginn"), sort="start_date"),
)
# fmt: on

FACET = {f.name: f for f in FILTERS if isinstance(f, Facet)}
RANGE = {f.name: f for f in FILTERS if isinstance(f, Range)}
# Every range's bounds by their Query field, in table order (the order of the chips).
BOUND = {b.attr: b for r in RANGE.values() for b in r.bounds}
