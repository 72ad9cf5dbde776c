"""The labels a listing gives itself: level, pace and kind."""

from __future__ import annotations

import re

from catalog.normalize.primitives import _as_text, _joined, _never_raises, _none

# Whole words (casefolded) that name a level. German catalogues commonly use a three-step scale
# Einsteiger/Anfänger - Fortgeschrittene - Experten/Profis, in which "Fortgeschrittene" is the
# MIDDLE step (and "fortgeschrittene Anfänger" is plainly not advanced); so "fortgeschritten*"
# maps to intermediate and only Experte/Profi/"sehr fortgeschritten" to advanced.
_LEVEL_WORDS = {
    "beginner": "beginner",
    "beginners": "beginner",
    "introductory": "beginner",
    "intro": "beginner",
    "introduction": "beginner",
    "novice": "beginner",
    "foundational": "beginner",
    "foundation": "beginner",
    "basic": "beginner",
    "basics": "beginner",
    "elementary": "beginner",
    "entry": "beginner",
    "einsteiger": "beginner",
    "anfänger": "beginner",
    "anfaenger": "beginner",
    "anfängerinnen": "beginner",
    "grundlagen": "beginner",
    "grundkurs": "beginner",
    "einführung": "beginner",
    "einfuehrung": "beginner",
    "einstieg": "beginner",
    "principiante": "beginner",
    "básico": "beginner",
    "basico": "beginner",
    "introductorio": "beginner",
    "débutant": "beginner",
    "debutant": "beginner",
    "intermediate": "intermediate",
    "intermediär": "intermediate",
    "mittel": "intermediate",
    "mittelstufe": "intermediate",
    "fortgeschritten": "intermediate",
    "fortgeschrittene": "intermediate",
    "fortgeschrittenen": "intermediate",
    "intermedio": "intermediate",
    "intermédiaire": "intermediate",
    "medium": "intermediate",
    "advanced": "advanced",
    "expert": "advanced",
    "experts": "advanced",
    "experte": "advanced",
    "experten": "advanced",
    "profi": "advanced",
    "profis": "advanced",
    "avanzado": "advanced",
    "avancé": "advanced",
    "mixed": "mixed",
}
_LEVEL_PHRASES = (
    (
        re.compile(
            r"\ball(?:\s+|-)levels?\b|\balle\s+(?:niveaus|stufen|level)\b|\bany\s+level\b"
            r"|\btodos\s+los\s+niveles\b|\btous\s+niveaux\b|^all$|^alle$",
            re.I,
        ),
        "mixed",
    ),
    (re.compile(r"\bsehr\s+fortgeschritten", re.I), "advanced"),
    (re.compile(r"\bfortgeschrittene[nr]?\s+anfänger", re.I), "intermediate"),
    (re.compile(r"\bentry[\s-]level\b", re.I), "beginner"),
)


@_never_raises(_none)
def normalize_level(text: object) -> str | None:
    """beginner / intermediate / advanced / mixed from a level text, else None.

    Two or more different levels named together ("Beginner/Intermediate", "Intermediate to
    Advanced") are ``mixed``. MIT OCW's "Undergraduate"/"Graduate" name an audience, not a
    difficulty (an undergraduate course may be introductory or very advanced), so they stay None.
    """
    raw = _as_text(_joined(text), 200)
    if raw is None:
        return None
    for pattern, level in _LEVEL_PHRASES:
        if pattern.search(raw):
            return level
    found = {_LEVEL_WORDS[w] for w in re.findall(r"[^\W\d_]+", raw.casefold()) if w in _LEVEL_WORDS}
    if len(found) == 1:
        return found.pop()
    return "mixed" if found else None


