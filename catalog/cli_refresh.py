"""``courseradar refresh | parse | sources | import | rates | schedule``: keeping the catalog fresh.

A thin front end over :mod:`catalog.refresh`: every command here calls library functions and
only formats what they return. ``register(app)`` adds the commands to the main Typer app
(called at the end of ``catalog/cli.py``); ``catalog.cli`` is imported inside the functions,
so importing this module first does not trip over the circular import.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.engine import Engine

    from catalog.refresh import RunReport
    from scrapers.base import Scraper

DEFAULT_CRON = "0 4 * * 1"  # Mondays at 04:00: weekly is plenty for course catalogs
SHOWN_ERRORS = 5

sources_app = typer.Typer(
    help="The sources: list them, or check that their formats are still understood.",
    invoke_without_command=True,
)
rates_app = typer.Typer(help="EUR exchange rates used to compare prices.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``courseradar`` app."""
    app.command("refresh")(refresh)
    app.command("parse")(parse)
    app.add_typer(sources_app, name="sources")
    app.command("import")(import_file)
    app.add_typer(rates_app, name="rates")
    app.command("schedule")(schedule)


# -- shared helpers -------------------------------------------------------------------------


def _user_error(message: str) -> Exception:
    from catalog.cli import UserError

    return UserError(message)


def _out() -> Console:
    from catalog.cli import out

    return out


def _err() -> Console:
    from catalog.cli import err

    return err


def _engine() -> Engine:
    from catalog.cli import engine

    return engine()


def _save_snapshot(engine: Engine) -> None:
    """After a command changed the catalog: the app's next start loads the search snapshot."""
    from catalog.search import save_snapshot

    save_snapshot(engine)


def _text(value: object) -> Any:
    """Scraped text as rich Text: brackets in a title must not become markup."""
    from rich.text import Text

    return Text("" if value is None else str(value))


def _scraper(name: str) -> Scraper:
    from scrapers import UnknownSource, get_scraper

    try:
        return get_scraper(name)
    except UnknownSource as exc:
        raise _user_error(str(exc)) from None
    except ImportError as exc:
        raise _user_error(f"the scraper of {name} cannot be loaded: {exc}") from None


def _check_names(names: list[str] | None) -> list[str] | None:
    from scrapers import SOURCES, UnknownSource

    for name in names or ():
        if name not in SOURCES:
            raise _user_error(str(UnknownSource(name)))
    return list(dict.fromkeys(names)) if names else None


SourceOpt = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
]


# -- refresh --------------------------------------------------------------------------------


