"""Every controlled value of a course, named once: one row per value with its code, its
label in English and German, and the summary sentence's own word for it where the label
would not read as grammar there ("2 free-to-audit courses", "3 certification exams").

Filters, the curated file and the merge validate against these lists, so a typo in a CLI
flag gets "valid values: ..." instead of an empty result. Where a list has a rank (costs:
the cheapest way in; certificates: the best on offer) its rows are in rank order and the
rank is that order. Adding a value is a row here (and a pattern in catalog.normalize if
sources should be read as saying it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Term:
    """One value: its code in records and URLs, its labels, describe()'s words for it."""

    code: str
    en: str
    de: str
    # (English, German) adjective before the noun, where the label would not read as one.
    word: tuple[str, str] | None = None
    # (English, German) plural of a kind's noun; its label is the singular.
    plural: tuple[str, str] | None = None

    def label(self, lang: str) -> str:
        return self.de if lang == "de" else self.en

    def adjective(self, lang: str) -> str:
        if self.word is None:
            return self.label(lang)
        return self.word[1] if lang == "de" else self.word[0]

    def noun(self, lang: str, plural: bool) -> str:
        if not plural or self.plural is None:
            return self.label(lang)
        return self.plural[1] if lang == "de" else self.plural[0]


@dataclass(frozen=True)
class Vocabulary:
    """The values one course field takes, in rank order where it has one."""

    name: str  # the course field (and facet) it belongs to
    terms: tuple[Term, ...]
    # Help and messages list costs alphabetically, as they always have; rank is row order.
    alphabetical: bool = False

    @cached_property
    def codes(self) -> tuple[str, ...]:
        codes = tuple(t.code for t in self.terms)
        return tuple(sorted(codes)) if self.alphabetical else codes

    @cached_property
    def rank(self) -> dict[str, int]:
        return {t.code: i for i, t in enumerate(self.terms)}

    @cached_property
    def by_code(self) -> dict[str, Term]:
        return {t.code: t for t in self.terms}


KIND = Vocabulary(
    "kind",
    (
        Term("course", "course", "Kurs", plural=("courses", "Kurse")),
        Term(
            "specialization",
            "specialization",
            "Spezialisierung",
            plural=("specializations", "Spezialisierungen"),
        ),
        Term(
            "professional_certificate",
            "professional certificate",
            "Berufszertifikat-Programm",
            plural=("professional certificates", "Berufszertifikat-Programme"),
        ),
        Term(
            "certification",
            "certification exam",
            "Zertifizierungsprüfung",
            plural=("certification exams", "Zertifizierungsprüfungen"),
        ),
        Term("learning_path", "learning path", "Lernpfad", plural=("learning paths", "Lernpfade")),
        Term("degree", "degree", "Studiengang", plural=("degrees", "Studiengänge")),
        Term("nanodegree", "nanodegree", "Nanodegree", plural=("nanodegrees", "Nanodegrees")),
    ),
)
# Rank: the cheapest way in first.
COST = Vocabulary(
    "cost",
    (
        Term("free", "free", "kostenlos"),
        Term(
            "free_audit",
            "free to audit",
            "kostenlos (Zertifikat kostet)",
            word=("free-to-audit", "kostenlos belegbar"),
        ),
        Term("subscription", "subscription", "Abonnement", word=("subscription", "im Abonnement")),
        Term("paid", "paid", "kostenpflichtig"),
    ),
    alphabetical=True,
)
# Rank: the best certificate on offer last.
CERTIFICATE = Vocabulary(
    "certificate",
    (
        Term("none", "no certificate", "kein Zertifikat"),
        Term("completion", "certificate of completion", "Teilnahmezertifikat"),
        Term("professional", "professional certificate", "Berufszertifikat"),
        Term("certification", "proctored certification", "Prüfungszertifizierung"),
        Term("academic_credit", "academic credit", "Studienleistung (ECTS)"),
        Term("degree", "degree", "Studienabschluss"),
    ),
)
LEVEL = Vocabulary(
    "level",
    (
        Term("beginner", "beginner", "Einsteiger"),
        Term("intermediate", "intermediate", "Fortgeschrittene"),
        Term("advanced", "advanced", "Experten"),
        Term("mixed", "all levels", "alle Niveaus", word=("all-level", "alle Niveaus")),
    ),
)
PACE = Vocabulary(
    "pace",
    (
        Term("self_paced", "self-paced", "im eigenen Tempo"),
        Term("scheduled", "scheduled", "mit festen Terminen"),
    ),
)
STATUS = Vocabulary(
    "status",
    (
        Term("active", "active", "aktiv"),
        Term("stale", "not seen lately", "zuletzt nicht gesehen"),
        Term("removed", "removed", "entfernt"),
    ),
)

VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v for v in (KIND, COST, CERTIFICATE, LEVEL, PACE, STATUS)
}

KINDS = KIND.codes
COSTS = COST.codes
CERTIFICATES = CERTIFICATE.codes
LEVELS = LEVEL.codes
PACES = PACE.codes
STATUSES = STATUS.codes

# Order used to pick "the best certificate on offer" when a course has several offers.
CERTIFICATE_RANK = CERTIFICATE.rank
# Order used to pick "the cheapest way in".
COST_RANK = COST.rank
