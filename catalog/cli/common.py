"""What the command modules share: the one-line UserError, the consoles, opening the
catalog, writing a file, and the search options of `search`, `export` and `saved save`.

Commands open the catalog as ``common.engine()`` (looked up when called), so a test can
replace it in one place for every command.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from catalog.filters import BOUND, FACET
from catalog.query import SORTS, Query, QueryError

if TYPE_CHECKING:  # the search engine (numpy, SQLModel) loads only for commands that search
    from sqlalchemy.engine import Engine

out = Console(soft_wrap=True)
err = Console(stderr=True)

BATCH_QUIET = 64  # embedding fewer courses than this shows no progress
# Courses a changing command embeds before it returns: the model reads 5-10 courses a
# second on two cores, so a large import would otherwise run for hours. The rest are
# found by words until `courseradar embed` (or the next import or refresh) embeds them.
INLINE_EMBED_LIMIT = 1000
SHOWN_ERRORS = 5  # errors listed per source or file; the rest are counted

FormatOpt = Annotated[str, typer.Option("--format", help="table, json or csv.")]
LangChoice = Annotated[str, typer.Option("--lang", help="Language of column headers: en or de.")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")]


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def engine() -> Engine:
    """The catalog engine with the schema upgraded and the starter catalog loaded."""
    from catalog.bootstrap import open_catalog

    return open_catalog()


def plain(value: object) -> Any:
    """Scraped text as rich Text: brackets in a title must not become markup."""
    from rich.text import Text

    return Text("" if value is None else str(value))


def save_snapshot(engine: Engine) -> None:
    """After a command changed the catalog: the new or changed courses get their vectors
    (with progress on stderr) and the app's next start loads the search snapshot."""
    from catalog.search import save_snapshot

    embed_changed(engine)
    save_snapshot(engine)


def embed_changed(engine: Engine, limit: int | None = INLINE_EMBED_LIMIT) -> int:
    """Embed the courses without a current vector (at most ``limit``), showing progress;
    returns how many. Says how many are left for `courseradar embed`."""
    from catalog.search.embedding import default_embedder
    from catalog.search.vectors import stale_courses, update_vectors

    embedder = default_embedder()
    if embedder is None:
        return 0

    def progress(done: int, total: int) -> None:
        if total > BATCH_QUIET:
            err.print(f"embedding courses for meaning search: {done}/{total}", highlight=False)

    done = update_vectors(engine, embedder, progress=progress, limit=limit)
    if limit is not None and done >= limit and (left := len(stale_courses(engine, embedder.name))):
        err.print(
            f"note: {left} courses have no vector yet and are found by words only; "
            "`courseradar embed` computes them (5-10 courses a second)",
            highlight=False,
        )
    return done


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's one-line errors into the CLI's one-line errors."""
    from catalog.export import ExportError
    from catalog.shortlists import UserDataError

    try:
        yield
    except (UserDataError, QueryError, ExportError) as exc:
        raise UserError(str(exc)) from None


def check_lang(lang: str) -> None:
    from catalog.i18n import LANGS

    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}; use {' or '.join(LANGS)}")


def write(data: bytes, output: Path | None, what: str) -> None:
    """Bytes to ``output`` (or stdout); binary files are not sent to a terminal."""
    if output is None:
        if what == "xlsx" and sys.stdout.isatty():
            raise UserError("an xlsx file cannot go to the terminal; add -o FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None


def validated(query: Query, eng: Engine) -> Query:
    """The checks `search` makes (sources included), so export and save refuse what it does."""
    from catalog.search import validate

    return validate(eng, query)


# -- the search options ---------------------------------------------------------------


Values = list[str] | None  # a repeatable option: None when not given


def _facet_option(name: str) -> Any:
    """A facet's option as the filter table names and explains it."""
    return typer.Option(FACET[name].option, help=FACET[name].help)


def _bound_option(attr: str) -> Any:
    """A range bound's option (``--max-price-eur`` from its Query field) and its help."""
    return typer.Option(help=BOUND[attr].help)


@dataclass(frozen=True)
class SearchFilters:
    """The search options, each field one command-line parameter (its type carries the
    typer declaration); commands take them through :func:`search_filters`."""

    text: Annotated[str | None, typer.Argument(help="Words to search for.")] = None
    topic: Annotated[Values, _facet_option("topic")] = None
    provider: Annotated[Values, _facet_option("provider")] = None
    source: Annotated[Values, _facet_option("source")] = None
    kind: Annotated[Values, _facet_option("kind")] = None
    cost: Annotated[Values, _facet_option("cost")] = None
    certificate: Annotated[Values, _facet_option("certificate")] = None
    level: Annotated[Values, _facet_option("level")] = None
    language: Annotated[Values, _facet_option("language")] = None
    pace: Annotated[Values, _facet_option("pace")] = None
    status: Annotated[Values, _facet_option("status")] = None
    max_price_eur: Annotated[float | None, _bound_option("max_price_eur")] = None
    min_hours: Annotated[float | None, _bound_option("min_hours")] = None
    max_hours: Annotated[float | None, _bound_option("max_hours")] = None
    start_from: Annotated[str | None, _bound_option("start_from")] = None
    start_to: Annotated[str | None, _bound_option("start_to")] = None
    min_rating: Annotated[float | None, _bound_option("min_rating")] = None
    sort: Annotated[str, typer.Option(help=f"One of: {', '.join(SORTS)}.")] = "relevance"
    words_only: Annotated[
        bool,
        typer.Option(
            "--words-only",
            help="Match the words only (no meaning-based match).",
            show_default=False,
        ),
    ] = False

    def query(self, per_page: int) -> Query:
        """The Query these options ask for; a date that is not one is a QueryError."""
        return Query(
            text=self.text or "",
            topics=tuple(self.topic or ()),
            providers=tuple(self.provider or ()),
            sources=tuple(self.source or ()),
            kinds=tuple(self.kind or ()),
            costs=tuple(self.cost or ()),
            certificates=tuple(self.certificate or ()),
            levels=tuple(self.level or ()),
            languages=tuple(code.lower() for code in self.language or ()),
            paces=tuple(self.pace or ()),
            statuses=tuple(self.status or ()),
            max_price_eur=self.max_price_eur,
            min_hours=self.min_hours,
            max_hours=self.max_hours,
            start_from=_dated(self.start_from, "--start-from"),
            start_to=_dated(self.start_to, "--start-to"),
            min_rating=self.min_rating,
            sort=self.sort,
            words_only=self.words_only,
            per_page=per_page,
        )


def _dated(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{flag} must be a date like 2026-01-31, not {value[:40]!r}") from None


def search_filters(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` as typer should see it: its ``filters`` parameter spread out into the
    SearchFilters fields, in its place; called, the command gets them back as one object."""
    hints = typing.get_type_hints(SearchFilters, include_extras=True)
    names = [f.name for f in fields(SearchFilters)]
    spread = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=f.default,
            annotation=hints[f.name],
        )
        for f in fields(SearchFilters)
    ]
    own = inspect.signature(command, eval_str=True)
    parameters = [
        new
        for param in own.parameters.values()
        for new in (spread if param.name == "filters" else [param])
    ]

    def run(**options: Any) -> None:
        filters = SearchFilters(**{name: options.pop(name) for name in names})
        command(filters=filters, **options)

    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(run, attribute, getattr(command, attribute))
    run.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run