def refresh(source: SourceOpt = None) -> None:
    """Refresh the sources from their sites (all of them, or each --source).

    Exit code 1 when a source failed; a source another refresh is running is skipped.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from catalog.refresh import refresh_sources

    names = _check_names(source)
    eng = _engine()
    columns = (
        TextColumn("{task.fields[source]:<16}"),
        TextColumn("{task.fields[stage]:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
    )
    with Progress(*columns, console=_err(), transient=False) as bar:
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
    _save_snapshot(eng)
    print_reports(reports, _out())
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
            _text(r.source), _text(r.state),
            str(r.added + r.merged), str(r.updated), str(r.unchanged),
            str(r.stale), str(r.removed), str(r.out_of_scope), str(r.errored),
        )  # fmt: skip
    console.print(table)
    for r in reports:
        if r.message:
            console.print(_text(f"{r.source}: {r.message}"))
        for e in r.errors[:SHOWN_ERRORS]:
            console.print(_text(f"  {e.stage} {e.key}: {e.reason}"))
        if len(r.errors) > SHOWN_ERRORS:
            console.print(_text(f"  ... and {len(r.errors) - SHOWN_ERRORS} more errors"))


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
        raise _user_error(f"cannot read {file}: {exc.strerror or exc}") from None
    result = scraper.parse(content, url or _default_url(scraper, file))
    err = sys.stderr
    for reason in result.errors:
        err.write(f"parse error: {one_line(reason)}\n")
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
    err.write(note + "\n")
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

    known = {row[0]: row for row in source_table(_engine())}
    table = Table(title="sources", title_justify="left")
    for column in ("source", "title", "endpoints", "confirmed", "last refresh", "state"):
        table.add_column(column, overflow="fold")
    table.add_column("listings", justify="right")

    def add(name: str, title: str, endpoints: str, confirmed: str) -> None:
        row = known.get(name)
        when = row[2].strftime("%Y-%m-%d %H:%M") if row and row[2] else "never"
        table.add_row(
            _text(name), _text(title), _text(endpoints), _text(confirmed), _text(when),
            _text(row[3] if row else ""), str(row[1] if row else 0),
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
    _out().print(table)


@sources_app.command("check")
def sources_check(source: SourceOpt = None) -> None:
    """Fetch one small page per source and say whether its format is still understood."""
    from catalog.fetching import make_fetcher
    from catalog.refresh import check_source
    from scrapers import SOURCES

    names = _check_names(source) or list(SOURCES)
    failed = 0
    with make_fetcher() as fetcher:
        for name in names:
            try:
                scraper = _scraper(name)
            except Exception as exc:
                failed += 1
                _out().print(_text(f"FAILED {name}: {exc}"))
                continue
            result = check_source(scraper, fetcher)
            failed += not result.ok
            word = "ok" if result.ok else "FAILED"
            at = f" ({result.url})" if result.url else ""
            _out().print(_text(f"{word:<6} {name}: {result.reason}{at}"))
    if failed:
        raise SystemExit(1)  # typer.Exit is swallowed by standalone_mode=False


# -- import ---------------------------------------------------------------------------------


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, JSON or JSON Lines file of courses.")],
    source: Annotated[
        str | None, typer.Option(help="Source name (default: import:<file name>).")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: read FIELD from COLUMN (repeatable)."),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, json or jsonl (default: by extension).")
    ] = None,
) -> None:
    """Import courses from a file; rows outside the AI/ML scope are counted, not imported."""
    from catalog.refresh.file_import import FileImportError, check_import
    from catalog.refresh.file_import import import_file as import_courses

    if fmt is not None and fmt not in ("csv", "json", "jsonl"):
        raise _user_error(f"unknown format {fmt!r}; use csv, json or jsonl")
    fields: dict[str, str] = {}
    for item in mapping or ():
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise _user_error(f"--map takes FIELD=COLUMN, not {item!r}")
        fields[name.strip()] = column.strip()
    try:
        name = check_import(file, source)  # before the catalog is opened
        eng = _engine()
        done = import_courses(eng, file, source=name, fmt=fmt, mapping=fields)
    except FileImportError as exc:
        raise _user_error(str(exc)) from None
    _save_snapshot(eng)
    report, rows, errors, notes = done.report, done.rows, done.skipped, done.notes
    console = _out()
    merged = f" ({report.merged} as listings of known courses)" if report.merged else ""
    console.print(
        _text(
            f"{file.name} -> {name}: {rows} rows; added {report.added + report.merged}{merged}, "
            f"updated {report.updated}, unchanged {report.unchanged}, "
            f"out of scope {report.out_of_scope}, skipped {len(errors)}"
        )
    )
    for note in notes:
        console.print(_text(f"  note: {note}"))
    for e in errors[:SHOWN_ERRORS]:
        console.print(_text(f"  {e.key}: {e.reason}"))
    if len(errors) > SHOWN_ERRORS:
        console.print(_text(f"  ... and {len(errors) - SHOWN_ERRORS} more"))


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
        raise _user_error(str(exc)) from None
    except OSError as exc:
        raise _user_error(f"cannot write {target}: {exc.strerror or exc}") from None
    _out().print(_text(f"ECB rates of {rates.date} ({len(rates.rates)} currencies) -> {target}"))


# -- schedule -------------------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


@dataclass(frozen=True)
class CronSpec:
    """A five-field crontab expression read into explicit values (None = every value).

    Read here, not by APScheduler alone, because APScheduler 3's ``from_crontab`` counts
    weekday 0 as Monday where cron counts it as Sunday: the trigger gets weekday *names*,
    so "0 4 * * 1" means Monday in the foreground scheduler, in cron and in systemd alike.
    """

    expr: str
    minute: tuple[int, ...] | None
    hour: tuple[int, ...] | None
    day: tuple[int, ...] | None
    month: tuple[int, ...] | None
    weekday: tuple[int, ...] | None  # 0 = Sunday, as in cron

    def apscheduler(self) -> str:
        """The same schedule as an expression APScheduler reads the cron way."""

        def f(values: tuple[int, ...] | None, names: tuple[str, ...] | None = None) -> str:
            if values is None:
                return "*"
            return ",".join(names[v] if names else str(v) for v in values)

        return " ".join(
            (f(self.minute), f(self.hour), f(self.day), f(self.month), f(self.weekday, _DAYS))
        )

    def systemd(self) -> str:
        """The same schedule as a systemd ``OnCalendar=`` value."""

        def f(values: tuple[int, ...] | None) -> str:
            return "*" if values is None else ",".join(f"{v:02d}" for v in values)

        date = f"*-{f(self.month)}-{f(self.day)}"
        time = f"{f(self.hour)}:{f(self.minute)}:00"
        if self.weekday is None:
            return f"{date} {time}"
        return f"{','.join(_SYSTEMD_DAYS[d] for d in self.weekday)} {date} {time}"


def parse_cron(expr: str) -> CronSpec:
    """Read "minute hour day month weekday" (numbers, names, *, lists, ranges, steps)."""
    parts = expr.split()
    if len(parts) != 5:
        raise _user_error(
            f"--cron needs five fields (minute hour day month weekday), e.g. {DEFAULT_CRON!r}; "
            f"got {expr!r}"
        )
    minute = _cron_field(parts[0], 0, 59, "minute")
    hour = _cron_field(parts[1], 0, 23, "hour")
    day = _cron_field(parts[2], 1, 31, "day of month")
    month = _cron_field(parts[3], 1, 12, "month", _MONTHS, 1)
    weekday = _cron_field(parts[4], 0, 7, "weekday", _DAYS, 0)
    if weekday is not None:
        weekday = tuple(sorted({d % 7 for d in weekday}))
        if len(weekday) == 7:
            weekday = None
    if day is not None and weekday is not None:
        raise _user_error(
            "--cron restricts both the day of month and the weekday; cron runs on either, "
            "APScheduler only on both: restrict one of them"
        )
    return CronSpec(" ".join(parts), minute, hour, day, month, weekday)


def _cron_field(
    text: str,
    low: int,
    high: int,
    what: str,
    names: tuple[str, ...] | None = None,
    first: int = 0,
) -> tuple[int, ...] | None:
    def number(token: str) -> int:
        token = token.strip().lower()
        if names and token[:3] in names and not token.isdigit():
            return names.index(token[:3]) + first
        if not token.isdigit():
            raise _user_error(f"--cron: {what} {token!r} is not a number")
        value = int(token)
        if not low <= value <= high:
            raise _user_error(f"--cron: {what} {value} is outside {low}-{high}")
        return value

    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = number(step_text) if step_text else 1
        if step < 1:
            raise _user_error(f"--cron: step {step_text!r} of the {what} must be at least 1")
        if span == "*":
            start, end = low, high
            if not step_text:
                return None
        elif "-" in span:
            a, _, b = span.partition("-")
            start, end = number(a), number(b)
            if start > end:
                raise _user_error(f"--cron: {what} range {span!r} runs backwards")
        else:
            start = number(span)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    if what != "weekday" and values == set(range(low, high + 1)):
        return None
    return tuple(sorted(values))


def _executable() -> str:
    """The command that runs this CourseRadar: the script itself, else the venv's one."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "courseradar" and argv0.exists():
        return str(argv0.absolute())
    beside = Path(sys.executable).with_name("courseradar")
    if beside.exists():
        return str(beside)
    found = shutil.which("courseradar")
    if found:
        return str(Path(found).absolute())
    return f"{shlex.quote(sys.executable)} -m catalog"


