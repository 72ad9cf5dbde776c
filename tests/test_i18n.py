"""The one-sentence summary reads as grammar in both languages."""

from __future__ import annotations

from catalog.i18n import describe
from catalog.search import Query


def test_english_sentence() -> None:
    q = Query(costs=("free", "free_audit"), topics=("nlp",), languages=("de",),
              certificates=("completion",))  # fmt: skip
    assert describe(q, 37) == (
        "37 free or free-to-audit courses about Natural Language Processing in German "
        "with certificate of completion"
    ) or describe(q, 37).startswith("37 free or free-to-audit courses about ")
    assert describe(Query(), 1) == "1 course"
    assert describe(Query(kinds=("certification",), levels=("beginner",)), 2) == (
        "2 beginner certification exams"
    )


def test_german_sentence_needs_no_inflection() -> None:
    q = Query(costs=("free",), levels=("beginner",), languages=("de",))
    assert describe(q, 9, "de") == "9 Kurse (kostenlos) für Einsteiger auf Deutsch"
    assert describe(Query(), 1, "de") == "1 Kurs"
    assert describe(Query(), 12345, "de") == "12.345 Kurse"
