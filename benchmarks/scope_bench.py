"""How well the scope rule and the topic tags match the labelled set: ``python -m
benchmarks.scope_bench`` (or ``python -m benchmarks --parts scope``).

Each labelled row (benchmarks/scope_set.py) goes through the import's normalising and scope
step, :func:`catalog.refresh.scope.normalize_and_scope`, as ``courseradar import`` would run
it. Printed, for the whole set, the tuning half and the held-out half:

- scope precision and recall: rows labelled "in" or "out" (borderline rows are not counted);
- topics: the share of kept rows with labelled topics whose tags are right, i.e. they hold
  every required topic and nothing outside the required and the also-acceptable ones.

``--show`` lists the tuning half's mistakes (never the held-out half's: tune on what you may
look at). Nothing here asserts; the figures are printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.scope_set import LabelledRow, available, load_set
from catalog.refresh.scope import normalize_and_scope


@dataclass
class Verdict:
    row: LabelledRow
    kept: bool
    topics: tuple[str, ...]

    @property
    def topics_right(self) -> bool:
        got = set(self.topics)
        need = self.row.topics
        return need <= got and got <= need | self.row.topics_also_ok


@dataclass
class Figures:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    border_kept: int = 0
    border: int = 0
    tagged: int = 0
    tagged_right: int = 0
    tagged_dropped: int = 0
    wrong: list[Verdict] = field(default_factory=list)

    def add(self, v: Verdict) -> None:
        label = v.row.label
        if label == "border":
            self.border += 1
            self.border_kept += v.kept
        elif label == "in":
            self.tp += v.kept
            self.fn += not v.kept
        else:
            self.fp += v.kept
            self.tn += not v.kept
        if (label == "in") != v.kept and label != "border":
            self.wrong.append(v)
        if v.row.topics:
            if not v.kept:
                self.tagged_dropped += 1
                return
            self.tagged += 1
            self.tagged_right += v.topics_right
            if not v.topics_right:
                self.wrong.append(v)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def topic_share(self) -> float:
        return self.tagged_right / self.tagged if self.tagged else 0.0

    def line(self) -> str:
        return (
            f"{self.name:<10} rows {self.tp + self.fp + self.fn + self.tn:>5} in/out"
            f" (+{self.border} borderline, {self.border_kept} kept) | scope precision"
            f" {self.precision:6.1%} recall {self.recall:6.1%} (tp {self.tp}, fp {self.fp},"
            f" fn {self.fn}) | topics right {self.topic_share:6.1%}"
            f" ({self.tagged_right}/{self.tagged}; {self.tagged_dropped} tagged rows not kept)"
        )


def judge(row: LabelledRow) -> Verdict:
    got = normalize_and_scope(row.raw, source="scope-bench", rates=None)
    topics = tuple(got.record.topics) if got.record is not None else ()
    return Verdict(row, got.wanted, topics)


def measure(rows: Sequence[LabelledRow]) -> tuple[Figures, Figures, Figures]:
    whole, tuning, held = Figures("whole"), Figures("tuning"), Figures("held-out")
    for row in rows:
        verdict = judge(row)
        whole.add(verdict)
        (held if row.held_out else tuning).add(verdict)
    return whole, tuning, held


def _show(figures: Figures) -> None:
    for v in figures.wrong:
        row = v.row
        what = (
            f"labelled {row.label}, kept={v.kept}"
            if (row.label == "in") != v.kept
            else f"topics {list(v.topics)}; want {sorted(row.topics)}"
            f" (+ok {sorted(row.topics_also_ok)})"
        )
        print(f"  {row.source[:14]:<14} {row.key[:40]:<40} {row.title[:60]!r}: {what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the tuning half's mistakes")
    args = parser.parse_args(argv)
    if not available():
        print("scope bench: ../shared/realdata/datasets is absent; nothing measured")
        return 0
    rows = load_set()
    figures = measure(rows)
    print(f"scope bench: {len(rows)} labelled rows (docs/scope.md describes the rule and labels)")
    for fig in figures:
        print(fig.line())
    if args.show:
        print("tuning half, mistakes:")
        _show(figures[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