def _environment() -> dict[str, str]:
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith("COURSERADAR_")}


def _systemd_quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def systemd_units(spec: CronSpec, names: list[str] | None) -> str:
    """A systemd service + timer pair that runs ``courseradar refresh`` on ``spec``."""
    args = "".join(f" --source {_systemd_quote(n)}" for n in names or ())
    env = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in _environment().items())
    exe = _executable()
    exec_start = exe if " " not in exe or exe.startswith("'") else _systemd_quote(exe)
    return (
        "# ~/.config/systemd/user/courseradar-refresh.service\n"
        "[Unit]\n"
        "Description=CourseRadar: refresh the course catalog\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"{env}"
        f"ExecStart={exec_start} refresh{args}\n"
        "\n"
        "# ~/.config/systemd/user/courseradar-refresh.timer\n"
        "[Unit]\n"
        f"Description=CourseRadar: refresh schedule (cron {spec.expr})\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={spec.systemd()}\n"
        "# A run missed while the machine was off starts at the next boot.\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
        "\n"
        "# then: systemctl --user daemon-reload && "
        "systemctl --user enable --now courseradar-refresh.timer\n"
    )


def crontab_line(spec: CronSpec, names: list[str] | None) -> str:
    """One crontab line that runs ``courseradar refresh`` on ``spec`` and keeps a log."""
    from catalog.db import data_dir

    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in _environment().items())
    args = "".join(f" --source {shlex.quote(n)}" for n in names or ())
    log = shlex.quote(str(data_dir() / "refresh.log"))
    command = f"{env + ' ' if env else ''}{_executable()} refresh{args} >> {log} 2>&1"
    # In a crontab line an unescaped % ends the command.
    return f"{spec.expr} {command.replace('%', chr(92) + '%')}\n"