_PACE_PATTERNS = (
    (
        re.compile(
            r"self[\s_-]*paced|self[\s_-]*study|self[\s_-]*directed|on\s+your\s+(?:own\s+)?time"
            r"|at\s+your\s+own\s+pace|on[\s-]demand|\basynchron|selbstlern|selbstgesteuert"
            r"|eigenen\s+tempo|selbststudium|jederzeit|a\s+tu\s+ritmo|à\s+votre\s+rythme",
            re.I,
        ),
        "self_paced",
    ),
    (
        re.compile(
            r"instructor[\s_-]*(?:led|paced)|teacher[\s_-]*led|course\s+schedule|\bscheduled?\b"
            r"|\blive\b|\bcohort|\bsynchron|fixed\s+(?:dates|start)|\bonsite\b|\bon-site\b"
            r"|in[\s-]person|classroom|präsenz|\btermin|dozentengeführt|\bsession[\s-]based",
            re.I,
        ),
        "scheduled",
    ),
)


@_never_raises(_none)
def normalize_pace(text: object) -> str | None:
    """self_paced or scheduled from "Self-paced on your time", "Instructor-led on a course
    schedule", "Selbstlernkurs", "Live", schema.org courseMode ("asynchronous") ...; else None."""
    raw = _as_text(_joined(text), 300)
    if raw is None:
        return None
    for pattern, pace in _PACE_PATTERNS:
        if pattern.search(raw):
            return pace
    return None


# Order matters: the first pattern that matches decides ("nanodegree" before "degree",
# "professional certificate" before "certification", MasterTrack before "master").
_KIND_PATTERNS = (
    ("nanodegree", r"nano[\s_-]*degree"),
    ("professional_certificate", r"professional[\s_-]*certificate|berufszertifikat"),
    (
        # Multi-course programmes: their own shape, whether or not they award credit.
        "specialization",
        r"speciali[sz]ation|spezialisierung|xseries|micro[\s-]*masters|micro[\s-]*bachelors"
        r"|master[\s-]*track|graduate\s+certificate|university\s+certificate"
        r"|post[\s-]*graduate\s+(?:diploma|certificate)|graduate\s+diploma|professional\s+program",
    ),
    (
        "degree",
        r"\bdegree\b|\bbachelor|\bmaster(?!\s*class)(?:'?s)?\b|\bmagíster\b|\bmaestría\b|\bmba\b"
        r"|\bm\.?\s?sc\b|\bstudiengang\b",
    ),
    ("certification", r"certification|\bexams?\b|prüfung|zertifizierung|examination"),
    ("learning_path", r"learning[\s_-]*path|lernpfad|\bpath\b|learningpath"),
    ("course", r"course|kurs|mooc|module|guided\s+project|project|lecture"),
)
_KIND_RES = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in _KIND_PATTERNS)


@_never_raises(lambda: "course")
def normalize_kind(text: object) -> str:
    """The record ``kind`` from the source's product type; "course" when unknown or absent."""
    raw = _as_text(text, 300)
    if raw is None:
        return "course"
    for kind, pattern in _KIND_RES:
        if pattern.search(raw):
            return kind
    return "course"


# A certificate column that holds the product type rather than what the learner receives:
# Coursera's datasets write COURSE / SPECIALIZATION / PROFESSIONAL CERTIFICATE there. Only a
# whole value that is one of these names counts; "Shareable certificate" says nothing of kind.
_PRODUCT_TYPES = frozenset(
    {
        "course",
        "specialization",
        "specialisation",
        "professional certificate",
        "guided project",
        "project",
        "mastertrack",
        "mastertrack certificate",
        "degree",
        "nanodegree",
        "xseries",
        "micromasters",
        "micromasters program",
        "professional program",
    }
)


@_never_raises(lambda: "course")
def normalize_kind_of(kind: object, certificate: object = None) -> str:
    """The record ``kind``: from the source's kind, else from a certificate column that names
    the product type (" Professional Certificate " -> professional_certificate)."""
    if _as_text(kind, 300) is not None:
        return normalize_kind(kind)
    text = _as_text(certificate, 300)
    if text is not None and " ".join(text.casefold().split()) in _PRODUCT_TYPES:
        return normalize_kind(text)
    return "course"
