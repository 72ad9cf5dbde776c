"""The vocabulary and the filter table agree with the record, Query and the course table,
so adding a row cannot leave one of them behind unnoticed."""

from __future__ import annotations

from dataclasses import fields

from catalog import record, vocabulary
from catalog.filters import BOUND, FACET, FILTERS, RANGE
from catalog.models import Course
from catalog.query import Query
from catalog.search import ROW_FIELDS, Snapshot


def test_every_query_filter_field_has_its_row() -> None:
    tuples = {f.name for f in fields(Query) if isinstance(f.default, tuple)}
    bounds = {f.name for f in fields(Query) if f.default is None}
    assert tuples == {row.attr for row in FACET.values()}
    assert bounds == set(BOUND)
    assert len({row.name for row in FILTERS}) == len(FILTERS)


def test_rows_name_columns_that_exist() -> None:
    columns = set(Course.__table__.columns.keys())  # type: ignore[attr-defined]
    for row in FACET.values():
        assert row.column in columns, row.name
    for r in RANGE.values():
        assert r.column in Snapshot.NUMBERS, r.name


def test_facets_with_values_are_named_as_their_vocabulary() -> None:
    # value_label(facet, ...) and the app's labels look a vocabulary up by the facet's name.
    for row in FACET.values():
        if row.vocabulary is not None:
            assert row.vocabulary.name == row.name
            assert row.vocabulary is vocabulary.VOCABULARIES[row.name]


def test_ranks_follow_the_rows() -> None:
    assert list(record.COST_RANK) == [t.code for t in vocabulary.COST.terms]
    assert record.COST_RANK["free"] < record.COST_RANK["subscription"] < record.COST_RANK["paid"]
    assert list(record.CERTIFICATE_RANK) == list(record.CERTIFICATES)
    assert set(record.COSTS) == set(record.COST_RANK)


def test_every_term_has_both_labels() -> None:
    for vocab in vocabulary.VOCABULARIES.values():
        assert len(vocab.codes) == len(set(vocab.codes)), vocab.name
        for term in vocab.terms:
            assert term.en and term.de, (vocab.name, term.code)
    assert all(t.plural for t in vocabulary.KIND.terms)


def test_result_rows_carry_every_record_field() -> None:
    assert set(record.FIELDS) - {"raw"} <= set(ROW_FIELDS)
