"""Fast paths that replaced plainer code for speed give exactly what the plain code gave.

Each test states the plain definition and compares; none measures time.
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from datetime import date

import numpy as np

from catalog.normalize import clean_text
from catalog.normalize.text import _INVISIBLE_RE
from catalog.record import CourseRecord, Offer
from catalog.search import _first
from catalog.store import dumps, json_list
from catalog.topics import default_taxonomy, fold_accents


def test_invisible_characters_are_exactly_the_control_surrogate_and_private_categories() -> None:
    for cp in range(0x110000):
        ch = chr(cp)
        plain = ch not in "\t\n\r\f\v" and unicodedata.category(ch) in ("Cc", "Cs", "Co")
        assert bool(_INVISIBLE_RE.match(ch)) == plain, hex(cp)


def test_clean_text_still_drops_controls_and_keeps_joiners() -> None:
    assert clean_text("a\x00b\x7fc\ue000d\u200de") == "a b c d\u200de"
    assert clean_text("line\tone\nline two") == "line one line two"


def _plain_to_dict(rec: CourseRecord) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in dataclasses.fields(rec):
        value = getattr(rec, f.name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = [dataclasses.asdict(v) if isinstance(v, Offer) else v for v in value]
        out[f.name] = value
    return out


def test_to_dict_equals_the_field_by_field_conversion() -> None:
    rec = CourseRecord(
        source="s",
        source_id="1",
        title="Deep Learning",
        topics=["deep-learning"],
        offers=[Offer("audit"), Offer("verified", "completion", 49.0, "USD", 45.1)],
        start_date=date(2026, 3, 1),
        checked_on=date(2026, 1, 2),
        raw={"price": "$49"},
    )
    got = rec.to_dict()
    assert got == _plain_to_dict(rec)
    assert list(got) == [f.name for f in dataclasses.fields(rec)]
    assert got["topics"] is not rec.topics  # a copy, as before
    rec.price_eur = 12.0  # set after __init__: still in field order
    assert list(rec.to_dict()) == list(got)


def test_json_list_equals_dumps_and_never_confuses_equal_numbers() -> None:
    for value in ([], ["en", "de"], ["de", "en"], [1], [1.0], [True], [{"b": 1, "a": 2}]):
        assert json_list(value) == dumps(value)
        assert json.loads(json_list(value)) == value


def test_explain_is_cached_per_listing_and_returns_independent_copies() -> None:
    tax = default_taxonomy()
    args = ("Machine Learning with Python", "Neural networks for beginners", ["Python"], [])
    first = tax.explain(*args)
    assert first == tax._decide(*args)[0]
    first["x"] = "changed by the caller"
    assert "x" not in tax.explain(*args)
    assert tax.classify(*args) == sorted(tax._decide(*args)[0], key=tax.slugs.index)
    assert tax.explain("Cooking", None, ["Knife skills"], ["food"]) == {}


def test_first_rows_of_an_order_are_the_full_sort_cut_short() -> None:
    """A page sorts only the candidates for its rows; it must be the full sort's prefix,
    ties (many: coarse scores, unknown values as inf) in row order."""
    rng = np.random.default_rng(7)
    size = 2000
    coarse = rng.integers(0, 3, size).astype(np.float64)  # a broad word's 0/1/2 score
    rating = np.where(rng.random(size) < 0.3, np.inf, rng.integers(0, 5, size) / 2)
    enrol = rng.integers(0, 50, size).astype(np.float64)
    for keys in ((rating,), (coarse, rating), (coarse, rating, enrol), (np.zeros(size),)):
        full = np.lexsort((np.arange(size), *reversed(keys)))
        assert np.array_equal(_first(keys, None), full)
        for upto in (0, 1, 7, 25, 700, size - 1, size, size + 5):
            assert np.array_equal(_first(keys, upto), full[:upto]), (len(keys), upto)


def test_one_word_keywords_decide_ascii_words_as_their_regex_does() -> None:
    """The keyword index compares ASCII words as strings instead of compiling ~850 patterns;
    for every one-word keyword of the taxonomy and words around it, the regex agrees."""
    index = default_taxonomy()._index
    keywords = [kw for kws in index._by_key.values() for kw in kws if kw.single]
    assert len(keywords) > 100
    for kw in keywords:
        first = kw.first
        variants = {first, first + "s", first + "es", first + "ing", first[:-1], "x" + first}
        variants |= {v.upper() for v in variants} | {v.capitalize() for v in variants}
        for word in sorted(v for v in variants if v):
            found = kw.pattern.match(word)
            plain = found is not None and (not kw.acronym or found.group()[:2].isupper())
            assert kw.starts_at(word, word.casefold()) is plain, (kw.source, word)


def test_every_keyword_of_the_taxonomy_matches_its_own_spelling() -> None:
    """The keyword index finds each keyword in a text that is just that keyword, as written in
    the taxonomy file and capitalised: the string comparisons of one-word keywords, the
    first-word filter of longer ones and the places found again in the text all take part."""
    taxonomy = default_taxonomy()
    index = taxonomy._index
    tiers = ("keywords", "weak_keywords", "generic_keywords", "veto")
    checked = 0
    for topic in taxonomy.topics:
        for tier, attribute in zip(("strong", "weak", "generic", "veto"), tiers, strict=True):
            for keyword in getattr(topic, attribute):
                for text in {keyword, keyword[:1].upper() + keyword[1:]}:
                    text = fold_accents(text.replace("*", ""))
                    found = {(m.slug, m.tier) for m in index.find(text) if m.start == 0}
                    assert (topic.slug, tier) in found, (topic.slug, tier, keyword)
                    checked += 1
    assert checked > 1000
