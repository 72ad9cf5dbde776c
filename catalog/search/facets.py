"""Facet evaluation on the snapshot: the range filters, each facet's mask of selected
values, and datasette-style counts (each facet's counts respect the filters of every
*other* facet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from catalog.filters import FACET, RANGE
from catalog.query import FACETS, Query
from catalog.search.columns import RANGE_FILTERS, SNAPSHOT_DATES
from catalog.search.snapshot import Snapshot, _Codes, _ordinal

FACET_LIMIT = 30  # values shown per facet (selected ones always included)


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


def range_mask(snap: Snapshot, q: Query, skip: str | None = None) -> np.ndarray:
    """The courses within every range filter of ``q`` (an unknown value is outside), but
    for the filters on the column ``skip``."""
    m = np.ones(snap.size, dtype=bool)
    with np.errstate(invalid="ignore"):
        for attr, column, lower in RANGE_FILTERS:
            bound = getattr(q, attr)
            if bound is None or column == skip:
                continue
            if column in SNAPSHOT_DATES:
                bound = _ordinal(bound)
            values = getattr(snap, column)
            m &= values >= bound if lower else values <= bound
    return m


def unknown_counts(snap: Snapshot, q: Query, others: np.ndarray) -> dict[str, int]:
    """Per range filter ``q`` sets (by its name: "price"), how many courses it left out
    only because their value is unknown: they pass ``others`` (the text and the facets)
    and every other range. A course of unknown price is neither cheap nor dear."""
    counts: dict[str, int] = {}
    for row in RANGE.values():
        if all(getattr(q, bound.attr) is None for bound in row.bounds):
            continue
        unknown = np.isnan(getattr(snap, row.column))
        counts[row.name] = int(np.count_nonzero(others & unknown & range_mask(snap, q, row.column)))
    return counts


def facet_masks(snap: Snapshot, query: Query) -> dict[str, np.ndarray]:
    """Per facet with a selection, the courses holding a selected value; with none
    selected, a facet's default (status: not removed)."""
    masks: dict[str, np.ndarray] = {}
    for facet in FACETS:
        selected = query.selected(facet) or FACET[facet].default
        if selected:
            masks[facet] = snap.columns[facet].mask(selected, snap.size)
    return masks


def facet_counts(
    snap: Snapshot,
    query: Query,
    base: np.ndarray,
    masks: dict[str, np.ndarray],
    full: np.ndarray,
) -> dict[str, list[FacetValue]]:
    """Every facet's values and counts: ``full`` (all filters) for a facet without a
    selection, else ``base`` and the other facets' ``masks``."""
    counts: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        if facet in masks:
            m = base.copy()
            for other, om in masks.items():
                if other != facet:
                    m &= om
        else:
            m = full
        counts[facet] = _facet_values(snap.columns[facet], m, query.selected(facet))
    return counts


def _facet_values(col: _Codes, mask: np.ndarray, selected: Sequence[str]) -> list[FacetValue]:
    counts = col.counts(mask)
    order = np.argsort(-counts, kind="stable")
    out = [
        FacetValue(col.vocab[i], int(counts[i]), col.vocab[i] in selected)
        for i in order[:FACET_LIMIT]
        if counts[i] > 0
    ]
    shown = {fv.value for fv in out}
    for value in selected:  # a selected value stays visible even with no hits
        if value not in shown:
            idx = col.index.get(value)
            out.append(FacetValue(value, int(counts[idx]) if idx is not None else 0, True))
    return out
