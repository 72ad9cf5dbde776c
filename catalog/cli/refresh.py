"""``courseradar refresh | parse | sources | rates``: keeping the catalog fresh from the sites.

A thin front end over :mod:`catalog.refresh`: every command here calls library functions and
only formats what they return.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from catalog.cli import common
from catalog.cli.common import SHOWN_ERRORS, UserError, err, out, plain, save_snapshot

if TYPE_CHECKING:
    from rich.console import Console

    from catalog.refresh import RunReport
    from scrapers.base import Scraper

sources_app = typer.Typer(
    help="The sources: list them, or check that their formats are still understood.",
    invoke_without_command=True,
)
rates_app = typer.Typer(help="EUR exchange rates used to compare prices.", no_args_is_help=True)

SourceOpt = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
]


def _scraper(name: str) -> Scraper:
    from scrapers import UnknownSource, get_scraper

    try:
        return get_scraper(name)
    except UnknownSource as exc:
        raise UserError(str(exc)) from None
    except ImportError as exc:
        raise UserError(f"the scraper of {name} cannot be loaded: {exc}") from None


def check_names(names: list[str] | None) -> list[str] | None:
    """The --source names without repeats; a name no scraper has is a UserError."""
    from scrapers import SOURCES, UnknownSource

    for name in names or ():
        if name not in SOURCES:
            raise UserError(str(UnknownSource(name)))
    return list(dict.fromkeys(names)) if names else None


# -- refresh --------------------------------------------------------------------------------


def refresh(source: SourceOpt = None) -> None:
    """Refresh the sources from their sites (all of them, or each --source).

    Exit code 1 when a source failed; a source another refresh is running is skipped.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from catalog.refresh import refresh_sources

    names = check_names(source)
    eng = common.engine()
    columns = (
        TextColumn("{task.fields[source]:<16}"),
        TextColumn("{task.fields[stage]:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        tasks: dict[str, Any] = {}
        totals: dict[str, int] = {}

        def show(src: str, stage: str, done: int, total: int) -> None:
            if src not in tasks:
                tasks[src] = bar.add_task("", source=src, stage=stage, total=None)
            if stage == "done":
                final = totals.get(src) or 1
                bar.update(tasks[src], stage="done", completed=final, total=final)
                return
            totals[src] = max(total, done)
            bar.update(tasks[src], stage=stage, completed=done, total=totals[src] or None)

        reports = refresh_sources(eng, names, progress=show)
    save_snapshot(eng)
    print_reports(reports, out)
    if any(r.state == "failed" for r in reports):
        raise SystemExit(1)  # typer.Exit is swallowed by standalone_mode=False


def print_reports(reports: list[RunReport], console: Console) -> None:
    """The summary table of a refresh, then each source's message and first errors."""
    from rich.table import Table

    table = Table(title="refresh", title_justify="left")
    for column in ("source", "state", "added", "updated", "unchanged", "stale", "removed"):
        table.add_column(column, justify="left" if column in ("source", "state") else "right")
    table.add_column("out of scope", justify="right")
    table.add_column("errors", justify="right")
    for r in reports:
        table.add_row(
            plain(r.source), plain(r.state),
            str(r.added + r.merged), str(r.updated), str(r.unchanged),
            str(r.stale), str(r.removed), str(r.out_of_scope), str(r.errored),
        )  # fmt: skip
    console.print(table)
    for r in reports:
        if r.message:
            console.print(plain(f"{r.source}: {r.message}"))
        for e in r.errors[:SHOWN_ERRORS]:
            console.print(plain(f"  {e.stage} {e.key}: {e.reason}"))
        if len(r.errors) > SHOWN_ERRORS:
            console.print(plain(f"  ... and {len(r.errors) - SHOWN_ERRORS} more errors"))


# -- parse ----------------------------------------------------------------------------------


def parse(
    source: Annotated[str, typer.Argument(help="Source name, e.g. coursera.")],
    file: Annotated[Path, typer.Argument(help="A saved response or page.")],
    url: Annotated[
        str | None,
        typer.Option(help="URL the file came from (default: the source's first request)."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also print records outside the AI/ML scope.")
    ] = False,
) -> None:
    """Parse a saved file with one source's parser (no network); records as JSON Lines."""
    from catalog.normalize import normalize_course
    from catalog.refresh import current_rates, one_line, record_in_scope

    scraper = _scraper(source)
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {file}: {exc.strerror or exc}") from None
    result = scraper.parse(content, url or _default_url(scraper, file))
    stderr = sys.stderr
    for reason in result.errors:
        stderr.write(f"parse error: {one_line(reason)}\n")
    rates = current_rates()
    shown = hidden = 0
    for raw in result.records:
        record = normalize_course(raw, source=source, rates=rates)
        if show_all or record_in_scope(record):
            sys.stdout.write(json.dumps(record.to_dict(), ensure_ascii=False, default=str) + "\n")
            shown += 1
        else:
            hidden += 1
    note = f"{len(result.records)} records, {shown} printed"
    if hidden:
        note += f", {hidden} out of scope not shown (--all shows them)"
    if result.follow:
        note += f"; {len(result.follow)} follow-up requests not fetched"
    stderr.write(note + "\n")
    if result.errors and not result.records:
        raise SystemExit(1)  # typer.Exit is swallowed by standalone_mode=False


def _default_url(scraper: Scraper, file: Path) -> str:
    """The URL of the source's first request (parsers use it for links), else the file's."""
    try:
        return scraper.check_request().url
    except Exception:
        return file.resolve().as_uri()


# -- sources --------------------------------------------------------------------------------


@sources_app.callback()
def sources(ctx: typer.Context) -> None:
    """List the sources: endpoints, how their format was confirmed, last refresh."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from catalog.bootstrap import CURATED_SOURCE
    from catalog.curated import DEFAULT_PATH
    from catalog.stats import source_table
    from scrapers import SOURCES, scraper_class

    known = {row[0]: row for row in source_table(common.engine())}
    table = Table(title="sources", title_justify="left")
    for column in ("source", "title", "endpoints", "confirmed", "last refresh", "state"):
        table.add_column(column, overflow="fold")
    table.add_column("listings", justify="right")

    def add(name: str, title: str, endpoints: str, confirmed: str) -> None:
        row = known.get(name)
        when = row[2].strftime("%Y-%m-%d %H:%M") if row and row[2] else "never"
        table.add_row(
            plain(name), plain(title), plain(endpoints), plain(confirmed), plain(when),
            plain(row[3] if row else ""), str(row[1] if row else 0),
        )  # fmt: skip

    for name in SOURCES:
        try:
            scraper = scraper_class(name)()
        except ImportError as exc:
            add(name, "", "", f"cannot be loaded: {exc}")
            continue
        endpoints = "\n".join(f"{k}: {v}" for k, v in scraper.endpoint.items())
        add(name, scraper.title, endpoints, scraper.confirmed)
    add(CURATED_SOURCE, "Curated starter catalog", str(DEFAULT_PATH), "checked by hand per entry")
    for name in known:
        if name not in SOURCES and name != CURATED_SOURCE:
            add(name, "imported file", "", "")
    out.print(table)


@sources_app.command("check")
def sources_check(source: SourceOpt = None) -> None:
    """Fetch one small page per source and say whether its format is still understood."""
    from catalog.fetching import make_fetcher
    from catalog.refresh import check_source
    from scrapers import SOURCES

    names = check_names(source) or list(SOURCES)
    failed = 0
    with make_fetcher() as fetcher:
        for name in names:
            try:
                scraper = _scraper(name)
            except Exception as exc:
                failed += 1
                out.print(plain(f"FAILED {name}: {exc}"))
                continue
            result = check_source(scraper, fetcher)
            failed += not result.ok
            word = "ok" if result.ok else "FAILED"
            at = f" ({result.url})" if result.url else ""
            out.print(plain(f"{word:<6} {name}: {result.reason}{at}"))
    if failed:
        raise SystemExit(1)  # typer.Exit is swallowed by standalone_mode=False


# -- rates ----------------------------------------------------------------------------------


@rates_app.command("update")
def rates_update(
    url: Annotated[str | None, typer.Option(help="Where to download the ECB file.")] = None,
) -> None:
    """Download today's ECB reference rates into the data directory (used from then on)."""
    from catalog.rates import ECB_DAILY_URL, RatesError, update_rates
    from catalog.refresh import rates_path

    target = rates_path()
    try:
        rates = update_rates(url or ECB_DAILY_URL, target=target)
    except RatesError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    out.print(plain(f"ECB rates of {rates.date} ({len(rates.rates)} currencies) -> {target}"))