def make_scheduler(spec: CronSpec, job: Any) -> Any:
    """A BlockingScheduler that runs ``job`` on ``spec``: one run at a time, missed runs
    (the machine slept) caught up once within an hour, never stacked."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler()
    scheduler.add_job(
        job,
        CronTrigger.from_crontab(spec.apscheduler()),
        id="refresh",
        name="courseradar refresh",
        misfire_grace_time=3600,
        coalesce=True,
        max_instances=1,
    )
    return scheduler


def schedule(
    cron: Annotated[
        str, typer.Option(help="When to refresh, as a crontab expression.")
    ] = DEFAULT_CRON,
    print_as: Annotated[
        str | None,
        typer.Option("--print", help="Print a systemd timer or a crontab line instead: "
                     "systemd or cron."),
    ] = None,
    source: SourceOpt = None,
) -> None:  # fmt: skip
    """Refresh on a schedule in the foreground, or print a systemd timer / crontab line."""
    spec = parse_cron(cron)
    names = _check_names(source)
    if print_as is not None:
        if print_as == "systemd":
            sys.stdout.write(systemd_units(spec, names))
        elif print_as == "cron":
            sys.stdout.write(crontab_line(spec, names))
        else:
            raise _user_error(f"--print takes systemd or cron, not {print_as!r}")
        return
    from catalog.refresh import refresh_sources

    eng = _engine()

    def job() -> None:
        reports = refresh_sources(eng, names)
        _save_snapshot(eng)
        print_reports(reports, _out())

    scheduler = make_scheduler(spec, job)
    _err().print(_text(f"refreshing on {spec.expr!r} (Ctrl-C stops); next run at the first match"))
    scheduler.start()
